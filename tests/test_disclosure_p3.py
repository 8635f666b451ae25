"""Produkt 3 is public: no small count may be readable from anything the Gemeinderat receives.

Three attackers, from simple to complete:

* a reader who subtracts (the examples of issue 9 on the demo data, 2023): equations written
  out by hand from the Kennzahlen' definitions, solved one unknown at a time;
* the sentences: no Kernaussage or statement names a hidden value or compares it;
* linear programming over everything the six reports of the quarter publish (read back from the
  generated HTML files), with the relations derived from the catalog: for every hidden count the
  smallest and largest value a reader can still believe must differ.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from leser import Veroeffentlichung, euro_befunde, gezaehlt

from kennzahlen import runner
from kennzahlen.api import load_pool
from kennzahlen.catalog.geography import areas, sozialraeume
from kennzahlen.catalog.model import load_catalog
from kennzahlen.core.schema import GESAMTSTADT, OHNE_ZUORDNUNG
from kennzahlen.core.vocabulary import PRODUKTE
from kennzahlen.disclosure.attack import Attacker, Knowledge
from kennzahlen.products import wirkung

JAHR = "2023"
ZEILEN = [*sozialraeume(), OHNE_ZUORDNUNG, GESAMTSTADT]
HIDDEN = ("<3", "x")


@pytest.fixture(scope="module")
def pool(demo_pool: Path) -> pd.DataFrame:
    return load_pool(demo_pool)


def zahl(text: str) -> int | None:
    """A shown count ('1.234') as a number; None for symbols."""
    return int(text.replace(".", "")) if re.fullmatch(r"\d{1,3}(\.\d{3})*", text) else None


def published(pool: pd.DataFrame, jahr: str = JAHR) -> dict[tuple[str, str, str], str]:
    """What the reports of the year show per (kennzahl, Zähler/Nenner/Wert, area)."""
    out = {}
    for k in wirkung.kennzahlen_p3():
        if not k.erhoben:
            continue
        t = wirkung.kennzahl_tabelle(pool, k, jahr)
        for col in t.anzeige.columns:
            for raum, text in t.anzeige[col].items():
                out[(k.id, col, raum)] = str(text)
    return out


def subtract(known: dict, equations: list[tuple[list, object]]) -> dict:
    """A reader who solves equations 'sum(parts) = total' one unknown at a time."""
    known = dict(known)
    changed = True
    while changed:
        changed = False
        for parts, total in equations:
            unknown = [p for p in [*parts, total] if p not in known]
            if len(unknown) != 1:
                continue
            u = unknown[0]
            if u == total:
                known[u] = sum(known[p] for p in parts)
            else:
                known[u] = known[total] - sum(known[p] for p in parts if p != u)
            changed = True
    return known


def hand_equations() -> list[tuple[list, object]]:
    """The relations of issue 9, written out by hand (not from the plan's atom model)."""
    eqs = []
    for kid in (
        "ah_z4_anteil_hzp_ambulant",
        "ah_z7_hzp_stationaer_je_1000_65plus",
        "egh_z4_anteil_eigener_wohnraum",
        "egh_z7_besondere_wohnform_je_1000",
    ):
        for teil in ("Zähler", "Nenner"):
            eqs.append(([(kid, teil, r) for r in ZEILEN[:-1]], (kid, teil, GESAMTSTADT)))
    for (
        raum
    ) in ZEILEN:  # ambulant + stationär = alle; eigener Wohnraum + besondere Wohnform = Nenner
        eqs.append(
            (
                [
                    ("ah_z4_anteil_hzp_ambulant", "Zähler", raum),
                    ("ah_z7_hzp_stationaer_je_1000_65plus", "Zähler", raum),
                ],
                ("ah_z4_anteil_hzp_ambulant", "Nenner", raum),
            )
        )
        eqs.append(
            (
                [
                    ("egh_z4_anteil_eigener_wohnraum", "Zähler", raum),
                    ("egh_z7_besondere_wohnform_je_1000", "Zähler", raum),
                ],
                ("egh_z4_anteil_eigener_wohnraum", "Nenner", raum),
            )
        )
    return eqs


# ---------------------------------------------------------------------------- issue 9, by hand
def test_issue_examples_cannot_be_subtracted(pool):
    shown = published(pool)
    known = {key: zahl(text) for key, text in shown.items() if zahl(text) is not None}
    recovered = subtract(known, hand_equations())
    hidden = {key for key, text in shown.items() if text in HIDDEN}
    # the four cells of the issue are hidden, and none of them (nor any other) comes back
    for key in [
        ("ah_z4_anteil_hzp_ambulant", "Zähler", OHNE_ZUORDNUNG),
        ("ah_z4_anteil_hzp_ambulant", "Zähler", "Eselsberg"),
        ("egh_z7_besondere_wohnform_je_1000", "Zähler", OHNE_ZUORDNUNG),
    ]:
        assert key in hidden, key
    assert sorted(k for k in hidden if k in recovered) == []


def test_issue_sentences_name_no_hidden_value(pool):
    shown = published(pool)
    assert shown[("egh_z2_anteil_nahfeld", "Wert", "Wiblingen")] in HIDDEN
    for raum in areas():
        text = " ".join(wirkung.kernaussagen(pool, JAHR, raum))
        assert "Wiblingen mit 88" not in text
        assert "0 von 2 Zielwerten" not in text
    wib = " ".join(wirkung.kernaussagen(pool, JAHR, "Wiblingen"))
    # the Zielwerte of Wiblingen's shown values only (Ziel 7 in Euro adds two), the hidden one named
    m = wirkung.matrix(pool, JAHR, "Wiblingen")
    n = int(m["status"].isin(["erreicht", "nicht erreicht"]).sum())
    e = int((m["status"] == "erreicht").sum())
    assert f"{e} von {n} Zielwert" in wib and "aus Datenschutzgründen nicht ausgewiesen" in wib


def test_every_report_of_the_year_uses_one_plan(pool):
    """The same cell shows the same in every area's report (the tables are the same plan)."""
    plan = wirkung.plan_jahr(pool, JAHR)
    assert wirkung.plan_jahr(pool.copy(), JAHR) is plan  # same content: the cached plan
    for raum in areas():
        m = wirkung.matrix(pool, JAHR, raum)
        for _, r in m.iterrows():
            if r["status"] == "noch nicht erhoben":
                continue
            t = wirkung.kennzahl_tabelle(pool, r["k"], JAHR)
            assert (
                r["anzeige"] == t.anzeige.loc[raum, "Wert"]
            )  # the matrix shows what the table shows
            if r["status"] == "gesperrt":
                assert t.anzeige.loc[raum, "Wert"] in HIDDEN and pd.isna(r["wert"])


def test_chart_points_of_hidden_values_are_not_drawn(pool):
    jahre = [str(j) for j in range(2019, 2024)]
    for k in wirkung.kennzahlen_p3():
        if not k.erhoben:
            continue
        reihe = wirkung.zeitreihe_sicher(pool, k, jahre)
        for j in reihe.index:
            t = wirkung.kennzahl_tabelle(pool, k, j)
            for raum in reihe.columns:
                if t.gesperrt[raum]:
                    assert pd.isna(reihe.loc[j, raum]), (k.id, j, raum)
                else:
                    assert reihe.loc[j, raum] == pytest.approx(
                        t.werte.loc[raum, "wert"], nan_ok=True
                    )


def test_every_year_attacker_recovers_nothing(pool):
    """The plan of each year 2019–2023: every hidden count keeps an interval (min < max)."""
    for jahr in [str(j) for j in range(2019, 2024)]:
        plan = wirkung.plan_jahr(pool, jahr)
        att = plan.attacker()
        hidden = plan.hidden()
        assert hidden, jahr
        for z in hidden:
            lo, hi = att.interval(z.atoms)
            assert hi is None or lo < hi, (jahr, z.orte)
            if z.status == "gesperrt" and not z.verdeckt:  # a Gegensperrung is never '1 to k-1'
                assert not (lo >= 1 and hi is not None and hi <= plan.k - 1)
        for g in plan.gruppen:  # derived small groups (e.g. a complement 'Nenner − Zähler')
            lo, hi = att.interval(g.atoms)
            assert hi is None or lo < hi, (jahr, g.beschreibung, g.raum)


# --------------------------------------------------------------------------- the reports themselves
class _Report(HTMLParser):
    """Sections (h3 title, statement, first table) and key messages of a Produkt-3 report."""

    def __init__(self):
        super().__init__()
        self.sections: list[dict] = []
        self.kern: list[str] = []
        self.saetze: list[str] = []
        self._tag: list[str] = []
        self._buf = ""
        self._table: dict | None = None
        self._row: list[str] | None = None
        self._in_kern = False
        self._blatt = False  # inside the Kennzahlensteckbriefe at the end (no tables)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._tag.append(tag)
        if tag == "h2" and a.get("id") == "kennzahlensteckbriefe":
            self._blatt = True
        if tag in ("h3", "li", "b", "th", "td"):
            self._buf = ""
        if tag == "div" and "kz-kern" in (a.get("class") or ""):
            self._in_kern = True
        if tag == "img" and self.sections:  # issue 30: the charts' alt texts (funnel points)
            self.sections[-1].setdefault("bilder", []).append(a.get("alt") or "")
        if (
            tag == "table"
            and self.sections
            and "table" not in self.sections[-1]
            and "kz-matrix" not in (a.get("class") or "")
        ):
            self._table = {"header": [], "rows": {}}
        if tag == "tr" and self._table is not None:
            self._row = []

    def handle_endtag(self, tag):
        text = html.unescape(self._buf).strip()
        if tag == "h3" and not self._blatt:
            self.sections.append({"titel": text.split(": ", 1)[1]})
        elif tag == "li" and self._in_kern:
            self.kern.append(text)
        elif (
            tag == "b"
            and self._tag[-2:-1] == ["p"]
            and self.sections
            and "table" not in self.sections[-1]
        ):
            self.saetze.append(text)
            self.sections[-1]["satz"] = text
        elif tag in ("th", "td") and self._row is not None:
            self._row.append(text)
        elif tag == "tr" and self._table is not None and self._row is not None:
            if not self._table["header"]:
                self._table["header"] = self._row[1:]
            else:
                self._table["rows"][self._row[0]] = dict(
                    zip(self._table["header"], self._row[1:], strict=True)
                )
            self._row = None
        elif tag == "table" and self._table is not None:
            self.sections[-1]["table"] = self._table
            self._table = None
        elif tag == "ul":
            self._in_kern = False
        if self._tag:
            self._tag.pop()

    def handle_data(self, data):
        self._buf += data


@pytest.fixture(scope="module")
def p3_reports(reports: Path) -> Path:
    """The six Produkt-3 reports of the quarter (the session's run of all 24, see conftest)."""
    return reports / PRODUKTE[3].ordner


@pytest.fixture(scope="module")
def gelesen(p3_reports: Path) -> dict[str, _Report]:
    out = {}
    for raum in areas():
        p = _Report()
        p.feed((p3_reports / f"{runner.slug(raum)}.html").read_text(encoding="utf-8"))
        out[raum] = p
    return out


def _tables(rep: _Report) -> dict[str, dict]:
    titel = {k.titel: k.id for k in wirkung.kennzahlen_p3() if k.erhoben}
    assert len(titel) == len({k.id for k in wirkung.kennzahlen_p3() if k.erhoben})
    return {titel[s["titel"]]: s["table"]["rows"] for s in rep.sections}


def _kleine_x(p3_reports: Path) -> set[tuple[str, str, str]]:
    """Small counts shown as 'x' (the audit, never mailed, says 'primär' for them)."""
    out = set()
    for raum in areas():
        audit = pd.read_csv(
            p3_reports / f"{runner.slug(raum)}.audit.csv", sep=";", dtype=str, keep_default_na=False
        )
        for _, r in audit[audit["grund"] == "primär"].iterrows():
            out.add((r["tabelle"].split(" ")[0], r["spalte"], r["zeile"]))
    return out


def _published_cells(gelesen) -> dict[tuple[str, str, str], str]:
    """Every cell the reports show, (kennzahl, column, row) -> text; the same in every report."""
    cells: dict[tuple[str, str, str], str] = {}
    for raum, rep in gelesen.items():
        for kid, rows in _tables(rep).items():
            assert set(rows) == set(ZEILEN), (raum, kid)
            for zeile, werte in rows.items():
                for col, text in werte.items():
                    key = (kid, col, zeile)
                    assert cells.setdefault(key, text) == text, (
                        f"{key}: {raum} zeigt {text}, ein anderer Bericht {cells[key]}"
                    )
    return cells


def offene_zellen(p3_reports: Path, jahr: str) -> dict[tuple[str, str, str], str]:
    """What the open data of a year publish per (kennzahl, column, area), written as the HTML
    writes a count ('1.234', '<3', 'x', '–'): the CSV and the GeoJSON, which must agree."""
    import json

    from kennzahlen.core import fmt

    ordner = p3_reports / runner.OFFENE_DATEN / jahr
    tab = pd.read_csv(
        ordner / f"wirkungskennzahlen_{jahr}.csv", sep=";", dtype=str, keep_default_na=False
    )
    geo = json.loads((ordner / f"wirkungskennzahlen_{jahr}.geojson").read_text("utf-8"))
    props = {f["properties"]["raum"]: f["properties"] for f in geo["features"]}

    def html_text(text: object) -> str:
        if text is None or text == "":
            return "–"
        return fmt.zahl(int(text)) if str(text).isdigit() else str(text)

    cells = {}
    for r in tab.itertuples(index=False):
        spalten = {"Zähler": r.zaehler, "Wert": r.wert}
        if load_catalog().get(r.kennzahl).nenner:
            spalten["Nenner"] = r.nenner
        for col, text in spalten.items():
            cells[(r.kennzahl, col, r.raum)] = html_text(text) if col != "Wert" else (text or "–")
            feld = {"Zähler": "_zaehler", "Nenner": "_nenner", "Wert": ""}[col]
            geo = props[r.raum][f"{r.kennzahl}{feld}"]
            assert html_text(None if geo is None else str(geo)) == html_text(text), (
                jahr,
                r.kennzahl,
                col,
                r.raum,
            )
    return cells


def _angriff(cells: dict, jahr: str, kleine_x: set) -> dict:
    """An LP attacker over what ``cells`` publish for the year: every hidden count keeps an
    interval (min < max), and a Gegensperrung is never narrowed to 1..k-1.

    The attacker is told which 'x' is a Gegensperrung (0 or >= 3) and which a small count
    shown as 'x' (``kleine_x``): it knows more than a reader, who cannot tell them apart.
    Returns the amounts in Euro shown (no counts: read by :func:`_euro_befunde`).
    """
    from kennzahlen.disclosure import atoms as da

    cat = load_catalog()
    kz = {k.id: k for k in wirkung.kennzahlen_p3(jahr) if k.erhoben}
    model = da.AtomModel(
        cat,
        [(t, k.periodizitaet) for k in kz.values() for t in [*k.zaehler, *k.nenner]],
        jahr,
        ZEILEN[:-1],
    )
    knowledge, hidden = {}, []
    euro: dict = {}
    for (kid, col, zeile), text in cells.items():
        if col not in ("Zähler", "Nenner") or text in ("–", "nicht bewertet"):
            continue
        k = kz[kid]
        if k.in_euro and col == "Zähler":  # an amount, no count: read by the amounts' attacker
            euro[(kid, col, zeile)] = text
            continue
        text = gezaehlt(k, text)  # Euro per case shows the average case: x 4 quarter ends
        atoms = model.atoms_of(k.zaehler if col == "Zähler" else k.nenner, k.periodizitaet, zeile)
        status = "wert" if zahl(text) is not None else {"<3": "klein", "x": "gesperrt"}[text]
        if status == "gesperrt" and (kid, col, zeile) in kleine_x:
            status = "frei"  # a small count shown as 'x': any whole number >= 0
        knowledge[atoms] = Knowledge(atoms, status, zahl(text))
        if status != "wert":
            hidden.append(((kid, col, zeile), atoms, status))
        if col == "Zähler" and "Wert" in cells.get((kid, "Wert", zeile), "Wert") and k.nenner:
            wert = cells[(kid, "Wert", zeile)]
            n = gezaehlt(k, cells[(kid, "Nenner", zeile)])
            if wert not in ("–", "x", "nicht bewertet"):  # a shown share comes with its counts
                assert zahl(text) is not None and zahl(n) is not None, (kid, zeile)
    att = Attacker(list(knowledge.values()), k=3)
    assert len(hidden) >= 10, jahr
    for key, atoms, status in hidden:
        lo, hi = att.interval(atoms)
        assert hi is None or lo < hi, f"{jahr} {key} ist errechenbar: {lo}"
        if status == "gesperrt":
            assert not (lo >= 1 and hi is not None and hi <= 2), (jahr, key)
    return euro


def _euro_befunde(pool: pd.DataFrame, euro: dict, jahr: str) -> list:
    """The amounts in Euro read with the counts: a hidden amount that follows from the shown."""
    kz = {k.id: k for k in wirkung.kennzahlen_p3(jahr) if k.erhoben}
    wahr = {o: float(wirkung.zaehltabelle(pool, kz[o[0]], jahr).loc[o[2], "zaehler"]) for o in euro}
    return euro_befunde(Veroeffentlichung({}, {}, set(), {}, euro, wahr), jahr)


def test_lp_attacker_on_the_quarters_public_reports(gelesen, pool, p3_reports):
    """Everything the six reports publish, read from the HTML, the CSV and the GeoJSON together
    (every cell the same in all three), against an LP attacker."""
    cells = _published_cells(gelesen)
    for key, text in offene_zellen(p3_reports, JAHR).items():
        if key[1] == "Wert":  # the CSV writes a value as a number ('83.5'), the HTML '83,5 %'
            continue
        assert cells.setdefault(key, text) == text, (key, text, cells[key])
    euro = _angriff(cells, JAHR, _kleine_x(p3_reports))
    # the amounts in Euro, read from the same HTML: no hidden one follows from the shown ones
    assert "x" in euro.values()
    assert _euro_befunde(pool, euro, JAHR) == []


def test_lp_attacker_on_the_open_data_of_every_chart_year(p3_reports, pool):
    """The open data publish the years the charts show (2019–2022) with their counts: read from
    the CSV and the GeoJSON, nothing is computable (small counts shown as 'x': the ledger)."""
    import json

    from kennzahlen.disclosure import veroeffentlichungen as buch

    root = Path(json.loads((p3_reports.parent / "runs.json").read_text(encoding="utf-8"))["pool"])
    for jahr in wirkung.berichtsjahre(JAHR)[:-1]:
        [v] = buch.load_veroeffentlichungen(root, 3, jahr)
        f = v.frame()
        kleine_x = {(r.kennzahl, r.teil, r.raum) for r in f[f["verdeckt"]].itertuples()}
        euro = _angriff(offene_zellen(p3_reports, jahr), jahr, kleine_x)
        assert _euro_befunde(pool, euro, jahr) == [], jahr


#: a value as a sentence shows it: "75,0 %", "1,2", "1.234", "606 €", "+6,2 %"
WERT = r"[+−]?\d{1,3}(?:\.\d{3})*(?:,\d+)?(?:[ \xa0](?:%|€))?"
#: an area and the value a sentence gives it: 'im Sozialraum West mit 75,0 %', 'die Gesamtstadt
#: hat ihn mit 80,3 %', 'bei 40,0 %' after the area, 'West (41,2 %)', '(Gesamtstadt 38,0 %)'
ZUORDNUNG = re.compile(
    r"(?<![\w/-])(?P<raum>"
    + "|".join(re.escape(z) for z in sorted(ZEILEN, key=len, reverse=True))
    + rf")(?: hat ihn)?(?: mit| bei)? \(?(?P<wert>{WERT})(?!\d|,\d)"
)
ZWISCHEN = re.compile(rf"zwischen (?P<lo>{WERT}) und (?P<hi>{WERT})")


def werte_im_satz(satz: str) -> list[tuple[str, str]]:
    """(area, value) as the sentence pairs them, in the wording of products.wirkung.aussage."""
    return [(m["raum"], m["wert"]) for m in ZUORDNUNG.finditer(satz)]


def test_the_sentence_reader_pairs_areas_and_values():
    satz = (
        "Im Jahr 2023 wurde der Zielwert von 80\xa0% im Sozialraum Wiblingen mit 75,0\xa0% "
        "unterschritten; die Gesamtstadt hat ihn mit 80,3\xa0% erreicht; in Mitte/Ost mit "
        "7,5\xa0% unterschritten."
    )
    assert werte_im_satz(satz) == [
        ("Wiblingen", "75,0\xa0%"),
        ("Gesamtstadt", "80,3\xa0%"),
        ("Mitte/Ost", "7,5\xa0%"),
    ]
    satz = (
        "Im Jahr 2023 lag der Wert für den Sozialraum West bei 1.234 (Gesamtstadt 2,7); am "
        "höchsten in ohne Zuordnung (2,7), am niedrigsten in Böfingen (0,5)."
    )
    assert werte_im_satz(satz) == [
        ("West", "1.234"),
        ("Gesamtstadt", "2,7"),
        ("ohne Zuordnung", "2,7"),
        ("Böfingen", "0,5"),
    ]
    satz = (
        "Im Jahr 2023 wurde der Zielwert von +5,9\xa0% im Sozialraum West mit +6,8\xa0% "
        "überschritten; die Gesamtstadt hat ihn mit −2,2\xa0% erreicht; in Mitte/Ost mit "
        "+7,9\xa0%, am höchsten in Böfingen (606\xa0€)."
    )
    assert werte_im_satz(satz) == [
        ("West", "+6,8\xa0%"),
        ("Gesamtstadt", "−2,2\xa0%"),
        ("Mitte/Ost", "+7,9\xa0%"),
        ("Böfingen", "606\xa0€"),
    ]
    assert (
        werte_im_satz("Für den Sozialraum West wurden 0 von 1 Zielwert im Jahr 2023 erreicht.")
        == []
    )


def _saetze_je_kennzahl(rep: _Report) -> dict[str, list[str]]:
    """Each Kennzahl's statement under its heading and its key message ('Titel: …')."""
    titel = {k.titel: k.id for k in wirkung.kennzahlen_p3() if k.erhoben}
    out: dict[str, list[str]] = {}
    for s in rep.sections:
        out.setdefault(titel[s["titel"]], []).append(s.get("satz", ""))
    for k in rep.kern:
        name, _, satz = k.partition(": ")
        if name in titel:
            out.setdefault(titel[name], []).append(satz)
    return out


def test_reports_sentences_and_matrix_name_no_hidden_value(gelesen, pool):
    """Every value a sentence gives an area is the value the table shows for it, and no sentence
    gives a hidden area a value (read back with the reader above, so a change of wording that
    the reader no longer follows fails here rather than passing unread)."""
    for raum, rep in gelesen.items():
        tables = _tables(rep)
        for kid, saetze in _saetze_je_kennzahl(rep).items():
            rows = tables[kid]
            wert = {z: w.get("Wert", w.get("Zähler")) for z, w in rows.items()}
            paare = [p for s in saetze for p in werte_im_satz(s)]
            for zeile, x in paare:
                assert wert[zeile] not in HIDDEN, (raum, kid, zeile, saetze)
                assert x == wert[zeile], (raum, kid, zeile, x, wert[zeile])
            if wert[raum] not in (*HIDDEN, "–", "nicht bewertet"):  # its own value is said
                assert (raum, wert[raum]) in paare, (raum, kid, saetze)
            gezeigt = {w for z, w in wert.items() if z in sozialraeume() and w not in HIDDEN}
            for s in saetze:
                for m in ZWISCHEN.finditer(s):  # 'zwischen lo und hi': shown Sozialräume only
                    assert {m["lo"], m["hi"]} <= gezeigt, (raum, kid, s)
        # "a von b Zielwerten": b counts only the shown values of the area
        m = re.search(r"wurden? (\d+) von (\d+) Zielwert(?:en)? im Jahr", " ".join(rep.kern))
        shown = [
            rows[raum]["Zielwert"]
            for rows in tables.values()
            if "Zielwert" in next(iter(rows.values()))
        ]
        # issue 30: judged with the interval; a Kennzahl in Euro has none ("nicht erreicht")
        gewertet = ("erreicht", "verfehlt", "nicht sicher verfehlt", "nicht erreicht")
        assert m and int(m.group(2)) == sum(s in gewertet for s in shown)
        assert int(m.group(1)) == shown.count("erreicht")


def test_intervals_and_funnel_points_only_where_counts_are_shown(gelesen):
    """Issue 30: a 95 % interval, a comparison with the Gesamtstadt and a funnel point are
    functions of a value's Zähler and Nenner. In every report they appear only where both
    counts are shown, and each shown interval is the one of the shown counts."""
    from kennzahlen.catalog.model import load_catalog
    from kennzahlen.products.wirkung import unsicherheit as u

    gezeigt = 0
    for raum, rep in gelesen.items():
        tables = _tables(rep)
        for section in rep.sections:
            kid = next(k.id for k in wirkung.kennzahlen_p3() if k.titel == section["titel"])
            k, rows = load_catalog().get(kid), tables[kid]
            for zeile, werte in rows.items():
                text = werte.get(u.INTERVALL, "–")
                if text in ("–", "nicht bewertet"):
                    assert werte.get(u.GEGEN_STADT, "–") in ("–", "nicht bewertet"), (kid, zeile)
                    continue
                z, n = zahl(werte["Zähler"]), zahl(werte["Nenner"])
                assert z is not None and n is not None, (raum, kid, zeile, text)
                assert text == u.intervall_text(k, u.intervall(k, z, n)), (kid, zeile)
                gezeigt += 1
            for alt in section.get("bilder", []):
                if not alt.startswith("Trichterdiagramm"):
                    continue
                for name, nenner in re.findall(
                    r"(?:Werte: |; )([^;:]+?) [\d,.]+[^;]*? bei (\d{1,3}(?:\.\d{3})*)", alt
                ):
                    assert zahl(rows[name]["Nenner"]) == zahl(nenner), (raum, kid, name)
                    assert zahl(rows[name]["Zähler"]) is not None, (raum, kid, name)
                    gezeigt += 1
    assert gezeigt > 100


def test_audit_lists_every_hidden_count_with_its_interval(p3_reports, gelesen):
    from kennzahlen.disclosure.suppression import AUDIT_COLUMNS

    for raum, rep in gelesen.items():
        audit = pd.read_csv(
            p3_reports / f"{runner.slug(raum)}.audit.csv", sep=";", dtype=str, keep_default_na=False
        )
        assert list(audit.columns) == AUDIT_COLUMNS
        rows = {
            (r["tabelle"].split(" ")[0], r["spalte"], r["zeile"]): r for _, r in audit.iterrows()
        }
        for kid, table in _tables(rep).items():
            for zeile, werte in table.items():
                for col in ("Zähler", "Nenner"):
                    if werte.get(col) in HIDDEN:
                        r = rows[(kid, col, zeile)]
                        lo, hi = r["intervall_min"], r["intervall_max"]
                        assert lo != "" and (hi == "" or int(lo) < int(hi)), (kid, col, zeile)


def test_reports_show_the_publication_recorded_before_them(gelesen, p3_reports):
    """The report run decides the year's plans once, records them in the pool's publication
    ledger before any report starts, and every report shows exactly the recorded publication
    (the report year and the years of its charts are recorded)."""
    import json

    from kennzahlen.core import fmt
    from kennzahlen.disclosure import veroeffentlichungen as buch

    root = Path(json.loads((p3_reports.parent / "runs.json").read_text(encoding="utf-8"))["pool"])
    for jahr in wirkung.berichtsjahre(JAHR):
        assert len(buch.load_veroeffentlichungen(root, 3, jahr)) == 1, jahr
    [v] = buch.load_veroeffentlichungen(root, 3, JAHR)
    cells = _published_cells(gelesen)
    zeichen = {"klein": "<3", "gesperrt": "x", "frei": "nicht bewertet", "leer": "–"}
    for r in v.frame().itertuples(index=False):
        text = fmt.zahl(r.wert) if r.status == "wert" else zeichen[r.status]
        shown = gezaehlt(load_catalog().get(r.kennzahl), cells[(r.kennzahl, r.teil, r.raum)])
        assert shown == text, (r.kennzahl, r.teil, r.raum)


def test_the_audit_of_a_report_comes_from_the_years_plan(p3_reports, demo_pool, tmp_path):
    """Issue 29: the report's audit file is the year's plan for what the report shows (the matrix
    and every collected Kennzahl's table), not what its notebook sections happened to hand in."""
    from kennzahlen.disclosure.suppression import AUDIT_COLUMNS, write_audit

    daten = wirkung.zur_veroeffentlichung(load_pool(demo_pool), demo_pool)
    for raum in areas():
        frames = [a for a in wirkung.bericht_audits(daten, JAHR, raum) if len(a)]
        audit = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        write_audit(audit.reindex(columns=AUDIT_COLUMNS), tmp_path / "audit.csv")
        ist = (p3_reports / f"{runner.slug(raum)}.audit.csv").read_bytes()
        assert (tmp_path / "audit.csv").read_bytes() == ist, raum

"""Test helper: a reader who knows the law, against everything Produkt 3 publishes for a year.

The reader reads the published tables (what every report of the year shows: Zähler and Nenner
per Kennzahl and area, as ``kennzahl_tabelle(...).anzeige``) and, for a published pool, the
open data (CSV and GeoJSON, which must show the same), of one publication or of several
publications of the same year (the year is published again with later quarters and after pool
rebuilds). It knows:

* the definitions: every count is a sum of atoms of the catalog's cross-classification, and the
  atoms a structural zero of the schema excludes (besondere Wohnform ambulant, …) are 0;
* the symbols: '<3' is 1 or 2, 'x' is 0 or at least 3 (a small count shown as 'x' is any whole
  number: the audit says which), 'nicht bewertet' is any whole number;
* between two publications of a year, cases were only added (late exports): every atom of the
  later one is at least the earlier one's (``x_spaet = x_frueh + d``, ``d >= 0``).

It is stronger than a reader in one point: it knows which 'x' is a Gegensperrung. A *finding* is
a hidden count, a 'nicht bewertet' count, or the difference of two published counts nested by
definition (a share's Gegenwert Nenner − Zähler, a margin such as WfbM = Nenner egh_z3 − Nenner
egh_z4) that the reader narrows to one value – for the differences, to one value from 1 to k−1.

Issue 30: the reader also reads the uncertainty the reports show. A 95 % interval (one decimal)
and a funnel point (the value at its Nenner) give a share's or rate's Zähler and Nenner back
(``abgeleitet``): the reader knows them exactly, and a hidden count among them is a finding.

Kennzahlen in Euro (Ziel 7): the reader reads the amounts ('15.614.257 €') apart from the counts –
an amount is no count of cases – and narrows every hidden amount with the shown ones (amounts add
up by definition like counts: Sozialräume to Gesamtstadt); the Nenner of Euro per case is shown
as the average case of the year ('590,25'), which the reader multiplies back to the stocks of the
four quarter ends it counts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import pandas as pd

from kennzahlen.catalog.geography import sozialraeume
from kennzahlen.catalog.model import load_catalog
from kennzahlen.core.schema import OHNE_ZUORDNUNG
from kennzahlen.disclosure import atoms as da
from kennzahlen.disclosure.attack import Attacker, Knowledge
from kennzahlen.products import wirkung

Ort = tuple[str, str, str]  # (kennzahl, Zähler/Nenner, area)
TEILE = ("Zähler", "Nenner")


@dataclass
class Veroeffentlichung:
    """One publication of a year: what it shows per place, the true counts, the small counts
    shown as 'x'."""

    zeichen: dict[Ort, str]
    wahr: dict[Ort, float]
    verdeckt: set[Ort] = field(default_factory=set)
    #: places whose count a shown interval or funnel point gives away, and what shows it
    abgeleitet: dict[Ort, str] = field(default_factory=dict)
    #: the amounts in Euro shown (Zähler of a Kennzahl in Euro): place -> text, and the truth
    euro: dict[Ort, str] = field(default_factory=dict)
    euro_wahr: dict[Ort, float] = field(default_factory=dict)


def zahl(text: str) -> int | None:
    """A shown count ('1.234') as a number; None for a symbol."""
    t = text.replace(".", "")
    return int(t) if t.isdigit() else None


def _abgeleitet(t) -> dict[tuple[str, str], str]:
    """(area, Zähler/Nenner) -> what gives the count away: a shown 95 % interval, a funnel point."""
    from kennzahlen.products.wirkung import unsicherheit

    out = {}
    spalte = t.anzeige.get(unsicherheit.INTERVALL)
    for raum, text in spalte.items() if spalte is not None else []:
        if " bis " in str(text):
            out.update({(raum, teil): "95-%-Intervall" for teil in TEILE})
    for raum in unsicherheit.trichter_punkte(t).index:
        out.update({(raum, teil): "Trichterdiagramm" for teil in TEILE})
    return out


def betrag(text: str) -> int | None:
    """A shown amount ('15.614.257 €') as a number; None for a symbol."""
    t = text.replace("\u00a0", " ").removesuffix(" €").replace(".", "")
    return int(t) if t.isdigit() else None


def gezaehlt(kz, text: str) -> str:
    """The Nenner of Euro per case is shown as the average case ('590,25'): the stocks of the
    four quarter ends it counts (x faktor) as a count text."""
    if kz.einheit not in ("euro_je_fall", "veraenderung") or kz.faktor == 1:
        return text
    t = text.replace(".", "").replace(",", ".")
    try:
        return f"{round(float(t) * kz.faktor):,}".replace(",", ".")
    except ValueError:
        return text


@contextmanager
def _euro_intervalle_einmal() -> Iterator[None]:
    """While the reader reads a year: what a reader can believe of each hidden amount of the year
    (``plan.euro_intervalle``, the same for every Kennzahl in Euro of the year, which the table of
    each of them recomputes for its audit rows) computed once per pool, year and plan. The same
    values: only the repetitions are left out (the reader does not read the audit)."""
    from kennzahlen.products.memo import fingerprint
    from kennzahlen.products.wirkung import plan as wplan

    original = wplan.euro_intervalle
    gemerkt: dict[tuple, tuple] = {}

    def einmal(pool: pd.DataFrame, jahr: str, plan):
        key = (fingerprint(pool), str(jahr), id(plan))
        if key not in gemerkt:  # the plan is kept with the result: its id stays its own
            gemerkt[key] = (plan, original(pool, jahr, plan))
        return gemerkt[key][1]

    wplan.euro_intervalle = einmal
    try:
        yield
    finally:
        wplan.euro_intervalle = original


def lesen(pool: pd.DataFrame, jahr: str) -> Veroeffentlichung:
    """What the reports of the year publish from this pool (every report shows every area)."""
    with _euro_intervalle_einmal():
        return _lesen(pool, jahr)


def _lesen(pool: pd.DataFrame, jahr: str) -> Veroeffentlichung:
    zeichen, wahr, verdeckt, abgeleitet = {}, {}, set(), {}
    euro, euro_wahr = {}, {}
    for k in wirkung.kennzahlen_p3(jahr):
        if not k.erhoben:
            continue
        t = wirkung.kennzahl_tabelle(pool, k, jahr)
        for (raum, teil), quelle in _abgeleitet(t).items():
            abgeleitet[(k.id, teil, raum)] = quelle
        for teil in TEILE:
            if teil not in t.anzeige.columns:
                continue
            col = "zaehler" if teil == "Zähler" else "nenner"
            for raum, text in t.anzeige[teil].items():
                if k.in_euro and teil == "Zähler":
                    euro[(k.id, teil, raum)] = str(text)
                    euro_wahr[(k.id, teil, raum)] = float(t.werte.loc[raum, col])
                    continue
                zeichen[(k.id, teil, raum)] = gezaehlt(k, str(text))
                wahr[(k.id, teil, raum)] = float(t.werte.loc[raum, col])
                z = t.plan.zelle(k.id, teil, raum) if t.plan is not None else None
                if z is not None and z.verdeckt:
                    verdeckt.add((k.id, teil, raum))
    if pool.attrs.get(wirkung.plan.VEROEFFENTLICHUNG):  # published: the open data go out too
        offene_daten_lesen(pool, jahr, zeichen)
    return Veroeffentlichung(zeichen, wahr, verdeckt, abgeleitet, euro, euro_wahr)


def offene_daten_lesen(pool: pd.DataFrame, jahr: str, zeichen: dict[Ort, str]) -> None:
    """The open data of the year (CSV table and GeoJSON, from the publication the reports show)
    read beside the tables: every count is the same text in all three, so the reader's knowledge
    is their union."""
    from kennzahlen.core import fmt
    from kennzahlen.products.wirkung import offene_daten as od

    tab = od.tabelle(od.veroeffentlichung(pool, jahr).frame(), jahr)
    geo = od.geojson(tab, jahr)
    props = {f["properties"]["raum"]: f["properties"] for f in geo["features"]}

    def als_html(text: object) -> str:
        if text is None or text == "":
            return "–"
        return fmt.zahl(int(text)) if str(text).isdigit() else str(text)

    for r in tab.itertuples(index=False):
        for teil, text, feld in (
            ("Zähler", r.zaehler, "_zaehler"),
            ("Nenner", r.nenner, "_nenner"),
        ):
            ort = (r.kennzahl, teil, r.raum)
            if ort not in zeichen:
                continue
            gezeigt = props[r.raum].get(f"{r.kennzahl}{feld}")
            assert als_html(text) == zeichen[ort] == als_html(gezeigt), (jahr, ort)


def _status(text: str, verdeckt: bool) -> str | None:
    if zahl(text) is not None:
        return "wert"
    if text == "<3":
        return "klein"
    if text == "x":
        return "frei" if verdeckt else "gesperrt"
    if text == wirkung.NICHT_BEWERTET:
        return "frei"
    return None  # '–': no value


#: what the law fixes (written out here, independent of ``schema.Festlegung``): per table the
#: column, and per code the only setting it can have
GESETZ = {
    "sozialhilfe": (
        "leistung",
        {
            "egh_besondere_wohnform": "stationaer",  # BTHG: the former stationary help
            "egh_eigener_wohnraum": "ambulant",
            "egh_wfbm": "ambulant",
        },
    ),
    "jugendhilfe": (
        "paragraph",
        {
            "33": "stationaer",
            "34": "stationaer",
            "29": "ambulant",
            "30": "ambulant",
            "31": "ambulant",
        },
    ),
}


def gesetzlich_null(model: da.AtomModel) -> set[int]:
    """The atoms the law makes 0 (every code of the atom fixes the other setting)."""
    out = set()
    for i, (key, _raum, combo) in enumerate(model.atoms):
        base = model.bases[key]
        if key[0] not in GESETZ or "setting" not in base.columns:
            continue
        spalte, fest = GESETZ[key[0]]
        if spalte not in base.columns:
            continue
        codes = base.classes[spalte][combo[base.columns.index(spalte)]]
        settings = base.classes["setting"][combo[base.columns.index("setting")]]
        if all(str(c) in fest for c in codes) and all(fest[str(c)] not in settings for c in codes):
            out.add(i)
    return out


def _modell(jahr: str) -> da.AtomModel:
    kz = [k for k in wirkung.kennzahlen_p3(jahr) if k.erhoben]
    return da.AtomModel(
        load_catalog(),
        [(t, k.periodizitaet) for k in kz for t in [*k.zaehler, *k.nenner]],
        jahr,
        [*sozialraeume(), OHNE_ZUORDNUNG],
    )


def _gelesen(pub: Veroeffentlichung, ort: Ort, text: str) -> tuple[str, str | None]:
    """What the reader makes of a place: its symbol, or the count an interval or a funnel point
    gives away (issue 30)."""
    st = _status(text, ort in pub.verdeckt)
    if ort in pub.abgeleitet and st != "wert":
        return str(int(pub.wahr[ort])), "wert"
    return text, st


def abgelesen(pubs: Sequence[Veroeffentlichung]) -> list[str]:
    """Hidden counts a shown interval or funnel point gives away (read, not computed)."""
    return [
        f"{j}: {kid} {teil} {raum} ({pub.zeichen[(kid, teil, raum)]}) aus {quelle}: ablesbar = "
        f"{pub.wahr[(kid, teil, raum)]:g}"
        for j, pub in enumerate(pubs)
        for (kid, teil, raum), quelle in pub.abgeleitet.items()
        if _status(pub.zeichen.get((kid, teil, raum), "–"), (kid, teil, raum) in pub.verdeckt)
        not in ("wert", None)
    ]


def befunde(pubs: Sequence[Veroeffentlichung], jahr: str, k: int = 3) -> list[str]:
    """Everything the reader pins down over all publications of the year together (empty: safe)."""
    model, cat = _modell(jahr), load_catalog()
    n, null = len(model.atoms), gesetzlich_null(model)
    wissen: list[Knowledge] = []
    ziele: list[tuple[str, tuple[int, ...], float, bool]] = []  # name, atoms, truth, only small
    for j, pub in enumerate(pubs):
        orte: dict[Ort, tuple[int, ...]] = {}
        for (kid, teil, raum), text in pub.zeichen.items():
            text, st = _gelesen(pub, (kid, teil, raum), text)
            kz = cat.get(kid)
            terms = kz.zaehler if teil == "Zähler" else kz.nenner
            basis = [a for a in model.atoms_of(terms, kz.periodizitaet, raum) if a not in null]
            if st is None or not basis:
                continue
            atoms = tuple(sorted(a + i * n for i in range(j + 1) for a in basis))
            orte[(kid, teil, raum)] = atoms
            wissen.append(Knowledge(atoms, st, zahl(text)))  # type: ignore[arg-type]
            if st != "wert":
                ziele.append(
                    (
                        f"{j}: {kid} {teil} {raum} ({text})",
                        atoms,
                        pub.wahr[(kid, teil, raum)],
                        False,
                    )
                )
        mengen = {o: frozenset(atoms) for o, atoms in orte.items()}  # once, not once per pair
        for a, menge_a in mengen.items():
            for b, menge_b in mengen.items():
                if not menge_a < menge_b:  # nested by definition (a proper subset: a != b)
                    continue
                rest = tuple(sorted(menge_b - menge_a))
                w = pub.wahr[b] - pub.wahr[a]
                if 1 <= w <= k - 1:
                    ziele.append((f"{j}: {b} − {a} = {w:g}", rest, w, True))
    att = Attacker(wissen, k)
    out = abgelesen(pubs)
    seen = set()
    for name, atoms, wahr, nur_klein in ziele:
        if atoms in seen:
            continue
        seen.add(atoms)
        if att.disclosed(atoms, wahr) and (not nur_klein or 1 <= wahr <= k - 1):
            out.append(f"{name}: errechenbar = {wahr:g}")
    return out


def euro_befunde(pub: Veroeffentlichung, jahr: str) -> list[str]:
    """The hidden amounts in Euro the reader pins down from the shown ones (empty: safe)."""
    cat = load_catalog()
    orte = [o for o in pub.euro if pub.euro[o] != "–"]
    if not orte:
        return []
    kz = {o: cat.get(o[0]) for o in orte}
    model = da.AtomModel(
        cat,
        [(t, kz[o].periodizitaet) for o in orte for t in kz[o].zaehler],
        jahr,
        [*sozialraeume(), OHNE_ZUORDNUNG],
    )
    atome = {o: model.atoms_of(kz[o].zaehler, kz[o].periodizitaet, o[2]) for o in orte}
    wissen = [
        Knowledge(
            atome[o], "wert" if betrag(pub.euro[o]) is not None else "frei", betrag(pub.euro[o])
        )
        for o in orte
    ]
    att = Attacker(wissen, 2)  # type: ignore[arg-type]
    return [
        f"{o[0]} {o[2]} ({pub.euro[o]}): errechenbar = {pub.euro_wahr[o]:g}"
        for o in orte
        if betrag(pub.euro[o]) is None and att.disclosed(atome[o], pub.euro_wahr[o])
    ]


def spaeter_fall(pool: pd.DataFrame, jahr: str) -> pd.DataFrame:
    """The pool after one late-recorded Altenhilfe-Beratung of ``jahr`` without address (no
    'Vermeidung stationär', no 'Verbleib'): the Nenner of ah_z3 and ah_z5 grow by one in 'ohne
    Zuordnung' and Gesamtstadt, as a later export would make them."""
    neu = pool.copy()
    neu.attrs = {}
    kids = ("ah_z3_anteil_vermeidung_stationaer", "ah_z5_anteil_verbleib_haeuslichkeit")
    for kid in kids:
        for raum in (OHNE_ZUORDNUNG, "Gesamtstadt"):
            m = (neu["kennzahl"] == kid) & (neu["periode"] == jahr) & (neu["raum"] == raum)
            if m.any():
                neu.loc[m, "nenner"] = neu.loc[m, "nenner"] + 1
            else:  # no row where the Nenner was 0
                neu = pd.concat(
                    [
                        neu,
                        pd.DataFrame(
                            [
                                {
                                    "kennzahl": kid,
                                    "ebene": "sozialraum",
                                    "raum": raum,
                                    "periode": jahr,
                                    "zaehler": 0,
                                    "nenner": 1,
                                }
                            ]
                        ),
                    ],
                    ignore_index=True,
                )
            m = (neu["kennzahl"] == kid) & (neu["periode"] == jahr) & (neu["raum"] == raum)
            neu.loc[m, "wert"] = neu.loc[m, "zaehler"] / neu.loc[m, "nenner"]
    return neu

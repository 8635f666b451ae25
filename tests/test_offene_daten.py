"""Issue 32: the open data of Produkt 3 next to its reports, the sheets, the release calendar.

The session's report run (``reports``, all 24 reports of 2023-Q4) writes, per year the Produkt-3
reports show, a tidy CSV, a GeoJSON and metadata from the publication ledger. Checked here:

* every published cell of the six HTML reports is the same in the CSV (and the GeoJSON), and the
  CSV has no row the reports do not show; the chart years show what each year's table would;
* no hidden count (nor a value computed from one) is in any open-data file;
* the metadata name the licence, the Stand, the catalog version and the definitions;
* every Kennzahl a report shows links to its sheet, which ends the report.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from test_disclosure_p3 import ZEILEN, _published_cells, _Report

from kennzahlen import runner
from kennzahlen.catalog.geography import areas
from kennzahlen.core.vocabulary import PRODUKTE
from kennzahlen.products import wirkung

JAHR = "2023"
P3 = PRODUKTE[3].ordner
SPALTE = {"Zähler": "zaehler", "Nenner": "nenner", "Wert": "wert", "Zielwert": "zielwert_erreicht"}


@pytest.fixture(scope="module")
def offen(reports: Path) -> Path:
    return reports / P3 / runner.OFFENE_DATEN


@pytest.fixture(scope="module")
def gelesen(reports: Path) -> dict[str, _Report]:
    out = {}
    for raum in areas():
        p = _Report()
        p.feed((reports / P3 / f"{runner.slug(raum)}.html").read_text(encoding="utf-8"))
        out[raum] = p
    return out


@pytest.fixture(scope="module")
def daten(reports: Path) -> pd.DataFrame:
    """The pool the run read, marked as the reports read it (plans from its ledger)."""
    from kennzahlen.api import load_pool

    pool_dir = json.loads((reports / "runs.json").read_text(encoding="utf-8"))["pool"]
    return wirkung.zur_veroeffentlichung(load_pool(pool_dir), pool_dir)


def csv(offen: Path, jahr: str) -> pd.DataFrame:
    return pd.read_csv(
        offen / jahr / f"wirkungskennzahlen_{jahr}.csv", sep=";", dtype=str, keep_default_na=False
    )


def html_als_csv(text: str) -> str:
    """A report cell as the CSV writes it: '1.234' -> '1234', '83,5 %' -> '83.5', '–' -> ''."""
    if text == "–":
        return ""
    if re.fullmatch(r"[\d.]+(,\d+)?(\xa0%)?", text):
        return text.replace("\xa0%", "").replace(".", "").replace(",", ".")
    return text


def test_csv_equals_html_for_every_published_cell(gelesen, offen):
    cells = _published_cells(gelesen)  # the same in every report of the year (checked there)
    tab = csv(offen, JAHR).set_index(["kennzahl", "raum"])
    assert len(cells) > 300
    # the CSV has the counts, the value and the Zielwert (the interval columns are the
    # report's reading of them); amounts in Euro are not in it (the ledger records counts)
    euro = {k.id for k in wirkung.kennzahlen_p3(JAHR) if k.in_euro}
    cells = {o: t for o, t in cells.items() if o[1] in SPALTE and o[0] not in euro}
    for (kid, col, zeile), text in cells.items():
        assert tab.loc[(kid, zeile), SPALTE[col]] == html_als_csv(text), (kid, col, zeile, text)
    shown = {(kid, zeile) for kid, _, zeile in cells}
    assert set(tab.index) == shown  # no row the reports do not show
    assert set(tab.index.get_level_values("raum")) == set(ZEILEN)


def test_geojson_carries_the_csv_values(offen):
    for jahr in wirkung.berichtsjahre(JAHR):
        tab = csv(offen, jahr)
        geo = json.loads((offen / jahr / f"wirkungskennzahlen_{jahr}.geojson").read_text("utf-8"))
        features = {f["properties"]["raum"]: f for f in geo["features"]}
        assert list(features) == ZEILEN
        assert features["ohne Zuordnung"]["geometry"] is None
        assert all(features[r]["geometry"]["type"] == "Polygon" for r in areas())
        for r in tab.itertuples():
            props = features[r.raum]["properties"]
            for key, text in ((r.kennzahl, r.wert), (f"{r.kennzahl}_zaehler", r.zaehler)):
                assert props[key] == (None if text == "" else _wert(text)), (jahr, key, r.raum)


def _wert(text: str) -> object:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def test_chart_years_show_what_each_years_table_shows(daten, offen):
    """The data behind the charts: 2019–2022 as each year's published table shows them."""
    for jahr in wirkung.berichtsjahre(JAHR)[:-1]:
        tab = csv(offen, jahr).set_index(["kennzahl", "raum"])
        for k in wirkung.kennzahlen_p3(jahr):
            if k.in_euro or not wirkung.hat_werte(daten, k, jahr):
                continue
            t = wirkung.kennzahl_tabelle(daten, k, jahr)
            for col in (c for c in t.anzeige.columns if c in SPALTE):
                for raum, text in t.anzeige[col].items():
                    assert tab.loc[(k.id, raum), SPALTE[col]] == html_als_csv(text), (
                        jahr,
                        k.id,
                        col,
                        raum,
                    )


def test_no_hidden_value_in_any_open_data_file(daten, offen):
    """Every count the ledger recorded as hidden is its symbol in the CSV and the GeoJSON, every
    value of an area with a hidden count too, and the metadata carry no area's value."""
    from kennzahlen.products.wirkung.offene_daten import veroeffentlichung

    geprueft = 0
    for jahr in wirkung.berichtsjahre(JAHR):
        tab = csv(offen, jahr).set_index(["kennzahl", "raum"])
        geo = json.loads((offen / jahr / f"wirkungskennzahlen_{jahr}.geojson").read_text("utf-8"))
        props = {f["properties"]["raum"]: f["properties"] for f in geo["features"]}
        frame = veroeffentlichung(daten, jahr).frame()
        for r in frame[frame["status"].isin(["klein", "gesperrt", "frei"])].itertuples():
            zeile = tab.loc[(r.kennzahl, r.raum)]
            symbol = {"klein": "<3", "gesperrt": "x", "frei": "nicht bewertet"}[r.status]
            feld = "zaehler" if r.teil == "Zähler" else "nenner"
            assert zeile[feld] == symbol, (jahr, r.kennzahl, r.teil, r.raum)
            assert zeile["wert"] in ("x", "<3", "nicht bewertet", ""), (jahr, r.kennzahl, r.raum)
            assert props[r.raum][f"{r.kennzahl}_{feld}"] == symbol
            assert zeile["zielwert_erreicht"] in ("", "nicht bewertet")
            geprueft += 1
        meta = json.loads((offen / jahr / "metadaten.json").read_text("utf-8"))
        texte = json.dumps(meta, ensure_ascii=False)
        assert not any(r in texte for r in ("Böfingen", "Wiblingen", 'ohne Zuordnung":'))
    assert geprueft >= 20


def test_metadata_name_licence_period_stand_and_definitions(offen, daten):
    from kennzahlen.products.wirkung.offene_daten import katalog_version

    meta = json.loads((offen / JAHR / "metadaten.json").read_text("utf-8"))
    assert meta["lizenz"] == {
        "id": "dl-de/by-2-0",
        "name": "Datenlizenz Deutschland – Namensnennung – Version 2.0",
        "url": "https://www.govdata.de/dl-de/by-2-0",
    }
    assert meta["zeitraum"] == {"jahr": "2023", "von": "2023-01-01", "bis": "2023-12-31"}
    assert meta["herausgeber"] == "Stadt Ulm, Abteilung Soziales"
    assert meta["stand"]["jugendhilfe"] == "2024-01-24"  # the demo's newest ProSoz export
    assert meta["katalog_version"] == katalog_version()
    assert meta["veroeffentlichung"]["nr"] == 1
    ids = [d["kennzahl"] for d in meta["definitionen"]]
    assert ids == list(dict.fromkeys(csv(offen, JAHR)["kennzahl"]))
    nahfeld = next(d for d in meta["definitionen"] if d["kennzahl"] == "egh_z2_anteil_nahfeld")
    assert nahfeld["zielwert"] == "85.0" and "institutionelle" in nahfeld["definition"]
    assert set(meta["spalten"]) == set(csv(offen, JAHR).columns)
    assert (offen / "index.html").exists()


def test_every_shown_kennzahl_links_to_its_sheet_at_the_end(reports: Path):
    """P3: every Kennzahl section and matrix cell; P2: every row of the Erfassungsbogen and of the
    finance section; each link
    reaches a sheet of the same report (the report stays one file); the sheets are also pages."""
    from kennzahlen.products.quartalsmeldung.finanzen import kennzahl_ids as finanzen
    from kennzahlen.products.quartalsmeldung.zeilen import ZEILEN as BOGEN

    for ordner, erwartet in (
        (P3, {k.id for k in wirkung.kennzahlen_p3(JAHR)}),
        (PRODUKTE[2].ordner, {z[3] for z in BOGEN} | set(finanzen())),
    ):
        text = (reports / ordner / "gesamtstadt.html").read_text(encoding="utf-8")
        links = set(re.findall(r'href="#steckbrief-([\w]+)"', text))
        blaetter = set(re.findall(r'<section[^>]*\bid="steckbrief-(\w+)"', text))
        assert erwartet <= links, erwartet - links
        assert links <= blaetter, links - blaetter
        assert text.index('id="kennzahlensteckbriefe"') > text.rindex('href="#steckbrief-')
    seite = reports / "steckbriefe" / "steckbrief-jh_z5_anteil_hilfen_vor_dem_fall.html"
    text = seite.read_text(encoding="utf-8")
    for teil in ("Warum diese Kennzahl", "Richtung", "Zielwert", "seit Beginn 80", "Vorbehalte"):
        assert teil in text, teil
    assert "Mögliche Fehlanreize" in text and "Daten: " in text


def test_index_page_shows_the_next_publication_dates(reports: Path):
    import datetime as dt

    from kennzahlen.catalog.veroeffentlichung import load_config
    from kennzahlen.core import fmt

    text = (reports / "index.html").read_text(encoding="utf-8")
    assert "Nächste Veröffentlichungen" in text
    for t in load_config().naechste(dt.date.today(), 4):
        assert fmt.datum(t.datum) in text and t.anlass in text
    assert f'href="{P3}/{runner.OFFENE_DATEN}/index.html"' in text
    assert 'href="steckbriefe/index.html"' in text


def test_release_calendar_refuses_a_bad_entry_with_its_line(tmp_path: Path):
    from kennzahlen.catalog.veroeffentlichung import VeroeffentlichungError, load_config

    path = tmp_path / "veroeffentlichung.yaml"
    path.write_text(
        "lizenz: dl-de/by-2-0\ntermine:\n"
        '  - {produkt: 3, datum: 2027-03-17, anlass: "Fachbereichsausschuss"}\n'
        '  - {produkt: 5, datum: 2027-13-01, anlass: ""}\n'
        "  - {produkt: 1, datum: 19.02.2027, anlass: Produkt 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(VeroeffentlichungError) as err:
        load_config(path)
    msg = str(err.value)
    assert msg.startswith(f"{path}: die Veröffentlichungs-Konfiguration ist ungültig (3 Problem")
    assert "termine Nr. 2 (Zeile 4), produkt: produkt 5 unbekannt" in msg
    assert "termine Nr. 2 (Zeile 4), datum: '2027-13-01' ist kein Datum" in msg
    assert "termine Nr. 2 (Zeile 4), anlass: Text zu kurz" in msg
    path.write_text(
        "termine:\n  - {produkt: 3, datum: 2027-03-17, anlass: B}\n"
        "  - {produkt: 1, datum: 19.02.2027, anlass: A}\n"
        "  - {produkt: 2, datum: 2026-01-30, anlass: vorbei}\n",
        encoding="utf-8",
    )
    import datetime as dt

    termine = load_config(path).naechste(dt.date(2026, 12, 5))
    assert [(t.anlass, t.datum) for t in termine] == [
        ("A", dt.date(2027, 2, 19)),
        ("B", dt.date(2027, 3, 17)),
    ]


def test_every_unit_of_the_catalog_has_its_words_on_the_sheet():
    """A unit added to the vocabulary (Euro, Euro per case, change) needs its sheet text: the
    run once wrote no sheet at all for a catalog with Euro ('euro_je_einwohner' unknown)."""
    from kennzahlen.core.vocabulary import EINHEITEN
    from kennzahlen.products.steckbrief import EINHEIT_TEXT

    assert set(EINHEITEN) <= set(EINHEIT_TEXT)


def test_the_run_writes_sheets_and_open_data_with_euro_in_the_catalog(reports: Path, offen):
    """The demo run's companions are all written although the catalog has Kennzahlen in Euro
    (a failure is only a warning of the run: the files are read): a sheet for every Kennzahl in
    Euro; the open data hold the counted Kennzahlen of Produkt 3 and no amount in Euro (the
    ledger records counts)."""
    from kennzahlen.catalog.model import load_catalog
    from kennzahlen.products import steckbrief

    euro = {k.id for k in load_catalog().kennzahlen if k.in_euro and k.produkt}
    ordner = reports / steckbrief.ORDNER
    assert euro and all((ordner / f"{steckbrief.anker(kid)}.html").is_file() for kid in euro)
    offene = set(csv(offen, "2023")["kennzahl"])
    assert not offene & euro
    gezaehlt = {k.id for k in wirkung.kennzahlen_p3("2023") if k.erhoben and not k.in_euro}
    assert gezaehlt <= offene

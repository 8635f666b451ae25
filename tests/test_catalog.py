"""The Kennzahlen catalog: the 28 cells of Produkt 3, and clear errors for a broken catalog."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from test_pool import frame  # the reader's normalised frames, built by hand

from kennzahlen.api import wert
from kennzahlen.catalog import geography
from kennzahlen.catalog.model import CatalogError, load_catalog
from kennzahlen.core.schema import TABLES
from kennzahlen.pool.zaehlen import PoolBuilder

CATALOG = load_catalog()
FELDER = ("jh", "egh", "ah", "es")  # the Arbeitsfelder of the goal matrix


# ----------------------------------------------------------------------------- the project catalog
def test_one_entry_per_goal_and_arbeitsfeld():
    cells = Counter(
        (k.ziel, k.arbeitsfeld) for k in CATALOG.kennzahlen if k.ziel and k.arbeitsfeld in FELDER
    )
    assert set(cells) == {(z, a) for z in range(1, 8) for a in FELDER}
    # Ziel 7 (issue 31): the case density and, in Euro, per resident, per case and its change
    assert all(n == (4 if z == 7 else 1) for (z, _), n in cells.items()), cells
    for a in FELDER:
        euro = {k.einheit for k in CATALOG.kennzahlen if k.ziel == 7 and k.arbeitsfeld == a}
        assert euro == {"je_1000", "euro_je_einwohner", "euro_je_fall", "veraenderung"}, a
    ws = [k for k in CATALOG.kennzahlen if k.arbeitsfeld == "ws" and 3 in k.produkt]
    assert {"ws_z5_mietschulden_je_1000", "ws_z5_raeumungsklagen_je_1000"} <= {k.id for k in ws}
    assert all(k.ziel == 5 for k in ws if k.ziel)


def test_cells_are_complete_and_erhoben_ones_have_a_zaehler():
    p3 = [k for k in CATALOG.kennzahlen if k.ziel]
    for k in p3:
        assert 3 in k.produkt and k.titel and k.definition and k.quelle, k.id
        assert k.id.startswith(f"{k.arbeitsfeld}_z{k.ziel}_"), k.id
        if k.erhoben:
            assert k.zaehler, k.id
        else:
            assert k.grund and k.benoetigte_daten and not k.zaehler, k.id
        if k.zielwert is not None:
            assert k.richtung, k.id
    felder = {(k.ziel, k.arbeitsfeld): k.erhoben for k in p3 if k.arbeitsfeld in FELDER}
    status = Counter(felder.values())
    assert status[True] == 16 and status[False] == 12


def test_the_five_of_the_contract_are_unchanged():
    k = CATALOG.get("jh_z5_anteil_hilfen_vor_dem_fall")
    assert (k.ziel, k.arbeitsfeld, k.periodizitaet, k.zielwert, k.richtung) == (
        5,
        "jh",
        "jahr",
        0.80,
        "hoeher_besser",
    )
    assert [t.basis for t in k.zaehler] == ["hilfen_vor_dem_fall"]
    assert [(t.basis, t.filter) for t in k.nenner] == [
        ("hilfen_vor_dem_fall", {}),
        ("jugendhilfe_im_verlauf", {"uma": "nein"}),
    ]
    k = CATALOG.get("egh_z2_anteil_nahfeld")
    assert (k.ziel, k.periodizitaet, k.zielwert) == (2, "quartal", 0.90)
    assert k.zaehler[0].filter == {"ressourcen": ["institutionell_und_nahfeld", "nahfeld"]}
    k = CATALOG.get("ah_z3_anteil_vermeidung_stationaer")
    assert (k.ziel, k.periodizitaet, k.zielwert) == (3, "jahr", None)
    assert CATALOG.get("ah_z3_verbleib_haeuslichkeit").zaehler[0].filter == {
        "verbleib_haeuslichkeit": "ja"
    }
    for kid, art in (
        ("ws_z5_mietschulden_je_1000", "mietschulden"),
        ("ws_z5_raeumungsklagen_je_1000", "raeumungsklage"),
    ):
        k = CATALOG.get(kid)
        assert (k.ziel, k.periodizitaet, k.faktor, k.zielwert) == (5, "jahr", 1000, None)
        assert k.zaehler[0].filter == {"art": art} and [t.basis for t in k.nenner] == [
            "bevoelkerung"
        ]


# --------------------------------------------------------------------------- the pool computes them
RG = geography.raumgliederung()


def test_new_wirkungskennzahlen_hand_computed():
    jh = [
        dict(
            fall_id=f"a{i}",
            paragraph=p,
            setting=s,
            uma=False,
            beginn="2021-01-01",
            ende=None,
            stadtviertel_nr="110",
        )
        for i, (p, s) in enumerate(
            [
                ("31", "ambulant"),
                ("29", "ambulant"),
                ("32", "ambulant"),
                ("33", "stationaer"),
                ("34", "stationaer"),
                ("34", "stationaer"),
            ]
        )
    ]
    jh.append(
        dict(
            fall_id="u",
            paragraph="34",
            setting="stationaer",
            uma=True,
            beginn="2021-01-01",
            ende=None,
            stadtviertel_nr="110",
        )
    )  # UMA: never counted
    sh = [
        dict(
            fall_id=f"s{i}",
            leistung=leistung,
            setting=setting,
            beginn="2020-06-01",
            ende=None,
            stadtviertel_nr="110",
        )
        for i, (leistung, setting) in enumerate(
            [
                ("egh_eigener_wohnraum", "ambulant"),
                ("egh_eigener_wohnraum", "ambulant"),
                ("egh_besondere_wohnform", "stationaer"),
                ("gsi", "ambulant"),
                ("gsi", "ambulant"),
                ("gsi", "stationaer"),
                ("hzp", "ambulant"),
                ("hzp", "stationaer"),
                ("hlu", "ambulant"),
            ]
        )
    ]
    bev = [
        dict(
            stichtag="2021-12-31",
            stadtviertel_nr="110",
            alter=a,
            geschlecht="w",
            staatsangehoerigkeit="deutsch",
            migrationshintergrund=False,
            anzahl=n,
        )
        for a, n in ((10, 300), (20, 100), (21, 500), (70, 100))
    ]
    tl = [
        dict(stichtag="2021-12-31", stadtviertel_nr="110", leistung=lst, personen=n)
        for lst, n in (("wohngeld", 6), ("sgb2", 10), ("asylblg", 50))
    ]
    tables = {name: frame(name, []) for name in TABLES}
    tables.update(
        jugendhilfe=frame("jugendhilfe", jh),
        sozialhilfe=frame("sozialhilfe", sh),
        bevoelkerung=frame("bevoelkerung", bev),
        transferleistungen=frame("transferleistungen", tl),
    )
    files = pd.DataFrame(
        [
            {"datei": f"{t}.csv", "tabelle": t, "stand": pd.Timestamp(s), "zeilen": 1}
            for t in ("jugendhilfe", "sozialhilfe")
            for s in ("2020-04-10", "2022-01-15")
        ]
        + [
            {"datei": f"{t}.csv", "tabelle": t, "stand": pd.Timestamp("2022-01-20"), "zeilen": 1}
            for t in ("bevoelkerung", "transferleistungen")
        ]
    )
    pool = PoolBuilder(tables, CATALOG, RG, files).build()
    p = "2021-12-31"
    assert wert(pool, "jh_z3_anteil_ambulant", "Mitte/Ost", p) == pytest.approx(3 / 6)
    assert wert(pool, "jh_z2_anteil_vollzeitpflege", "Mitte/Ost", p) == pytest.approx(1 / 3)
    assert wert(pool, "jh_z6_anteil_gruppenbezogen", "Gesamtstadt", p) == pytest.approx(2 / 6)
    assert wert(pool, "jh_z7_hze_je_1000_unter21", "Gesamtstadt", p) == pytest.approx(
        6 / 400 * 1000
    )
    assert wert(pool, "egh_z4_anteil_eigener_wohnraum", "Gesamtstadt", p) == pytest.approx(2 / 3)
    assert wert(pool, "egh_z7_besondere_wohnform_je_1000", "Gesamtstadt", p) == pytest.approx(
        1 / 700 * 1000
    )
    assert wert(pool, "es_z3_anteil_gsi_ambulant", "Gesamtstadt", p) == pytest.approx(2 / 3)
    assert wert(pool, "ah_z4_anteil_hzp_ambulant", "Gesamtstadt", p) == pytest.approx(1 / 2)
    assert wert(pool, "ah_z7_hzp_stationaer_je_1000_65plus", "Gesamtstadt", p) == pytest.approx(
        1 / 100 * 1000
    )
    # Wohngeld / (Wohngeld + SGB II + HLU + GSI): 6 / (6 + 10 + 1 + 3)
    assert wert(pool, "es_z1_anteil_wohngeld", "Gesamtstadt", p) == pytest.approx(6 / 20)
    assert wert(pool, "es_z7_sgb12_je_1000", "Gesamtstadt", p) == pytest.approx(4 / 1000 * 1000)
    assert wert(pool, "jh_anteil_ambulant_quartal", "Gesamtstadt", "2021-09-30") == pytest.approx(
        0.5
    )
    # not collected: never in the pool
    assert not pool["kennzahl"].str.startswith("jh_z1_").any()


# ----------------------------------------------------------------------------- validation errors
HEAD = """basiszahlen:
  jb: {tabelle: jugendhilfe, regel: bestand}
  jv: {tabelle: jugendhilfe, regel: im_verlauf}
  tt: {tabelle: teilhabeteam, regel: ereignisse}
kennzahlen:
"""
OK = "  - {id: ok, titel: OK, periodizitaet: stichtag_quartal, zaehler: jb}\n"


def load(tmp_path: Path, kennzahlen: str, head: str = HEAD) -> str:
    path = tmp_path / "kennzahlen.yaml"
    path.write_text(head + OK + kennzahlen, encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    msg = str(err.value)
    assert msg.startswith(f"{path}: der Kennzahlen-Katalog ist ungültig")
    return msg


def test_valid_small_catalog_loads(tmp_path: Path):
    path = tmp_path / "k.yaml"
    path.write_text(HEAD + OK, encoding="utf-8")
    assert [k.id for k in load_catalog(path).kennzahlen] == ["ok"]


def test_unknown_basis(tmp_path: Path):
    msg = load(tmp_path, "  - {id: a, titel: A, periodizitaet: jahr, zaehler: gibtsnicht}\n")
    assert (
        "Kennzahl 'a' (Zeile 7), zaehler: Basiszahl 'gibtsnicht' unbekannt (bekannt: jb, jv, tt)"
        in msg
    )


def test_unknown_filter_column(tmp_path: Path):
    msg = load(
        tmp_path,
        "  - {id: a, titel: A, periodizitaet: jahr, zaehler: {basis: jb, filter: {alter: 3}}}\n",
    )
    assert (
        "Kennzahl 'a' (Zeile 7), zaehler (jb): Filterspalte 'alter' gibt es in 'jugendhilfe' nicht"
        in msg
    )


def test_unknown_filter_value_and_date_column(tmp_path: Path):
    msg = load(
        tmp_path,
        "  - {id: a, titel: A, periodizitaet: stichtag_jahr, zaehler: {basis: jb, filter: "
        "{setting: ambulnt, uma: vielleicht}}}\n"
        "  - {id: b, titel: B, periodizitaet: stichtag_jahr, zaehler: {basis: jb, filter: {beginn: "
        "'2020-01-01'}}}\n",
    )
    assert "Filterwert 'ambulnt' für 'setting' unbekannt (erlaubt: ambulant, stationaer)" in msg
    assert "Filterwert 'vielleicht' für 'uma' ist kein ja/nein" in msg
    assert (
        "Kennzahl 'b' (Zeile 8), zaehler (jb): nach Spalte 'beginn' (date) kann nicht gefiltert "
        "werden" in msg
    )


def test_missing_grund_and_benoetigte_daten(tmp_path: Path):
    msg = load(tmp_path, "  - {id: a, titel: A, periodizitaet: jahr, status: noch_nicht_erhoben}\n")
    assert "Kennzahl 'a' (Zeile 7): status noch_nicht_erhoben braucht einen grund" in msg
    assert "Kennzahl 'a' (Zeile 7): status noch_nicht_erhoben braucht benoetigte_daten" in msg


def test_zielwert_without_richtung_and_share_as_percent(tmp_path: Path):
    msg = load(
        tmp_path,
        "  - {id: a, titel: A, periodizitaet: quartal, einheit: anteil, zielwert: 0.9, zaehler: "
        "tt, nenner: tt}\n"
        "  - {id: b, titel: B, periodizitaet: quartal, einheit: anteil, zielwert: 90, richtung: "
        "hoeher_besser, zaehler: tt, nenner: tt}\n",
    )
    assert (
        "Kennzahl 'a' (Zeile 7): ein zielwert braucht eine richtung "
        "(hoeher_besser/niedriger_besser)" in msg
    )
    assert "Kennzahl 'b' (Zeile 8): zielwert 90.0 liegt nicht zwischen 0 und 1" in msg


def test_duplicate_id(tmp_path: Path):
    msg = load(tmp_path, "  - {id: ok, titel: Nochmal, periodizitaet: jahr, zaehler: jv}\n")
    assert "Kennzahl 'ok' (Zeile 7): id doppelt (schon: Kennzahl 'ok' (Zeile 6))" in msg


def test_bad_yaml(tmp_path: Path):
    path = tmp_path / "kennzahlen.yaml"
    path.write_text(HEAD + "  - {id: a, titel: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    assert str(err.value).startswith(f"{path}: kein gültiges YAML")
    assert "line 7" in str(err.value)


def test_more_entry_rules(tmp_path: Path):
    msg = load(
        tmp_path,
        "  - {id: a, titel: A, periodizitaet: jahr, ziel: 3, zaehler: jv}\n"
        "  - {id: b, titel: B, periodizitaet: stichtag_jahr, zaehler: tt}\n"
        "  - {id: c, titel: C, periodizitaet: jahr, einheit: je_1000, zaehler: jv, nenner: jv}\n"
        "  - {id: d, titel: D, periodizitaet: jahr, arbeitsfeld: xy, ziel: 9, zaehler: jv}\n"
        "  - {id: e, titel: E, periodizitaet: woche, zaehler: jv}\n"
        "  - {id: f, titel: F, periodizitaet: jahr, zaehler: jv, produkt: 5}\n",
    )
    assert "Kennzahl 'a' (Zeile 7): ziel 3 braucht ein arbeitsfeld" in msg
    assert (
        "Kennzahl 'b' (Zeile 8), zaehler: Basiszahl 'tt' (Regel ereignisse) braucht einen Zeitraum"
        in msg
    )
    assert "Kennzahl 'c' (Zeile 9): einheit je_1000 braucht faktor 1000 (steht: 1)" in msg
    assert "Kennzahl 'd' (Zeile 10), ziel: Wert 9 muss <= 7 sein" in msg
    assert "Kennzahl 'e' (Zeile 11), periodizitaet: Wert 'woche' nicht erlaubt" in msg
    assert "Kennzahl 'f' (Zeile 12): produkt 5 unbekannt (erlaubt: 1, 2, 3, 4)" in msg


def test_every_problem_is_listed_at_once(tmp_path: Path):
    msg = load(
        tmp_path,
        "  - {id: a, titel: A, periodizitaet: jahr, zaehler: nix}\n"
        "  - {id: b, titel: B, periodizitaet: jahr, status: noch_nicht_erhoben, benoetigte_daten: "
        "x}\n  - {titel: ohne id, periodizitaet: jahr, zaehler: jv}\n",
        head=HEAD.replace(
            "  tt: {tabelle: teilhabeteam, regel: ereignisse}\n",
            "  tt: {tabelle: teilhabetea, regel: ereignisse}\n",
        ),
    )
    assert "(4 Problem(e))" in msg
    assert "Basiszahl 'tt': unbekannte Tabelle 'teilhabetea'" in msg
    assert "Kennzahl 'a' (Zeile 7), zaehler: Basiszahl 'nix' unbekannt" in msg
    assert "Kennzahl 'b' (Zeile 8): status noch_nicht_erhoben braucht einen grund" in msg
    assert "Kennzahl Nr. 4 (Zeile 9), id: Pflichtfeld fehlt" in msg


# ----------------------------------------------------------------------------- Steckbrief fields
def test_every_shown_kennzahl_has_a_complete_sheet():
    from kennzahlen.catalog import steckbrief

    for k in CATALOG.kennzahlen:
        assert k.produkt, k.id
        assert steckbrief.probleme(k) == [], k.id
        assert k.richtung in steckbrief.RICHTUNGEN, k.id
        if k.hat_zielwert:
            assert k.wertung in ("hoeher_besser", "niedriger_besser"), k.id


def test_an_empty_sheet_field_is_refused_with_file_and_line(tmp_path: Path):
    """A shown Kennzahl (produkt:) with an empty Steckbrief field does not load; the message
    names the file, the entry, its line and the field. A Kennzahl no product shows needs none."""
    felder = (
        'richtung: keine, quelle: ProSoz, begruendung: "Warum", aktualisierung: "jährlich", '
        'vorbehalte: "Vorsicht"'
    )
    msg = load(
        tmp_path,
        f"  - {{id: a, titel: A, periodizitaet: jahr, zaehler: jv, produkt: 2, {felder}}}\n"
        f"  - {{id: b, titel: B, periodizitaet: jahr, zaehler: jv, produkt: 2,\n"
        f"     {felder.replace('Warum', ' ')}}}\n"
        f"  - {{id: c, titel: C, periodizitaet: jahr, zaehler: jv, produkt: 3, {felder}}}\n"
        f"  - {{id: d, titel: D, periodizitaet: jahr, zaehler: jv, produkt: 1, quelle: EWO}}\n",
    )
    assert "(Zeile 7)" not in msg  # 'a' is complete
    assert "Kennzahl 'b' (Zeile 8): Steckbrief: begruendung fehlt oder ist leer" in msg
    assert "Kennzahl 'c' (Zeile 10): Steckbrief: fehlanreize fehlt oder ist leer" in msg
    for feld in ("begruendung", "aktualisierung", "vorbehalte"):
        assert f"Kennzahl 'd' (Zeile 11): Steckbrief: {feld} fehlt oder ist leer" in msg
    assert "Kennzahl 'd' (Zeile 11): Steckbrief: richtung fehlt" in msg
    assert "(6 Problem(e))" in msg
    assert "Kennzahl 'ok'" not in msg  # no produkt: no sheet needed


def test_richtung_keine_is_no_direction_for_a_zielwert(tmp_path: Path):
    msg = load(
        tmp_path,
        "  - {id: a, titel: A, periodizitaet: quartal, einheit: anteil, zielwert: 0.9, "
        "richtung: keine, zaehler: tt, nenner: tt}\n",
    )
    assert "Kennzahl 'a' (Zeile 7): ein zielwert braucht eine richtung" in msg

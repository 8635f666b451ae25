"""Ziel 7 in Euro: the counting rules of costs, hand-computed on small frames (issue 31).

The issue's example: net spending 1.200.000 € -> 1.320.000 € (+10,0 %) with average cases
400 -> 416 (+4,0 %) gives 3.000 € -> 3.173,08 € per case (+5,8 %).
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_pool import frame as pool_frame

from kennzahlen.catalog import geography
from kennzahlen.catalog.model import validate_catalog
from kennzahlen.core.schema import OHNE_ZUORDNUNG, TABLES
from kennzahlen.pool.zaehlen import PoolBuilder
from kennzahlen.statistik.zerlegung import zerlegung

RG = geography.raumgliederung()

KATALOG = {
    "basiszahlen": {
        "netto": {"tabelle": "ausgaben", "regel": "summe_zeitraum", "spalte": "netto"},
        "jh_quartalsenden": {"tabelle": "jugendhilfe", "regel": "bestand_quartalsenden"},
    },
    "kennzahlen": [
        {
            "id": "netto",
            "titel": "Nettoausgaben HzE",
            "periodizitaet": "jahr",
            "einheit": "euro",
            "zaehler": {"basis": "netto", "filter": {"hilfeart": "hze"}},
        },
        {
            "id": "netto_ytd",
            "titel": "Nettoausgaben HzE seit Jahresbeginn",
            "periodizitaet": "stichtag_quartal",
            "einheit": "euro",
            "zaehler": {"basis": "netto", "filter": {"hilfeart": "hze"}},
        },
        {
            "id": "je_fall",
            "titel": "Nettoausgaben HzE je Fall",
            "periodizitaet": "jahr",
            "einheit": "euro_je_fall",
            "faktor": 4,
            "zaehler": {"basis": "netto", "filter": {"hilfeart": "hze"}},
            "nenner": {"basis": "jh_quartalsenden", "filter": {"uma": "nein"}},
        },
        {
            "id": "je_fall_veraenderung",
            "titel": "Veränderung der Nettoausgaben HzE je Fall zum Vorjahr",
            "periodizitaet": "jahr",
            "einheit": "veraenderung",
            "vergleich": "vorjahr",
            "faktor": 4,
            "zaehler": {"basis": "netto", "filter": {"hilfeart": "hze"}},
            "nenner": {"basis": "jh_quartalsenden", "filter": {"uma": "nein"}},
        },
    ],
}


def katalog(raw: dict = KATALOG):
    catalog, problems = validate_catalog(raw)
    assert not problems, problems
    return catalog


def frame(table: str, rows: list[dict], stand: str = "2024-01-20") -> pd.DataFrame:
    """A normalised frame as the reader returns it (tests/test_pool.py), exported in 2024."""
    return pool_frame(table, rows, stand)


def ausgabe(periode: str, netto: float, sozialraum: str | None = "West", hilfeart: str = "hze"):
    return dict(
        periode=periode,
        arbeitsfeld="jh",
        hilfeart=hilfeart,
        setting="ambulant",
        sozialraum=sozialraum,
        brutto=netto + 100.0,
        einnahmen=100.0,
        netto=netto,
    )


def faelle() -> pd.DataFrame:
    """400 HzE running through 2022 and 2023; in 2023 10, 4, 4 and 4 more by the quarter ends:
    stocks 400 x 4 in 2022 (average 400) and 410, 414, 418, 422 in 2023 (average 416)."""
    rows = [
        dict(
            fall_id=f"a{i}",
            paragraph="31",
            setting="ambulant",
            uma=False,
            beginn="2021-01-01",
            ende=None,
            stadtviertel_nr="110",
        )
        for i in range(400)
    ]
    starts = ["2023-02-01"] * 10 + ["2023-05-01"] * 4 + ["2023-08-01"] * 4 + ["2023-11-01"] * 4
    rows += [{**rows[0], "fall_id": f"n{i}", "beginn": b} for i, b in enumerate(starts)]
    # an UMA case and one that ended before 2022 count nowhere
    rows.append({**rows[0], "fall_id": "uma", "uma": True})
    rows.append({**rows[0], "fall_id": "alt", "ende": "2021-06-30"})
    return frame("jugendhilfe", rows)


def build(ausgaben_rows: list[dict], catalog=None) -> pd.DataFrame:
    tables = {name: frame(name, []) for name in TABLES}
    tables["jugendhilfe"] = faelle()
    tables["ausgaben"] = frame("ausgaben", ausgaben_rows)
    return PoolBuilder(tables, catalog or katalog(), RG).build()


def werte(pool: pd.DataFrame, kennzahl: str, raum: str = "Gesamtstadt") -> dict[str, float]:
    rows = pool[(pool["kennzahl"] == kennzahl) & (pool["raum"] == raum)]
    return dict(zip(rows["periode"], rows["wert"], strict=True))


ZWEI_JAHRE = [ausgabe(f"2022-Q{q}", 300_000.0) for q in (1, 2, 3, 4)] + [
    ausgabe(f"2023-Q{q}", 330_000.0) for q in (1, 2, 3, 4)
]


def test_issue_example_per_case_and_the_split_of_growth():
    """1.200.000 € -> 1.320.000 € with 400 -> 416 average cases: 3.000 € -> 3.173,08 € per case;
    +10,0 % spending = +4,0 % cases and +5,8 % cost per case."""
    pool = build(ZWEI_JAHRE)
    assert werte(pool, "netto") == {"2022": 1_200_000.0, "2023": 1_320_000.0}
    je_fall = pool[(pool["kennzahl"] == "je_fall") & (pool["raum"] == "Gesamtstadt")]
    assert list(je_fall["nenner"]) == [1600, 1664]  # stocks on the four quarter ends, summed
    assert werte(pool, "je_fall") == pytest.approx({"2022": 3000.0, "2023": 1_320_000 / 416})
    assert round(werte(pool, "je_fall")["2023"], 2) == 3173.08
    # the change of the cost per case is a Kennzahl of its own (the year before has none)
    assert werte(pool, "je_fall_veraenderung") == pytest.approx({"2023": 3173.076923 / 3000 - 1})
    z = zerlegung(1_200_000, 1_320_000, 1600 / 4, 1664 / 4)
    assert z.ausgaben == pytest.approx(0.10)
    assert z.faelle == pytest.approx(0.04)
    assert z.je_fall == pytest.approx(0.0576923, abs=1e-7)  # +5,8 %
    assert (1 + z.faelle) * (1 + z.je_fall) == pytest.approx(1 + z.ausgaben)
    # the chart's additive split: 4,0 points from cases, 6,0 from the cost per case
    assert z.beitrag_faelle == pytest.approx(0.04)
    assert z.beitrag_je_fall == pytest.approx(0.06)
    # rows add up: West holds everything, the other Sozialräume 0 €
    assert werte(pool, "netto", "West") == werte(pool, "netto")
    assert werte(pool, "netto", "Böfingen") == {"2022": 0.0, "2023": 0.0}


def test_a_year_row_replaces_its_quarters_and_a_year_needs_all_four():
    """The annual accounts (periode 2023) replace the quarters of 2023 with the same keys; a year
    with three quarters only has no value (never a sum that was not complete)."""
    rows = [ausgabe(f"2022-Q{q}", 100.0) for q in (1, 2, 3)]  # 2022 without Q4
    rows += [ausgabe(f"2023-Q{q}", 330_000.0) for q in (1, 2, 3, 4)]
    rows += [ausgabe("2023", 1_333_333.4), ausgabe("2023-Q1", 7.0, sozialraum="Böfingen")]
    pool = build(rows)
    assert werte(pool, "netto") == {"2023": 1_333_333.0 + 7.0}
    assert werte(pool, "netto", "West") == {"2023": 1_333_333.0}
    # year to date on the quarter ends: the quarters delivered so far (the year row on 31.12.)
    assert werte(pool, "netto_ytd", "West") == {
        "2022-03-31": 100.0,
        "2022-06-30": 200.0,
        "2022-09-30": 300.0,
        "2023-03-31": 330_000.0,
        "2023-06-30": 660_000.0,
        "2023-09-30": 990_000.0,
        "2023-12-31": 1_333_333.0,
    }


def test_spending_without_sozialraum_counts_for_ohne_zuordnung_and_the_city():
    rows = [ausgabe(f"2023-Q{q}", 1000.4, sozialraum=None) for q in (1, 2, 3, 4)]
    rows += [ausgabe(f"2023-Q{q}", 10.0) for q in (1, 2, 3, 4)]
    pool = build(rows)
    # rounded to whole Euro per area and Hilfeart, so that the city is the sum of its parts
    assert werte(pool, "netto", OHNE_ZUORDNUNG) == {"2023": 4002.0}
    assert werte(pool, "netto") == {"2023": 4042.0}
    assert "stadtviertel" not in set(pool.loc[pool["kennzahl"] == "netto", "ebene"])


@pytest.mark.parametrize(
    "aenderung, meldung",
    [
        ({"einheit": "je_1000", "faktor": 1000}, "braucht eine einheit in Euro"),
        ({"faktor": 1}, "faktor 4"),
        ({"periodizitaet": "quartal"}, "bestand_quartalsenden braucht periodizitaet jahr"),
        ({"vergleich": "vorjahr"}, "gehören zusammen"),
    ],
)
def test_catalog_refuses_euro_kennzahlen_that_cannot_be_right(aenderung, meldung):
    raw = {**KATALOG, "kennzahlen": [{**KATALOG["kennzahlen"][2], **aenderung}]}
    _, problems = validate_catalog(raw)
    assert any(meldung in p for p in problems), problems


def test_catalog_refuses_a_public_euro_kennzahl_without_its_cases():
    raw = {**KATALOG, "kennzahlen": [{**KATALOG["kennzahlen"][2], "produkt": 3}]}
    _, problems = validate_catalog(raw)
    assert any("braucht faelle" in p for p in problems), problems


# ------------------------------------------------------------------ Produkt 3: disclosure
#: HzE cases per area (all running since 2021): Böfingen's 2 are a small count
FAELLE = {"Böfingen": 2, "Eselsberg": 12, "Mitte/Ost": 15, "West": 20, "Wiblingen": 10, None: 4}
STV = {"Böfingen": "130", "Eselsberg": "150", "Mitte/Ost": "110", "West": "140", "Wiblingen": "180"}


def kleiner_pool() -> pd.DataFrame:
    """A pool by the real catalog from a few hand-made deliveries: HzE cases, population and the
    net spending of 2022 (20.000 € per case) and 2023 (21.000 €) per Sozialraum."""
    from kennzahlen.catalog.model import load_catalog

    jh, bev, aus = [], [], []
    for sr, n in FAELLE.items():
        for i in range(n):
            jh.append(
                dict(
                    fall_id=f"{sr}-{i}",
                    paragraph="31",
                    setting="ambulant",
                    uma=False,
                    beginn="2021-01-01",
                    ende=None,
                    stadtviertel_nr=STV.get(sr),
                )
            )
        for jahr, je_fall in (("2022", 20_000.0), ("2023", 21_000.0)):
            aus.append(ausgabe(jahr, n * je_fall, sozialraum=sr))
    for stv in STV.values():
        for tag in ("2022-12-31", "2023-12-31"):
            for alter, anzahl in ((10, 400), (40, 600)):
                bev.append(
                    dict(
                        stichtag=tag,
                        stadtviertel_nr=stv,
                        alter=alter,
                        geschlecht="w",
                        staatsangehoerigkeit="deutsch",
                        migrationshintergrund=False,
                        anzahl=anzahl,
                    )
                )
    tables = {name: frame(name, []) for name in TABLES}
    tables["jugendhilfe"] = frame("jugendhilfe", jh)
    tables["ausgaben"] = frame("ausgaben", aus)
    b = frame("bevoelkerung", bev)
    b[["alter", "anzahl"]] = b[["alter", "anzahl"]].astype("int64")
    tables["bevoelkerung"] = b
    # only what these deliveries can fill: Produkt 3 and the population the plan rates areas by
    cat = load_catalog()
    da = {"jugendhilfe", "bevoelkerung", "ausgaben"}
    teil = cat.model_copy(
        update={
            "kennzahlen": [
                k
                for k in cat.kennzahlen
                if k.id == "bev_gesamt" or (3 in k.produkt and k.erhoben and cat.tables_of(k) <= da)
            ]
        }
    )
    return PoolBuilder(tables, teil, RG).build()


def test_euro_hidden_where_its_cases_are_and_no_reader_gets_it_back():
    """Böfingen's 2 HzE cases are '<3': its net spending (42.000 € = 2 x 21.000 €) would be
    their spending. It is hidden, with every value built on it, and a reader of every published
    amount cannot compute it; hiding Böfingen's amount alone would not do."""
    from leser import euro_befunde, lesen

    from kennzahlen.catalog.model import load_catalog
    from kennzahlen.disclosure.betraege import Betrag, errechenbar
    from kennzahlen.products import wirkung

    pool = kleiner_pool()
    cat = load_catalog()
    faelle = wirkung.kennzahl_tabelle(pool, cat.get("jh_z7_hze_je_1000_unter21"), "2023")
    assert faelle.anzeige.loc["Böfingen", "Zähler"] == "<3"
    versteckt = [a for a in faelle.anzeige.index if faelle.anzeige.loc[a, "Zähler"] in ("<3", "x")]
    assert len(versteckt) >= 2  # a Gegensperrung: rows add up
    for kid in ("jh_z7_netto_je_einwohner", "jh_z7_netto_je_fall"):
        t = wirkung.kennzahl_tabelle(pool, cat.get(kid), "2023")
        for a in t.anzeige.index:
            assert (t.anzeige.loc[a, "Zähler"] == "x") == (a in versteckt), (kid, a)
            if a in versteckt:  # 'ohne Zuordnung' has no residents: no value per resident
                assert t.anzeige.loc[a, "Wert"] in ("x", "–"), (kid, a)
        assert t.anzeige.loc["Böfingen", "Wert"] == "x"
        assert t.anzeige.loc["West", "Zähler"] == "420.000\u00a0€"
    je_fall = wirkung.kennzahl_tabelle(pool, cat.get("jh_z7_netto_je_fall"), "2023")
    assert je_fall.anzeige.loc["West", "Nenner"] == "20"  # average case: 4 quarter ends / 4
    assert je_fall.anzeige.loc["West", "Wert"] == "21.000\u00a0€"
    veraenderung = wirkung.kennzahl_tabelle(
        pool, cat.get("jh_z7_netto_je_fall_veraenderung"), "2023"
    )
    assert veraenderung.anzeige.loc["West", "Wert"] == "+5,0\u00a0%"
    assert veraenderung.anzeige.loc["Böfingen", "Wert"] == "x"
    pub = lesen(pool, "2023")
    assert pub.euro[("jh_z7_netto_je_einwohner", "Zähler", "Böfingen")] == "x"
    assert euro_befunde(pub, "2023") == []
    # the attacker works: with Böfingen's amount the only one hidden, it is 42.000 €
    k = cat.get("jh_z7_netto_je_einwohner")
    w = wirkung.zaehltabelle(pool, k, "2023")["zaehler"]
    naiv = [
        Betrag(k.id, a, tuple(k.zaehler), k.periodizitaet, float(w[a]), a != "Böfingen")
        for a in w.index
    ]
    raeume = [a for a in w.index if a != "Gesamtstadt"]
    assert [b.raum for b in errechenbar(naiv, cat, "2023", raeume)] == ["Böfingen"]
    assert float(w["Böfingen"]) == 42_000.0


# ------------------------------------------------------------------ formats, demo, Excel
def test_euro_formats():
    from kennzahlen.core import fmt
    from kennzahlen.core.vocabulary import wert_text

    assert fmt.euro(1234567) == "1.234.567\u00a0€"
    assert fmt.euro(3173.0769, 2) == "3.173,08\u00a0€"
    assert fmt.teuro(1234567) == "1.235\u00a0T€"
    assert fmt.prozent_vorzeichen(0.0576923) == "+5,8\u00a0%"
    assert fmt.prozent_vorzeichen(-0.287) == "−28,7\u00a0%"
    assert wert_text(0.04, "veraenderung") == "+4,0\u00a0%"
    assert wert_text(3000, "euro_je_fall") == "3.000,00\u00a0€"


def test_demo_spending_has_published_orders_of_magnitude(demo_pool):
    """Net spending per resident in the demo (synthetic) as published for Baden-Württemberg's
    cities (docs/annahmen.md, "Demo-Ausgaben"), and GSI reimbursed by the Bund."""
    from kennzahlen.api import load_pool

    pool = load_pool(demo_pool)
    g = pool[(pool["raum"] == "Gesamtstadt") & (pool["periode"] == "2021")].set_index("kennzahl")
    assert 350 <= g.loc["jh_z7_netto_je_einwohner", "wert"] <= 750  # € per resident under 21
    assert 150 <= g.loc["egh_z7_netto_je_einwohner", "wert"] <= 300  # € per resident
    assert 100 <= g.loc["ah_z7_netto_je_einwohner", "wert"] <= 300  # € per resident 65+
    assert 5 <= g.loc["es_z7_netto_je_einwohner", "wert"] <= 25
    q = pool[(pool["raum"] == "Gesamtstadt") & (pool["periode"] == "2021-12-31")]
    q = q.set_index("kennzahl")["wert"]
    assert q["es_netto_gsi"] < 0.02 * q["es_brutto"]
    # the Pflegereform 2022 (Leistungszuschläge, § 43c SGB XI): HzP per case falls
    v = pool[
        (pool["kennzahl"] == "ah_z7_netto_je_fall_veraenderung") & (pool["raum"] == "Gesamtstadt")
    ]
    assert v.set_index("periode").loc["2022", "wert"] < -0.15


def test_controlling_excel_holds_numbers_never_text_or_formulas(demo_pool, tmp_path):
    """The sheet 'Finanzen' of the Controlling Excel: every amount a number (Euro format), every
    change a number (percent format); no cell a formula."""
    import openpyxl

    from kennzahlen.api import load_pool
    from kennzahlen.products.quartalsmeldung import bericht, finanzen

    path = bericht.write_excel(demo_pool, "2023-Q4", "West", tmp_path / "west.xlsx")
    ws = openpyxl.load_workbook(path)["Finanzen"]
    kopf = [c.value for c in ws[4]]
    assert kopf[:2] == ["Arbeitsfeld", "Zeile"] and kopf[-1] == "West: Veränderung"
    zellen = [c for row in ws.iter_rows(min_row=5, min_col=3) for c in row]
    assert zellen and all(c.data_type == "n" for c in zellen), {c.data_type for c in zellen}
    assert all(isinstance(c.value, int | float) for c in zellen if c.value is not None)
    assert not any(
        isinstance(c.value, str) and c.value.startswith("=") for row in ws.iter_rows() for c in row
    )
    t = finanzen.finanztabelle(load_pool(demo_pool), "2023-Q4")
    west = [r[kopf.index("West")] for r in ws.iter_rows(min_row=5, values_only=True)]
    assert west == [None if pd.isna(x) else x for x in t["West"]]
    assert ws.cell(5, kopf.index("West") + 1).number_format == '#,##0 "€"'


def test_finance_rows_name_their_arbeitsfeld_label_and_kennzahl():
    """Produkt 2's finance rows are named fields (issue 29), each a Kennzahl of the catalog
    whose id starts with its Arbeitsfeld; the net total of each Arbeitsfeld comes before its
    Hilfearten."""
    from kennzahlen.catalog.model import load_catalog
    from kennzahlen.products.quartalsmeldung import finanzen

    ids = {k.id for k in load_catalog().kennzahlen}
    zeilen = finanzen.ZEILEN + finanzen.HILFEARTEN
    assert all(z.kennzahl in ids and z.kennzahl.startswith(f"{z.arbeitsfeld}_") for z in zeilen)
    reihe = [z.kennzahl for z in finanzen._zeilen()]
    for af in ("jh", "egh", "ah", "es"):
        teile = [z.kennzahl for z in finanzen.HILFEARTEN if z.arbeitsfeld == af]
        assert teile and all(reihe.index(f"{af}_netto") < reihe.index(t) for t in teile)
    assert finanzen.kennzahl_ids() == reihe

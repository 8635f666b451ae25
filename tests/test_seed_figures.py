"""The council paper's figures (GD 072/23), reproduced by the demo deliveries through the real
pool."""

from __future__ import annotations

import pandas as pd
import pytest

from kennzahlen.api import load_pool, select, wert
from kennzahlen.catalog.geography import sozialraeume
from kennzahlen.products import wirkung
from kennzahlen.products.quartalsmeldung import bericht as qm

PRODUKT2_2021 = {
    "jh_hze_ambulant": 425,
    "jh_hze_stationaer": 123,
    "jh_hze_gesamt": 548,
    "jh_uma_ambulant": 5,
    "jh_uma_stationaer": 19,
    "jh_uma_gesamt": 24,
    "jh_hilfen_vor_dem_fall": 3853,
    "egh_eigener_wohnraum": 656,
    "egh_besondere_wohnform": 304,
    "egh_wfbm": 337,
    "egh_blindenhilfe": 85,
    "egh_fallmanagement": 1094,
    "es_hlu_ambulant": 226,
    "es_hlu_stationaer": 23,
    "es_hlu_gesamt": 249,
    "es_gsi_ambulant": 1534,
    "es_gsi_stationaer": 147,
    "es_gsi_gesamt": 1681,
    "ah_hzp_ambulant": 103,
    "ah_hzp_stationaer": 415,
    "ah_hzp_gesamt": 518,
    "ah_fallmanagement": 199,
    "sgb2_leistungsberechtigte": 5460,
    "asylblg_leistungsberechtigte": 547,
}


@pytest.fixture(scope="module")
def pool(demo_pool) -> pd.DataFrame:
    return load_pool(demo_pool)


@pytest.mark.parametrize(("kennzahl", "expected"), PRODUKT2_2021.items())
def test_erfassungsbogen_31_12_2021(pool, kennzahl, expected):
    assert wert(pool, kennzahl, "Gesamtstadt", "2021-12-31") == expected


def test_erfassungsbogen_table_so_gesamt(pool):
    bogen = qm.erfassungsbogen(pool, "2021-Q4")
    so = dict(zip([z[3] for z in qm.ZEILEN], bogen[qm.SO_GESAMT], strict=True))
    assert so == {k: float(v) for k, v in PRODUKT2_2021.items()}
    # SO-Gesamt is the sum of the Sozialräume and 'ohne Zuordnung'
    parts = bogen.drop(columns=qm.SO_GESAMT).sum(axis=1)
    assert (parts == bogen[qm.SO_GESAMT]).all()


def test_population(pool):
    assert wert(pool, "bev_gesamt", "Gesamtstadt", "2020-12-31") == 126_829
    assert wert(pool, "bev_gesamt", "Gesamtstadt", "2021-12-31") == 127_431
    assert wert(pool, "bev_gesamt", "Gesamtstadt", "2023-12-31") == 130_276


def test_jh_z5_paper_story(pool):
    k = "jh_z5_anteil_hilfen_vor_dem_fall"
    w20 = select(pool, k, periode="2020").query("ebene != 'stadtviertel'").set_index("raum")["wert"]
    w21 = select(pool, k, periode="2021").query("ebene != 'stadtviertel'").set_index("raum")["wert"]
    assert round(w20["Gesamtstadt"], 2) == 0.84
    assert all(w20[s] >= 0.80 for s in sozialraeume())
    assert w21["Gesamtstadt"] >= 0.80 and round(w21["Gesamtstadt"], 2) == 0.80
    assert round(w21["Wiblingen"], 2) == 0.74
    assert all(w21[s] < w20[s] for s in sozialraeume())


def test_statement_in_the_papers_words(pool):
    from kennzahlen.catalog.model import load_catalog

    k = load_catalog().get("jh_z5_anteil_hilfen_vor_dem_fall")
    text = wirkung.aussage(k, "2021", wirkung.jahreswerte(pool, k, "2021")["wert"])
    # the paper's sentence, with each value as the table beside it shows it (one decimal)
    assert text == (
        "Im Jahr 2021 wurde der Zielwert von 80\u00a0% für die Gesamtstadt mit 80,0\u00a0% "
        "erreicht; in Wiblingen mit 74,0\u00a0% unterschritten."
    )


@pytest.mark.parametrize(
    ("kennzahl", "jahr", "expected"),
    [
        ("ah_z3_verbleib_haeuslichkeit", "2020", 18),
        ("ah_z3_verbleib_haeuslichkeit", "2023", 38),
        ("ws_mietschulden_meldungen", "2020", 156),
        ("ws_mietschulden_meldungen", "2021", 172),
        ("ws_raeumungsklagen", "2020", 80),
        ("ws_raeumungsklagen", "2021", 91),
    ],
)
def test_yearly_counts(pool, kennzahl, jahr, expected):
    assert wert(pool, kennzahl, "Gesamtstadt", jahr) == expected


def test_rates_per_1000(pool):
    assert wert(pool, "ws_z5_mietschulden_je_1000", "Gesamtstadt", "2020") == pytest.approx(
        156 / 126_829 * 1000
    )
    assert wert(pool, "ws_z5_raeumungsklagen_je_1000", "Gesamtstadt", "2021") == pytest.approx(
        91 / 127_431 * 1000
    )


def test_egh_z2_collected_since_2020_q4(pool):
    periods = sorted(select(pool, "egh_z2_anteil_nahfeld")["periode"].unique())
    assert periods[0] == "2020-Q4" and periods[-1] == "2023-Q4"


def test_gesamtstadt_is_sum_of_sozialraeume_for_every_count(pool):
    counts = pool[pool["nenner"].isna()]
    sr = counts[counts["ebene"] == "sozialraum"].groupby(["kennzahl", "periode"])["zaehler"].sum()
    g = counts[counts["ebene"] == "gesamtstadt"].set_index(["kennzahl", "periode"])["zaehler"]
    assert (sr.reindex(g.index) == g).all()

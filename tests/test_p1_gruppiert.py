"""Produkt 1 for the Gesamtstadt: the Stadtviertel grouped by Sozialraum, with subtotals that are
the Sozialraum values of every other table (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import kennzahlen as kz
from kennzahlen.catalog.geography import raumgliederung
from kennzahlen.core.schema import GESAMTSTADT, OHNE_ZUORDNUNG
from kennzahlen.core.vocabulary import ist_anteil
from kennzahlen.products.sozialstruktur import bericht as p1
from kennzahlen.products.sozialstruktur.gruppiert import OHNE, STADT, SUMME

JAHR = "2023"
TABELLEN = {
    "bevoelkerung": p1.BEVOELKERUNG,
    "alter": {**p1.ALTERSGRUPPEN, "bev_gesamt": "gesamt"},
    "haushalte": p1.HAUSHALTE,
    "armut": p1.ARMUT,
}


@pytest.fixture(scope="module")
def pool(demo_pool: Path) -> pd.DataFrame:
    return kz.load_pool(demo_pool)


@pytest.mark.parametrize("labels", TABELLEN.values(), ids=TABELLEN.keys())
def test_subtotals_are_the_sozialraum_values_everywhere(pool: pd.DataFrame, labels: dict):
    tab = p1.tabelle_stadtviertel(pool, JAHR, GESAMTSTADT, labels)
    je_sozialraum = p1.tabelle_sozialraeume(pool, JAHR, labels)
    zaehlungen = [k for k in labels if not ist_anteil(p1._einheit(k))]
    for raum in kz.sozialraeume():
        block = tab.loc[raum]
        summe = block.loc[SUMME]
        viertel = block.drop(index=SUMME)
        # the subtotal is the Sozialraum's value in the table of all Sozialräume …
        pd.testing.assert_series_equal(summe, je_sozialraum.loc[raum], check_names=False)
        # … and in the Sozialraum's own report, Stadtviertel by Stadtviertel
        eigen = p1.tabelle_stadtviertel(pool, JAHR, raum, labels)
        pd.testing.assert_series_equal(summe, eigen.loc[f"Sozialraum {raum}"], check_names=False)
        assert list(viertel.index) == list(eigen.index[:-1])
        pd.testing.assert_frame_equal(viertel, eigen.iloc[:-1], check_names=False)
        # a count's subtotal is the sum of its Stadtviertel
        assert viertel[zaehlungen].sum().to_dict() == summe[zaehlungen].to_dict(), raum
    # the subtotals and the cases without a Stadtviertel add up to the city
    sub = tab.xs(SUMME, level=1)[zaehlungen].sum()
    if (OHNE_ZUORDNUNG, OHNE) in tab.index:
        sub = sub + tab.loc[(OHNE_ZUORDNUNG, OHNE), zaehlungen].fillna(0)
    assert sub.to_dict() == tab.loc[(GESAMTSTADT, STADT), zaehlungen].to_dict()


def test_every_stadtviertel_once_under_its_sozialraum(pool: pd.DataFrame):
    tab = p1.tabelle_stadtviertel(pool, JAHR, GESAMTSTADT, p1.BEVOELKERUNG)
    rg = raumgliederung()
    viertel = [(sr, lab) for sr, lab in tab.index if lab not in (SUMME, STADT, OHNE)]
    assert len(viertel) == len(rg) == len(set(viertel))
    erwartet = {
        (sr, f"{nr} {name}")
        for nr, name, sr in rg[["stadtviertel_nr", "stadtviertel", "sozialraum"]].itertuples(
            index=False
        )
    }
    assert set(viertel) == erwartet
    assert tab.attrs["summen"][-1] == (GESAMTSTADT, STADT)


def test_hand_counted_sozialraum_and_city(pool: pd.DataFrame):
    """Böfingen's SGB-II persons as the sum of its eleven Stadtviertel, by hand from the pool."""
    tab = p1.tabelle_stadtviertel(pool, JAHR, GESAMTSTADT, p1.ARMUT)
    stv = pool[
        (pool["kennzahl"] == "sgb2_personen")
        & (pool["ebene"] == "stadtviertel")
        & (pool["periode"] == "2023-12-31")
    ].set_index("raum")["wert"]
    nummern = raumgliederung().query("sozialraum == 'Böfingen'")["stadtviertel_nr"]
    von_hand = 0
    for nr in nummern:
        von_hand += stv[nr]
    assert tab.loc[("Böfingen", SUMME), "sgb2_personen"] == von_hand
    # 23 SGB-II persons without a Stadtviertel count only for the city: they get their own row
    assert tab.loc[(OHNE_ZUORDNUNG, OHNE), "sgb2_personen"] == 23
    assert tab.loc[(GESAMTSTADT, STADT), "sgb2_personen"] == 5960


def test_the_table_names_its_groups_and_bolds_the_subtotals(pool: pd.DataFrame, demo_pool: Path):
    html = p1.tabelle(
        pool, JAHR, GESAMTSTADT, p1.BEVOELKERUNG, demo_pool, "fehlt", "Bevölkerung"
    ).data
    assert (
        "<caption" in html and "Bevölkerung nach Stadtviertel, Gesamtstadt nach Sozialraum" in html
    )
    assert html.count(f">{SUMME}<") == len(kz.sozialraeume())
    assert ">Böfingen<" in html and f">{STADT}<" in html and "130.276" in html

"""Produkt 4's control-chart series from the details table's arrays (issue 28): the same frame
as :func:`regelkarten.reihe` for every indicator, area and quarter; another table (changed rows,
other values, a column it cannot serve) gives its own series; the tables kept are bounded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kennzahlen import ampel
from kennzahlen.pool.load import load_pool
from kennzahlen.products.ampelbericht import regelkarten


@pytest.fixture(autouse=True)
def leer():
    regelkarten._ZEILEN.clear()
    yield
    regelkarten._ZEILEN.clear()


def _gleich(details: pd.DataFrame) -> int:
    """Compare the series of every (indicator, area, quarter) with :func:`regelkarten.reihe` of
    all details; the number of rows compared."""
    zeilen, spalten = regelkarten._reihen_index(details)
    n = 0
    for p in ampel.load_ampel_config().indikatoren:
        for raum in [*sorted(set(details["sozialraum"].dropna())), "Nirgendwo"]:
            for quartal in ("2018-Q4", "2021-Q4", "2023-Q4", "2031-Q1"):
                pos = zeilen.get((p.kennzahl.id, p.regel, raum), regelkarten._KEINE)
                soll = regelkarten.reihe(details, p, raum, quartal)
                ist = (
                    regelkarten.reihe(details.iloc[pos], p, raum, quartal)
                    if spalten is None
                    else regelkarten._reihe_aus(spalten, pos, raum, quartal)
                )
                pd.testing.assert_frame_equal(ist, soll, check_index_type=True)
                n += len(ist)
    return n


def test_the_series_from_the_arrays_are_the_series_of_all_details(demo_pool: Path) -> None:
    details = load_pool(demo_pool, "ampel_details")
    assert regelkarten._reihen_index(details)[1] is not None  # the arrays serve the demo pool
    assert _gleich(details) > 0


def test_another_table_gives_its_own_series(demo_pool: Path) -> None:
    details = load_pool(demo_pool, "ampel_details")
    vorher = _gleich(details)
    # other values, a missing value, a period twice (its first row counts) and rows reversed
    anders = details.iloc[::-1].copy()
    anders["wert"] = anders["wert"] * 2.0
    anders.loc[anders.index[::7], "wert"] = np.nan
    anders = pd.concat([anders, anders.iloc[:40].assign(wert=-1.0)], ignore_index=True)
    anders.attrs = {}  # not the pool's table as read: known by its content
    assert _gleich(anders) < vorher
    p = next(p for p in ampel.load_ampel_config().indikatoren if regelkarten.mit_karte(p))
    raum = str(details["sozialraum"].iloc[0])
    z0, s0 = regelkarten._reihen_index(details)
    z1, s1 = regelkarten._reihen_index(anders)
    a = regelkarten._reihe_aus(s0, z0[(p.kennzahl.id, p.regel, raum)], raum, "2023-Q4")
    b = regelkarten._reihe_aus(s1, z1[(p.kennzahl.id, p.regel, raum)], raum, "2023-Q4")
    assert not a.equals(b)
    # a missing period: the table is not served from the arrays, the series are still the same
    fehlt = details.copy()
    fehlt["periode"] = fehlt["periode"].where(fehlt.index % 11 != 0, None)
    fehlt.attrs = {}
    assert regelkarten._reihen_index(fehlt)[1] is None
    assert _gleich(fehlt) > 0


def test_the_tables_kept_are_bounded(demo_pool: Path) -> None:
    details = load_pool(demo_pool, "ampel_details")
    for i in range(12):
        anders = details.assign(wert=details["wert"] + i)
        anders.attrs = {}
        regelkarten._reihen_index(anders)
        assert len(regelkarten._ZEILEN) <= 8

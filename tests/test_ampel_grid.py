"""The Ampel's grid of quarter x area and its series, made the cheap way, against the pandas
operations they replace: the series of all indicators from one selection of the pool
(``build_series_alle`` against ``build_series`` per Kennzahl, index included), the grid as a
lookup (``build_grid`` against the left merge), the rows as records (against
``to_dict("records")``), on random pools with gaps, duplicates, NaN and other levels."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd

from kennzahlen.ampel.rules.basis import build_grid, build_series, build_series_alle, records
from kennzahlen.core.periods import periode_fuer, quartale_range, stichtag

AREAS = ["West", "Ost", "Mitte", "Nord"]
QUARTALE = quartale_range("2019-Q1", "2023-Q4")


def _pool(rng: np.random.Generator) -> pd.DataFrame:
    perioden = [
        *QUARTALE,
        *(stichtag(q) for q in QUARTALE),
        *(str(j) for j in range(2017, 2024)),
        *(f"{j}-12-31" for j in range(2017, 2024)),
    ]
    n = 3000
    nenner = pd.array(rng.integers(0, 50, n), dtype="Int64")
    nenner[rng.random(n) < 0.2] = pd.NA
    wert = rng.normal(10, 5, n)
    wert[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "kennzahl": rng.choice(["a", "b", "c", "d"], n),
            "ebene": rng.choice(["sozialraum", "stadtviertel", "stadt"], n, p=[0.6, 0.3, 0.1]),
            "raum": rng.choice([*AREAS, "Anderswo", "Gesamtstadt"], n),
            "periode": rng.choice(perioden, n),
            "zaehler": rng.integers(0, 100, n),
            "nenner": nenner,
            "wert": wert,
        }
    )


def _merge_grid(p: object, quartale: list[str], areas: list[str], series: pd.DataFrame):
    """The grid as it was made before: MultiIndex, map, left merge."""
    g = pd.MultiIndex.from_product([quartale, areas], names=["quartal", "sozialraum"])
    grid = g.to_frame(index=False)
    je_quartal = {q: periode_fuer(q, p.kennzahl.periodizitaet) for q in quartale}  # type: ignore[attr-defined]
    grid["periode"] = grid["quartal"].map(je_quartal)
    grid = grid.merge(
        series.rename(columns={"raum": "sozialraum"}), on=["sozialraum", "periode"], how="left"
    )
    grid["faelle"] = grid["nenner"] if p.kennzahl.nenner else grid["zaehler"]  # type: ignore[attr-defined]
    return grid


def _gleich(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a.dtypes) == list(b.dtypes)
    assert a.index.equals(b.index)


def test_series_of_all_indicators_equal_the_series_per_indicator():
    rng = np.random.default_rng(28)
    for _ in range(5):
        pool = _pool(rng)
        ids = ["a", "c", "a", "x"]  # twice, and one without rows
        alle = build_series_alle(pool, ids, AREAS)
        assert list(alle) == ["a", "c", "x"]
        for k in alle:
            _gleich(alle[k], build_series(pool, k, AREAS))


def test_the_grid_lookup_equals_the_merge():
    rng = np.random.default_rng(6)
    for lauf in range(12):
        pool = _pool(rng)
        art = ["quartal", "jahr", "stichtag_quartal", "stichtag_jahr"][lauf % 4]
        p = SimpleNamespace(
            kennzahl=SimpleNamespace(periodizitaet=art, nenner="n" if lauf % 2 else None)
        )
        quartale = sorted(rng.choice(QUARTALE, size=int(rng.integers(1, 12)), replace=False))
        areas = [a for a in AREAS if rng.random() < 0.8] or ["West"]
        series = build_series(pool, str(rng.choice(["a", "b", "x"])), areas)
        _gleich(build_grid(p, quartale, areas, series), _merge_grid(p, quartale, areas, series))  # type: ignore[arg-type]


def _gleiche_werte(x: object, y: object) -> bool:
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
        return True
    return type(x) is type(y) and x == y


def test_records_equal_to_dict():
    rng = np.random.default_rng(3)
    pool = _pool(rng)
    p = SimpleNamespace(kennzahl=SimpleNamespace(periodizitaet="quartal", nenner="n"))
    grid = build_grid(p, QUARTALE, AREAS, build_series(pool, "b", AREAS))  # type: ignore[arg-type]
    grid["farbe"] = np.where(grid["wert"] > 10, "rot", "gruen")
    grid["text"] = pd.Series(["x", None] * (len(grid) // 2), dtype="str")
    grid["flag"] = grid["wert"] > 5
    grid["n"] = np.arange(len(grid))
    a, b = records(grid), grid.to_dict("records")
    assert len(a) == len(b)
    for ra, rb in zip(a, b, strict=True):
        assert list(ra) == list(rb)
        assert all(_gleiche_werte(ra[k], rb[k]) for k in ra), (ra, rb)


def test_the_rise_rules_lookup_equals_stack_and_merge():
    from kennzahlen.ampel.rules.anstieg import _nachschlagen

    rng = np.random.default_rng(9)
    for _ in range(10):
        qs = QUARTALE[int(rng.integers(0, 5)) : int(rng.integers(6, len(QUARTALE)))]
        raeume = [a for a in AREAS if rng.random() < 0.7]
        breit = (
            pd.DataFrame(rng.normal(50, 10, (len(qs), len(raeume))), index=qs, columns=raeume)
            .rolling(2, min_periods=2)
            .mean()
        )
        breit.index.name, breit.columns.name = "quartal", "raum"
        out = pd.DataFrame(
            {
                "quartal": [q for q in QUARTALE for _ in AREAS],
                "sozialraum": AREAS * len(QUARTALE),
            }
        )
        prev = breit.stack().rename("vergleichswert").reset_index()
        prev.columns = ["quartal", "sozialraum", "vergleichswert"]
        erwartet = out.merge(prev, on=["quartal", "sozialraum"], how="left")["vergleichswert"]
        got = _nachschlagen(breit, out["quartal"], out["sozialraum"])
        assert np.array_equal(got, erwartet.to_numpy(dtype="float64"), equal_nan=True)

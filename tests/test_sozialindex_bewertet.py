"""Why a Stadtviertel is not rated, from arrays: the same reasons as row by row (missing values
named in the order of the indicators, too few residents winning)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from kennzahlen.sozialindex.berechnung import _bewertet


def _zeilenweise(werte: pd.DataFrame, cfg, ids: list[str]) -> pd.Series:
    klein = werte["bevoelkerung"] < cfg.mindestbevoelkerung
    fehlt = werte[list(ids)].isna()
    grund = pd.Series("", index=werte.index, dtype=object)
    grund[fehlt.any(axis=1)] = [
        "Werte fehlen: " + ", ".join(c for c in ids if row[c])
        for _, row in fehlt[fehlt.any(axis=1)].iterrows()
    ]
    grund[klein] = f"unter {cfg.mindestbevoelkerung} Einwohner*innen"
    return grund


def test_reasons_equal_the_row_by_row_reasons():
    rng = np.random.default_rng(5)
    cfg = SimpleNamespace(mindestbevoelkerung=300)
    for n in (0, 1, 40):
        ids = ["i3", "i1", "i2"]
        werte = pd.DataFrame(
            {
                "bevoelkerung": rng.integers(0, 1000, n).astype(float),
                **{i: np.where(rng.random(n) < 0.3, np.nan, rng.random(n)) for i in ids},
            },
            index=pd.Index([f"{k:03d}" for k in range(n)], name="stadtviertel_nr"),
        )
        a, b = _bewertet(werte, cfg, ids), _zeilenweise(werte, cfg, ids)  # type: ignore[arg-type]
        pd.testing.assert_series_equal(a, b, check_exact=True)
        assert a.dtype == object

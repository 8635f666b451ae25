"""The stock-rise rule (``anstieg``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from kennzahlen.ampel.config import Parameter
from kennzahlen.ampel.rules.basis import (
    FARB_TEXT,
    _periode_text,
    _r,
    _wert,
    _zahlwort,
    _zu_wenig,
    records,
)
from kennzahlen.core import fmt
from kennzahlen.core.periods import quartal_von, quartale_range


def regel_anstieg(p: Parameter, grid: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    """Stock-rise rule: the value against the mean of the previous quarter ends."""
    out = grid.copy()
    s = series.copy()
    s["quartal"] = s["periode"].map(quartal_von)
    s = s.dropna(subset=["quartal"])
    n = p.vorquartale
    if len(s):
        wide = s.pivot_table(index="quartal", columns="raum", values="wert", aggfunc="first")
        wide = wide.reindex(
            quartale_range(min(wide.index), max(out["quartal"].max(), max(wide.index)))
        )
        prev = wide.shift(1).rolling(n, min_periods=n).mean()
        out["vergleichswert"] = _nachschlagen(prev, out["quartal"], out["sozialraum"])
    else:
        out["vergleichswert"] = np.nan
    mean = out["vergleichswert"]
    out["faelle"] = mean
    change = (out["wert"] - mean) / mean.where(mean > 0)
    out["veraenderung"] = change
    pct = _r(change * 100)
    no_data = out["wert"].isna()
    short = ~no_data & mean.isna()
    few = ~no_data & ~short & (mean < p.min_faelle)
    out["farbe"] = np.select(
        [no_data, short, few, pct <= _r(p.gelb_ueber_prozent), pct <= _r(p.rot_ueber_prozent)],
        ["grau", "grau", "grau", "gruen", "gelb"],
        "rot",
    )
    out["schwelle_gelb"] = mean * (1 + p.gelb_ueber_prozent / 100)
    out["schwelle_rot"] = mean * (1 + p.rot_ueber_prozent / 100)
    vq = "des Vorquartals" if n == 1 else f"der {_zahlwort(n)} Vorquartale"
    out["vergleich"] = [
        f"Ø {fmt.zahl(m, 1)} {vq}" if pd.notna(m) else f"Ø {vq} fehlt" for m in mean
    ]

    def sentence(row: Mapping[str, Any]) -> str:
        when = _periode_text(row["periode"])
        if pd.isna(row["wert"]):
            return f"{p.name}: kein Wert {when} → grau"
        if pd.isna(row["vergleichswert"]):
            return (
                f"{p.name}: {_wert(row['wert'], p)} {when}, aber keine {_zahlwort(n)} Vorquartale "
                f"zum Vergleich → grau"
            )
        if row["farbe"] == "grau":
            return _zu_wenig(row, p, f"im Durchschnitt {vq}")
        change_text = fmt.veraenderung(row["wert"], row["vergleichswert"])
        return (
            f"{p.name}: {_wert(row['wert'], p)} {when} gegenüber Ø "
            f"{fmt.zahl(row['vergleichswert'], 1)} {vq} ({change_text}) → {FARB_TEXT[row['farbe']]}"
        )

    out["begruendung"] = [sentence(r) for r in records(out)]
    return out


def _nachschlagen(breit: pd.DataFrame, quartal: pd.Series, raum: pd.Series) -> np.ndarray:
    """The value of ``breit`` (quarter x area) at each (quarter, area), NaN where it has none:
    what stacking it and merging it on (quartal, sozialraum) gives (tests/test_ampel_grid.py)."""
    qi = breit.index.get_indexer(quartal)
    ri = breit.columns.get_indexer(raum)
    werte = breit.to_numpy(dtype="float64")
    treffer = (qi >= 0) & (ri >= 0)
    if not werte.size:
        return np.full(len(qi), np.nan)
    return np.where(treffer, werte[np.maximum(qi, 0), np.maximum(ri, 0)], np.nan)

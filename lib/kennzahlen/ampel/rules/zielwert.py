"""The target rule (``zielwert``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ... import fmt
from ..config import Parameter
from .basis import FARB_TEXT, _basis_text, _periode_text, _r, _wert, _zu_wenig


def regel_zielwert(p: Parameter, grid: pd.DataFrame) -> pd.DataFrame:
    """Target rule: met -> gruen; missed by at most the tolerance -> gelb; beyond -> rot."""
    ziel = float(p.kennzahl.zielwert)  # type: ignore[arg-type]
    sign = 1.0 if p.richtung == "hoeher_besser" else -1.0
    out = grid.copy()
    missed = _r((ziel - out["wert"]) * sign)  # > 0: target missed by that much
    out["vergleichswert"] = ziel
    out["schwelle_gelb"] = ziel
    out["schwelle_rot"] = ziel - sign * p.toleranz
    out["abweichung"] = missed
    no_data = out["wert"].isna()
    few = ~no_data & (out["faelle"].fillna(0) < p.min_faelle)
    out["farbe"] = np.select(
        [no_data, few, missed <= 0, missed <= _r(p.toleranz)],
        ["grau", "grau", "gruen", "gelb"],
        "rot",
    )
    op = "mindestens" if sign > 0 else "höchstens"
    out["vergleich"] = f"Zielwert {op} {_wert(ziel, p)}"

    def sentence(row: Mapping[str, Any]) -> str:
        if pd.isna(row["wert"]):
            return f"{p.name}: kein Wert {_periode_text(row['periode'])} → grau"
        if row["farbe"] == "grau":
            return _zu_wenig(row, p, _basis_text(row, p))
        head = f"{p.name} {_periode_text(row['periode'])}: {_wert(row['wert'], p)}"
        if row["farbe"] == "gruen":
            return f"{head}, Zielwert {op} {_wert(ziel, p)} erreicht → grün"
        gap = (
            f"{fmt.zahl(row['abweichung'] * 100, 1)} Prozentpunkte"
            if p.anteil
            else _wert(row["abweichung"], p)
        )
        tol = (
            f"höchstens {p.toleranz_text}"
            if row["farbe"] == "gelb"
            else f"mehr als {p.toleranz_text}"
        )
        return (
            f"{head}, Zielwert {op} {_wert(ziel, p)} um {gap} verfehlt ({tol}) → "
            f"{FARB_TEXT[row['farbe']]}"
        )

    out["begruendung"] = [sentence(r) for r in out.to_dict("records")]
    return out

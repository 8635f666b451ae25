"""The target rule (``zielwert``).

Each value is judged against the Zielwert valid in the year of its period
(``Kennzahl.zielwert_im``, :mod:`kennzahlen.catalog.versionen`); a year without a Zielwert gives
grau."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from kennzahlen.ampel.config import Parameter
from kennzahlen.ampel.rules.basis import FARB_TEXT, _basis_text, _periode_text, _r, _wert, _zu_wenig
from kennzahlen.core import fmt


def regel_zielwert(p: Parameter, grid: pd.DataFrame) -> pd.DataFrame:
    """Target rule: met -> gruen; missed by at most the tolerance -> gelb; beyond -> rot."""
    ziele = grid["periode"].map(p.kennzahl.zielwert_im).astype("float64")
    sign = 1.0 if p.richtung == "hoeher_besser" else -1.0
    out = grid.copy()
    missed = _r((ziele - out["wert"]) * sign)  # > 0: target missed by that much
    out["vergleichswert"] = ziele
    out["schwelle_gelb"] = ziele
    out["schwelle_rot"] = ziele - sign * p.toleranz
    out["abweichung"] = missed
    no_data = out["wert"].isna() | ziele.isna()
    few = ~no_data & (out["faelle"].fillna(0) < p.min_faelle)
    out["farbe"] = np.select(
        [no_data, few, missed <= 0, missed <= _r(p.toleranz)],
        ["grau", "grau", "gruen", "gelb"],
        "rot",
    )
    op = "mindestens" if sign > 0 else "höchstens"
    out["vergleich"] = [
        f"Zielwert {op} {_wert(z, p)}" if pd.notna(z) else "kein Zielwert" for z in ziele
    ]
    out["begruendung"] = [_satz(r, p, op) for r in out.to_dict("records")]
    return out


def _satz(row: Mapping[str, Any], p: Parameter, op: str) -> str:
    """The reason of one quarter's light, in one German sentence."""
    ziel = row["vergleichswert"]
    if pd.isna(row["wert"]):
        return f"{p.name}: kein Wert {_periode_text(row['periode'])} → grau"
    if pd.isna(ziel):
        return f"{p.name} {_periode_text(row['periode'])}: kein Zielwert festgelegt → grau"
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
        f"höchstens {p.toleranz_text}" if row["farbe"] == "gelb" else f"mehr als {p.toleranz_text}"
    )
    return (
        f"{head}, Zielwert {op} {_wert(ziel, p)} um {gap} verfehlt ({tol}) → "
        f"{FARB_TEXT[row['farbe']]}"
    )

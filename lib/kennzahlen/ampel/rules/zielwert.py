"""The target rule (``zielwert``).

Each value is judged against the Zielwert valid in the year of its period
(``Kennzahl.zielwert_im``, :mod:`kennzahlen.catalog.versionen`); a year without a Zielwert gives
grau. A share or rate carries its 95 % interval (:mod:`kennzahlen.statistik.intervalle`): with
``nur_sicher_rot`` a value that misses the Zielwert beyond the tolerance is rot only when its
interval misses it too ("verfehlt"), else gelb ("nicht sicher verfehlt"). The assurance of the
series' control chart (will the process meet the target?) is added where the chart has limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from kennzahlen.ampel.config import Parameter
from kennzahlen.ampel.rules.basis import (
    FARB_TEXT,
    _basis_text,
    _periode_text,
    _r,
    _wert,
    _zu_wenig,
    records,
)
from kennzahlen.ampel.rules.karten import karten
from kennzahlen.ampel.rules.spc import mit_zielsicherheit, reihen, zielsicherheit_von
from kennzahlen.core import fmt
from kennzahlen.statistik import intervalle


def regel_zielwert(
    p: Parameter, grid: pd.DataFrame, series: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Target rule: met -> gruen; missed by at most the tolerance -> gelb; beyond -> rot (with
    ``nur_sicher_rot``: rot only when the 95 % interval misses it too)."""
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
    _intervalle(p, out, ziele)
    if p.nur_sicher_rot:
        unsicher = out["zielvergleich"] == intervalle.NICHT_SICHER_VERFEHLT
        out.loc[(out["farbe"] == "rot") & unsicher, "farbe"] = "gelb"
    out["zielsicherheit"] = _zielsicherheit(p, out, series)
    op = "mindestens" if sign > 0 else "höchstens"
    out["vergleich"] = [
        f"Zielwert {op} {_wert(z, p)}" if pd.notna(z) else "kein Zielwert" for z in ziele
    ]
    out["begruendung"] = [mit_zielsicherheit(_satz(r, p, op), r, p) for r in records(out)]
    return out


def _intervalle(p: Parameter, out: pd.DataFrame, ziele: pd.Series) -> None:
    """The 95 % interval of each value (shares and rates) and its comparison with the target."""
    k = p.kennzahl
    if k.nenner:
        lo, hi = intervalle.intervalle(out["zaehler"], out["nenner"], k.faktor, p.anteil)
    else:
        lo = hi = np.full(len(out), np.nan)
    out["intervall_unten"], out["intervall_oben"] = lo, hi
    out["zielvergleich"] = [
        intervalle.zielvergleich(w, a, b, z, p.richtung) or ""
        for w, a, b, z in zip(out["wert"], lo, hi, ziele, strict=True)
    ]


def _zielsicherheit(p: Parameter, out: pd.DataFrame, series: pd.DataFrame | None) -> list[str]:
    """The assurance of the series' control chart at each period (see the SPC rule)."""
    out["grenzen_vorlaeufig"] = False
    if series is None:
        return [""] * len(out)
    charts = karten(p, reihen(series))
    res, vorl = [], []
    for r, per, w in zip(out["sozialraum"], out["periode"], out["wert"], strict=True):
        k = charts.get((r, str(per))) if pd.notna(w) else None
        g = k.grenzen if k is not None else None
        res.append(zielsicherheit_von(p, g, str(per)))
        vorl.append(bool(g is not None and g.vorlaeufig))
    out["grenzen_vorlaeufig"] = vorl
    return res


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
    innerhalb = _r(row["abweichung"]) <= _r(p.toleranz)
    tol = f"höchstens {p.toleranz_text}" if innerhalb else f"mehr als {p.toleranz_text}"
    unsicher = row.get("zielvergleich") == intervalle.NICHT_SICHER_VERFEHLT
    if pd.notna(row.get("intervall_unten")):
        iv = (
            f"95-%-Intervall {_wert(row['intervall_unten'], p)} bis "
            f"{_wert(row['intervall_oben'], p)}"
        )
        tol += f"; {'nicht sicher verfehlt' if unsicher else 'sicher verfehlt'}: {iv}"
    return (
        f"{head}, Zielwert {op} {_wert(ziel, p)} um {gap} verfehlt ({tol}) → "
        f"{FARB_TEXT[row['farbe']]}"
    )

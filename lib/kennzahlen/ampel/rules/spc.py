"""The SPC rule (``spc``): XmR chart on a fixed baseline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kennzahlen.ampel.config import Parameter
from kennzahlen.ampel.rules.basis import (
    FARB_TEXT,
    _basis_text,
    _kurz,
    _periode_text,
    _r,
    _stat,
    _wert,
    _zu_wenig,
)
from kennzahlen.core.periods import quartal_von, quartale_range


def regel_spc(p: Parameter, grid: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    """SPC rule: XmR chart on a fixed baseline; limits and a run of ``lauf`` on one side."""
    out = grid.copy()
    hoeher = p.richtung == "hoeher_besser"
    cols: dict[str, list[Any]] = {
        c: []
        for c in ("vergleichswert", "untere_grenze", "obere_grenze", "signal", "basis", "farbe_spc")
    }
    # the baseline of an area is the same for every quarter: computed once per area
    basen = {
        raum: _basis(p, grp.sort_values("periode"))
        for raum, grp in series.dropna(subset=["wert"]).groupby("raum")
    }
    for raum, periode, wert in zip(out["sozialraum"], out["periode"], out["wert"], strict=True):
        res = _spc_point(p, basen.get(raum), periode, wert, hoeher)
        for c, v in zip(cols, res, strict=True):
            cols[c].append(v)
    for c, values in cols.items():
        out[c] = values
    no_data = out["wert"].isna()
    few = ~no_data & (out["faelle"].fillna(0) < p.min_faelle)
    out["farbe"] = np.where(no_data | few, "grau", out["farbe_spc"])
    out["schwelle_gelb"] = np.nan
    out["schwelle_rot"] = out["untere_grenze"] if hoeher else out["obere_grenze"]
    out["vergleich"] = [
        f"Mittel {_stat(m, p)}, Grenzen {_stat(lo, p)} bis {_stat(hi, p)} (Basis {b})"
        if pd.notna(m)
        else f"Basis {b}"
        for m, lo, hi, b in zip(
            out["vergleichswert"],
            out["untere_grenze"],
            out["obere_grenze"],
            out["basis"],
            strict=True,
        )
    ]

    out["begruendung"] = [_satz(r, p) for r in out.to_dict("records")]
    return out.drop(columns=["farbe_spc", "basis"])


def _satz(row: Mapping[str, Any], p: Parameter) -> str:
    """The reason of one light of the SPC rule, in words."""
    when = _periode_text(row["periode"])
    if pd.isna(row["wert"]):
        return f"{p.name}: kein Wert {when} → grau"
    if pd.isna(row["vergleichswert"]):
        return f"{p.name}: {_wert(row['wert'], p)} {when}; {row['basis']} → grau"
    if row["farbe"] == "grau":
        return _zu_wenig(row, p, _basis_text(row, p))
    head = f"{p.name}: {_wert(row['wert'], p)} {when}"
    limits = f"Grenzen {_stat(row['untere_grenze'], p)} bis {_stat(row['obere_grenze'], p)}"
    mean = f"Mittel {_stat(row['vergleichswert'], p)}"
    sig = row["signal"]
    colour = FARB_TEXT[row["farbe"]]
    if sig in ("ueber_grenze", "unter_grenze"):
        side = "über der oberen" if sig == "ueber_grenze" else "unter der unteren"
        grenze = row["obere_grenze"] if sig == "ueber_grenze" else row["untere_grenze"]
        verdict = "günstige Entwicklung" if row["farbe"] == "gruen" else "ungünstige Entwicklung"
        return (
            f"{head} liegt {side} Kontrollgrenze {_stat(grenze, p)} ({mean}, Basis "
            f"{row['basis']}): {verdict} → {colour}"
        )
    if sig in ("lauf_ueber", "lauf_unter"):
        side = "über" if sig == "lauf_ueber" else "unter"
        verdict = "günstige Verschiebung" if row["farbe"] == "gruen" else "ungünstige Verschiebung"
        return (
            f"{head}; {p.lauf} Werte in Folge {side} dem {mean} der Basis {row['basis']}: "
            f"{verdict} → {colour}"
        )
    return f"{head} innerhalb der {limits}, kein Signal (Basis {row['basis']}) → {colour}"


@dataclass(frozen=True)
class Basis:
    """An area's series (sorted by period) and its baseline: centre, limits, label."""

    perioden: np.ndarray
    werte: np.ndarray
    basis_perioden: np.ndarray
    needed: int
    label: str
    centre: float
    lo: float
    hi: float


def _basis(p: Parameter, s: pd.DataFrame) -> Basis:
    """The baseline of one area's series (``s`` sorted by period), once for all its points."""
    perioden = s["periode"].to_numpy(dtype=object)
    if p.basis_von:
        keys = pd.Series([quartal_von(x) for x in perioden], dtype=object)
        base_mask = ((keys >= p.basis_von) & (keys <= p.basis_bis)).to_numpy(dtype=bool)
        quarterly = p.kennzahl.periodizitaet in ("quartal", "stichtag_quartal")
        needed = (
            len(quartale_range(p.basis_von, p.basis_bis or p.basis_von))
            if quarterly
            else int(base_mask.sum())
        )
    else:
        base_mask = np.arange(len(s)) < p.basis_perioden
        needed = p.basis_perioden
    werte = s["wert"].to_numpy(dtype="float64")
    base = perioden[base_mask]
    label = f"{_kurz(base[0])} bis {_kurz(base[-1])}" if len(base) else "–"
    centre = lo = hi = float("nan")
    if len(base) >= 2:
        x = werte[base_mask]
        centre = float(x.mean())
        mr = float(np.abs(np.diff(x)).mean())
        lo, hi = centre - p.grenzfaktor * mr, centre + p.grenzfaktor * mr
        # a count is never below 0 and a share never outside 0–1: clamping changes no signal
        lo = max(lo, 0.0)
        if p.anteil:
            hi = min(hi, 1.0)
    return Basis(perioden, werte, base, needed, label, centre, lo, hi)


def _spc_point(
    p: Parameter, b: Basis | None, periode: str, wert: float, hoeher: bool
) -> tuple[float, float, float, str, str, str]:
    """Centre, limits, signal, baseline text and colour of one point of an area's series."""
    nan = float("nan")
    if b is None or pd.isna(wert):
        return nan, nan, nan, "", "keine Reihe", "grau"
    base = b.basis_perioden
    if len(base) < max(b.needed, 2) or (len(base) and base[-1] > periode):
        have = int((base <= periode).sum()) if len(base) else 0
        return nan, nan, nan, "", f"Basis noch unvollständig ({have} von {b.needed} Werten)", "grau"
    centre, lo, hi = b.centre, b.lo, b.hi
    v = _r(wert)
    signal = ""
    if v > _r(hi):
        signal = "ueber_grenze"
    elif v < _r(lo):
        signal = "unter_grenze"
    else:  # a run: the last `lauf` points all strictly on one side (a point on the mean breaks it)
        upto = int(np.searchsorted(b.perioden, periode, side="right"))
        last = _r(b.werte[max(upto - p.lauf, 0) : upto])
        c = _r(centre)
        if len(last) == p.lauf and (last > c).all():
            signal = "lauf_ueber"
        elif len(last) == p.lauf and (last < c).all():
            signal = "lauf_unter"
    if not signal:
        colour = "gruen"
    else:
        unfavourable = ("ueber" in signal) != hoeher
        colour = ("rot" if signal.endswith("grenze") else "gelb") if unfavourable else "gruen"
    return centre, lo, hi, signal, b.label, colour

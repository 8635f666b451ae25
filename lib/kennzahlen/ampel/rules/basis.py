"""What the rules share: the indicator's series and grid, rounding, value and period texts."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from kennzahlen.ampel.config import Parameter
from kennzahlen.core import fmt
from kennzahlen.core.periods import QUARTAL_RE, periode_fuer, quartal_von
from kennzahlen.core.vocabulary import FARBEN, wert_text

#: colour names for text (readable without colour)
FARB_TEXT = {c: f.wort for c, f in FARBEN.items()}
#: rounding before a threshold comparison, so that 0.80 - 0.75 is exactly 5 percentage points
_EPS_DIGITS = 9


# ------------------------------------------------------------------------------- the rules
def build_series(pool: pd.DataFrame, kennzahl: str, areas: Sequence[str]) -> pd.DataFrame:
    """Pool rows of one Kennzahl for the report areas: raum, periode, zaehler, nenner, wert."""
    rows = pool[(pool["kennzahl"] == kennzahl) & (pool["ebene"] != "stadtviertel")]
    rows = rows[rows["raum"].isin(list(areas))]
    out = pd.DataFrame(
        {
            "raum": rows["raum"].astype(str).to_numpy(),
            "periode": rows["periode"].astype(str).to_numpy(),
            "zaehler": pd.to_numeric(rows["zaehler"], errors="coerce").astype("float64").to_numpy(),
            "nenner": pd.to_numeric(rows["nenner"], errors="coerce").astype("float64").to_numpy(),
            "wert": pd.to_numeric(rows["wert"], errors="coerce").astype("float64").to_numpy(),
        }
    )
    return out.drop_duplicates(["raum", "periode"], keep="first")


def build_series_alle(
    pool: pd.DataFrame, kennzahlen: Sequence[str], areas: Sequence[str]
) -> dict[str, pd.DataFrame]:
    """:func:`build_series` of several Kennzahlen, the pool's rows selected and converted once
    (the same frames, index included: tests/test_ampel_grid.py)."""
    rows = pool[pool["kennzahl"].isin(list(kennzahlen)) & (pool["ebene"] != "stadtviertel")]
    rows = rows[rows["raum"].isin(list(areas))]
    kz = rows["kennzahl"].astype(str).to_numpy()
    spalten = {
        "raum": rows["raum"].astype(str).to_numpy(),
        "periode": rows["periode"].astype(str).to_numpy(),
        "zaehler": pd.to_numeric(rows["zaehler"], errors="coerce").astype("float64").to_numpy(),
        "nenner": pd.to_numeric(rows["nenner"], errors="coerce").astype("float64").to_numpy(),
        "wert": pd.to_numeric(rows["wert"], errors="coerce").astype("float64").to_numpy(),
    }
    out = {}
    for k in dict.fromkeys(kennzahlen):
        sel = kz == k
        frame = pd.DataFrame({c: v[sel] for c, v in spalten.items()})
        out[k] = frame.drop_duplicates(["raum", "periode"], keep="first")
    return out


def build_grid(
    p: Parameter, quartale: Sequence[str], areas: Sequence[str], series: pd.DataFrame
) -> pd.DataFrame:
    """Quarter x area with the indicator's period and its pool value (NaN when missing).

    The left merge of the grid with the series on (area, period), as a lookup: the series holds
    each (area, period) once (:func:`build_series`), so every grid row finds at most one value
    (tests/test_ampel_grid.py compares both)."""
    qs, rs = list(quartale), list(areas)
    je_quartal = {q: periode_fuer(q, p.kennzahl.periodizitaet) for q in qs}
    quartal = [q for q in qs for _ in rs]
    periode = [je_quartal[q] for q in quartal]
    sozialraum = rs * len(qs)
    wo = {k: i for i, k in enumerate(zip(series["raum"], series["periode"], strict=True))}
    idx = np.array([wo.get(k, -1) for k in zip(sozialraum, periode, strict=True)], dtype="int64")
    treffer = idx >= 0
    cols: dict[str, Any] = {"quartal": quartal, "sozialraum": sozialraum, "periode": periode}
    for c in ("zaehler", "nenner", "wert"):
        werte = series[c].to_numpy(dtype="float64")
        cols[c] = np.where(treffer, werte[np.where(treffer, idx, 0)] if len(werte) else 0.0, np.nan)
    grid = pd.DataFrame(cols)
    grid["faelle"] = grid["nenner"] if p.kennzahl.nenner else grid["zaehler"]
    return grid


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """``df.to_dict("records")`` made column by column (``tolist`` gives the same Python
    values: floats, ints, bools and texts; tests/test_ampel_grid.py)."""
    cols = [df[c].to_numpy().tolist() for c in df.columns]
    return [dict(zip(df.columns, row, strict=True)) for row in zip(*cols, strict=True)]


def _r(x: pd.Series | np.ndarray | float) -> Any:
    """Round away float noise before comparing with a threshold."""
    return np.round(x, _EPS_DIGITS)


#: texts of values made already, by (repr of the value, unit, derived): ``repr`` tells a float
#: from a numpy float and 0.0 from -0.0, so a text is reused only for the very same value
_TEXTE: dict[tuple[str, str, bool], str] = {}


def _text(x: float, einheit: str, stat: bool) -> str:
    """A value's text (made once per value)."""
    key = (repr(x), einheit, stat)
    if key not in _TEXTE:
        if len(_TEXTE) > 50_000:
            _TEXTE.clear()
        _TEXTE[key] = fmt.zahl(x, 1) if stat and einheit == "anzahl" else wert_text(x, einheit)
    return _TEXTE[key]


def _wert(x: float, p: Parameter) -> str:
    return _text(x, p.kennzahl.einheit, False)


def _stat(x: float, p: Parameter) -> str:
    """A derived value (mean, limit): counts with one decimal, else like the values."""
    return _text(x, p.kennzahl.einheit, True)


@functools.lru_cache(maxsize=1 << 12)
def _periode_text(periode: str) -> str:
    if QUARTAL_RE.match(periode):
        return f"im {fmt.periode(periode)}"
    if len(periode) == 4:
        return f"im Jahr {periode}"
    return f"am {fmt.datum(periode)}"


def _zu_wenig(row: Mapping[str, Any], p: Parameter, wo: str) -> str:
    n = row["faelle"]
    n = 0.0 if pd.isna(n) else float(n)
    return (
        f"{p.name}: nur {fmt.zahl(n, 1 if n % 1 else 0)} Fälle {wo}, zu wenige für eine "
        f"Aussage (mindestens {p.min_faelle}) → grau"
    )


def _basis_text(row: Mapping[str, Any], p: Parameter) -> str:
    when = _periode_text(row["periode"])
    return f"in der Basis (Nenner) {when}" if p.kennzahl.nenner else when


def _zahlwort(n: int) -> str:
    return {2: "zwei", 3: "drei", 4: "vier", 5: "fünf", 6: "sechs", 8: "acht"}.get(n, str(n))


def _kurz(periode: str) -> str:
    q = quartal_von(periode)
    return q if q and len(periode) != 4 else periode

"""Counting in one pass: a raw table's cases per group and period, for every period at once.

A table's rows fall into *groups*: one per distinct combination of its area and code columns
(Stadtviertel, Sozialraum, paragraph, setting, …), a few thousand at most. Every counting rule of
DATA_CONTRACT.md section 3 asks whether a row's time span meets a period:

- Bestand on S: ``[beginn, ende]`` meets ``[S, S]``
- im Verlauf of [A, B]: ``[beginn, ende]`` meets ``[A, B]``
- Ereignisse in [A, B], and jahr_bis_stichtag on S (A = 01.01. of S's year): ``[datum, datum]``
  meets ``[A, B]``

With the periods sorted (starts and ends both rising), the periods a row meets are one run
``lo <= j < hi``: ``lo`` the first period ending on or after the row's start, ``hi`` the first
period starting after the row's end (``searchsorted``). A difference array per group (+1 at
``lo``, -1 at ``hi``) summed along the periods gives every count at once: one pass over the rows,
instead of a mask and a groupby per period. Count tables (``summe``) add their count column per
group and Stichtag. Catalog filters then work on the small group table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kennzahlen.core.periods import Periode, jahresbeginn, quartal_enden
from kennzahlen.reading.stapel import erste_zeilen

#: a day in nanoseconds since 1970 that no date reaches (an open ``ende``)
_OPEN = np.iinfo(np.int64).max
#: rows counted at a time (:func:`spannen`)
_BLOCK = 1 << 18


@dataclass(frozen=True)
class Gruppen:
    """The groups of one table: per row its group, per group its values of the group columns."""

    gid: np.ndarray
    frame: pd.DataFrame

    @property
    def n(self) -> int:
        """The number of groups."""
        return len(self.frame)


def gruppen(df: pd.DataFrame, columns: list[str]) -> Gruppen:
    """The groups of ``df`` over ``columns`` (an empty value is a group value of its own),
    numbered in the order of their first row (``groupby(columns, sort=False).ngroup()``).

    Each column is factorised to integer codes (Arrow's int32 for text, the codes of a
    categorical, a bool as it is) and folded into one combined code per row in place (as
    :func:`kennzahlen.reading.stapel.schluesselcode` does): no text is hashed per row
    combination, and only one column's codes are alive besides the combined code (a
    3-million-row export: about 60 MB for a moment instead of 215 MB)."""
    if not len(df):
        return Gruppen(np.zeros(0, dtype=np.intp), df[columns].iloc[0:0].reset_index(drop=True))
    if not columns:
        return Gruppen(np.zeros(len(df), dtype=np.intp), pd.DataFrame(index=range(1)))
    code = np.zeros(len(df), dtype=np.int64)
    for c in columns:
        part = _spaltencodes(df[c])
        width = int(part.max(initial=-1)) + 2
        if int(code.max(initial=0)) >= (1 << 62) // width:  # would overflow: numbered anew
            code, _ = pd.factorize(code)
        code *= width  # in place: no temporary of the row count
        code += part
        code += 1
        del part
    gid, _ = pd.factorize(code)  # numbered in the order of first appearance
    del code
    gid = gid.astype(np.intp, copy=False)
    frame = df[columns].iloc[erste_zeilen(gid)].reset_index(drop=True)
    return Gruppen(gid, frame)


def _spaltencodes(values: pd.Series) -> np.ndarray:
    """Per row a code of its value (equal values, equal codes; empty: -1), as small an integer
    as the values allow."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy()
    if values.dtype == bool:
        return values.to_numpy().view(np.int8)  # False 0, True 1: no copy
    if values.dtype == "str":  # Arrow strings: Arrow's int32 codes, not pandas' int64
        import pyarrow as pa
        import pyarrow.compute as pc

        encoded = pc.dictionary_encode(pa.chunked_array(values.array.__arrow_array__()))
        chunks = [c.indices.fill_null(-1).to_numpy(zero_copy_only=False) for c in encoded.chunks]
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int32)
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int32) if len(uniques) < (1 << 31) - 1 else codes


def _ns(values: pd.Series) -> np.ndarray:
    """Dates as int64 nanoseconds (NaT: the smallest int64, as numpy keeps it)."""
    return values.to_numpy(dtype="datetime64[ns]").view(np.int64)


def _bounds(periods: list[Periode], regel: str) -> tuple[np.ndarray, np.ndarray]:
    """The first and last day of each period as the rule counts it (int64 nanoseconds)."""
    if regel == "bestand":
        starts = [p.end for p in periods]
    elif regel == "jahr_bis_stichtag":
        starts = [jahresbeginn(p.end) for p in periods]
    else:
        starts = [p.start for p in periods]
    a = np.array([np.datetime64(pd.Timestamp(s), "ns") for s in starts]).view(np.int64)
    b = np.array([np.datetime64(pd.Timestamp(p.end), "ns") for p in periods]).view(np.int64)
    return a, b


def spannen(
    g: Gruppen, begin: pd.Series, end: pd.Series | None, periods: list[Periode], regel: str
) -> np.ndarray:
    """Rows per group meeting each period: an int64 matrix (groups x periods).

    ``begin``/``end``: the rows' time span (``end`` None: an event on ``begin``; an empty
    ``end``: still open). A row without a start is never counted.
    """
    m = len(periods)
    a, b = _bounds(periods, regel)
    order = np.argsort(b, kind="stable")
    a, b = a[order], b[order]
    if m and not (np.all(np.diff(a) >= 0)):
        return _spannen_einzeln(g, begin, end, a, b)[:, np.argsort(order)]
    width = m + 1
    n = g.n * width
    diff = np.zeros(n, dtype=np.int64)
    starts = _ns(begin)
    stops = None if end is None else _ns(end)
    missing_start = begin.isna().to_numpy()
    open_end = None if end is None else end.isna().to_numpy()
    for r in range(0, len(starts), _BLOCK):  # in blocks: small temporaries for large tables
        block = slice(r, r + _BLOCK)
        start = starts[block]
        stop = start if stops is None else stops[block]
        if open_end is not None:
            stop = np.where(open_end[block], _OPEN, stop)
        lo = np.searchsorted(b, start, side="left")
        hi = np.searchsorted(a, stop, side="right")
        keep = (lo < hi) & ~missing_start[block]
        gid = g.gid[block][keep] * width
        diff += np.bincount(gid + lo[keep], minlength=n)
        diff -= np.bincount(gid + hi[keep], minlength=n)
    counts = np.cumsum(diff.reshape(g.n, width), axis=1)[:, :m]
    return counts[:, np.argsort(order)]


def _spannen_einzeln(
    g: Gruppen, begin: pd.Series, end: pd.Series | None, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """The same counts period by period (periods whose starts do not rise with their ends)."""
    start = _ns(begin)
    valid = ~begin.isna().to_numpy()
    open_end = np.zeros(len(start), dtype=bool) if end is None else end.isna().to_numpy()
    stop = start if end is None else _ns(end)
    out = np.zeros((g.n, len(a)), dtype=np.int64)
    for j in range(len(a)):
        hit = valid & (start <= b[j]) & (open_end | (stop >= a[j]))
        out[:, j] = np.bincount(g.gid[hit], minlength=g.n)
    return out


def summen(
    g: Gruppen, stichtag: pd.Series, anzahl: pd.Series, periods: list[Periode]
) -> np.ndarray:
    """A count table's sum per group on each period's last day (int64, groups x periods)."""
    m = len(periods)
    ends = np.array([np.datetime64(pd.Timestamp(p.end), "ns") for p in periods]).view(np.int64)
    day = _ns(stichtag)
    order = np.argsort(ends, kind="stable")
    pos = np.searchsorted(ends[order], day, side="left")
    pos = np.minimum(pos, max(m - 1, 0))
    hit = (ends[order][pos] == day) & ~stichtag.isna().to_numpy() if m else pos < 0
    values = anzahl.fillna(0).to_numpy(dtype=np.float64)
    width = max(m, 1)
    sums = np.bincount(
        g.gid[hit] * width + order[pos[hit]], weights=values[hit], minlength=g.n * width
    )
    return np.rint(sums).astype(np.int64).reshape(g.n, width)[:, :m]


def quartalsenden(
    g: Gruppen, begin: pd.Series, end: pd.Series, periods: list[Periode]
) -> np.ndarray:
    """``bestand_quartalsenden`` (:mod:`kennzahlen.pool.kosten`) per group and period: the stock
    on every quarter end of the periods in one pass, then summed over each period's quarter
    ends (int64, groups x periods)."""
    je_periode = [quartal_enden(p.start, p.end) for p in periods]
    enden = sorted({s for ss in je_periode for s in ss})
    out = np.zeros((g.n, len(periods)), dtype=np.int64)
    if not enden:
        return out
    spalte = {s: j for j, s in enumerate(enden)}
    stichtage = [Periode(str(s.date()), s, s) for s in enden]
    bestand = spannen(g, begin, end, stichtage, "bestand")
    for j, ss in enumerate(je_periode):
        for s in ss:
            out[:, j] += bestand[:, spalte[s]]
    return out


def summe_zeitraum(
    g: Gruppen, jahr: np.ndarray, quartal: np.ndarray, betrag: pd.Series, periods: list[Periode]
) -> np.ndarray:
    """``summe_zeitraum`` (:mod:`kennzahlen.pool.kosten`) per group and period (whole Euro, int64,
    groups x periods) with one groupby: each period's rows form a block (a year, or the year to
    date on a Stichtag, a second block of the rows for the whole year), and a row stands in every
    block it belongs to, in its order, so each sum adds the same numbers in the same order as
    the rule does (the same floats, rounded the same way).

    ``jahr``, ``quartal``: per row the year and quarter of its ``periode`` (0: the whole year).
    """
    m = len(periods)
    zeilen, bloecke = [], []
    for j, p in enumerate(periods):
        y, q = p.end.year, p.end.quarter
        if "-Q" in p.label:
            zeilen.append(np.flatnonzero((jahr == y) & (quartal == q)))
            bloecke.append(j)
            continue
        zeilen.append(np.flatnonzero((jahr == y) & (quartal >= 1) & (quartal <= q)))
        bloecke.append(j)
        if q == 4:  # rows for the whole year replace the quarters of their group
            zeilen.append(np.flatnonzero((jahr == y) & (quartal == 0)))
            bloecke.append(m + j)
    idx = np.concatenate(zeilen) if zeilen else np.zeros(0, dtype=np.intp)
    block = np.repeat(np.asarray(bloecke, dtype=np.intp), [len(z) for z in zeilen])
    werte = betrag.iloc[idx].reset_index(drop=True)
    sums = werte.groupby([block, g.gid[idx]], sort=True).sum()
    b = sums.index.get_level_values(0).to_numpy(dtype=np.intp)
    gid = sums.index.get_level_values(1).to_numpy(dtype=np.intp)
    n = sums.to_numpy(dtype=np.float64)
    quarters = b < m
    out = np.full((g.n, m), np.nan)
    out[gid[quarters], b[quarters]] = n[quarters]
    out[gid[~quarters], b[~quarters] - m] = n[~quarters]  # the whole year wins
    return np.rint(np.nan_to_num(out, nan=0.0)).astype(np.int64)

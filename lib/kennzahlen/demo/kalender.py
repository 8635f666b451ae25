"""Days as integers (days since 1970-01-01), quarters, workdays, export days; rounding helpers."""

from __future__ import annotations

import numpy as np

from kennzahlen.demo.daten import _HOLIDAYS_BW


# ------------------------------------------------------------------------------------ dates
def _day(s: str) -> int:
    return int(np.datetime64(s, "D").astype(np.int64))


def _ymd(y: int, m: int, d: int) -> int:
    return _day(f"{y:04d}-{m:02d}-{d:02d}")


def _quarter_bounds(y: int, q: int) -> tuple[int, int]:
    start = _ymd(y, 3 * q - 2, 1)
    end = _ymd(y + 1, 1, 1) - 1 if q == 4 else _ymd(y, 3 * q + 1, 1) - 1
    return start, end


def _month_start(d: np.ndarray) -> np.ndarray:
    return (
        np.asarray(d, "datetime64[D]")
        .astype("datetime64[M]")
        .astype("datetime64[D]")
        .astype(np.int64)
    )


def _month_end(d: np.ndarray) -> np.ndarray:
    m = np.asarray(d, "datetime64[D]").astype("datetime64[M]") + 1
    return m.astype("datetime64[D]").astype(np.int64) - 1


def _quarter_index(d: np.ndarray) -> np.ndarray:
    """0 for 2019-Q1 ... 19 for 2023-Q4 (outside: <0 or >19)."""
    m = np.asarray(d, "datetime64[D]").astype("datetime64[M]").astype(np.int64)  # months since 1970
    return (m - (2019 - 1970) * 12) // 3


def _no_workday(d: np.ndarray) -> np.ndarray:
    m = np.asarray(d, "datetime64[D]").astype("datetime64[M]")
    dom = d - m.astype("datetime64[D]").astype(np.int64) + 1
    month = m.astype(np.int64) % 12 + 1
    holiday = np.zeros(d.shape, bool)
    for hm, hd in _HOLIDAYS_BW:
        holiday |= (month == hm) & (dom == hd)
    return ((d + 3) % 7 >= 5) | holiday  # 1970-01-01 was a Thursday


def _workday(d: np.ndarray) -> np.ndarray:
    """Move weekends and fixed holidays (BW) to the working day before (after, when that would
    leave the year)."""
    d = np.asarray(d, np.int64)
    back, fwd = d.copy(), d.copy()
    for _ in range(5):
        back -= _no_workday(back)
        fwd += _no_workday(fwd)
    year = np.asarray(d, "datetime64[D]").astype("datetime64[Y]")
    same = np.asarray(back, "datetime64[D]").astype("datetime64[Y]") == year
    return np.where(same, back, fwd)


def _export_day(rng: np.random.Generator, after: int) -> int:
    """An export date 10-25 days after a Stichtag (the next working day)."""
    d = np.array([after + int(rng.integers(10, 26))])
    for _ in range(5):
        d += _no_workday(d)
    return int(d[0])


# ---------------------------------------------------------------------------------- helpers
def _sysround(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Integerise expected counts along axis 0 (systematic sampling): every cell becomes floor or
    ceil of its value and every column keeps its (rounded) total exactly."""
    x = np.clip(np.asarray(x, float), 0, None)
    squeeze = x.ndim == 1
    if squeeze:
        x = x[:, None]
    tot = np.rint(x.sum(axis=0))
    cum = np.cumsum(x, axis=0)
    last = cum[-1].copy()
    faktor: np.ndarray = np.divide(tot, last, out=np.zeros_like(last), where=last > 0)
    cum = cum * faktor
    cum[-1] = tot
    f = np.floor(cum + rng.random((x.shape[1],))[None, :])
    out = np.diff(f, axis=0, prepend=0).astype(np.int64)
    return out[:, 0] if squeeze else out


def _alloc(weights: np.ndarray, total: int, rng: np.random.Generator) -> np.ndarray:
    """Split an integer total over cells in proportion to weights (each floor or ceil)."""
    w = np.clip(np.asarray(weights, float), 0, None)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(w.shape, np.int64)
    return _sysround(w / w.sum() * total, rng)


def _choice_codes(rng: np.random.Generator, spec: tuple[tuple[str, float], ...], n: int):
    codes = np.array([c for c, _ in spec], dtype=object)
    p = np.array([w for _, w in spec], float)
    return codes[rng.choice(len(codes), size=n, p=p / p.sum())]


def _days_in_year(
    rng: np.random.Generator, year: int, n: np.ndarray, season: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """n[g] dates per group spread over the year (stratified, seasonal weights per month)."""
    n = np.asarray(n, np.int64)
    a = _ymd(year, 1, 1)
    days = np.arange(a, _ymd(year + 1, 1, 1))
    month = np.asarray(days, "datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    cdf = np.cumsum(season[month])
    cdf = cdf / cdf[-1]
    g = np.repeat(np.arange(n.size), n)
    k = np.arange(g.size) - np.repeat(np.cumsum(n) - n, n)
    pos = (k + rng.random(g.size)) / np.maximum(n[g], 1)
    idx = np.minimum(np.searchsorted(cdf, pos, side="right"), days.size - 1)
    return g, days[idx]

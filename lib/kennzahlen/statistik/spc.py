"""Statistical process control (XmR chart) as NHS "Making Data Count" uses it: limits, four rules.

Limits come from a baseline: mean ± 2,66 × the mean moving range (moving ranges of 3,267 × their
mean or more are left out first: a single jump must not widen the limits). A point is a special
cause by four rules, each switchable:

- ``grenze``: beyond a process limit;
- ``lauf``: part of a run of seven (``lauf``) points on one side of the mean (a point on the mean
  breaks the run);
- ``trend``: part of seven (``trend``) points each rising or each falling;
- ``zwei_von_drei``: two of three points near a limit (beyond two thirds of the distance from the
  mean to the limit, not beyond it), all three on the same side of the mean.

One signal per point, in the order of NHSRplotthedots: limit, trend, two of three, run. The
building blocks keep the names and results of NHSRplotthedots (``ptd_seven_point_one_side_mean``
is :func:`lauf_ende`, …), so its point-by-point test fixtures hold here (tests/test_spc.py).
The assurance (:func:`zielsicherheit`) compares a Zielwert with the limits: a process whose limits
both lie on the right side of the target will meet it; one whose limits both lie on the wrong side
will not, without a change of the process; else it meets it sometimes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SIGNALE = ("grenze", "lauf", "trend", "zwei_von_drei")
#: the default signals of the Ampel before issue 30 (switchable in config/ampel.yaml)
SIGNALE_ALT = ("grenze", "lauf")
GRENZFAKTOR = 2.66
#: moving ranges of at least this times their mean are screened out before the limits
AUSREISSER_FAKTOR = 3.267
SICHER_ERREICHT, SICHER_VERFEHLT, WECHSELND = "sicher erreicht", "sicher verfehlt", "wechselnd"
_DIGITS = 9


@dataclass(frozen=True)
class Grenzen:
    """The centre line and limits of an XmR chart, the "near a limit" lines (two thirds of the
    way), and from how many baseline values they come (``vorlaeufig``: the baseline is not
    complete yet)."""

    mitte: float
    unten: float
    oben: float
    nah_unten: float
    nah_oben: float
    werte: int
    vorlaeufig: bool = False


def grenzen(
    basis: Werte,
    grenzfaktor: float = GRENZFAKTOR,
    ausreisser: bool = True,
    vorlaeufig: bool = False,
) -> Grenzen:
    """The limits from baseline values (at least two)."""
    x = np.asarray(basis, dtype="float64")
    mitte = float(x.mean())
    mr = np.abs(np.diff(x))
    amr = float(mr.mean()) if len(mr) else 0.0
    if ausreisser and len(mr):
        behalten = mr[mr < AUSREISSER_FAKTOR * amr]
        amr = float(behalten.mean()) if len(behalten) else amr
    weite = grenzfaktor * amr
    nah = 2 / 3 * weite
    return Grenzen(
        mitte, mitte - weite, mitte + weite, mitte - nah, mitte + nah, len(x), vorlaeufig
    )


Werte = Sequence[float] | np.ndarray


def _r(x: Werte | float) -> np.ndarray:
    return np.round(np.asarray(x, dtype="float64"), _DIGITS)


def seite(werte: Werte, mitte: float) -> np.ndarray:
    """+1 above the mean, -1 below, 0 on it (NHSRplotthedots' ``relative_to_mean``)."""
    return np.sign(_r(werte) - _r(mitte))


def ausserhalb(werte: Werte, g: Grenzen) -> np.ndarray:
    """+1 above the upper limit, -1 below the lower one, else 0 (a point on a limit is inside)."""
    y = _r(werte)
    return np.where(y > _r(g.oben), 1.0, np.where(y < _r(g.unten), -1.0, 0.0))


def nah_an_grenze(werte: Werte, g: Grenzen) -> np.ndarray:
    """1 for a point beyond the two-thirds line but not beyond the limit, else 0."""
    y = _r(werte)
    nah = (y < _r(g.nah_unten)) | (y > _r(g.nah_oben))
    return (nah & (ausserhalb(werte, g) == 0)).astype("float64")


def lauf_ende(seiten: Werte, n: int = 7) -> np.ndarray:
    """1 at a point that is the n-th (or later) of a run on one side of the mean."""
    s = np.asarray(seiten, dtype="float64")
    out = np.zeros(len(s))
    for i in range(n - 1, len(s)):
        fenster = s[i - n + 1 : i + 1]
        out[i] = float(s[i] != 0 and bool((fenster == s[i]).all()))
    return out


def teil_von(ende: Werte, n: int = 7) -> np.ndarray:
    """1 at a point that ends a pattern of n points or lies in the n − 1 points before such an
    end (NHSRplotthedots' ``ptd_part_of_seven_trend``)."""
    e = np.abs(np.asarray(ende, dtype="float64")) == 1
    out = np.zeros(len(e))
    for i in range(len(e)):
        out[i] = float(e[i : i + n].any())
    return out


def trend_ende(werte: Werte, n: int = 7) -> np.ndarray:
    """+1 at the last of n points each higher than the one before, -1 each lower, else 0."""
    y = _r(werte)
    out = np.zeros(len(y))
    for i in range(n - 1, len(y)):
        d = np.sign(np.diff(y[i - n + 1 : i + 1]))
        out[i] = 1.0 if (d == 1).all() else (-1.0 if (d == -1).all() else 0.0)
    return out


def zwei_von_drei(nah: Werte, seiten: Werte) -> np.ndarray:
    """1 at a point of a window of three with at least two points near a limit and all three on
    the same side of the mean (NHSRplotthedots' ``ptd_two_in_three``)."""
    n = np.asarray(nah, dtype="float64")
    seiten_n = np.zeros(len(n))
    k = min(len(n), len(seiten))
    seiten_n[:k] = np.asarray(seiten, dtype="float64")[:k]
    v = np.concatenate([[0, 0], n, [0, 0]])
    s = np.concatenate([[0, 0], seiten_n, [0, 0]])
    out = np.zeros(len(n))
    for i in range(len(out)):
        out[i] = float(
            any(v[j : j + 3].sum() >= 2 and abs(s[j : j + 3].sum()) == 3 for j in (i, i + 1, i + 2))
        )
    return out


def teil_von_zwei_von_drei(fenster: np.ndarray, nah: Werte) -> np.ndarray:
    """Of the points in such a window, those that are themselves near a limit."""
    return ((np.asarray(fenster) == 1) & (np.abs(np.asarray(nah, dtype="float64")) == 1)).astype(
        "float64"
    )


def _trend_richtung(y: np.ndarray, teil: np.ndarray) -> np.ndarray:
    """The direction of the trend a point belongs to: of the step after it when the next point
    belongs to the trend too, else of the step before it."""
    d = np.sign(np.diff(_r(y)))
    rechts = np.concatenate([d, d[-1:]]) if len(d) else np.zeros(len(y))
    links = np.concatenate([[0.0], d])
    weiter = np.concatenate([teil[1:], [0.0]]).astype(bool) & teil.astype(bool)
    return np.where(weiter, rechts, links)


def signale(
    werte: Werte,
    g: Grenzen,
    aktiv: Sequence[str] = SIGNALE,
    lauf: int = 7,
    trend: int = 7,
) -> list[str]:
    """The signal of every point of a segment (its values in time order, judged against ``g``):
    'ueber_grenze'/'unter_grenze', 'trend_steigend'/'trend_fallend', 'zwei_von_drei_ueber'/
    '_unter', 'lauf_ueber'/'lauf_unter', or '' (common cause)."""
    y = np.asarray(werte, dtype="float64")
    s = seite(y, g.mitte)
    aus = ausserhalb(y, g) if "grenze" in aktiv else np.zeros(len(y))
    t = teil_von(trend_ende(y, trend), trend) if "trend" in aktiv else np.zeros(len(y))
    richtung = _trend_richtung(y, t)
    nah = nah_an_grenze(y, g)
    z = teil_von_zwei_von_drei(zwei_von_drei(nah, s), nah)
    z = z if "zwei_von_drei" in aktiv else np.zeros(len(y))
    lf = teil_von(lauf_ende(s, lauf), lauf) if "lauf" in aktiv else np.zeros(len(y))
    out = []
    for i in range(len(y)):
        oben = "ueber" if s[i] > 0 else "unter"
        if aus[i]:
            out.append("ueber_grenze" if aus[i] > 0 else "unter_grenze")
        elif t[i]:
            out.append("trend_steigend" if richtung[i] > 0 else "trend_fallend")
        elif z[i]:
            out.append(f"zwei_von_drei_{oben}")
        elif lf[i]:
            out.append(f"lauf_{oben}")
        else:
            out.append("")
    return out


def nach_oben(signal: str) -> bool:
    """Whether a signal points upwards (above the mean, a limit, or a rising trend)."""
    return "ueber" in signal or signal == "trend_steigend"


def zielsicherheit(ziel: float | None, g: Grenzen, richtung: str | None) -> str | None:
    """Will the process meet its Zielwert? 'sicher erreicht' (both limits on the right side),
    'sicher verfehlt' (both on the wrong side) or 'wechselnd'; None without a target or
    direction. A target exactly on a limit counts as within (NHSRplotthedots)."""
    if ziel is None or richtung is None or np.isnan(ziel):
        return None
    hoeher = richtung == "hoeher_besser"
    z, lo, hi = float(_r(ziel)), float(_r(g.unten)), float(_r(g.oben))
    if z > hi:
        return SICHER_VERFEHLT if hoeher else SICHER_ERREICHT
    if z < lo:
        return SICHER_ERREICHT if hoeher else SICHER_VERFEHLT
    return WECHSELND


def _fenster(x: np.ndarray, n: int) -> np.ndarray:
    """Row i: x[i - n + 1 .. i] (rows before n − 1 padded with NaN in front)."""
    pad = np.concatenate([np.full(n - 1, np.nan), x])
    return np.lib.stride_tricks.sliding_window_view(pad, n)


def letzte_signale(
    werte: Werte,
    g: Sequence[np.ndarray],
    pos: Werte,
    aktiv: Sequence[str] = SIGNALE,
    lauf: int = 7,
    trend: int = 7,
) -> np.ndarray:
    """The signal of each point as the last point of its segment so far, judged against the
    limits known then, for many points at once: ``signale(werte[i - pos[i] : i + 1], g_i)[-1]``
    for every i, where ``g`` holds the arrays mitte, unten, oben, nah_unten, nah_oben (one value
    a point) and ``pos`` the point's place in its segment (0 = first). Several series can be
    concatenated: no window reaches across a segment's start."""
    y = _r(werte)
    mitte, unten, oben, nah_u, nah_o = (_r(a) for a in g)
    p = np.asarray(pos, dtype="int64")
    aus = np.where(y > oben, 1, np.where(y < unten, -1, 0))
    s = np.sign(y - mitte)
    leer = np.zeros(len(y), dtype=bool)
    t = leer
    if "trend" in aktiv:
        d = np.sign(np.diff(_fenster(y, trend), axis=1))
        t = (p >= trend - 1) & ((d == 1).all(axis=1) | (d == -1).all(axis=1))
    schritt = np.where(p >= 1, np.sign(y - np.concatenate([[0.0], y[:-1]])), 0.0)
    z = leer
    if "zwei_von_drei" in aktiv:
        y3 = _fenster(y, 3)
        innen = (y3 <= oben[:, None]) & (y3 >= unten[:, None])
        nah = ((y3 < nah_u[:, None]) | (y3 > nah_o[:, None])) & innen
        w_s = np.sign(y3 - mitte[:, None]).sum(axis=1)
        z = (p >= 2) & (nah.sum(axis=1) >= 2) & (np.abs(w_s) == 3) & nah[:, -1]
    lf = leer
    if "lauf" in aktiv:
        w = np.sign(_fenster(y, lauf) - mitte[:, None])
        lf = (p >= lauf - 1) & (s != 0) & (w == s[:, None]).all(axis=1)
    if "grenze" not in aktiv:
        aus = np.zeros(len(y), dtype="int64")
    seite_text = np.where(s > 0, "ueber", "unter")
    return np.select(
        [aus > 0, aus < 0, t & (schritt > 0), t, z, lf],
        [
            "ueber_grenze",
            "unter_grenze",
            "trend_steigend",
            "trend_fallend",
            np.char.add("zwei_von_drei_", seite_text),
            np.char.add("lauf_", seite_text),
        ],
        "",
    )

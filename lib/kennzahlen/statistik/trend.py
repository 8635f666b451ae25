"""When a report may call a series "gestiegen" or "gesunken": the one rule for trend words.

A trend word needs (1) at least :data:`MINDESTPUNKTE` values in the same definition (the caller
passes only the values since the last series break, ``katalogversionen.brueche``) and (2) a
change beyond the noise: the 95 % intervals of the first and the last value do not overlap.
Counts get the exact Poisson interval (Garwood), shares the Wilson interval, rates (a count per
Nenner, e.g. per 1.000 residents) the Poisson interval of their count scaled by the Nenner.
Otherwise the series is "etwa gleich"; with too few values there is no trend word at all.

The intervals are one small function (:func:`intervall`) so that the uncertainty work (issue 30)
can widen or replace them in one place.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import chi2

#: fewest values of one definition before a report may speak of a trend
MINDESTPUNKTE = 5
#: the confidence level of the intervals that decide whether a change is beyond the noise
NIVEAU = 0.95
GESTIEGEN, GESUNKEN, ETWA_GLEICH = "gestiegen", "gesunken", "etwa gleich"


@dataclass(frozen=True)
class Punkt:
    """One value of a series as its parts: ``zaehler`` (a count), ``nenner`` (None for a plain
    count), ``faktor`` (1 for a share, 1000 for a rate per 1.000); ``anteil``: a share of its
    Nenner (Wilson) rather than a rate (Poisson)."""

    zaehler: float
    nenner: float | None = None
    faktor: float = 1.0
    anteil: bool = False

    @property
    def wert(self) -> float:
        if self.nenner is None:
            return float(self.zaehler)
        return float(self.zaehler) / float(self.nenner) * self.faktor


def _poisson(k: float) -> tuple[float, float]:
    """Exact (Garwood) interval of a Poisson count."""
    a = 1 - NIVEAU
    lo = 0.0 if k <= 0 else chi2.ppf(a / 2, 2 * k) / 2
    return float(lo), float(chi2.ppf(1 - a / 2, 2 * k + 2) / 2)


def _wilson(k: float, n: float) -> tuple[float, float]:
    """Wilson score interval of a share k/n."""
    z = 1.959963984540054 if NIVEAU == 0.95 else float(chi2.ppf(NIVEAU, 1)) ** 0.5
    p = k / n
    mitte = (p + z * z / (2 * n)) / (1 + z * z / n)
    halb = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, mitte - halb), min(1.0, mitte + halb)


def intervall(p: Punkt) -> tuple[float, float]:
    """The 95 % interval of a value, on the value's own scale."""
    if p.nenner is None:
        return _poisson(p.zaehler)
    if not p.nenner:
        return (math.nan, math.nan)
    if p.anteil:
        lo, hi = _wilson(p.zaehler, p.nenner)
    else:
        lo, hi = (x / p.nenner for x in _poisson(p.zaehler))
    return lo * p.faktor, hi * p.faktor


def trendwort(punkte: Sequence[Punkt], mindestens: int = MINDESTPUNKTE) -> str | None:
    """'gestiegen', 'gesunken', 'etwa gleich', or None (fewer than ``mindestens`` values: no
    trend word). ``punkte``: the values in time order, all of one definition."""
    if len(punkte) < mindestens:
        return None
    erst, letzt = intervall(punkte[0]), intervall(punkte[-1])
    if any(math.isnan(x) for x in (*erst, *letzt)):
        return None
    if letzt[0] > erst[1]:
        return GESTIEGEN
    if letzt[1] < erst[0]:
        return GESUNKEN
    return ETWA_GLEICH

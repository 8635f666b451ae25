"""When a report may call a series "gestiegen" or "gesunken": the one rule for trend words.

A trend word needs (1) at least :data:`MINDESTPUNKTE` values in the same definition (the caller
passes only the values since the last series break, ``katalogversionen.brueche``) and (2) a
change beyond the noise: the 95 % intervals of the first and the last value do not overlap.
Shares get the Wilson interval, counts and rates (a count per Nenner, e.g. per 1.000 residents)
the Poisson interval of their count (Byar from 10 events, exact below), scaled by the Nenner: the
intervals of :mod:`kennzahlen.statistik.intervalle`, the same the reports show.
Otherwise the series is "etwa gleich"; with too few values there is no trend word at all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from kennzahlen.statistik import intervalle

#: fewest values of one definition before a report may speak of a trend
MINDESTPUNKTE = 5
#: the confidence level of the intervals that decide whether a change is beyond the noise
NIVEAU = intervalle.NIVEAU
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


def intervall(p: Punkt) -> tuple[float, float]:
    """The 95 % interval of a value, on the value's own scale (:mod:`.intervalle`)."""
    return intervalle.intervall(p.zaehler, p.nenner, p.faktor, p.anteil, NIVEAU)


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

"""The own value against a comparison ring: the ring's median, mean and range, and the rank.

As the comparison rings of KGSt, con_sens and the KVJS reports show it: the statistics are those
of the other cities of the ring (the own city is not among them, so it cannot move the median it
is compared with); the rank counts the own city among all of them, 1 = the highest value (ties
share the better rank).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Ringvergleich:
    """The own value, the ring's median, mean, lowest and highest value (of ``staedte`` other
    cities), and the own rank of ``von`` (1 = highest value)."""

    eigen: float
    median: float
    mittel: float
    minimum: float
    maximum: float
    staedte: int
    rang: int
    von: int

    def lage(self, richtung: str | None) -> str:
        """'über dem Median', 'unter dem Median' or 'am Median', and with a direction whether
        that is favourable: '(günstiger)' / '(ungünstiger)'."""
        if math.isclose(self.eigen, self.median, rel_tol=1e-9, abs_tol=1e-12):
            return "am Median"
        hoeher = self.eigen > self.median
        text = "über dem Median" if hoeher else "unter dem Median"
        if richtung in ("hoeher_besser", "niedriger_besser"):
            gut = hoeher == (richtung == "hoeher_besser")
            text += " (günstiger)" if gut else " (ungünstiger)"
        return text


def ringvergleich(eigen: float, andere: Sequence[float]) -> Ringvergleich | None:
    """Compare the own value with the values of the other cities of a ring (None without any
    other city or without an own value)."""
    werte = np.asarray([float(x) for x in andere if x is not None and not math.isnan(float(x))])
    if not len(werte) or eigen is None or math.isnan(float(eigen)):
        return None
    rang = 1 + int((werte > float(eigen)).sum())
    return Ringvergleich(
        eigen=float(eigen),
        median=float(np.median(werte)),
        mittel=float(werte.mean()),
        minimum=float(werte.min()),
        maximum=float(werte.max()),
        staedte=len(werte),
        rang=rang,
        von=len(werte) + 1,
    )

"""The growth of spending split into the growth of cases and of the cost per case (Ziel 7).

Net spending is cases times cost per case, so its growth factor is the product of theirs:
``(1 + ausgaben) = (1 + faelle) x (1 + je_fall)``. Comparison rings (con_sens, KGSt, KVJS) show it
this way. For a chart the growth is also split additively, in percentage points of the spending
of the year before: ``beitrag_faelle`` = the cases' growth at the old cost per case, and
``beitrag_je_fall`` = the rest (the new cost per case on the new cases), which adds up to
``ausgaben`` exactly.

Example (issue 31): 1.200.000 € -> 1.320.000 € (+10,0 %) with 400 -> 416 average cases (+4,0 %):
3.000 € -> 3.173,08 € per case (+5,8 %); 4,0 points from the cases, 6,0 from the cost per case.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Zerlegung:
    """The changes from one year to the next, as fractions (0.1 = +10 %)."""

    ausgaben: float
    faelle: float
    je_fall: float
    beitrag_faelle: float
    beitrag_je_fall: float


def zerlegung(
    ausgaben_alt: float, ausgaben_neu: float, faelle_alt: float, faelle_neu: float
) -> Zerlegung | None:
    """The split of the change of spending (None when a value is missing or not positive)."""
    werte = (ausgaben_alt, ausgaben_neu, faelle_alt, faelle_neu)
    if any(w is None or not math.isfinite(float(w)) or float(w) <= 0 for w in werte):
        return None
    ausgaben = ausgaben_neu / ausgaben_alt - 1
    faelle = faelle_neu / faelle_alt - 1
    je_fall = (ausgaben_neu / faelle_neu) / (ausgaben_alt / faelle_alt) - 1
    return Zerlegung(ausgaben, faelle, je_fall, faelle, ausgaben - faelle)

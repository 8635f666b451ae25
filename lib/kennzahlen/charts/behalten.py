"""Whether a chart's figure may be handed out again for a later chart (issue 28).

A funnel plot is the same in every Sozialraum's report but for the highlighted point, and every
control chart has the same size: the runner's warm kernel keeps such a figure and hands it out
again for the next chart (:mod:`kennzahlen.charts.streuung`), once its PNG was made. There a
report displays each chart and lets go of it. In an analyst's session a figure handed out may
still be held (``f1 = trichter(...)``, later ``f1.savefig(...)``): handing it out again would
change, without a word, a chart the analyst holds. So figures are handed out again only where
the runner asks for it, in the kernels it starts (:data:`UMGEBUNG` set to ``"1"``); everywhere
else every chart is a figure of its own. The kept pictures of a chart's fixed part
(:func:`kennzahlen.charts.png.grund`) are pixels, not figures, and stay everywhere.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Hashable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: set to "1" in the environment of the runner's report kernels (kennzahlen.runner.worker)
UMGEBUNG = "KENNZAHLEN_FIGUREN_WIEDERVERWENDEN"


def erlaubt() -> bool:
    """Whether kept figures may be handed out again in this process."""
    return os.environ.get(UMGEBUNG) == "1"


def holen(cache: OrderedDict[Hashable, Figure], key: Hashable) -> Figure | None:
    """The figure kept under ``key`` (None outside the runner's kernels or when there is none);
    whether it may be handed out again is the caller's to check (:func:`png.gezeichnet`)."""
    if not erlaubt():
        return None
    fig = cache.get(key)
    if fig is not None:
        cache.move_to_end(key)
    return fig


def merken(cache: OrderedDict[Hashable, Figure], key: Hashable, fig: Figure, grenze: int) -> None:
    """Keep ``fig`` under ``key`` (only in the runner's kernels), at most ``grenze`` figures, the
    least recently used dropped first."""
    if not erlaubt() or grenze <= 0:
        return
    cache[key] = fig
    cache.move_to_end(key)
    while len(cache) > grenze:
        cache.popitem(last=False)

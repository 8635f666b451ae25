"""Text measured once per process: the size of a chart text shared by every figure of a report.

matplotlib measures every text (tick labels, titles, legends) for the layout and again for the
draw, and keeps the result per *renderer*: each figure has its own canvas, and the one-draw PNG
(:mod:`kennzahlen.charts.png`) draws on a larger canvas, so the same tick label "2019" or "20 %"
is measured anew in every chart. The size of a text on the Agg renderer depends only on the
text, its font properties, whether it is math text, the dpi and the hinting settings, never on
the canvas, so :func:`einschalten` keeps one cache for the process: the same numbers, measured
once. Other renderers (PDF, SVG) keep matplotlib's own per-renderer cache.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import matplotlib as mpl
import matplotlib.text as mtext
from matplotlib.backends.backend_agg import RendererAgg

#: matplotlib's function, kept for the renderers this cache does not serve
_ORIGINAL: dict[str, Callable[..., Any]] = {}


@functools.lru_cache(maxsize=16384)
def _mass(
    text: str, schrift: Any, math: Any, dpi: float, hinting: Any, faktor: Any
) -> tuple[float, float, float]:
    """Width, height and descent of ``text`` on an Agg canvas of ``dpi`` (the canvas size does
    not enter the measure); ``hinting`` and ``faktor`` only key the cache."""
    return RendererAgg(1, 1, dpi).get_text_width_height_descent(text, schrift, math)


def _gemessen(renderer: Any, text: str, fontprop: Any, ismath: Any, dpi: float) -> Any:
    """matplotlib's ``_get_text_metrics_with_cache``, one cache for all Agg canvases."""
    if type(renderer) is RendererAgg and renderer.dpi == dpi:
        rc = mpl.rcParams
        return _mass(
            text, fontprop.copy(), ismath, dpi, rc["text.hinting"], rc["text.hinting_factor"]
        )
    return _ORIGINAL["f"](renderer, text, fontprop, ismath, dpi)


def einschalten() -> bool:
    """Measure texts once per process (idempotent); False where this matplotlib has no such
    function (then it measures per canvas, as before)."""
    if "f" in _ORIGINAL:
        return True
    original = getattr(mtext, "_get_text_metrics_with_cache", None)
    if original is None:
        return False
    _ORIGINAL["f"] = original
    mtext._get_text_metrics_with_cache = _gemessen  # type: ignore[attr-defined]
    return True


def ausschalten() -> None:
    """matplotlib's own per-canvas measuring again (tests)."""
    original = _ORIGINAL.pop("f", None)
    if original is not None:
        mtext._get_text_metrics_with_cache = original  # type: ignore[attr-defined]

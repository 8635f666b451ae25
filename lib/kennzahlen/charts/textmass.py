"""Text measured and laid out once per process: the size, layout and glyphs of a chart text
shared by every figure of a report.

matplotlib measures every text (tick labels, titles, legends) for the layout and again for the
draw, and keeps the result per *renderer*: each figure has its own canvas, and the one-draw PNG
(:mod:`kennzahlen.charts.png`) draws on a larger canvas, so the same tick label "2019" or "20 %"
is measured anew in every chart. The size of a text on the Agg renderer depends only on the
text, its font properties, whether it is math text, the dpi and the hinting settings, never on
the canvas, so :func:`einschalten` keeps one cache for the process: the same numbers, measured
once. Other renderers (PDF, SVG) keep matplotlib's own per-renderer cache.

Three more things are the same every time and kept for the process as well, each keyed by
everything matplotlib reads to make them (the font settings of ``rcParams`` included):

- the layout of a text (``Text._get_layout``: its lines, box and offsets around its anchor; the
  font's ascent and line gap read from its tables), for plain one-font texts on an Agg canvas;
- the glyphs of a text (``FT2Font._layout``: which glyph of which font at which offset);
- the glyph images of a text drawn at the same place on a canvas of the same height (what
  FreeType renders for them), so a chart drawn again (the same funnel in the next report) sends
  the same images to the same pixels without rendering them again;
- the outline of a text drawn as a path (``TextToPath.get_text_path``: a text with a path
  effect, as the names on a class map with their white halo), the same vertices and codes.

The Agg renderer then blends the same glyph images at the same pixels as before: the same
picture, byte for byte (``tests/test_charts_textmass.py``).
"""

from __future__ import annotations

import functools
import math
import os
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import matplotlib as mpl
import matplotlib.text as mpl_text
import numpy as np
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.ft2font import RenderMode
from matplotlib.transforms import Bbox

#: matplotlib's functions, kept for the renderers and texts these caches do not serve
_ORIGINAL: dict[str, Callable[..., Any]] = {}

#: the rcParams matplotlib reads to find a font and to shape and hint its glyphs
_RC_SCHRIFT = (
    "font.family", "font.style", "font.variant", "font.weight", "font.stretch", "font.size",
    "font.serif", "font.sans-serif", "font.cursive", "font.fantasy", "font.monospace",
    "font.enable_last_resort", "text.kerning_factor", "text.hinting", "text.hinting_factor",
)  # fmt: skip

#: how many entries each cache keeps (least recently used dropped first)
GRENZE_LAYOUT = 16384
GRENZE_GLYPHEN = 8192
GRENZE_BILDER = 4096
GRENZE_PFADE = 1024  # outlines of a few hundred points each: a few MB at most


def _rc() -> tuple:
    """The font settings of rcParams that decide which font file and glyphs a text gets."""
    hole: Callable[[Any, str], Any] = dict.__getitem__  # without rcParams' own checks
    werte = [hole(mpl.rcParams, k) for k in _RC_SCHRIFT]
    return (*(tuple(v) if isinstance(v, list) else v for v in werte),
            os.environ.get("MPL_IGNORE_SYSTEM_FONTS"))  # fmt: skip


def _schrift(prop: Any) -> tuple:
    """The font properties as a key (what ``FontProperties.__hash__`` hashes)."""
    return tuple(prop.__dict__.items())


class _LRU(OrderedDict):
    """A small least-recently-used dict."""

    def __init__(self, grenze: int) -> None:
        super().__init__()
        self.grenze = grenze

    def hole(self, key: Any) -> Any:
        wert = self.get(key)
        if wert is not None:
            self.move_to_end(key)
        return wert

    def lege(self, key: Any, wert: Any) -> None:
        self[key] = wert
        if len(self) > self.grenze:
            self.popitem(last=False)


_LAYOUTS = _LRU(GRENZE_LAYOUT)
_GLYPHEN = _LRU(GRENZE_GLYPHEN)
_BILDER = _LRU(GRENZE_BILDER)
_PFADE = _LRU(GRENZE_PFADE)


@functools.lru_cache(maxsize=16384)
def _mass(text: str, schrift: Any, math: Any, dpi: float, rc: tuple) -> tuple[float, float, float]:
    """Width, height and descent of ``text`` on an Agg canvas of ``dpi`` (the canvas size does
    not enter the measure); ``rc`` (the font settings, :func:`_rc`) only keys the cache."""
    return RendererAgg(1, 1, dpi).get_text_width_height_descent(text, schrift, math)


def _gemessen(renderer: Any, text: str, fontprop: Any, ismath: Any, dpi: float) -> Any:
    """matplotlib's ``_get_text_metrics_with_cache``, one cache for all Agg canvases."""
    if type(renderer) is RendererAgg and renderer.dpi == dpi:
        rc = _rc() if not ismath else _rc() + _rc_math()
        return _mass(text, fontprop.copy(), ismath, dpi, rc)
    return _ORIGINAL["f"](renderer, text, fontprop, ismath, dpi)


def _rc_math() -> tuple:
    """The mathtext settings of rcParams (fonts and fontset of a math text)."""
    p = mpl.rcParams
    return tuple((k, p[k]) for k in sorted(p) if k.startswith("mathtext."))


def _layout(self: Any, renderer: Any) -> Any:
    """``Text._get_layout``, kept per text, font and alignment for plain texts on Agg."""
    original = _ORIGINAL["layout"]
    if type(renderer) is not RendererAgg or self.get_wrap() or self.get_usetex():
        return original(self, renderer)
    text = self.get_text()
    dpi = self.get_figure(root=True).dpi
    if "$" in text or renderer.dpi != dpi:  # math text (or maybe): matplotlib's own way
        return original(self, renderer)
    key = (
        text, _schrift(self._fontproperties), dpi, self.get_parse_math(), self._linespacing,
        self._get_multialignment(), self.get_rotation(), self.get_rotation_mode(),
        self._horizontalalignment, self._verticalalignment, _rc(),
    )  # fmt: skip
    fertig = _LAYOUTS.hole(key)
    if fertig is None:
        fertig = original(self, renderer)
        _LAYOUTS.lege(key, fertig)
    box, zeilen, ecke = fertig
    return Bbox(box.get_points().copy()), list(zeilen), ecke  # the caller's own box and list


def _text_zeichnen(
    self: Any, gc: Any, x: float, y: float, s: str, prop: Any, angle: float,
    ismath: Any = False, mtext: Any = None,
) -> None:  # fmt: skip
    """``RendererAgg.draw_text`` with the glyph layout of a text kept for the process and the
    glyph images of a text kept per place on the canvas."""
    if ismath or type(self) is not RendererAgg:
        return _ORIGINAL["draw_text"](self, gc, x, y, s, prop, angle, ismath, mtext)
    features = mtext.get_fontfeatures() if mtext is not None else None
    language = mtext.get_language() if mtext is not None else None
    if features is not None:
        features = tuple(features)
    if language is not None and not isinstance(language, str):
        return _ORIGINAL["draw_text"](self, gc, x, y, s, prop, angle, ismath, mtext)
    flags = get_hinting_flag()
    key = (s, _schrift(prop), self.dpi, flags, features, language, _rc())
    glyphen = _GLYPHEN.hole(key)
    if glyphen is None:
        font = self._prepare_font(prop)
        items = font._layout(s, flags=flags, features=features, language=language)
        size = prop.get_size_in_points()
        glyphen = tuple(
            (item.ft_object, size, item.glyph_index, 0, 1, item.x, item.y) for item in items
        )
        _GLYPHEN.lege(key, glyphen)
    antialiased = gc.get_antialiased()
    ort = (key, x, y, angle, self.height, antialiased)
    bilder = _BILDER.hole(ort)
    if bilder is None:
        bilder = _glyphbilder(self, x, y, angle, glyphen, flags, antialiased)
        _BILDER.lege(ort, bilder)
    zeichne = self._renderer.draw_text_image
    for buffer, links, oben in bilder:
        zeichne(buffer, links, oben, 0, gc)


def _textpfad(
    self: Any,
    prop: Any,
    s: str,
    ismath: Any = False,
    *,
    features: Any = None,
    language: Any = None,
) -> tuple[Any, list]:
    """``TextToPath.get_text_path`` kept per text, font, size of the outline and font settings
    for plain texts: the vertices as one array (what ``Path`` makes of matplotlib's list of
    points) and the codes, both the caller's own."""
    original = _ORIGINAL["text_path"]
    if ismath or not (features is None or isinstance(features, tuple | list)):
        return original(self, prop, s, ismath, features=features, language=language)
    if language is not None and not isinstance(language, str):
        return original(self, prop, s, ismath, features=features, language=language)
    merkmale = None if features is None else tuple(features)
    key = (s, _schrift(prop), merkmale, language, self.FONT_SCALE, self.DPI, _rc())
    fertig = _PFADE.hole(key)
    if fertig is None:
        verts, codes = original(self, prop, s, ismath, features=features, language=language)
        fertig = (np.array(verts, dtype=float).reshape(-1, 2), tuple(codes))
        _PFADE.lege(key, fertig)
    verts, codes = fertig
    return verts.copy(), list(codes)


@functools.lru_cache(maxsize=256)
def _matrix(angle: float, slant: float, extend: float) -> np.ndarray:
    """The glyph transform of matplotlib's ``_draw_text_glyphs_and_boxes`` (16.16 fixed)."""
    cos = math.cos(math.radians(angle))
    sin = math.sin(math.radians(angle))
    return (
        (0x10000 * np.array([[cos, -sin], [sin, cos]]) @ [[extend, extend * slant], [0, 1]])
        .round()
        .astype(int)
    )


def _glyphbilder(
    self: Any, x: float, y: float, angle: float, glyphen: tuple, flags: Any, antialiased: bool
) -> tuple[tuple[np.ndarray, int, int], ...]:
    """What matplotlib's ``_draw_text_glyphs_and_boxes`` hands to ``draw_text_image`` for each
    glyph: its image and place (the same arithmetic, images copied out of FreeType's buffer)."""
    cos = math.cos(math.radians(angle))
    sin = math.sin(math.radians(angle))
    out = []
    for font, size, glyph_index, slant, extend, dx, dy in glyphen:  # dy is upwards
        font.set_size(size, self.dpi)
        font._set_transform(
            _matrix(angle, slant, extend),
            [round(0x40 * (x + dx * cos - dy * sin)),
             round(0x40 * (self.height - y + dx * sin + dy * cos))],
        )  # fmt: skip
        bitmap = font._render_glyph(
            glyph_index, flags, RenderMode.NORMAL if antialiased else RenderMode.MONO
        )
        buffer = np.array(bitmap.buffer, copy=True)
        if not antialiased:
            buffer *= 0xFF
        out.append((buffer, bitmap.left, int(self.height) - bitmap.top + buffer.shape[0]))
    return tuple(out)


def einschalten() -> bool:
    """Measure and lay out texts once per process (idempotent); False where this matplotlib has
    no such functions (then it measures per canvas, as before)."""
    if "f" in _ORIGINAL:
        return True
    from matplotlib.textpath import TextToPath

    original = getattr(mpl_text, "_get_text_metrics_with_cache", None)
    layout = getattr(mpl_text.Text, "_get_layout", None)
    zeichnen = RendererAgg.draw_text
    if original is None or layout is None or not hasattr(RendererAgg, "_prepare_font"):
        return False
    _ORIGINAL.update(f=original, layout=layout, draw_text=zeichnen)
    mpl_text._get_text_metrics_with_cache = _gemessen  # type: ignore[attr-defined]
    mpl_text.Text._get_layout = _layout  # type: ignore[attr-defined]
    RendererAgg.draw_text = _text_zeichnen  # type: ignore[method-assign]
    _ORIGINAL["text_path"] = TextToPath.get_text_path
    TextToPath.get_text_path = _textpfad  # type: ignore[method-assign,assignment]
    return True


def ausschalten() -> None:
    """matplotlib's own per-canvas measuring and drawing again (tests)."""
    original = _ORIGINAL.pop("f", None)
    if original is not None:
        mpl_text._get_text_metrics_with_cache = original  # type: ignore[attr-defined]
    layout = _ORIGINAL.pop("layout", None)
    if layout is not None:
        mpl_text.Text._get_layout = layout  # type: ignore[attr-defined]
    zeichnen = _ORIGINAL.pop("draw_text", None)
    if zeichnen is not None:
        RendererAgg.draw_text = zeichnen  # type: ignore[method-assign]
    pfad = _ORIGINAL.pop("text_path", None)
    if pfad is not None:
        from matplotlib.textpath import TextToPath

        TextToPath.get_text_path = pfad  # type: ignore[method-assign]


def leeren() -> None:
    """Forget every kept measure, layout and glyph image (tests)."""
    _mass.cache_clear()
    _LAYOUTS.clear()
    _GLYPHEN.clear()
    _BILDER.clear()
    _PFADE.clear()

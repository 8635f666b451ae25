"""Chart PNGs drawn once: one draw of the laid-out figure, cropped to its ink, optionally as a
palette of a few dozen colours.

matplotlib's ``bbox_inches="tight"`` (what IPython's inline backend asks for) runs a whole draw
to measure the figure and then draws it again. A chart of this package is laid out once when it
is made (``plots._done``), so its artists already lie inside the figure: :func:`zeichne` draws it
once and crops the white margin around what was drawn, leaving ``savefig.pad_inches`` (0.1 in)
as the tight bounding box did. The picture is the same one, pixel for pixel; only the
margin can differ by the few pixels between a text's box and its ink. Should anything touch the
figure's edge (it might be cut off), the chart is saved the old way, with a tight bounding box.

A line chart with antialiased text stores thousands of colour shades as full RGBA; a palette PNG
of 32 colours looks the same on screen and takes a quarter of the bytes. Only charts that ask for
it (``fig.kz_palette = 32``) are converted, so every other chart stays as it was.

A chart whose fixed part is the same in many reports (a funnel plot shows the same limits, axes and
ticks in every Sozialraum's report, only its own point highlighted) names that part with
:func:`grund` (``fig.kz_grund``): the first draw keeps the picture of everything drawn before the
first artist that differs, and the next chart of the same key, size, layout and axis limits
starts from that picture and draws only the rest. Agg blends every artist onto the pixels drawn
before it, so the pixels are the same as from the whole draw. The tight boxes of its axes, which
the draw measures to place the title, are kept with it (:func:`_achsenboxen`).
"""

from __future__ import annotations

import base64
import io
from collections import OrderedDict
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from operator import attrgetter
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure


def zeichne(
    fig: Figure, farben: int | None = None, wie: str = "fastoctree", dpi: float | None = None
) -> bytes:
    """The figure as PNG bytes from one draw (cropped to its ink plus 0.1 in) at ``dpi`` (the
    figure's own by default); with ``farben``: a palette PNG of that many colours (``wie``:
    ``fastoctree`` as the report charts, ``mediancut`` without dithering as the class maps),
    when that is smaller."""
    if fig.stale:  # changed since it was handed out (ausgegeben) or last drawn
        fig.kz_unberuehrt = False  # type: ignore[attr-defined]
    eigene = fig.dpi
    if dpi is not None:
        fig.set_dpi(dpi)
    try:
        data = _zeichne(fig, farben, wie)
    finally:
        fig.set_dpi(eigene)
    if getattr(fig, "kz_behalten", False):  # kept for another report: not its canvas' pixels
        canvas = fig.canvas
        vars(canvas).pop("renderer", None)
        canvas._lastKey = None  # type: ignore[attr-defined]  # the next draw makes a new one
    # from here on any change to an artist of the figure makes it stale again (gezeichnet)
    fig.stale = False
    fig.kz_gezeichnet = True  # type: ignore[attr-defined]
    return data


def ausgegeben(fig: Figure) -> None:
    """Mark a figure as handed out to a report: :func:`gezeichnet` is True once its PNG is made,
    as long as nothing in it changes from now on."""
    fig.stale = False
    fig.kz_gezeichnet = False  # type: ignore[attr-defined]
    fig.kz_unberuehrt = True  # type: ignore[attr-defined]


def gezeichnet(fig: Figure) -> bool:
    """Whether the figure's PNG was made (:func:`zeichne`) since it was handed out
    (:func:`ausgegeben`) and none of its artists changed in the meantime or since (matplotlib
    marks the figure stale on every change of an artist's properties)."""
    return (
        bool(getattr(fig, "kz_gezeichnet", False))
        and bool(getattr(fig, "kz_unberuehrt", False))
        and not fig.stale
    )


def _zeichne(fig: Figure, farben: int | None, wie: str) -> bytes:
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    # the figure's own Agg canvas: its renderer has measured the texts when the chart was laid out
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    with _rand(fig, RAND_ZOLL):
        _draw(fig, canvas)
        rgba = np.asarray(canvas.buffer_rgba()).copy()
        heraus = _ragt_heraus(fig, canvas.get_renderer())
    fenster = None if heraus else _tinte(rgba, mpl.rcParams["savefig.pad_inches"] * fig.dpi)
    if fenster is None:  # something reaches the edge: measure it the old way
        puffer = io.BytesIO()
        fig.savefig(puffer, format="png", dpi=fig.dpi, bbox_inches="tight")
        roh = puffer.getvalue()
        return palette_png(roh, farben, wie) if farben else roh  # type: ignore[return-value]
    y0, y1, x0, x1 = fenster
    bild = rgba[y0:y1, x0:x1]
    if farben:
        return _palette(bild, farben, wie, fig.dpi)
    return _rgba_png(bild, fig.dpi)


#: how many backgrounds (everything drawn before a chart's first varying artist) are kept, each
#: a whole canvas (about 1.5 MB for a funnel plot); least recently used dropped first
GRENZE_GRUENDE = 24
_GRUENDE: OrderedDict[Hashable, np.ndarray] = OrderedDict()


def grund(fig: Figure, schluessel: Hashable, vorn: Sequence[Artist]) -> None:
    """Name the fixed part of a chart: ``schluessel`` must stand for everything the figure draws
    before the artists ``vorn`` (the data, styles and texts of that part; the size, layout and
    axis limits are added when it is drawn). Charts of the same key share one picture of it."""
    fig.kz_grund = (schluessel, tuple(vorn))  # type: ignore[attr-defined]


def rc_stand() -> str:
    """All of matplotlib's settings as one text (a key: a chart drawn under other settings is
    another chart)."""
    import matplotlib as mpl

    return mpl.__version__ + repr(sorted(dict.items(mpl.rcParams)))


def _draw(fig: Figure, canvas) -> None:
    """``canvas.draw()``; for a chart with a named fixed part (:func:`grund`) that part's
    picture is kept the first time and put back the next time instead of drawing it."""
    plan = _grundplan(fig, canvas)
    if plan is None:
        canvas.draw()
        return
    key, hinten, erster = plan
    ax = fig.axes[0]
    bild = _GRUENDE.get(key)
    if bild is not None:
        _GRUENDE.move_to_end(key)
        with _achsenboxen(ax, canvas.get_renderer(), key):
            fertig = _mit_grund(canvas, hinten, erster, bild)
        if not fertig:
            canvas.draw()  # it went another way than planned: the whole draw
        return
    with _achsenboxen(ax, canvas.get_renderer(), key):
        bild = _ohne_grund(canvas, hinten, erster)
    if bild is not None:
        _GRUENDE[key] = bild
        while len(_GRUENDE) > GRENZE_GRUENDE:
            _GRUENDE.popitem(last=False)


#: the tight boxes of the axes of a chart with a kept picture (the same key), as the draw measures
#: them to place the title above them (``Axes._update_title_position``), with their offset texts
_ACHSENBOXEN: OrderedDict[Hashable, dict[int, tuple[Any, str]]] = OrderedDict()


@contextmanager
def _achsenboxen(ax, renderer, key: Hashable) -> Iterator[None]:
    """During one draw of a chart with a fixed part: each axis' tight box for the title measured
    once per key and then taken from there (with the offset text that measuring sets). The axes
    are part of the fixed part (the key stands for their ticks, labels and offset texts), so the
    box is the same. Kept only when the y axis has no offset text: else the title is placed
    against the offset text where that measuring put it."""
    # an axis with a get_tightbbox of its own (the y axis's from ``layout.titel_ohne_ticks``,
    # which sets just the offset text when the title's placement calls it) keeps that one
    achsen = [(i, a) for i, a in enumerate((ax.xaxis, ax.yaxis)) if "get_tightbbox" not in vars(a)]
    if not achsen:
        yield
        return
    boxen = _ACHSENBOXEN.get(key)
    gemessen: dict[int, tuple[Any, str]] = {}

    def messen(i: int, achse):
        def get_tightbbox(r=None, *, for_layout_only: bool = False):
            if r is not renderer or for_layout_only:
                return type(achse).get_tightbbox(achse, r, for_layout_only=for_layout_only)
            if boxen is not None and i in boxen:
                box, text = boxen[i]
                achse.offsetText.set_text(text)
                return None if box is None else box.frozen()
            box = type(achse).get_tightbbox(achse, r)
            if i not in gemessen:
                gemessen[i] = (None if box is None else box.frozen(), achse.offsetText.get_text())
            return box

        return get_tightbbox

    try:
        for i, a in achsen:
            a.get_tightbbox = messen(i, a)  # type: ignore[method-assign]
        yield
    finally:
        for _, a in achsen:
            vars(a).pop("get_tightbbox", None)
    if boxen is not None:
        _ACHSENBOXEN.move_to_end(key)
    elif gemessen and not ax.yaxis.offsetText.get_text():
        _ACHSENBOXEN[key] = gemessen
        while len(_ACHSENBOXEN) > GRENZE_GRUENDE:
            _ACHSENBOXEN.popitem(last=False)


def _grundplan(fig: Figure, canvas) -> tuple[Hashable, list[Artist], Artist] | None:
    """(key, the artists drawn before the first varying one in drawing order, that first one)
    for a figure of one axes whose varying artists are the last ones drawn; None otherwise."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    angabe = getattr(fig, "kz_grund", None)
    if angabe is None or len(fig.axes) != 1:
        return None
    schluessel, vorn = angabe
    ax = fig.axes[0]
    kinder = fig.get_children()
    motor = fig.get_layout_engine()
    if len(kinder) != 2 or kinder[0] is not fig.patch or kinder[1] is not ax or fig.subfigs:
        return None
    if motor is not None and not isinstance(motor, PlaceHolderLayoutEngine):
        return None  # a layout engine would move the axes while drawing
    if not (ax.axison and ax.get_frame_on()) or ax.get_rasterization_zorder() is not None:
        return None
    artists = ax.get_children()
    artists.remove(ax.patch)
    if any(a.get_animated() or a.get_rasterized() for a in artists):
        return None
    reihe = sorted(artists, key=attrgetter("zorder"))  # the order Axes.draw draws them in
    varia = {id(a) for a in vorn}
    erster = next((i for i, a in enumerate(reihe) if id(a) in varia), None)
    if erster is None or not all(id(a) in varia for a in reihe[erster:]):
        return None
    hinten = [fig.patch, ax.patch, *reihe[:erster]]
    if any("draw" in vars(a) for a in [*hinten, reihe[erster]]):
        return None
    renderer = canvas.get_renderer()
    if type(renderer) is not RendererAgg:
        return None
    key = (
        schluessel, renderer.width, renderer.height, fig.dpi, tuple(ax.get_position().bounds),
        tuple(ax.get_xlim()), tuple(ax.get_ylim()), tuple(type(a).__name__ for a in hinten),
        rc_stand(),
    )  # fmt: skip
    return key, hinten, reihe[erster]


def _ohne_grund(canvas, hinten: list[Artist], erster: Artist) -> np.ndarray | None:
    """The whole draw; the picture as it was just before ``erster`` was drawn (None when the
    artists of ``hinten`` were not exactly the ones drawn before it, in that order)."""
    gezeichnet: list[Artist] = []
    bild: list[tuple[int, np.ndarray]] = []

    def merken(a: Artist):
        def draw(renderer, *args: Any, **kwargs: Any):
            gezeichnet.append(a)
            return type(a).draw(a, renderer, *args, **kwargs)

        return draw

    def vorher(renderer, *args: Any, **kwargs: Any):
        bild.append((len(gezeichnet), np.asarray(renderer.buffer_rgba()).copy()))
        return type(erster).draw(erster, renderer, *args, **kwargs)

    _zeichne_mit(canvas, hinten, merken, erster, vorher)
    gleich = len(gezeichnet) == len(hinten) and all(
        a is b for a, b in zip(gezeichnet, hinten, strict=True)
    )
    if len(bild) != 1 or bild[0][0] != len(hinten) or not gleich:
        return None
    return bild[0][1]


def _zeichne_mit(canvas, hinten: list[Artist], fuer: Any, erster: Artist, vorher: Any) -> None:
    """``canvas.draw()`` with each artist of ``hinten`` drawn by ``fuer(artist)`` and ``erster``
    by ``vorher``; the artists' own ``draw`` back afterwards, also when the draw fails."""
    try:
        for a in hinten:
            a.draw = fuer(a)  # type: ignore[method-assign]
        erster.draw = vorher  # type: ignore[method-assign]
        canvas.draw()
    finally:
        for a in [*hinten, erster]:
            vars(a).pop("draw", None)


def _mit_grund(canvas, hinten: list[Artist], erster: Artist, bild: np.ndarray) -> bool:
    """The draw with the kept picture put in place of the artists of ``hinten``; False when it
    went another way (then the caller draws it whole)."""
    from matplotlib.axis import Axis

    gerufen: list[Artist] = []
    danach: list[int] = []

    def still(a: Artist):
        def draw(renderer, *args: Any, **kwargs: Any):
            gerufen.append(a)
            if danach:
                danach.append(1)  # drawn after the picture was put back: not as planned
            if isinstance(a, Axis):  # the tick labels as the draw would leave them
                a._update_ticks()  # type: ignore[attr-defined]
                a.offsetText.set_text(a.get_major_formatter().get_offset())

        return draw

    def vorher(renderer, *args: Any, **kwargs: Any):
        ziel = np.asarray(renderer.buffer_rgba())
        if ziel.shape != bild.shape:
            danach.append(1)
            return None
        ziel[...] = bild
        danach.append(0)
        return type(erster).draw(erster, renderer, *args, **kwargs)

    _zeichne_mit(canvas, hinten, still, erster, vorher)
    return danach == [0] and len(gerufen) == len(hinten)


#: white space (inches) drawn around the laid-out figure, so that what reaches beyond its edge
#: (a legend beside a map, as the tight bounding box showed it) is drawn, not cut off
RAND_ZOLL = 0.6


@contextmanager
def _rand(fig: Figure, zoll: float) -> Iterator[None]:
    """The figure ``zoll`` inches larger on every side for one draw: every axes and figure text
    keeps its size and place in inches (restored afterwards). Nothing changes for a figure with
    figure-level legends or texts in other coordinates."""
    texte = list(fig.texts)
    if fig.legends or any(t.get_transform() != fig.transFigure for t in texte):
        yield
        return
    w, h = fig.get_size_inches()
    boxen = [ax.get_position(original=True) for ax in fig.axes]
    orte = [t.get_position() for t in texte]
    fig.set_size_inches(w + 2 * zoll, h + 2 * zoll, forward=False)
    try:
        for ax, b in zip(fig.axes, boxen, strict=True):
            ax.set_position(_verschoben(b.bounds, w, h, zoll), which="both")
        for t, (x, y) in zip(texte, orte, strict=True):
            t.set_position(((x * w + zoll) / (w + 2 * zoll), (y * h + zoll) / (h + 2 * zoll)))
        yield
    finally:
        fig.set_size_inches(w, h, forward=False)
        for ax, b in zip(fig.axes, boxen, strict=True):
            ax.set_position(b, which="both")
        for t, ort in zip(texte, orte, strict=True):
            t.set_position(ort)


def _verschoben(
    bounds: tuple[float, float, float, float], w: float, h: float, zoll: float
) -> tuple[float, float, float, float]:
    """An axes box (figure fractions of a w x h figure) in the figure ``zoll`` larger per side."""
    x, y, bw, bh = bounds
    gw, gh = w + 2 * zoll, h + 2 * zoll
    return ((x * w + zoll) / gw, (y * h + zoll) / gh, bw * w / gw, bh * h / gh)


def _ragt_heraus(fig: Figure, renderer) -> bool:
    """Whether a legend or text (what a layout may leave beside the axes) reaches beyond the
    drawn canvas (a glyph cut at the edge leaves no ink there to see); measured after the draw,
    from the layouts it kept."""
    w, h = fig.bbox.width, fig.bbox.height
    for ax in fig.axes:
        legende = ax.get_legend()
        kandidaten: list[Artist] = [*ax.texts, *([legende] if legende is not None else [])]
        for a in kandidaten:
            if not a.get_visible():
                continue
            b = a.get_window_extent(renderer)
            if b.x0 < 0 or b.y0 < 0 or b.x1 > w or b.y1 > h:
                return True
    return False


def _tinte(rgba: np.ndarray, pad: float) -> tuple[int, int, int, int] | None:
    """Rows and columns (y0, y1, x0, x1) of what differs from the background (the corner pixel),
    widened by ``pad`` pixels; None when the ink touches an edge or there is none. Each pixel is
    compared as one 32-bit word (its four channels at once)."""
    h, w = rgba.shape[:2]
    woerter = np.ascontiguousarray(rgba, dtype=np.uint8).view(np.uint32).reshape(h, w)
    tinte = woerter != woerter[0, 0]
    zeilen = np.flatnonzero(tinte.any(axis=1))
    if not len(zeilen):
        return None
    spalten = np.flatnonzero(tinte[zeilen[0] : zeilen[-1] + 1].any(axis=0))
    if zeilen[0] == 0 or spalten[0] == 0 or zeilen[-1] == h - 1 or spalten[-1] == w - 1:
        return None
    p = int(round(pad))
    return (
        max(0, zeilen[0] - p),
        min(h, zeilen[-1] + 1 + p),
        max(0, spalten[0] - p),
        min(w, spalten[-1] + 1 + p),
    )


def _rgba_png(bild: np.ndarray, dpi: float, ziel: io.BytesIO | None = None) -> bytes:
    """An RGBA array as the PNG matplotlib writes (same encoder, metadata and dpi)."""
    import matplotlib as mpl
    from matplotlib.image import imsave

    puffer = io.BytesIO() if ziel is None else ziel
    meta = {"Software": f"Matplotlib version{mpl.__version__}, https://matplotlib.org/"}
    imsave(puffer, bild, format="png", origin="upper", dpi=dpi, metadata=meta)
    return puffer.getvalue()


def _palette(bild: np.ndarray, farben: int, wie: str, dpi: float) -> bytes:
    """The palette PNG of an RGBA array (the RGBA PNG when the palette is not smaller)."""
    from PIL import Image

    rgb = Image.fromarray(np.ascontiguousarray(bild[..., :3]), mode="RGB")
    klein = _quantisiert(rgb, farben, wie)
    out = io.BytesIO()
    klein.save(out, format="PNG", optimize=True)
    palette = out.getvalue()
    if wie != "fastoctree" or _rgba_groesser(bild, dpi, len(palette)):
        return palette
    voll = _rgba_png(bild, dpi)
    return voll if len(voll) <= len(palette) else palette


class _Genug(Exception):
    """The RGBA PNG being encoded has outgrown the palette PNG."""


class _IdatZaehler(io.BytesIO):
    """A file that keeps nothing and counts the image data (IDAT) Pillow's PNG writer hands it,
    raising :class:`_Genug` once they exceed ``grenze`` bytes. Pillow writes a chunk as its
    header (length and type, 8 bytes), its data and its checksum."""

    def __init__(self, grenze: int) -> None:
        super().__init__()
        self.grenze = grenze
        self.idat = 0
        self._daten_folgen = False

    def write(self, b) -> int:  # type: ignore[override]
        n = len(b)
        if self._daten_folgen:
            self.idat += n
            if self.idat > self.grenze:
                raise _Genug
        self._daten_folgen = n == 8 and bytes(b[4:]) == b"IDAT"
        return n


#: bytes of compressed data Pillow hands on at a time while :func:`_rgba_groesser` counts
_ZAEHL_BLOCK = 4096


def _rgba_groesser(bild: np.ndarray, dpi: float, grenze: int) -> bool:
    """True when the RGBA PNG of :func:`_rgba_png` is certainly larger than ``grenze`` bytes,
    found without encoding all of it: the same encoder, handing on its compressed data in small
    blocks, stopped as soon as the data alone exceed ``grenze`` (the file holds them all, plus
    its headers). False: not certain (encode it and compare)."""
    from PIL import ImageFile

    zaehler = _IdatZaehler(grenze)
    block = ImageFile.MAXBLOCK
    ImageFile.MAXBLOCK = _ZAEHL_BLOCK  # the chunking only: the compressed stream is the same
    try:
        _rgba_png(bild, dpi, zaehler)
    except _Genug:
        return True
    finally:
        ImageFile.MAXBLOCK = block
    return False


def _quantisiert(rgb, farben: int, wie: str):
    from PIL import Image

    if wie == "mediancut":
        return rgb.quantize(
            colors=farben, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    return rgb.quantize(colors=farben, method=Image.Quantize.FASTOCTREE)


def palette_png(data: bytes | str, farben: int, wie: str = "fastoctree") -> bytes | str:
    """The PNG (bytes, or base64 text as IPython may hand it) with a palette of ``farben``
    colours; the input unchanged when it cannot be read."""
    from PIL import Image

    text = isinstance(data, str)
    raw = base64.b64decode(data) if isinstance(data, str) else data
    try:
        bild = Image.open(io.BytesIO(raw)).convert("RGB")
    except Exception:  # not a PNG we can read: leave it
        return data
    out = io.BytesIO()
    _quantisiert(bild, farben, wie).save(out, format="PNG", optimize=True)
    neu = out.getvalue()
    if len(neu) >= len(raw) and wie == "fastoctree":
        return data
    return base64.b64encode(neu).decode("ascii") if text else neu

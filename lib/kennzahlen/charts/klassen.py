"""Class maps for the Sozialindex (house style of :mod:`kennzahlen.charts.plots`), with accessible
colours.

Status classes use an ordered sequential palette (ColorBrewer YlOrBr: lightness carries the
order, so it reads with every common colour-vision deficiency and in greyscale); dynamic classes
a diverging purple–orange palette (ColorBrewer PuOr, colour-blind safe). Colour is never the
only carrier: each polygon carries its class code (1–4 for the status, +, ± and − for the
dynamics), the legend spells them out, and every figure goes into the report as an image with
an alt text naming the Stadtviertel per class (:func:`plots.beschreibe`). Any text drawn on a
colour gets black or white, whichever has a contrast of at least 4.5:1 (WCAG 2.1 AA). The colours
and the contrast rule come from :mod:`kennzahlen.core.farben`.
"""

from __future__ import annotations

import base64
import html
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from IPython.display import HTML
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from kennzahlen.charts import grundkarte, karten, plots
from kennzahlen.charts.schrift import schrift_metadaten
from kennzahlen.core import farben as farben_

if TYPE_CHECKING:
    import geopandas as gpd

#: the class colours (kennzahlen.core.farben)
STATUS_FARBEN = farben_.SOZIALINDEX_STATUS
DYNAMIK_FARBEN = farben_.SOZIALINDEX_DYNAMIK
NICHT_BEWERTET_FARBE = farben_.NICHT_BEWERTET


def klassenfarben(namen: Sequence[str], palette: Sequence[str]) -> dict[str, str]:
    """Class name -> colour: ``palette`` spread over the classes in their order."""
    if len(namen) == len(palette):
        return dict(zip(namen, palette, strict=True))
    step = (len(palette) - 1) / max(len(namen) - 1, 1)
    return {n: palette[round(i * step)] for i, n in enumerate(namen)}


def klassenkarte(
    klassen: Mapping[str, str | None],
    flaechen: gpd.GeoDataFrame,
    titel: str,
    farbe: Mapping[str, str],
    kuerzel: Mapping[str, str],
    umrandet: Sequence[str] = (),
    nicht_bewertet: str = "nicht bewertet",
    alt: str = "",
    namen: Mapping[str, str] | None = None,
    ohne_flaeche: Sequence[tuple[str, str | None]] = (),
) -> Figure:
    """The Stadtviertel coloured by class, each with its class code; legend with every class.

    ``klassen``: stadtviertel_nr -> class name (a name not in ``farbe``, or None: grey, hatched,
    "nicht bewertet"); ``flaechen``: polygons indexed by stadtviertel_nr (projected CRS);
    ``alt``: the alt text (what the map shows, the Stadtviertel per class); ``namen``:
    stadtviertel_nr -> name written next to its code (the areas a sentence names, so a reader
    finds them); ``ohne_flaeche``: (name, class) of areas without a polygon (Ortschaften),
    drawn as a coloured row under the map so their class is visible too.
    """
    import matplotlib.pyplot as plt

    if ohne_flaeche:
        fig, (ax, unten) = plt.subplots(
            2, 1, figsize=(9.0, 8.6), gridspec_kw={"height_ratios": [6.4, 1.0]}
        )
        _ohne_flaeche(unten, ohne_flaeche, farbe, kuerzel)
    else:
        fig, ax = plt.subplots(figsize=(9.0, 7.4))
    gdf = flaechen.copy()
    gdf["klasse"] = [klassen.get(nr) for nr in gdf.index]
    leer = ~gdf["klasse"].isin(list(farbe))
    if leer.any():
        grundkarte.flaechen(
            ax, gdf.geometry[leer], color=NICHT_BEWERTET_FARBE, edgecolor=farben_.WEISS,
            linewidth=0.5,
        )  # fmt: skip
        karten.schraffur(ax, gdf[leer])
    for name, f in farbe.items():
        teil = gdf[gdf["klasse"] == name]
        if len(teil):
            grundkarte.flaechen(ax, teil.geometry, color=f, edgecolor=farben_.WEISS, linewidth=0.5)
    # where the codes and names go is measured on the map's final box (geopandas drew the figure
    # for it after every call; settling the aspect is what that draw did for the axes)
    ax.apply_aspect()
    rahmen = tuple(gdf.total_bounds) if len(gdf) else None  # the limits kartenrahmen sets
    _beschriften(ax, gdf[~leer], farbe, kuerzel, rahmen)
    _namen(ax, gdf, namen or {}, rahmen)
    rand = gdf[gdf.index.isin(list(umrandet))]
    if len(rand):
        grundkarte.raender(ax, rand.geometry, color=farben_.SCHWARZ, linewidth=1.6)
    karten.kartenrahmen(ax, gdf)
    handles = _legende(farbe, kuerzel, nicht_bewertet, bool(len(rand)))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=10)
    ax.set_title(titel)
    plots.beschreibe(fig, alt)
    return plots._done(fig)


#: where a name may stand from its polygon's code (points): below, above, right, left
_NAMEN_ORTE = (
    ((0, -9), "center", "top"),
    ((0, 9), "center", "bottom"),
    ((9, 0), "left", "center"),
    ((-9, 0), "right", "center"),
    ((0, -20), "center", "top"),
    ((0, 20), "center", "bottom"),
)


def _legende(farbe, kuerzel, nicht_bewertet: str, umrandet: bool) -> list:
    """The legend's entries: every class with its code, not rated, the outlined Sozialraum."""
    from matplotlib.patches import Patch

    handles = [
        Patch(facecolor=f, edgecolor=farben_.RAND, label=f"{kuerzel[n]}  {n}")
        for n, f in farbe.items()
    ]
    handles.append(
        Patch(
            facecolor=NICHT_BEWERTET_FARBE,
            edgecolor=farben_.RAND,
            hatch="////",
            label=nicht_bewertet,
        )
    )
    if umrandet:
        handles.append(
            Patch(facecolor="none", edgecolor=farben_.SCHWARZ, linewidth=1.6, label="Sozialraum")
        )
    return handles


def _namen(ax, gdf, namen: Mapping[str, str], rahmen: tuple | None = None) -> None:
    """The names of some Stadtviertel beside their code, dark on a white halo (readable on any
    class colour); each takes the first place where it covers no class code and no name drawn
    before. The boxes of the codes and of the places tried are measured once per process
    (:func:`_ausmass`): every area's map of a period has the same codes and mostly the same
    names."""
    from matplotlib import patheffects

    from kennzahlen.charts.png import rc_stand

    renderer = ax.figure._get_renderer()
    stand = (ax.figure.dpi, rc_stand())
    belegt = _Belegt([_ausmass_von(ax, t, renderer, stand) for t in ax.texts])  # the class codes
    for nr, name in namen.items():
        if nr not in gdf.index:
            continue
        punkt = gdf.loc[nr].geometry.representative_point()
        xy = (punkt.x, punkt.y)
        innen = _clip(ax, punkt.x, punkt.y, rahmen)
        art = {"fontsize": 8.5, "annotation_clip": innen}
        # where the point lies on the canvas (a key of the kept boxes), once per name
        ort_xy = tuple(ax.transData.transform(xy).tolist()) if innen is False else None
        wahl = _NAMEN_ORTE[0]  # no free place: below, as the first choice
        for ort in _NAMEN_ORTE:
            box = _ausmass(ax, renderer, stand, name, xy, ort, art, ort_xy=ort_xy)
            if not belegt.ueberlappt(box):
                wahl = ort
                break
        versatz, ha, va = wahl
        t = ax.annotate(
            name,
            xy,
            xytext=versatz,
            textcoords="offset points",
            ha=ha,
            va=va,
            color=farben_.SCHWARZ,
            path_effects=[patheffects.withStroke(linewidth=2.6, foreground=farben_.WEISS)],
            **art,
        )
        belegt.dazu(_ausmass(ax, renderer, stand, name, xy, wahl, art, t, ort_xy))


#: the window extent of a map label (a code or a name) by everything it is measured from: its
#: text, font size and weight, alignment, offset, its point on the canvas, the dpi and
#: matplotlib's settings (least recently used dropped first)
_AUSMASSE: OrderedDict[tuple, Bbox] = OrderedDict()
GRENZE_AUSMASSE = 16384


def _ausmass(
    ax, renderer, stand: tuple, text: str, xy, ort, art: dict, t=None, ort_xy=None
) -> Bbox:
    """The window extent of the name ``text`` at point ``xy`` (data) placed as ``ort``
    (offset in points, ha, va) with ``art`` (font size, clip): kept per process for a label
    strictly inside the map (no clip test: where it stands is all that counts); measured on the
    annotation ``t``, or on one made for it and removed again (``ort_xy``: the point on the
    canvas, ``ax.transData.transform(xy)``)."""
    versatz, ha, va = ort
    key = None
    if art.get("annotation_clip") is False:
        punkt = tuple(ax.transData.transform(xy).tolist()) if ort_xy is None else ort_xy
        key = (text, punkt, versatz, "offset points", ha, va, art["fontsize"], "normal", *stand)
        hit = _AUSMASSE.get(key)
        if hit is not None:
            _AUSMASSE.move_to_end(key)
            return hit
    eigen = t is None
    if t is None:
        t = ax.annotate(text, xy, xytext=versatz, textcoords="offset points", ha=ha, va=va, **art)
    try:
        box = t.get_window_extent(renderer).frozen()
    finally:
        if eigen:
            t.remove()
    if key is not None:
        _merken(key, box)
    return box


def _ausmass_von(ax, t, renderer, stand: tuple) -> Bbox:
    """The window extent of a label already on the map (a class code), kept per process like
    :func:`_ausmass` when it stands strictly inside the map at its own point."""
    from matplotlib.text import Annotation

    if not (
        isinstance(t, Annotation)
        and t.get_annotation_clip() is False
        and t.xycoords == "data"
        and t.anncoords == "data"
        and tuple(t.xyann) == tuple(t.xy)
        and t.get_rotation() == 0
    ):
        return t.get_window_extent(renderer)
    punkt = tuple(ax.transData.transform(t.xy).tolist())
    key = (
        t.get_text(), punkt, "data", "data", t.get_horizontalalignment(),
        t.get_verticalalignment(), t.get_fontsize(), t.get_fontweight(), *stand,
    )  # fmt: skip
    hit = _AUSMASSE.get(key)
    if hit is not None:
        _AUSMASSE.move_to_end(key)
        return hit
    box = t.get_window_extent(renderer).frozen()
    _merken(key, box)
    return box


class _Belegt:
    """The boxes taken on a map, for the test whether a new one overlaps any of them: the test
    of ``Bbox.overlaps`` (edges touching count, each box's corners in either order) on all of
    them at once."""

    def __init__(self, boxen: Sequence[Bbox]) -> None:
        self._kanten = np.empty((0, 4))
        for b in boxen:
            self.dazu(b)

    @staticmethod
    def _geordnet(box: Bbox) -> tuple[float, float, float, float]:
        x1, y1, x2, y2 = box.extents
        if x2 < x1:
            x2, x1 = x1, x2
        if y2 < y1:
            y2, y1 = y1, y2
        return (x1, y1, x2, y2)

    def dazu(self, box: Bbox) -> None:
        self._kanten = np.vstack([self._kanten, self._geordnet(box)])

    def ueberlappt(self, box: Bbox) -> bool:
        ax1, ay1, ax2, ay2 = self._geordnet(box)
        k = self._kanten
        return bool(
            ((ax1 <= k[:, 2]) & (k[:, 0] <= ax2) & (ay1 <= k[:, 3]) & (k[:, 1] <= ay2)).any()
        )


def _merken(key: tuple, box: Bbox) -> None:
    _AUSMASSE[key] = box
    while len(_AUSMASSE) > GRENZE_AUSMASSE:
        _AUSMASSE.popitem(last=False)


def _ohne_flaeche(ax, gebiete, farbe: Mapping[str, str], kuerzel: Mapping[str, str]) -> None:
    """Areas without a polygon as a row of coloured boxes with code and name (two lines)."""
    from matplotlib.patches import Rectangle

    spalten = max(1, -(-len(gebiete) // 2))
    for i, (name, klasse) in enumerate(gebiete):
        x, y = i % spalten, i // spalten
        fill = farbe.get(klasse or "", NICHT_BEWERTET_FARBE)
        ax.add_patch(Rectangle((x + 0.03, -y - 0.92), 0.94, 0.84, color=fill))
        text = f"{kuerzel.get(klasse or '', '–')} {name}"
        ax.text(
            x + 0.5,
            -y - 0.5,
            text,
            ha="center",
            va="center",
            fontsize=8.5,
            color=farben_.textfarbe(fill),
        )
    ax.set_xlim(0, spalten)
    ax.set_ylim(-2, 0)
    ax.set_axis_off()
    ax.set_title("Ortschaften (ohne Grenzlinie in der Karte)", fontsize=10, loc="left")


def _beschriften(
    ax, gdf, farbe: Mapping[str, str], kuerzel: Mapping[str, str], rahmen: tuple | None = None
) -> None:
    """The class code in each rated polygon, black or white by contrast with its fill."""
    for _nr, row in gdf.iterrows():
        punkt = row.geometry.representative_point()
        ax.annotate(
            kuerzel[row["klasse"]],
            (punkt.x, punkt.y),
            ha="center",
            va="center",
            fontsize=7.5,
            fontweight="bold",
            color=farben_.textfarbe(farbe[row["klasse"]]),
            annotation_clip=_clip(ax, punkt.x, punkt.y, rahmen),
        )


def _clip(ax, x: float, y: float, rahmen: tuple | None) -> bool | None:
    """``annotation_clip`` for a code or name at (x, y): False for a point strictly inside both
    the axes' limits now and ``rahmen`` (x0, y0, x1, y1: the limits the map gets at the end,
    :func:`karten.kartenrahmen`), so inside the axes at every later measure and draw too, which is
    what matplotlib tests each time (a costly test) before it measures or draws an annotation;
    otherwise matplotlib's default (None: tested)."""
    if rahmen is None:
        return None
    (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    r0, q0, r1, q1 = rahmen
    innen = x0 < x < x1 and y0 < y < y1 and r0 < x < r1 and q0 < y < q1
    return False if innen else None


def png(fig: Figure, farben: int = 64) -> bytes:
    """The figure as a small PNG: a class map has a few flat colours, so an adaptive palette of
    ``farben`` colours (no dithering) keeps every class colour exact at a third of the bytes.
    Drawn once (:func:`kennzahlen.charts.png.zeichne`)."""
    from kennzahlen.charts.png import zeichne

    return zeichne(fig, farben, wie="mediancut", dpi=plots.DPI)


def bild(fig: Figure, alt: str | None = None) -> HTML:
    """The figure as an embedded PNG with an informative alt text (the figure's own, given by
    :func:`plots.beschreibe`, unless ``alt`` is passed)."""
    alt = alt or plots.alt_text(fig) or ""
    roh = png(fig)
    schrift = schrift_metadaten(fig, roh)
    daten = base64.b64encode(roh).decode("ascii")
    return HTML(
        f'<div class="kz-bild"><img src="data:image/png;base64,{daten}" '
        f'alt="{html.escape(alt, quote=True)}" class="kz-kartenbild" '
        f'style="min-width:{schrift.get("kz_minbreite", 0)}px" '
        f'data-kz-schrift="{schrift.get("kz_schrift", "")}"></div>'
    )

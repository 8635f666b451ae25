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
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from IPython.display import HTML
from matplotlib.figure import Figure

from kennzahlen.charts import grundkarte, plots
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
        plots.schraffur(ax, gdf[leer])
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
    plots.kartenrahmen(ax, gdf)
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
    before."""
    from matplotlib import patheffects

    renderer = ax.figure._get_renderer()
    belegt = [t.get_window_extent(renderer) for t in ax.texts]  # the class codes
    for nr, name in namen.items():
        if nr not in gdf.index:
            continue
        punkt = gdf.loc[nr].geometry.representative_point()
        innen = _clip(ax, punkt.x, punkt.y, rahmen)
        for versatz, ha, va in _NAMEN_ORTE:
            t = ax.annotate(
                name,
                (punkt.x, punkt.y),
                xytext=versatz,
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=8.5,
                color=farben_.SCHWARZ,
                path_effects=[patheffects.withStroke(linewidth=2.6, foreground=farben_.WEISS)],
                annotation_clip=innen,
            )
            box = t.get_window_extent(renderer)
            if not any(box.overlaps(b) for b in belegt):
                break
            t.remove()
        else:  # no free place: below, as the first choice
            t = ax.annotate(
                name,
                (punkt.x, punkt.y),
                xytext=_NAMEN_ORTE[0][0],
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=8.5,
                color=farben_.SCHWARZ,
                path_effects=[patheffects.withStroke(linewidth=2.6, foreground=farben_.WEISS)],
                annotation_clip=innen,
            )
        belegt.append(t.get_window_extent(renderer))


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
    :func:`plots.kartenrahmen`), so inside the axes at every later measure and draw too, which is
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

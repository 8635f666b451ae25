"""Charts of chance and variation in the house style: funnel plots and control charts (XmR).

A funnel plot shows the areas' values against their Nenner, around a reference value (the
Gesamtstadt) with the 95 % and 99,8 % limits of chance: a small area's extreme value inside the
funnel is noise. A control chart shows a series with its mean and process limits and marks the
points the NHS rules flag; improvement and concern differ by marker shape as well as by colour.

A funnel is the same in every Sozialraum's report but for the highlighted point (issue 28): its
figure is kept for the process (:data:`GRENZE_BEHALTEN`, by everything but the highlight and by
matplotlib's settings) and handed out again with another point highlighted, once its PNG was made
and when nothing in it changed (:func:`kennzahlen.charts.png.gezeichnet`). Every point is drawn
twice, as itself and highlighted, one of the two visible; the PNG is the one of a new figure.

No two control charts of a quarter are the same (each report shows its own area's series), but
they all have one size: the next control chart takes the kept figure of its size and settings
(:data:`GRENZE_REGELKARTEN`), under the same conditions, emptied back to what a new figure is, and
keeps its axes, spines and ticks, whose making is most of a new figure's cost (issue 28).

Both are kept and handed out again only in the runner's report kernels
(:mod:`kennzahlen.charts.behalten`): elsewhere a figure handed out may still be held, and every
chart is a figure of its own.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from kennzahlen.charts import behalten, plots
from kennzahlen.charts.plots import (
    HIGHLIGHT,
    OKABE_ITO,
    _satz,
    _wert,
    beschreibe,
    zahlenachse,
)
from kennzahlen.core import farben, fmt
from kennzahlen.statistik.intervalle import Trichter

GRENZE = "#52606D"
NEUTRAL = "#7B8794"
#: (colour, marker, label) of a control chart's points
PUNKTE = {
    "": (NEUTRAL, "o", "übliche Schwankung"),
    "verbesserung": (OKABE_ITO[0], "s", "Signal: günstig"),
    "bedenken": (HIGHLIGHT, "D", "Signal: ungünstig"),
}


#: funnels kept for the next report (issue 28): every Sozialraum's report shows the same funnel
#: of a Kennzahl, only another point highlighted; at most this many, least recently used dropped
GRENZE_BEHALTEN = 32
_BEHALTEN: OrderedDict[Hashable, Figure] = OrderedDict()


def trichter(
    punkte: pd.DataFrame,
    grenzen: Trichter,
    referenz: float,
    titel: str,
    prozent: bool,
    hervorheben: str | None = None,
    x_label: str = "Fälle im Nenner",
) -> Figure:
    """Funnel plot: ``punkte`` (index: area; columns nenner, wert) against their Nenner, the
    reference line and the inner (95 %) and outer (99,8 %) limits.

    The figure of the same funnel (everything but ``hervorheben``, under the same matplotlib
    settings) is kept for the process and handed out again with another point highlighted, but
    only once its PNG was made and nothing in it changed since it was handed out
    (:func:`png.gezeichnet`); else a new one is made."""
    from kennzahlen.charts.png import ausgegeben, gezeichnet, rc_stand

    n = grenzen.n
    fest = (
        "trichter", titel, prozent, x_label, float(referenz),
        *(np.asarray(a, dtype="float64").tobytes() for a in (n, grenzen.innen_unten,
          grenzen.innen_oben, grenzen.aussen_unten, grenzen.aussen_oben)),
        tuple(map(str, punkte.index)), punkte["nenner"].to_numpy(dtype="float64").tobytes(),
        punkte["wert"].to_numpy(dtype="float64").tobytes(),
    )  # fmt: skip
    key = (fest, rc_stand())
    fig = behalten.holen(_BEHALTEN, key)  # only in the runner's kernels
    if fig is not None and gezeichnet(fig) and _unveraendert(fig, fig.kz_trichter):  # type: ignore[attr-defined]
        # the layout from where a new figure starts it
        fig.subplots_adjust(**fig.kz_trichter["ur"])  # type: ignore[attr-defined]
    else:
        fig = _trichter_neu(punkte, grenzen, referenz, titel, prozent, x_label, fest)
        behalten.merken(_BEHALTEN, key, fig, GRENZE_BEHALTEN)
    _hervorheben(fig, hervorheben)
    fig = plots._done(fig)  # through the module: the proofreading tests catch every figure
    fig.kz_trichter["stand"] = _stand(fig)  # type: ignore[attr-defined]
    ausgegeben(fig)  # handed out: not again before its PNG is made, nor when changed
    return fig


def _trichter_neu(
    punkte: pd.DataFrame,
    grenzen: Trichter,
    referenz: float,
    titel: str,
    prozent: bool,
    x_label: str,
    fest: tuple,
) -> Figure:
    """A new funnel figure (no point highlighted yet, not laid out): every point drawn twice,
    as itself and highlighted, one of the two visible (:func:`_hervorheben`)."""
    fig, ax = plt.subplots(figsize=(8.0, 4.0))
    sp = fig.subplotpars
    ur = {k: getattr(sp, k) for k in ("left", "right", "bottom", "top", "wspace", "hspace")}
    n = grenzen.n
    vorher = len(ax.get_children())
    ax.axhline(referenz, color=farben.SCHWARZ, linewidth=1.2)
    ax.plot(n, grenzen.innen_unten, color=GRENZE, linestyle="--", linewidth=1, label="95 %")
    ax.plot(n, grenzen.innen_oben, color=GRENZE, linestyle="--", linewidth=1)
    ax.plot(n, grenzen.aussen_unten, color=GRENZE, linestyle=":", linewidth=1.3, label="99,8 %")
    ax.plot(n, grenzen.aussen_oben, color=GRENZE, linestyle=":", linewidth=1.3)
    punkt = []
    for raum, r in punkte.iterrows():
        xy = ([r["nenner"]], [r["wert"]])
        normal = ax.scatter(*xy, s=38, zorder=3, color=OKABE_ITO[0], marker="o")
        punkt.append((raum, normal, ax.scatter(*xy, s=60, zorder=3, color=HIGHLIGHT, marker="D")))
    zahlenachse(ax.yaxis, prozent)
    zahlenachse(ax.xaxis, False, ganzzahlig=True)
    ax.set_xlim(0, float(n.max()) * 1.02)
    namen = _beschriften(ax, punkte)
    ax.set_xlabel(x_label)
    ax.set_title(titel)
    ax.legend(
        handles=[
            Line2D([], [], color=farben.SCHWARZ, linewidth=1.2, label="Gesamtstadt"),
            Line2D([], [], color=GRENZE, linestyle="--", label="95-%-Grenzen"),
            Line2D([], [], color=GRENZE, linestyle=":", linewidth=1.3, label="99,8-%-Grenzen"),
        ],
        fontsize=9, loc="upper right",
    )  # fmt: skip
    _trichter_alt(fig, punkte, referenz, titel, prozent)
    fig.kz_palette = 64  # type: ignore[attr-defined]
    # the same funnel in every Sozialraum's report: all but the points, their names, the title
    # and the legend (drawn after them) laid out and drawn once per funnel
    ueberschriften = [ax.title, ax._left_title, ax._right_title]  # type: ignore[attr-defined]
    lose = [*ax.collections, *ax.texts, *ueberschriften, ax.legend_]
    plots.fest_und_lose(fig, (*fest, len(ax.get_children()) - vorher), lose)
    fig.kz_trichter = {"ur": ur, "punkte": punkt, "namen": namen}  # type: ignore[attr-defined]
    fig.kz_behalten = True  # type: ignore[attr-defined]  # png.zeichne lets go of its pixels
    return fig


def _hervorheben(fig: Figure, hervorheben: str | None) -> None:
    """Highlight the point (and bold the name) of ``hervorheben``, and no other."""
    teile = fig.kz_trichter  # type: ignore[attr-defined]
    for raum, normal, eigen in teile["punkte"]:
        normal.set_visible(raum != hervorheben)
        eigen.set_visible(raum == hervorheben)
    for raum, name in teile["namen"]:
        name.set_fontweight("bold" if raum == hervorheben else "normal")


def _stand(fig: Figure) -> tuple:
    """What of a funnel figure its stale flag does not follow: the attributes the PNG and the
    report read (alt text, palette, the named fixed part)."""
    return tuple(getattr(fig, a, None) for a in _ATTRIBUTE)


_ATTRIBUTE = ("kz_alt", "kz_palette", "kz_lose", "kz_grund")


def _unveraendert(fig: Figure, teile: dict) -> bool:
    """Whether the figure's attributes are still the ones it was handed out with (``teile``:
    the chart's own record of them)."""
    stand = teile.get("stand")
    return stand is not None and all(
        a is b or a == b for a, b in zip(_stand(fig), stand, strict=True)
    )


def _trichter_alt(
    fig: Figure, punkte: pd.DataFrame, referenz: float, titel: str, prozent: bool
) -> None:
    """The funnel's alt text: what it shows, its finding and every area's value."""
    werte = "; ".join(
        f"{raum} {_wert(float(r['wert']), prozent)} bei {fmt.zahl(r['nenner'])}"
        for raum, r in punkte.iterrows()
    )
    beschreibe(
        fig,
        "Trichterdiagramm: die Werte der Sozialräume gegen ihren Nenner, um den Wert der "
        f"Gesamtstadt ({_wert(referenz, prozent)}) mit den Grenzen des Zufalls (95 % und 99,8 %).",
        _satz(titel.replace("\n", " ")),
        f"Werte: {werte}.",
    )


#: where a point's name may go (offset in points, alignment), tried in this order
_LAGEN = ((5, 3, "left"), (5, -3, "left"), (-5, 3, "right"), (-5, -3, "right"),
          (8, 16, "left"), (-8, 16, "right"), (8, -16, "left"), (-8, -16, "right"),
          (8, 30, "left"), (-8, 30, "right"), (8, -30, "left"), (-8, -30, "right"))  # fmt: skip


def _beschriften(ax, punkte: pd.DataFrame) -> list:
    """Name every point next to it, on the first side where it overlaps no other name (in normal
    weight); (area, name) in the order drawn."""
    ax.viewLim  # noqa: B018 - the autoscaled limits, as a draw would settle them (no draw needed)
    px = ax.figure.dpi / 72
    belegt: list[tuple[float, float, float, float]] = []
    namen = []
    for raum, r in punkte.sort_values("nenner").iterrows():
        x, y = ax.transData.transform((r["nenner"], r["wert"]))
        breite, hoehe = 6.2 * len(str(raum)) * px, 11 * px
        for dx, dy, ha in _LAGEN:
            x0 = x + dx * px - (breite if ha == "right" else 0)
            y0 = y + dy * px - (hoehe if dy < 0 else 0)
            box = (x0, y0, x0 + breite, y0 + hoehe)
            if not any(_ueberlappt(box, b) for b in belegt):
                break
        belegt.append(box)
        fern = abs(dy) > 10  # a name away from its point gets a thin line to it
        name = ax.annotate(
            str(raum), (r["nenner"], r["wert"]), xytext=(dx, dy), textcoords="offset points",
            ha=ha, va="bottom" if dy > 0 else "top", fontsize=9, color=farben.TEXT,
            fontweight="normal",
            arrowprops={"arrowstyle": "-", "color": GRENZE, "lw": 0.6} if fern else None,
        )  # fmt: skip
        _ausmass_gemerkt(name)
        namen.append((raum, name))
    return namen


#: window extents kept per name of a funnel (by its state and the geometry it is measured in)
GRENZE_AUSMASSE = 8


def _ausmass_gemerkt(name) -> None:
    """The name's window extent (what the layout and the PNG's edge test measure: its text and
    the line to its point) kept per state (:func:`_ausmass_schluessel`): a kept funnel measures
    its names again in every report, and only the highlighted one has changed."""
    from matplotlib.text import Annotation

    eigen = Annotation.get_window_extent
    gemerkt: OrderedDict[tuple, Any] = OrderedDict()

    def get_window_extent(renderer=None):
        key = None if renderer is None else _ausmass_schluessel(name, renderer)
        if key is None:
            return eigen(name, renderer)
        box = gemerkt.get(key)
        if box is None:
            box = gemerkt[key] = eigen(name, renderer).frozen()
            while len(gemerkt) > GRENZE_AUSMASSE:
                gemerkt.popitem(last=False)
        else:
            gemerkt.move_to_end(key)
            name._renderer = renderer  # as the measurement leaves it
        return box.frozen()

    name.get_window_extent = get_window_extent


def _ausmass_schluessel(a, renderer) -> tuple | None:
    """Everything an annotation's window extent depends on (None: not one kept here): the
    renderer's and the figure's dpi and size, the axes' place, limits and scales (the point's
    pixel place and the clip test), the font settings (:mod:`kennzahlen.charts.textmass`) and the
    annotation's own text, font, alignment, places and line."""
    from matplotlib.backends.backend_agg import RendererAgg

    from kennzahlen.charts import textmass

    ax, fig = a.axes, a.get_figure(root=True)
    if type(renderer) is not RendererAgg or ax is None or fig is None or a.get_bbox_patch():
        return None
    if ax.get_xscale() != "linear" or ax.get_yscale() != "linear" or a.get_usetex():
        return None
    pfeil = a.arrow_patch
    linie = None if pfeil is None else (
        repr(sorted(a.arrowprops.items())), pfeil.get_arrowstyle(), pfeil.get_connectionstyle(),
        pfeil.shrinkA, pfeil.shrinkB, pfeil.get_figure(root=True) is fig,
    )  # fmt: skip
    return (
        renderer.dpi, renderer.width, renderer.height, fig.dpi, fig.bbox.bounds, ax.bbox.bounds,
        ax.viewLim.bounds, textmass._rc(), a.get_visible(), a.get_text(),
        textmass._schrift(a.get_fontproperties()), a.get_horizontalalignment(),
        a.get_verticalalignment(), a.get_rotation(), a.get_rotation_mode(),
        a.get_transform_rotates_text(), a.get_linespacing(), a.get_wrap(), a.get_parse_math(),
        tuple(a.xy), tuple(a.xyann), repr(a.xycoords), repr(a.anncoords),
        a.get_annotation_clip(), a.get_clip_on(), linie,
    )  # fmt: skip


def _ueberlappt(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _art(signal: str, hoeher: bool | None) -> str:
    if not signal:
        return ""
    if hoeher is None:
        return "bedenken"
    oben = "ueber" in signal or signal == "trend_steigend"
    return "verbesserung" if oben == hoeher else "bedenken"


def regelkarte(
    karte: pd.DataFrame,
    titel: str,
    prozent: bool,
    hoeher: bool | None,
    zielwert: Sequence[float | None] | None = None,
    neue_basis: Sequence[str] = (),
    beschriftung: Mapping[str, str] | None = None,
) -> Figure:
    """Control chart of one area: ``karte`` as :func:`kennzahlen.ampel.rules.spc.regelkarte`
    gives it (periode, wert, mitte, unten, oben, vorlaeufig, signal, segment); special causes
    marked (square: favourable, diamond: unfavourable); provisional limits dotted; a new baseline
    as a vertical line; the Zielwert of each point dash-dotted (a step where it changes)."""
    from kennzahlen.charts.png import ausgegeben

    fig = _regelkarte_figur((8.0, 3.8))
    ax = fig.axes[0]
    x = np.arange(len(karte))
    labels = [(beschriftung or {}).get(p, p) for p in karte["periode"]]
    ax.plot(x, karte["wert"], color=NEUTRAL, linewidth=1.2, zorder=2)
    segmente = _segmente(karte)
    for zeilen, maske in segmente:
        xs = x[zeilen]
        stil = ":" if bool(karte["vorlaeufig"].to_numpy()[maske][-1]) else "--"
        ax.plot(xs, karte["mitte"].to_numpy()[maske], color=farben.SCHWARZ, linewidth=1)
        ax.plot(xs, karte["unten"].to_numpy()[maske], color=GRENZE, linestyle=stil, linewidth=1.1)
        ax.plot(xs, karte["oben"].to_numpy()[maske], color=GRENZE, linestyle=stil, linewidth=1.1)
    arten = [_art(s, hoeher) for s in karte["signal"]]
    for art, (farbe, marker, _) in PUNKTE.items():
        sel = [i for i, a in enumerate(arten) if a == art]
        if sel:
            ax.scatter(x[sel], karte["wert"].to_numpy()[sel], color=farbe, marker=marker,
                       s=42 if art else 24, zorder=3)  # fmt: skip
    starts = [int(zeilen[0]) for zeilen, _ in segmente][1:]
    for i in starts:
        ax.axvline(i - 0.5, color=farben.SCHWARZ, linewidth=1, linestyle="-.")
    ziele = [np.nan if z is None else z for z in (zielwert or [])]
    if ziele and np.isfinite(ziele).any():
        ax.plot(x, ziele, color=OKABE_ITO[2], linewidth=1.3, linestyle="-.", drawstyle="steps-mid")
    schritt = max(1, -(-len(x) // 6))
    ax.set_xticks(x[::schritt], labels[::schritt])
    zahlenachse(ax.yaxis, prozent)
    ax.set_title(titel)
    hat_ziel = bool(ziele) and bool(np.isfinite(ziele).any())
    legende = _legende(arten, hat_ziel, bool(karte["vorlaeufig"].any()), bool(starts))
    ax.legend(handles=legende, fontsize=8.5, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    letzter_ziel = next((z for z in reversed(ziele) if np.isfinite(z)), None) if hat_ziel else None
    beschreibe(fig, *_regelkarte_alt(karte, titel, prozent, arten, letzter_ziel))
    fig.kz_palette = 64  # type: ignore[attr-defined]
    fig = plots._done(fig)  # through the module: the proofreading tests catch every figure
    fig.kz_regelkarte["stand"] = _stand(fig)  # type: ignore[attr-defined]
    ausgegeben(fig)  # handed out: not again before its PNG is made, nor when changed
    return fig


#: control-chart figures kept for the next chart (issue 28): no two charts of a quarter are the
#: same, but every one has the same size and one axes; the next chart empties the kept figure
#: (by the figure size and matplotlib's settings) instead of making a new figure, axes and ticks
GRENZE_REGELKARTEN = 4
_REGELKARTEN: OrderedDict[Hashable, Figure] = OrderedDict()


def _regelkarte_figur(groesse: tuple[float, float]) -> Figure:
    """A figure of one axes for a control chart, as ``plt.subplots(figsize=groesse)`` gives it:
    the kept one of that size (under the same matplotlib settings), emptied, once its PNG was
    made and nothing in it changed since it was handed out (:func:`png.gezeichnet`); else a new
    one, kept for the next chart."""
    from kennzahlen.charts.png import gezeichnet, rc_stand

    key = (groesse, rc_stand())
    fig = behalten.holen(_REGELKARTEN, key)  # only in the runner's kernels
    if (
        fig is not None
        and gezeichnet(fig)
        and _unveraendert(fig, fig.kz_regelkarte)  # type: ignore[attr-defined]
        and _leerbar(fig)
    ):
        _leeren(fig)
        return fig
    fig, _ = plt.subplots(figsize=groesse)
    sp = fig.subplotpars
    ur = {k: getattr(sp, k) for k in ("left", "right", "bottom", "top", "wspace", "hspace")}
    fig.kz_regelkarte = {"ur": ur}  # type: ignore[attr-defined]
    fig.kz_behalten = True  # type: ignore[attr-defined]  # png.zeichne lets go of its pixels
    behalten.merken(_REGELKARTEN, key, fig, GRENZE_REGELKARTEN)
    return fig


def _leerbar(fig: Figure) -> bool:
    """Whether a kept control chart is still what :func:`regelkarte` made of it: one axes with
    lines, collections and a legend, nothing else added (:func:`_leeren` takes only those out)."""
    from matplotlib.collections import PathCollection

    if len(fig.axes) != 1 or len(fig.get_children()) != 2 or fig.subfigs or fig.texts:
        return False
    ax = fig.axes[0]
    return (
        not ax.child_axes
        and not ax.containers
        and ax.get_xscale() == ax.get_yscale() == "linear"
        and all(type(a) in (Line2D, PathCollection) for a in ax._children)  # type: ignore[attr-defined]
    )


def _leeren(fig: Figure) -> None:
    """Take a control chart's lines, points, legend and title out of its figure and set back
    what the chart and its layout change, as ``Axes.clear`` would leave it: the subplot
    parameters, the data and view limits and autoscaling, both axes' default locators and
    formatters, the colour cycle. The axes, its spines and its ticks stay (their making is most
    of a new figure's cost; the draw places and labels the ticks anew)."""
    import matplotlib as mpl
    from matplotlib import ticker
    from matplotlib.transforms import Bbox

    ax = fig.axes[0]
    fig.subplots_adjust(**fig.kz_regelkarte["ur"])  # type: ignore[attr-defined]
    for a in list(ax._children):  # type: ignore[attr-defined]
        a.remove()
    if ax.legend_ is not None:
        ax.legend_.remove()
    for t in (ax.title, ax._left_title, ax._right_title):  # type: ignore[attr-defined]
        t.set_text("")
    ax.ignore_existing_data_limits = True
    ax.dataLim.set_points(Bbox.null().get_points())
    ax._get_lines = type(ax._get_lines)()  # type: ignore[attr-defined]
    ax._get_patches_for_fill = type(ax._get_patches_for_fill)("Polygon")  # type: ignore[attr-defined]
    for name, achse in (("x", ax.xaxis), ("y", ax.yaxis)):
        achse._set_scale("linear")  # type: ignore[attr-defined,union-attr]
        if mpl.rcParams[f"{name}tick.minor.visible"]:  # type: ignore[index]
            achse.set_minor_locator(ticker.AutoMinorLocator())
        achse._set_lim(0, 1, auto=True)  # type: ignore[attr-defined,union-attr]
    ax._update_transScale()  # type: ignore[attr-defined]


def _segmente(karte: pd.DataFrame) -> list[tuple[np.ndarray, np.ndarray]]:
    """(index labels, row mask) of each segment of a control chart, in the order and with the
    rows of ``karte.groupby("segment", sort=True)`` (without its cost of a frame per group)."""
    werte = karte["segment"].to_numpy()
    index = karte.index.to_numpy()
    gueltig = pd.notna(werte)
    out = []
    for s in sorted(set(werte[gueltig].tolist())):
        maske = gueltig & (werte == s)
        out.append((index[maske], maske))
    return out


def _legende(arten: list[str], ziel: bool, vorlaeufig: bool, neu: bool) -> list[Line2D]:
    out = [
        Line2D([], [], color=farben.SCHWARZ, label="Mittelwert"),
        Line2D([], [], color=GRENZE, linestyle="--", label="Grenzen"),
    ]
    if vorlaeufig:
        out.append(Line2D([], [], color=GRENZE, linestyle=":", label="vorläufige Grenzen"))
    for art, (farbe, marker, label) in PUNKTE.items():
        if art in arten:
            out.append(Line2D([], [], color=farbe, marker=marker, linestyle="", label=label))
    if ziel:
        out.append(Line2D([], [], color=OKABE_ITO[2], linestyle="-.", label="Zielwert"))
    if neu:
        out.append(Line2D([], [], color=farben.SCHWARZ, linestyle="-.", label="neue Basis"))
    return out


def _regelkarte_alt(
    karte: pd.DataFrame, titel: str, prozent: bool, arten: list[str], zielwert: float | None
) -> list[str]:
    letzte = karte.iloc[-1]
    grenzen = (
        f"Grenzen zuletzt {_wert(float(letzte['unten']), prozent)} bis "
        f"{_wert(float(letzte['oben']), prozent)}, Mittel {_wert(float(letzte['mitte']), prozent)}"
        if pd.notna(letzte["mitte"])
        else "noch keine Grenzen"
    )
    signale = sum(1 for a in arten if a)
    return [
        f"Regelkarte mit {len(karte)} Werten von {karte['periode'].iloc[0]} bis "
        f"{karte['periode'].iloc[-1]}.",
        _satz(titel.replace("\n", " ")),
        f"Letzter Wert {_wert(float(letzte['wert']), prozent)}; {grenzen}.",
        f"{signale} Werte mit Signal." if signale else "Kein Wert mit Signal.",
        f"Zielwert zuletzt {_wert(zielwert, prozent)}." if zielwert is not None else "",
    ]

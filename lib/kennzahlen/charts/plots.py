"""The house style for every chart in the reports (seaborn's theme, colour-blind-safe, German text).

All report charts come from here, so one change restyles every product. Each function
returns a closed matplotlib Figure: in a notebook the figure is shown once, as a PNG
embedded into the HTML export. Titles state the finding; callers pass them in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axis import Axis  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import Formatter, MaxNLocator  # noqa: E402

from kennzahlen.charts import textmass  # noqa: E402
from kennzahlen.charts.layout import eng as _eng  # noqa: E402
from kennzahlen.charts.layout import fest_und_lose  # noqa: E402,F401
from kennzahlen.charts.layout import leere_beschriftung_fest as _leere_beschriftung_fest  # noqa: E402
from kennzahlen.charts.layout import titel_ohne_ticks as _titel_ohne_ticks  # noqa: E402
from kennzahlen.charts.schrift import schrift_metadaten  # noqa: E402
from kennzahlen.charts.thema import FARBENBLIND, farbenblind  # noqa: E402,F401
from kennzahlen.charts.thema import thema as _thema  # noqa: E402
from kennzahlen.core import farben, fmt  # noqa: E402
from kennzahlen.core.vocabulary import FARBEN  # noqa: E402

if TYPE_CHECKING:
    from matplotlib.typing import ColorType

#: Okabe-Ito: distinguishable with the common colour-vision deficiencies (kennzahlen.core.farben)
OKABE_ITO = farben.OKABE_ITO
HIGHLIGHT = "#D55E00"
NEUTRAL = "#8A9BA8"
AMPEL_FARBEN = farben.AMPEL_FUELLUNG
FIGSIZE = (8.0, 4.2)
DPI = 90


MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
LINESTYLES = ["-", "--", ":", "-."]


class Linienstil(TypedDict):
    """The line style of one area in a chart (keywords of ``Axes.plot``)."""

    color: str
    marker: str
    linestyle: str


def area_styles(n: int) -> list[Linienstil]:
    """A line style per area (colour, marker, dash) that tells ``n`` areas apart.

    Up to eight areas: the eight Okabe-Ito colours. More: the colours repeat, each round with
    its own marker and dash pattern, so that no two areas share colour, marker and dash (and
    colour is never the only carrier of the difference).
    """
    out: list[Linienstil] = []
    for i in range(n):
        r = i // len(OKABE_ITO)
        out.append(
            {
                "color": OKABE_ITO[i % len(OKABE_ITO)],
                "marker": MARKERS[(i + r) % len(MARKERS)] if n > len(OKABE_ITO) else "o",
                "linestyle": LINESTYLES[r % len(LINESTYLES)],
            }
        )
    return out


def setup() -> None:
    """Apply the house style (call once per notebook; the runner's notebooks do)."""
    textmass.einschalten()  # every chart text measured once per process, not once per canvas
    _thema()
    plt.rcParams.update(
        {
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "figure.figsize": FIGSIZE,
            "axes.titlesize": 12.5,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.labelsize": 10.5,
            "legend.frameon": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    try:
        from IPython import get_ipython

        ip = get_ipython()
        if ip is not None:
            from matplotlib_inline.backend_inline import set_matplotlib_formats

            try:
                ip.run_line_magic("matplotlib", "inline")
            except NotImplementedError:  # a shell without a GUI loop (benchmarks, tests)
                pass
            set_matplotlib_formats("png")
            png = ip.display_formatter.formatters["image/png"]
            png.for_type(Figure, _mit_alt(png.lookup_by_type(Figure)))
    except Exception:  # pragma: no cover - outside IPython
        pass


def _mit_alt(png_formatter):
    """The inline PNG formatter (replaced: :func:`kennzahlen.charts.png.zeichne` draws the laid-out
    chart once instead of measuring it in a second draw), plus the chart's alt text as output
    metadata (the report template writes it into the ``<img alt>``)."""

    def format_png(fig: Figure):
        from kennzahlen.charts.png import zeichne

        farben = getattr(fig, "kz_palette", None)  # a chart of few colours: a palette PNG
        data = zeichne(fig, int(farben) if farben else None)  # one draw, no second layout pass
        text = alt_text(fig)
        meta: dict[str, object] = {"alt": text} if text else {}
        meta.update(schrift_metadaten(fig, data))
        return (data, meta) if meta else data

    return format_png


#: the attribute of a matplotlib Figure that carries the chart's alt text
ALT_ATTRIBUT = "kz_alt"


def alt_text(fig: Figure) -> str | None:
    """The alt text a chart of this module carries (what it shows, its finding, its values)."""
    return getattr(fig, ALT_ATTRIBUT, None)


def beschreibe(fig: Figure, *teile: str) -> None:
    """Give the chart its alt text (German sentences, joined): what kind of chart, its finding,
    its values. Every chart of a report needs one (the browser and proofreading tests check);
    the functions of this module set it, a chart drawn elsewhere calls this before display."""
    setattr(fig, ALT_ATTRIBUT, " ".join(t.strip() for t in teile if t and t.strip()))


def _wert(v: float, prozent: bool, nachkomma: int | None = None) -> str:
    if not np.isfinite(v):
        return "kein Wert"
    if prozent:
        return fmt.prozent(v, 1 if nachkomma is None else nachkomma)
    return fmt.zahl(v, nachkomma if nachkomma is not None else (0 if float(v).is_integer() else 1))


def _satz(titel: str) -> str:
    return titel if titel.endswith((".", "!", "?")) else titel + "."


class DeAchse(Formatter):
    """Tick labels in German number format with as many decimals as the ticks need.

    The decimals are chosen at draw time from the tick values (``set_locs``): ticks at 27,5 and
    30 read "27,5" and "30,0", never "28" and "30". ``prozent`` shows a 0–1 share as percent.
    """

    def __init__(self, nachkomma: int = 0, prozent: bool = False) -> None:
        self.mindestens = nachkomma
        self.nachkomma = nachkomma
        self.prozent = prozent

    def set_locs(self, locs: list[float]) -> None:
        """Take the decimals the current ticks need (matplotlib calls this before labelling)."""
        super().set_locs(locs)
        werte = [v * 100 for v in locs] if self.prozent else list(locs)
        self.nachkomma = fmt.nachkomma_noetig(werte, self.mindestens)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return fmt.prozent(x, self.nachkomma) if self.prozent else fmt.zahl(x, self.nachkomma)


def de_achse(nachkomma: int = 0, prozent: bool = False) -> DeAchse:
    """Tick labels in German number format (at least ``nachkomma`` decimals, more if the ticks need
    them)."""
    return DeAchse(nachkomma, prozent)


def _ganzzahlig(werte: object) -> bool:
    """True when every finite value is a whole number (a count)."""
    arr = pd.DataFrame(werte).to_numpy(dtype=float, na_value=np.nan).ravel()
    arr = arr[np.isfinite(arr)]
    return bool(arr.size) and bool(np.all(arr == np.round(arr)))


def zahlenachse(axis: Axis, prozent: bool = False, ganzzahlig: bool = False) -> None:
    """German tick labels on a value axis; a count axis (``ganzzahlig``) gets whole-number ticks
    only."""
    if ganzzahlig and not prozent:
        axis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True))
    axis.set_major_formatter(de_achse(prozent=prozent))


def mpl_hex(farbe: ColorType) -> str:
    """A matplotlib colour (name, RGB tuple, hex) as '#RRGGBB' (for :func:`farben.textfarbe`)."""
    from matplotlib.colors import to_hex

    return to_hex(farbe)


def _done(fig: Figure) -> Figure:
    """Lay the chart out (``tight_layout``; for a chart with a fixed part named by
    :func:`fest_und_lose`, that part measured once per key: :mod:`kennzahlen.charts.layout`)
    and close it."""
    _titel_ohne_ticks(fig)
    _leere_beschriftung_fest(fig)
    angabe = getattr(fig, "kz_lose", None)
    if angabe is None or not _eng(fig, *angabe):
        fig.tight_layout()
    plt.close(fig)
    return fig


def anteile_gestapelt(
    anteile: pd.DataFrame,
    titel: str,
    hervorheben: str | None = None,
    xlabel: str = "Anteil an der Bevölkerung",
) -> Figure:
    """Stacked horizontal bars: rows = areas, columns = groups, values = shares (0–1)."""
    fig, ax = plt.subplots(figsize=(8.0, 0.45 * len(anteile) + 1.6))
    left = np.zeros(len(anteile))
    colors = farbenblind(anteile.shape[1])
    labels = list(anteile.index)
    for i, col in enumerate(anteile.columns):
        vals = anteile[col].to_numpy(dtype=float)
        ax.barh(
            labels, vals, left=left, color=colors[i], label=col, edgecolor="white", linewidth=0.6
        )
        for y, (lft, v) in enumerate(zip(left, vals, strict=True)):
            if v >= 0.07:
                ax.text(
                    lft + v / 2,
                    y,
                    fmt.prozent(v, 0),
                    ha="center",
                    va="center",
                    fontsize=8.5,
                    color=farben.textfarbe(mpl_hex(colors[i])),
                )
        left += vals
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(de_achse(prozent=True))
    ax.set_xlabel(xlabel)
    ax.set_title(titel)
    if hervorheben in labels:
        ax.get_yticklabels()[labels.index(hervorheben)].set_fontweight("bold")
    ax.legend(
        ncol=min(4, anteile.shape[1]), loc="upper center", bbox_to_anchor=(0.5, -0.18), fontsize=9
    )
    gruppen = ", ".join(map(str, anteile.columns))
    zeilen = [
        f"{r}: " + ", ".join(f"{c} {_wert(v, True, 0)}" for c, v in anteile.loc[r].items())
        for r in ([hervorheben] if hervorheben in labels else labels[:1])
    ]
    beschreibe(
        fig,
        f"Gestapelte Balken je Gebiet ({', '.join(map(str, labels))}): {xlabel} nach {gruppen}.",
        _satz(titel),
        "; ".join(zeilen) + ".",
    )
    return _done(fig)


def balken(
    werte: pd.Series,
    titel: str,
    prozent: bool = False,
    hervorheben: str | None = None,
    referenz: float | None = None,
    referenz_text: str = "",
    nachkomma: int = 0,
    ganzzahlig: bool | None = None,
) -> Figure:
    """Horizontal bars per area with value labels; one area highlighted, a reference line.

    ``ganzzahlig`` (default: whole-number values) puts whole-number ticks on the value axis.
    """
    fig, ax = plt.subplots(figsize=(8.0, 0.42 * len(werte) + 1.3))
    colors = [HIGHLIGHT if idx == hervorheben else OKABE_ITO[0] for idx in werte.index]
    ax.barh([str(i) for i in werte.index], werte.to_numpy(dtype=float), color=colors)
    labels = []
    for y, v in enumerate(werte.to_numpy(dtype=float)):
        label = fmt.prozent(v, 1) if prozent else fmt.zahl(v, nachkomma)
        labels.append(ax.text(v, y, " " + label, va="center", fontsize=9))
    if referenz is not None:
        ax.axvline(referenz, color="black", linestyle="--", linewidth=1)
        if referenz_text:
            ax.text(
                referenz, len(werte) - 0.35, " " + referenz_text, fontsize=8.5, ha="left", va="top"
            )
    ax.invert_yaxis()
    zahlenachse(ax.xaxis, prozent, _ganzzahlig(werte) if ganzzahlig is None else ganzzahlig)
    # all bars 0: an axis up to 1 (1 % for shares), not to 1e-9 with ticks a reader cannot tell
    # apart
    ax.set_xlim(
        0,
        max(
            float(np.nanmax(werte.to_numpy(dtype=float))) * 1.18,
            (referenz or 0) * 1.1,
            0.01 if prozent else 1,
        ),
    )
    ax.set_title(titel)
    if referenz is not None:
        _neben_die_linie(ax, labels, referenz)
    werte_text = "; ".join(
        f"{i} {_wert(v, prozent, 1 if prozent else nachkomma)}"
        for i, v in zip(werte.index, werte.to_numpy(dtype=float), strict=True)
    )
    beschreibe(
        fig,
        "Balkendiagramm.",
        _satz(titel),
        f"Werte: {werte_text}.",
        f"Gestrichelte Linie: {referenz_text}." if referenz is not None and referenz_text else "",
    )
    return _done(fig)


def _neben_die_linie(ax, labels: list, referenz: float) -> None:
    """A value label the reference line would run through moves to just right of the line."""
    renderer = ax.figure._get_renderer()
    linie = ax.transData.transform((referenz, 0))[0]
    # 3 px to the right of the line, in data units
    schritt = 3 / (ax.transData.transform((1, 0))[0] - ax.transData.transform((0, 0))[0])
    for t in labels:
        box = t.get_window_extent(renderer)
        if box.x0 - 1 <= linie <= box.x1 + 1:
            t.set_x(referenz + schritt)


def zeitreihe(
    daten: pd.DataFrame,
    titel: str,
    prozent: bool = False,
    zielwert: float | None = None,
    hervorheben: str | None = None,
    ylabel: str = "",
    ganzzahlig: bool | None = None,
) -> Figure:
    """Lines over periods: index = period labels (German), columns = series.

    ``ganzzahlig`` (default: all values whole numbers, i.e. counts) gives whole-number y ticks.
    """
    fig, ax = plt.subplots(figsize=FIGSIZE)
    x = np.arange(len(daten.index))
    viele = daten.shape[1] > len(OKABE_ITO)
    linien = []
    for col, stil in zip(daten.columns, area_styles(daten.shape[1]), strict=True):
        (linie,) = ax.plot(
            x,
            daten[col].to_numpy(dtype=float),
            **_reihenstaerke(hervorheben is None or col == hervorheben, viele),
            label=str(col),
            **stil,
        )
        linien.append((col, linie))
    if zielwert is not None:
        ax.axhline(zielwert, color="black", linestyle="--", linewidth=1)
        stellen = fmt.nachkomma_noetig([zielwert * 100 if prozent else zielwert], hoechstens=2)
        ziel = fmt.prozent(zielwert, stellen) if prozent else fmt.zahl(zielwert, stellen)
        ax.text(
            x[-1] if len(x) else 0,
            zielwert,
            f" Zielwert {ziel}",
            va="bottom",
            ha="right",
            fontsize=8.5,
        )
    step = max(1, len(x) // 10)
    ax.set_xticks(x[::step])
    ax.set_xticklabels([str(v) for v in list(daten.index)[::step]], rotation=0, fontsize=8.5)
    zahlenachse(ax.yaxis, prozent, _ganzzahlig(daten) if ganzzahlig is None else ganzzahlig)
    ax.set_ylabel(ylabel)
    ax.set_title(titel)
    legende = None
    if daten.shape[1] > 1:
        handles, labels = ax.get_legend_handles_labels()  # what ax.legend() would collect
        legende = {
            "handles": handles,
            "labels": labels,
            "fontsize": 8.5,
            "ncol": min(4, daten.shape[1]),
            "loc": "upper center",
            "bbox_to_anchor": (0.5, -0.1),
        }
        ax.legend(**legende)
    # what zeitreihe_hervorheben needs to highlight another line in this figure
    fig.kz_reihe = {"linien": linien, "viele": viele, "legende": legende}  # type: ignore[attr-defined]
    beschreibe(fig, *_zeitreihe_alt(daten, titel, prozent, zielwert))
    return _done(fig)


def _reihenstaerke(strong: bool, viele: bool) -> dict[str, Any]:
    """Marker size, line width and opacity of a line of :func:`zeitreihe` (``strong``: the
    highlighted one, or every line without a highlight; ``viele``: more lines than colours)."""
    return {
        "markersize": (3.5 if strong else 2.5) + (1.5 if viele else 0),
        "linewidth": 2.4 if strong else 1.3,
        "alpha": 1.0 if strong else 0.75,
    }


def zeitreihe_hervorheben(fig: Figure, hervorheben: str | None) -> None:
    """Highlight the line of ``hervorheben`` (every line without one) in a figure of
    :func:`zeitreihe`, as ``zeitreihe(..., hervorheben=hervorheben)`` draws it: the lines' size,
    width and opacity set, and the legend's handles with them. Nothing else in the chart
    depends on the highlight: the lines are clipped to the axes and a legend's handle box has a
    fixed size, so the layout stays the same."""
    angabe = fig.kz_reihe  # type: ignore[attr-defined]
    for col, linie in angabe["linien"]:
        staerke = _reihenstaerke(hervorheben is None or col == hervorheben, angabe["viele"])
        linie.set_markersize(staerke["markersize"])
        linie.set_linewidth(staerke["linewidth"])
        linie.set_alpha(staerke["alpha"])
    if angabe["legende"] is not None:
        _legende_nachziehen(fig.axes[0], angabe["legende"])


def _legende_nachziehen(ax, legende: dict) -> None:
    """The legend's handles as a new legend of the same lines has them: ``HandlerLine2D`` makes
    each a Line2D that copies its line (``update_from``: width, marker size, opacity, the dash
    pattern unscaled and scaled by that width) and scales the marker by ``markerscale``; only
    these three differ between highlights. A legend of other handles is made anew."""
    from matplotlib.legend_handler import HandlerLine2D
    from matplotlib.lines import Line2D

    leg = ax.get_legend()
    griffe = [] if leg is None else leg.legend_handles
    linien = legende["handles"]
    passt = (
        leg is not None
        and len(griffe) == len(linien)
        and all(type(h) is Line2D for h in griffe)
        and all(type(li) is Line2D for li in linien)
        and all(type(leg.get_legend_handler(leg.get_legend_handler_map(), li)) is HandlerLine2D
                for li in linien)
    )  # fmt: skip
    if not passt:
        ax.legend(**legende)
        return
    for h, li in zip(griffe, linien, strict=True):
        h.set_linewidth(li.get_linewidth())
        ms = li.get_markersize()
        h.set_markersize(ms * leg.markerscale if leg.markerscale != 1 else ms)
        h.set_alpha(li.get_alpha())


def _zeitreihe_alt(
    daten: pd.DataFrame, titel: str, prozent: bool, zielwert: float | None
) -> list[str]:
    """Alt text of a line chart: span, finding, the last value of each line, the target."""
    if daten.empty:
        return ["Liniendiagramm ohne Werte.", _satz(titel)]
    zuletzt = "; ".join(
        f"{col} {_wert(s.dropna().iloc[-1], prozent)} ({s.dropna().index[-1]})"
        for col, s in daten.items()
        if s.notna().any()
    )
    ziel = (
        f"Gestrichelte Linie: Zielwert {_wert(zielwert, prozent)}." if zielwert is not None else ""
    )
    return [
        f"Liniendiagramm {daten.index[0]} bis {daten.index[-1]}.",
        _satz(titel),
        f"Zuletzt: {zuletzt}." if zuletzt else "",
        ziel,
    ]


def ampel_raster(lichter: pd.DataFrame, titel: str) -> Figure:
    """A grid of lights (rows = areas, columns = Arbeitsfelder) with text labels
    (greyscale-safe)."""
    fig, ax = plt.subplots(figsize=(1.45 * lichter.shape[1] + 2.2, 0.55 * lichter.shape[0] + 1.2))
    for i, row in enumerate(lichter.index):
        for j, col in enumerate(lichter.columns):
            f = lichter.loc[row, col] or "grau"
            fuellung = AMPEL_FARBEN.get(f, AMPEL_FARBEN["grau"])
            ax.add_patch(plt.Rectangle((j + 0.05, i + 0.08), 0.9, 0.84, color=fuellung))
            ax.text(
                j + 0.5,
                i + 0.5,
                "–" if f == "grau" else FARBEN[f].schild if f in FARBEN else f.upper(),
                ha="center",
                va="center",
                fontsize=9,
                fontweight="bold",
                color=farben.textfarbe(fuellung),
            )
    ax.set_xlim(0, lichter.shape[1])
    ax.set_ylim(lichter.shape[0], 0)
    ax.set_xticks(np.arange(lichter.shape[1]) + 0.5)
    ax.set_xticklabels(list(lichter.columns))
    ax.set_yticks(np.arange(lichter.shape[0]) + 0.5)
    ax.set_yticklabels(list(lichter.index))
    ax.tick_params(length=0)
    ax.grid(False)
    for s in ax.spines.values():
        s.set_visible(False)
    ax.xaxis.tick_top()
    ax.set_title(titel, pad=28)
    zeilen = "; ".join(
        f"{row}: " + ", ".join(_farbwort(lichter.loc[row, c]) for c in lichter.columns)
        for row in lichter.index
    )
    spalten = f"{lichter.columns[0]} bis {lichter.columns[-1]}" if lichter.shape[1] else ""
    beschreibe(fig, f"Ampelraster {spalten}.", _satz(titel), f"Von links nach rechts: {zeilen}.")
    return _done(fig)


def _farbwort(farbe: object) -> str:
    """'grün', 'gelb', 'rot' or 'keine Aussage' for an Ampel colour (alt text)."""
    f = farbe or "grau"
    return FARBEN[f].legende if f in FARBEN else str(f)


def kleine_vielfache(daten: pd.DataFrame, titel: str, spalten: int = 3) -> Figure:
    """Small multiples: one mini line chart per column, each with its own y-scale."""
    n = daten.shape[1]
    zeilen = int(np.ceil(n / spalten))
    fig = plt.figure(figsize=(8.6, 2.3 * zeilen + 0.6))
    # only the panels that show a column: the grid's empty cells get no axes (an invisible axes
    # is neither laid out nor drawn; making one costs as much as a panel)
    raster = fig.add_gridspec(zeilen, spalten)
    x = np.arange(len(daten.index))
    for i, col in enumerate(daten.columns):
        ax = fig.add_subplot(raster[i // spalten, i % spalten])
        y = daten[col].to_numpy(dtype=float)
        ax.plot(x, y, color=OKABE_ITO[0], linewidth=2, marker="o", markersize=2.5)
        if len(y) and np.isfinite(y[-1]):
            ax.plot(x[-1], y[-1], "o", color=HIGHLIGHT, markersize=5)
            # the line comes in from the left: the label stands on the side it does not come from
            faellt = len(y) > 1 and np.isfinite(y[-2]) and y[-2] > y[-1]
            ax.annotate(
                fmt.zahl(y[-1]),
                (x[-1], y[-1]),
                textcoords="offset points",
                xytext=(-4, -7) if faellt else (-4, 6),
                ha="right",
                va="top" if faellt else "baseline",
                fontsize=8.5,
            )
        ax.set_title(str(col), fontsize=10)
        zahlenachse(ax.yaxis, ganzzahlig=_ganzzahlig(y))
        ticks = [0, len(x) - 1] if len(x) > 1 else [0]
        ax.set_xticks(ticks)
        ax.set_xticklabels([str(daten.index[t]) for t in ticks], fontsize=7.5)
        # every panel starts at 0: a cut axis made 550 -> 690 look like an explosion
        hi = np.nanmax(y)
        ax.set_ylim(0, hi + max(hi * 0.2, 1))
        ax.tick_params(labelsize=8)
    fig.suptitle(titel, x=0.01, ha="left", fontweight="bold", fontsize=12.5)
    verlauf = "; ".join(
        f"{col}: {_wert(s.dropna().iloc[0], False)} ({s.dropna().index[0]}) bis "
        f"{_wert(s.dropna().iloc[-1], False)} ({s.dropna().index[-1]})"
        for col, s in daten.items()
        if s.notna().any()
    )
    beschreibe(
        fig,
        f"{n} kleine Liniendiagramme, je mit eigener Skala ab 0.",
        _satz(titel),
        f"{verlauf}.",
    )
    return _done(fig)

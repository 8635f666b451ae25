"""Proofreading: labels that cannot mislead a reader (charts, the analysts' API, make lab).

The browser half (tables, wrapping, "nan" text in every report of a quarter) is in
tests/test_reports_browser.py, next to the reports it reads. Here:

- every axis tick label parses back to its tick value, for every chart of every report of the
  quarter (the product notebooks' own code, run in-process with the figures caught) and for
  charts over arbitrary data (hypothesis);
- ``kz.tabelle`` gives counts as integers and no empty "ohne Zuordnung" row;
- the formatters never put a breaking space between a number and its unit;
- ``make lab`` passes ``--allow-root`` when run as root.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from berichtspruefung import SICHTBAR_VERBOTEN, sichtbarer_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inprocess import Lauf, achsen_probleme, run_notebook
from matplotlib.axis import Axis
from matplotlib.category import StrCategoryLocator
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, NullLocator

import kennzahlen as kz
from kennzahlen.catalog.geography import areas
from kennzahlen.charts import plots
from kennzahlen.core import farben, fmt, paths, vocabulary
from kennzahlen.core.schema import GESAMTSTADT, OHNE_ZUORDNUNG
from kennzahlen.products.quartalsmeldung import bericht as qm

#: the end-to-end layer (`pytest -m "not e2e"` leaves it out; markers in pyproject.toml)
pytestmark = pytest.mark.e2e

PERIODE = "2023-Q4"
NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("0*.ipynb"))
# a German number as the reports print it: 1.234 | 32,5 | −3 | 12,5 % (space or no-break space)
DE_ZAHL = re.compile(
    r"^(?P<sign>[−-])?(?P<int>\d{1,3}(?:\.\d{3})*)(?:,(?P<frac>\d+))?(?P<pct>[ \u00a0\u202f]%)?$"
)


def parse_de(text: str) -> float | None:
    """A German tick label back to its value (percent labels as a share 0–1); None if not a
    number."""
    m = DE_ZAHL.match(text.strip())
    if not m:
        return None
    value = float(m["int"].replace(".", "") + ("." + m["frac"] if m["frac"] else ""))
    value = -value if m["sign"] else value
    return value / 100 if m["pct"] else value


def _labelled_ticks(axis: Axis) -> list[tuple[float, str]]:
    """(tick value, label text) of the major ticks drawn inside the axis' view (after a draw)."""
    lo, hi = sorted(axis.get_view_interval())
    eps = (hi - lo) * 1e-9
    out = []
    for tick, loc in zip(axis.get_major_ticks(), axis.get_majorticklocs(), strict=False):
        if not lo - eps <= loc <= hi + eps:
            continue
        label = tick.label1 if tick.label1.get_visible() else tick.label2
        if label.get_visible():
            out.append((float(loc), label.get_text()))
    return out


def tick_fehler(fig: Figure) -> list[str]:
    """Every numeric tick label that does not read back as its tick value (draws the figure)."""
    # as when saved to PNG (a closed figure's canvas.draw() does nothing)
    fig.draw_without_rendering()
    fehler = []
    for ax in fig.axes:
        if not ax.get_visible() or not ax.axison:
            continue
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            if isinstance(
                axis.get_major_locator(), FixedLocator | StrCategoryLocator | NullLocator
            ):
                continue  # ticks placed at categories (areas, periods): their labels are names
            for loc, text in _labelled_ticks(axis):
                value = parse_de(text)
                titel = ax.get_title("left") or ax.get_title() or fig.get_suptitle()
                if value is None:
                    fehler.append(
                        f"{titel!r} {name}-Achse: {text!r} bei {loc!r} ist keine deutsche Zahl"
                    )
                elif not math.isclose(value, loc, rel_tol=1e-9, abs_tol=1e-12):
                    fehler.append(f"{titel!r} {name}-Achse: {text!r} steht bei {loc!r}")
    return fehler


def _ueber_weiss(rgba) -> str:
    """A matplotlib colour (with alpha) as the #RRGGBB a reader sees on white paper."""
    from matplotlib.colors import to_hex, to_rgba

    r, g, b, a = to_rgba(rgba)
    return to_hex((r * a + (1 - a), g * a + (1 - a), b * a + (1 - a)))


def kontrast_fehler(fig: Figure, gezeichnet: bool = False) -> list[str]:
    """Every text in a chart (value labels, Ampel labels, annotations) below 4.5:1 against the
    fill it stands on (the topmost patch under its centre, else the axes' background).
    ``gezeichnet``: the figure is drawn as it is (:func:`tick_fehler` just drew it)."""
    if not gezeichnet:
        fig.draw_without_rendering()
    fehler = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for t in ax.texts:
            if not t.get_visible() or not t.get_text().strip():
                continue
            box = t.get_window_extent()  # the figure's own renderer (a closed figure too)
            mitte = ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
            fill = _ueber_weiss(ax.get_facecolor())
            for patch in ax.patches:
                if patch.get_visible() and patch.contains_point(mitte):
                    fill = _ueber_weiss(patch.get_facecolor())
            fg = _ueber_weiss(t.get_color())
            k = farben.kontrast(fg, fill)
            if k < farben.MIN_TEXT:
                titel = ax.get_title("left") or ax.get_title() or fig.get_suptitle()
                fehler.append(f"{titel!r}: {t.get_text()!r} {fg} auf {fill}: {k:.2f}:1")
    return fehler


def test_chart_text_contrast_is_checked():
    """The check finds white on the old orange and passes the house style's choice."""
    plots.setup()
    fig = plots.ampel_raster(pd.DataFrame({"2023 Q4": ["rot", "gruen", "gelb", "grau"]}), "t")
    assert kontrast_fehler(fig) == []
    for t in fig.axes[0].texts:
        t.set_color("white")
    assert len(kontrast_fehler(fig)) == 4


def test_parse_de_reads_german_numbers():
    assert parse_de("32,5") == 32.5
    assert parse_de("130.276") == 130276
    assert parse_de("12,5\u00a0%") == pytest.approx(0.125)
    assert parse_de("20 %") == pytest.approx(0.2)
    assert parse_de("−3") == -3
    assert parse_de("32.5") is None and parse_de("1,234.5") is None and parse_de("") is None


def test_notebook_00_chart_labels_its_half_ticks():
    """Notebook 00: counts from 15 to 34 — integer ticks, each label equal to its tick."""
    breit = pd.DataFrame(
        {"A": [25, 14, 29, 27, 27], "B": [17, 18, 24, 26, 19], "C": [20, 34, 32, 33, 33]},
        index=["2019-12-31", "2020-12-31", "2021-12-31", "2022-12-31", "2023-12-31"],
    )
    plots.setup()
    fig = plots.zeitreihe(breit, "Stationäre Hilfen", ylabel="Fälle am 31.12.")
    assert tick_fehler(fig) == []
    ticks = [loc for loc, _ in _labelled_ticks(fig.axes[0].yaxis)]
    assert ticks and all(float(t).is_integer() for t in ticks), (
        ticks
    )  # a count axis has whole ticks


def test_share_axis_shows_the_decimals_its_ticks_need():
    plots.setup()
    reihe = pd.DataFrame({"Gesamtstadt": [0.052, 0.061, 0.058]}, index=["2021", "2022", "2023"])
    fig = plots.zeitreihe(reihe, "SGB-II-Quote", prozent=True)
    assert tick_fehler(fig) == []
    labels = [t for _, t in _labelled_ticks(fig.axes[0].yaxis)]
    assert any("," in t for t in labels), labels  # ticks at 5,2 %, 5,4 % … need a decimal
    assert all(t.endswith("\u00a0%") for t in labels), labels


@st.composite
def reihen(draw: st.DrawFn) -> tuple[str, np.ndarray]:
    """A kind of series (count, share 0–1, rate) and its values, from tiny to large ranges."""
    art = draw(st.sampled_from(["anzahl", "anteil", "rate"]))
    n = draw(st.integers(min_value=2, max_value=12))
    if art == "anteil":
        lo = draw(st.floats(min_value=0, max_value=0.99))
        hi = draw(st.floats(min_value=lo + 1e-4, max_value=1))
    else:
        lo = draw(st.floats(min_value=0, max_value=5e5))
        hi = lo + draw(st.floats(min_value=1e-3, max_value=5e5))
    werte = np.linspace(lo, hi, n)
    return art, np.round(werte) if art == "anzahl" else werte


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reihe=reihen())
def test_tick_labels_equal_their_ticks_for_any_data(reihe: tuple[str, np.ndarray]):
    """Whatever the data, every chart's tick labels read back as their ticks; counts get whole
    ticks."""
    art, werte = reihe
    index = [str(2000 + i) for i in range(len(werte))]
    plots.setup()
    figs = [
        plots.zeitreihe(pd.DataFrame({"A": werte}, index=index), "t", prozent=art == "anteil"),
        plots.kleine_vielfache(pd.DataFrame({"A": werte, "B": werte[::-1]}, index=index), "t"),
        plots.balken(pd.Series(werte[:6], index=index[:6]), "t", prozent=art == "anteil"),
    ]
    for fig in figs:
        assert tick_fehler(fig) == []
    if art == "anzahl" and werte.max() - werte.min() >= 3:  # enough whole numbers for integer ticks
        ticks = [loc for loc, _ in _labelled_ticks(figs[0].axes[0].yaxis)]
        assert all(float(t).is_integer() for t in ticks), ticks


def test_small_counts_get_whole_ticks():
    plots.setup()
    fig = plots.kleine_vielfache(
        pd.DataFrame({"Räumungsklagen": [1, 3, 2, 0, 2]}, index=list("abcde")), "t"
    )
    assert tick_fehler(fig) == []
    ticks = [loc for loc, _ in _labelled_ticks(fig.axes[0].yaxis)]
    assert ticks and all(float(t).is_integer() for t in ticks), ticks


# ---------------------------------------------------------------- every chart of every report


def lauf_of(path: Path, parameters: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> Lauf:
    """Run a notebook's code in-process (as papermill would, with these parameters): what it
    displayed, its figures and the warnings a kernel would print (tests/inprocess.py)."""
    # a notebook may set pandas display options (00 does): they end with the notebook
    with pd.option_context("display.precision", 6, "display.max_rows", 60):
        lauf = run_notebook(path, parameters, monkeypatch)
    matplotlib.pyplot.close("all")
    return lauf


def charts_of(
    path: Path, parameters: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> list[Figure]:
    """Run a notebook's code in-process (as papermill would, with these parameters); its figures."""
    return lauf_of(path, parameters, monkeypatch).figuren


@pytest.mark.parametrize("raum", areas())
@pytest.mark.parametrize(
    "notebook", [p for p in NOTEBOOKS if not p.name.startswith("00")], ids=lambda p: p.stem
)
def test_every_report_chart_labels_its_ticks_truly(
    notebook: Path, raum: str, demo_pool: Path, monkeypatch: pytest.MonkeyPatch
):
    """Every report of the quarter, run once in-process, checked for both: the proofreading of
    its charts (ticks, contrast, alt text) and what tests/test_datenlage.py checks in every
    quarter it tests (no warning, no empty or NaN chart, no NaN/None/error in the text); that
    file runs its other quarters, 2023-Q4 is checked here, in every area."""
    lauf = lauf_of(
        notebook, {"periode": PERIODE, "sozialraum": raum, "pool": str(demo_pool)}, monkeypatch
    )
    figures = lauf.figuren
    assert figures, "the report has no chart"
    fehler = [f for fig in figures for f in tick_fehler(fig)]
    assert fehler == []
    # drawn by tick_fehler, unchanged since: no second layout pass
    assert [f for fig in figures for f in kontrast_fehler(fig, gezeichnet=True)] == []
    assert all(
        plots.alt_text(fig) for fig in figures
    )  # every chart tells a screen reader what it shows
    # tests/test_datenlage.py's checks of a quarter (its _pruefe_in_process)
    assert lauf.warnungen == [], [str(w.message) for w in lauf.warnungen]
    assert [p for fig in figures for p in achsen_probleme(fig)] == []
    text = sichtbarer_text(lauf.text())
    found = SICHTBAR_VERBOTEN.search(text)
    assert found is None, text[max(0, found.start() - 100) : found.end() + 50]


def test_notebook_00_charts_label_their_ticks_truly(
    demo_pool: Path, monkeypatch: pytest.MonkeyPatch
):
    figures = charts_of(
        paths.NOTEBOOKS / "00_datenpool_erkunden.ipynb", {"pool": str(demo_pool)}, monkeypatch
    )
    assert figures
    assert [f for fig in figures for f in tick_fehler(fig)] == []


# ---------------------------------------------------------------- tables and text


def test_tabelle_counts_are_integers_and_no_empty_ohne_zuordnung(demo_pool: Path):
    daten = kz.load_pool(demo_pool)
    tab = kz.tabelle(daten, ["bev_gesamt", "anteil_65plus", "sgb2_quote"], "2023-12-31")
    assert OHNE_ZUORDNUNG not in tab.index  # nobody lives "ohne Zuordnung": no row of 0 and NaN
    assert list(tab.index) == [*kz.sozialraeume(), GESAMTSTADT]
    assert str(tab["bev_gesamt"].dtype) == "Int64"
    assert tab.loc[GESAMTSTADT, "bev_gesamt"] == 130276
    assert "22228.0" not in tab.to_string() and "NaN" not in tab.to_string()
    assert tab["anteil_65plus"].dtype == float


def test_tabelle_keeps_ohne_zuordnung_where_it_has_values(demo_pool: Path):
    daten = kz.load_pool(demo_pool)
    tab = kz.tabelle(daten, ["jh_hze_gesamt", "jh_hze_stationaer"], "2022-12-31")
    assert OHNE_ZUORDNUNG in tab.index
    assert tab.loc[OHNE_ZUORDNUNG, "jh_hze_stationaer"] == 2  # notebook 00: 2 at the end of 2022
    assert str(tab["jh_hze_gesamt"].dtype) == "Int64"


@pytest.mark.parametrize("raum", areas())
def test_change_table_rows_are_unique_and_name_their_arbeitsfeld(demo_pool: Path, raum: str):
    v = qm.veraenderungen(kz.load_pool(demo_pool), PERIODE, raum)
    tab = qm.veraenderungen_formatiert(v, PERIODE)
    assert tab.index.is_unique, tab.index[tab.index.duplicated()].tolist()
    labels = [" ".join(map(str, i)) if isinstance(i, tuple) else str(i) for i in tab.index]
    fallmanagement = [lab for lab in labels if "Fallmanagement" in lab]
    assert any("Eingliederungshilfe" in lab for lab in fallmanagement), fallmanagement
    assert any("Altenhilfe" in lab for lab in fallmanagement), fallmanagement


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        (fmt.prozent(-0.4), "%"),
        (fmt.prozent(0.8, 0), "%"),
        (fmt.veraenderung(3, 5), "%"),
        (fmt.veraenderung(5, 5), "%"),
        (vocabulary.wert_text(0.125, "anteil"), "%"),
    ],
)
def test_a_number_never_breaks_from_its_unit(text: str, unit: str):
    assert text.endswith(unit)
    assert not re.search(r"[ \t\n]", text), repr(text)  # only no-break spaces inside a number


def test_make_lab_allows_root():
    dry = subprocess.run(
        ["make", "-n", "--always-make", "lab"],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lab = next(line for line in dry.splitlines() if "jupyter lab" in line)
    if os.geteuid() == 0:
        assert "--allow-root" in lab
    else:
        assert "--allow-root" not in lab


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (fmt.differenz(0.97, 1, 1), "±0,0"),
        (fmt.differenz(1.03, 1, 1), "±0,0"),
        (fmt.differenz(3, 5), "−2"),
        (fmt.veraenderung(1000, 1000.1), "±0,0\u00a0%"),
        (fmt.veraenderung(3, 5), "−40,0\u00a0%"),
    ],
)
def test_a_change_shows_no_minus_zero(text: str, expected: str):
    assert text == expected

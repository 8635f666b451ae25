"""Funnel figures kept per process (issue 28): the next report's funnel of the same Kennzahl is
the kept figure with another point highlighted. Nothing of the previous report may stay in it
(its highlight, a change made to it), and a figure is only handed out again once its PNG was
made and under the same matplotlib settings; the PNG is always the one of a new figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from kennzahlen.charts import layout, plots, png, streuung  # noqa: E402
from kennzahlen.charts.schrift import schrift_metadaten  # noqa: E402
from kennzahlen.statistik import intervalle as iv  # noqa: E402


@pytest.fixture(autouse=True)
def im_berichtskernel(monkeypatch):
    """Figures are handed out again only in the runner's report kernels (charts.behalten)."""
    from kennzahlen.charts import behalten

    monkeypatch.setenv(behalten.UMGEBUNG, "1")


RAEUME = ["Böfingen", "Eselsberg", "Mitte/Ost", "West", "Wiblingen"]


def _trichter(hervorheben: str | None, referenz: float = 0.12):
    punkte = pd.DataFrame(
        {"nenner": [120.0, 480.0, 950.0, 300.0, 610.0], "wert": [0.2, 0.1, 0.13, 0.05, 0.16]},
        index=RAEUME,
    )
    n = np.linspace(36.0, 950 * 1.25, 120)
    return streuung.trichter(
        punkte, iv.trichter(referenz, n, 1.0, True), referenz,
        "Anteil der Fälle 2023:\nWest jenseits der 95-%-Grenzen", True, hervorheben,
    )  # fmt: skip


def _neu(monkeypatch, hervorheben: str | None, referenz: float = 0.12):
    """A new figure of the funnel (nothing kept) and its PNG with the report's metadata."""
    with monkeypatch.context() as m:
        m.setattr(streuung, "_BEHALTEN", {})
        m.setattr(streuung, "GRENZE_BEHALTEN", 0)
        fig = _trichter(hervorheben, referenz)
        data = png.zeichne(fig, 64)
        return fig, (data, schrift_metadaten(fig, data), plots.alt_text(fig))


def _png(fig) -> tuple:
    data = png.zeichne(fig, 64)
    return data, schrift_metadaten(fig, data), plots.alt_text(fig)


def _hervorgehoben(fig) -> tuple[list[str], list[str]]:
    """(the names in bold, the colours of the visible points that are the highlight colour)."""
    ax = fig.axes[0]
    fett = [t.get_text() for t in ax.texts if t.get_fontweight() in ("bold", 700)]
    farben = [
        to_hex(c.get_facecolor()[0]).upper()
        for c in ax.collections
        if c.get_visible() and to_hex(c.get_facecolor()[0]).upper() == plots.HIGHLIGHT.upper()
    ]
    return fett, farben


@pytest.fixture
def leer():
    plots.setup()
    for cache in (png._GRUENDE, layout._FEST, streuung._BEHALTEN):
        cache.clear()
    yield
    for cache in (png._GRUENDE, layout._FEST, streuung._BEHALTEN):
        cache.clear()


def test_the_previous_highlight_does_not_stay(monkeypatch, leer):
    erster = _trichter("West")
    _png(erster)
    for raum in ["Wiblingen", None, "Gesamtstadt", "Böfingen", "West"]:
        fig = _trichter(raum)
        assert fig is erster  # the kept figure, handed out again
        fett, farben = _hervorgehoben(fig)
        assert fett == ([raum] if raum in RAEUME else [])
        assert len(farben) == (1 if raum in RAEUME else 0)
        assert _png(fig) == _neu(monkeypatch, raum)[1], raum
        assert getattr(fig.canvas, "renderer", None) is None  # kept without the canvas' pixels
    assert len(streuung._BEHALTEN) == 1


def test_a_figure_whose_png_was_not_made_is_not_handed_out_again(leer):
    erster = _trichter("West")
    zweiter = _trichter("Wiblingen")  # the first one not displayed yet: it must keep its point
    assert zweiter is not erster
    assert _hervorgehoben(erster)[0] == ["West"]
    assert _hervorgehoben(zweiter)[0] == ["Wiblingen"]


def test_a_figure_changed_before_its_png_is_not_handed_out_again(monkeypatch, leer):
    erster = _trichter("West")
    erster.axes[0].axhline(0.3, color="#00FF00")  # a notebook adds a line, then shows it
    _png(erster)
    fig = _trichter("Wiblingen")
    assert fig is not erster
    assert len(fig.axes[0].lines) == len(erster.axes[0].lines) - 1
    assert _png(fig) == _neu(monkeypatch, "Wiblingen")[1]


def test_a_figure_changed_after_its_png_is_not_handed_out_again(monkeypatch, leer):
    erster = _trichter("West")
    _png(erster)
    erster.axes[0].collections[0].set_color("#00FF00")  # a change after the report showed it
    fig = _trichter("Wiblingen")
    assert fig is not erster
    assert _png(fig) == _neu(monkeypatch, "Wiblingen")[1]
    # its alt text replaced after the PNG: not handed out again either
    _png(fig)
    plots.beschreibe(fig, "Etwas anderes.")
    nochmal = _trichter("Böfingen")
    assert nochmal is not fig
    assert _png(nochmal) == _neu(monkeypatch, "Böfingen")[1]


def test_changed_settings_are_another_figure(monkeypatch, leer):
    erster = _trichter("West")
    _png(erster)
    for rc in [{"axes.edgecolor": "#FF0000"}, {"font.size": 13.0}, {"lines.linewidth": 3.0}]:
        with plt.rc_context(rc):
            fig = _trichter("Wiblingen")
            assert fig is not erster, rc
            assert _png(fig) == _neu(monkeypatch, "Wiblingen")[1], rc
    # back under the first settings: the first figure again, with its new highlight only
    fig = _trichter("Eselsberg")
    assert fig is erster
    assert _png(fig) == _neu(monkeypatch, "Eselsberg")[1]


def test_a_png_at_another_dpi_leaves_nothing_behind(monkeypatch, leer):
    erster = _trichter("West")
    png.zeichne(erster, 64, dpi=150)  # a print copy first
    fig = _trichter("Mitte/Ost")
    assert fig is erster
    assert fig.dpi == plots.DPI
    assert _png(fig) == _neu(monkeypatch, "Mitte/Ost")[1]


def test_another_funnel_is_another_figure_and_only_so_many_are_kept(monkeypatch, leer):
    monkeypatch.setattr(streuung, "GRENZE_BEHALTEN", 3)
    figuren = []
    for i in range(5):
        fig = _trichter("West", 0.1 + 0.01 * i)
        _png(fig)
        figuren.append(fig)
    assert len({id(f) for f in figuren}) == 5
    assert len(streuung._BEHALTEN) == 3
    assert _trichter("Wiblingen", 0.14) is figuren[4]
    fig = _trichter("Wiblingen", 0.1)  # dropped: a new one
    assert all(fig is not f for f in figuren)
    assert _png(fig) == _neu(monkeypatch, "Wiblingen", 0.1)[1]

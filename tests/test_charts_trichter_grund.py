"""Funnel plots laid out and drawn once per funnel (issue 28): the same funnel in every
Sozialraum's report keeps the tight box and the picture of its fixed part (limits, axes, ticks);
the next report's funnel, with another point highlighted, is the same PNG as drawn whole."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from kennzahlen.charts import layout, plots, png, streuung  # noqa: E402
from kennzahlen.charts.schrift import schrift_metadaten  # noqa: E402
from kennzahlen.statistik import intervalle as iv  # noqa: E402

RAEUME = ["Böfingen", "Eselsberg", "Mitte/Ost", "West", "Wiblingen"]


def _trichter(hervorheben: str | None, referenz: float = 0.12, faktor: float = 1.0):
    punkte = pd.DataFrame(
        {"nenner": [120.0, 480.0, 950.0, 300.0, 610.0], "wert": [0.2, 0.1, 0.13, 0.05, 0.16]},
        index=RAEUME,
    )
    n = np.linspace(36.0, 950 * 1.25, 120)
    grenzen = iv.trichter(referenz, n, faktor, True)
    return streuung.trichter(
        punkte, grenzen, referenz, "Anteil der Fälle 2023:\nWest jenseits der 95-%-Grenzen",
        True, hervorheben,
    )  # fmt: skip


def _ganz(monkeypatch, *args) -> tuple[bytes, dict]:
    """The funnel laid out and drawn whole, as before (no fixed part named, a new figure)."""
    with monkeypatch.context() as m:
        m.setattr(plots, "fest_und_lose", lambda *a: None)
        m.setattr(streuung, "_BEHALTEN", {})
        m.setattr(streuung, "GRENZE_BEHALTEN", 0)
        fig = _trichter(*args)
        data = png.zeichne(fig, 64)
        return data, schrift_metadaten(fig, data)


@pytest.fixture
def leer():
    plots.setup()
    png._GRUENDE.clear()
    layout._FEST.clear()
    streuung._BEHALTEN.clear()
    png._ACHSENBOXEN.clear()
    yield
    png._GRUENDE.clear()
    layout._FEST.clear()
    streuung._BEHALTEN.clear()
    png._ACHSENBOXEN.clear()


def test_every_highlight_gives_the_png_of_the_whole_draw(monkeypatch, leer):
    erwartet = {r: _ganz(monkeypatch, r) for r in [None, *RAEUME]}
    gezaehlt = {"mit": 0}
    original = png._mit_grund

    def mit(*args):
        gezaehlt["mit"] += 1
        return original(*args)

    monkeypatch.setattr(png, "_mit_grund", mit)
    for r in [None, *RAEUME, "West"]:
        fig = _trichter(r)
        data = png.zeichne(fig, 64)
        assert (data, schrift_metadaten(fig, data)) == erwartet[r], r
    assert len(png._GRUENDE) == 1 and len(layout._FEST) == 1  # one funnel: kept once
    assert gezaehlt["mit"] == len(RAEUME) + 1  # every funnel after the first from the picture


def test_another_funnel_is_not_served_from_the_kept_one(monkeypatch, leer):
    png.zeichne(_trichter("West"), 64)
    for args in [("West", 0.15), ("West", 0.12, 1000.0)]:
        fig = _trichter(*args)
        assert png.zeichne(fig, 64) == _ganz(monkeypatch, *args)[0]
    assert len(png._GRUENDE) == 3 and len(layout._FEST) == 3


def test_other_settings_are_another_key(monkeypatch, leer):
    png.zeichne(_trichter("West"), 64)
    with plt.rc_context({"axes.edgecolor": "#FF0000", "grid.color": "#00FF00"}):
        erwartet = _ganz(monkeypatch, "West")[0]
        assert png.zeichne(_trichter("West"), 64) == erwartet
    assert len(png._GRUENDE) == 2


def test_a_varying_artist_drawn_before_the_fixed_part_ends_is_drawn_whole(leer):
    """When an artist that is not named varying is drawn after a varying one, there is no
    fixed part to keep: the figure is drawn whole."""
    fig = _trichter("West")
    fig.axes[0].plot([100, 900], [0.1, 0.2], zorder=10)  # drawn last, not among the varying
    assert png._grundplan(fig, fig.canvas) is None
    png.zeichne(fig, 64)
    assert not png._GRUENDE


def test_a_kept_picture_drawn_another_way_falls_back_to_the_whole_draw(monkeypatch, leer):
    png.zeichne(_trichter("West"), 64)
    (key,) = png._GRUENDE
    png._GRUENDE[key] = np.zeros((3, 3, 4), dtype=np.uint8)  # not this canvas' size
    assert png.zeichne(_trichter("Wiblingen"), 64) == _ganz(monkeypatch, "Wiblingen")[0]


def _oben(titel: str, punkt: float, skala: float, grund: bool):
    """A chart whose title the draw lifts above the tick labels on top (and, with ``skala``
    1e6, next to the y axis' offset text); its fixed part named when ``grund``."""
    fig, ax = plt.subplots(figsize=(6.0, 3.0))
    ax.plot([0, 1, 2], [skala, 2 * skala, 1.5 * skala])
    ax.xaxis.tick_top()
    ax.set_xlabel("oben", labelpad=4)
    ax.xaxis.set_label_position("top")
    titel_alle = [ax.title, ax._left_title, ax._right_title]
    vorn = [ax.scatter([punkt], [1.5 * skala], zorder=3), *titel_alle]
    ax.set_title(titel)
    fig.subplots_adjust(left=0.15, top=0.6)  # the same place for every title
    if grund:
        png.grund(fig, ("oben", skala), vorn)
    plt.close(fig)
    return fig


@pytest.mark.parametrize("skala", [1.0, 1e6])
def test_the_title_is_placed_as_in_the_whole_draw(leer, skala):
    """The axes' boxes the title is placed against come from the first draw of the key: the title
    lands where the whole draw puts it, also when it changes; with an offset text on the y axis
    nothing is kept."""
    for titel, punkt in [("Erster", 0.5), ("Zweiter,\nzweizeilig", 1.5), ("Erster", 1.0)]:
        fig = _oben(titel, punkt, skala, True)
        data = png.zeichne(fig)
        ganz = _oben(titel, punkt, skala, False)
        assert data == png.zeichne(ganz), titel
        assert fig.axes[0].title.get_position() == ganz.axes[0].title.get_position()
        assert ganz.axes[0].title.get_position()[1] > 1.0  # lifted above the tick labels
    assert len(png._GRUENDE) == 1
    assert len(png._ACHSENBOXEN) == (1 if skala == 1.0 else 0)

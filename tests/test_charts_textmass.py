"""Chart texts measured once per process (kennzahlen.charts.textmass): the same sizes as
matplotlib's per-canvas measuring, the same PNG, and no second measuring of the same text."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import RendererAgg  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402

from kennzahlen.charts import png, textmass  # noqa: E402


@pytest.fixture
def gemessen(monkeypatch):
    """How often the Agg renderer measured a text."""
    zaehler = {"n": 0}
    original = RendererAgg.get_text_width_height_descent

    def zaehlend(self, s, prop, ismath):
        zaehler["n"] += 1
        return original(self, s, prop, ismath)

    monkeypatch.setattr(RendererAgg, "get_text_width_height_descent", zaehlend)
    yield zaehler
    textmass.ausschalten()


def _chart():
    fig, ax = plt.subplots(figsize=(4, 2.5), dpi=90)
    ax.plot([2019, 2020, 2021], [0.12, 0.18, 0.15], label="Wiblingen")
    ax.set_title("Anteil steigt: 18 % im Jahr 2020", loc="left", fontweight="bold")
    ax.set_xlabel("Jahr")
    ax.text(2020, 0.16, r"$\bar{x}$ = 15 %")
    ax.legend()
    fig.tight_layout()
    plt.close(fig)
    return fig


def test_the_same_sizes_as_matplotlib_per_canvas():
    texte = ["2019", "Gesamtstadt", "Ü 1.234,5 %", r"$x^2_{i}$", "zwei Wörter"]
    schriften = [FontProperties(size=10.5), FontProperties(size=12.5, weight="bold")]
    erwartet = {
        (t, i, dpi): RendererAgg(400, 300, dpi).get_text_width_height_descent(
            t, f, t.startswith("$")
        )
        for t in texte
        for i, f in enumerate(schriften)
        for dpi in (72, 90)
    }
    textmass.einschalten()
    try:
        for (t, i, dpi), wert in erwartet.items():
            r = RendererAgg(800, 600, dpi)
            assert textmass._gemessen(r, t, schriften[i], t.startswith("$"), dpi) == wert
    finally:
        textmass.ausschalten()


def test_a_text_is_measured_once_for_all_charts_and_the_png_is_the_same(gemessen):
    textmass.ausschalten()
    ohne = [png.zeichne(_chart()) for _ in range(2)]
    zweimal = gemessen["n"]
    assert ohne[0] == ohne[1]
    gemessen["n"] = 0
    assert textmass.einschalten()
    textmass._mass.cache_clear()
    erste = png.zeichne(_chart())
    beim_ersten = gemessen["n"]
    zweite = png.zeichne(_chart())
    assert gemessen["n"] == beim_ersten  # the second chart: every text known already
    assert beim_ersten < zweimal / 2
    assert erste == zweite == ohne[0]  # the same picture, byte for byte

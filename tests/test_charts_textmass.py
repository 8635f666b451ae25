"""Chart texts measured once per process (kennzahlen.charts.textmass): the same sizes as
matplotlib's per-canvas measuring, the same PNG, and no second measuring of the same text."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg  # noqa: E402
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


def _vielerlei_text(groesse: float = 10.0, familie: str = "DejaVu Sans"):
    """A chart with rotated, bold, multi-line, math and annotated texts, and names with a white
    halo (drawn as paths, as on a class map)."""
    from matplotlib import patheffects

    fig, ax = plt.subplots(figsize=(4.5, 3), dpi=90)
    halo = [patheffects.withStroke(linewidth=2.6, foreground="white")]
    for i, name in enumerate(["Eselsberg", "Weststadt", "Böfingen", "Eselsberg"]):
        ax.text(0.1 + 0.5 * i, 1.2 + 0.2 * i, name, fontsize=groesse, family=familie,
                path_effects=halo, rotation=20 * (i == 2))  # fmt: skip
    ax.plot([0, 1, 2], [3, 1, 2])
    ax.set_ylabel("Fälle je 1.000", fontsize=groesse, family=familie)
    ax.set_title("Zwei Zeilen:\nWiblingen vorn", loc="left", fontweight="bold")
    ax.annotate("Böfingen", (1, 1), xytext=(8, 16), textcoords="offset points",
                fontsize=groesse, family=familie, arrowprops={"arrowstyle": "-"})  # fmt: skip
    ax.text(0.2, 2.5, "schräg 45 %", rotation=45, fontsize=groesse, family=familie)
    ax.text(1.5, 2.8, r"$\sqrt{2}$ und 3", fontsize=groesse)
    ax.set_xticks([0, 1, 2], ["2019", "2020", "2021"], rotation=30)
    fig.tight_layout()
    plt.close(fig)
    return fig


def _pixel(fig) -> bytes:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return bytes(canvas.buffer_rgba())


def test_layout_and_glyph_caches_give_the_same_pixels_and_png():
    textmass.ausschalten()
    ohne = [_pixel(_vielerlei_text()), png.zeichne(_vielerlei_text(), 32)]
    assert textmass.einschalten()
    textmass.leeren()
    try:
        for _ in range(2):  # filled, then every layout, glyph and glyph image from the caches
            mit = [_pixel(_vielerlei_text()), png.zeichne(_vielerlei_text(), 32)]
            assert mit == ohne
        assert len(textmass._LAYOUTS) and len(textmass._GLYPHEN) and len(textmass._BILDER)
        assert len(textmass._PFADE) == 3  # the names drawn as paths, each once
    finally:
        textmass.ausschalten()


def test_a_kept_text_outline_is_matplotlibs_own_and_the_callers_copy():
    """The outline of a text drawn as a path: the vertices and codes matplotlib makes, another
    size or text anew, a caller's change never reaches the next caller; at most GRENZE_PFADE."""
    from matplotlib.path import Path
    from matplotlib.textpath import TextToPath

    faelle = [
        ("Söflingen", FontProperties(size=8.5)),
        ("Söflingen", FontProperties(size=12)),
        ("Mitte/Ost", FontProperties(size=8.5, weight="bold")),
        ("", FontProperties()),
    ]
    textmass.ausschalten()
    ohne = [Path(*TextToPath().get_text_path(f, s)) for s, f in faelle]
    assert textmass.einschalten()
    textmass.leeren()
    grenze = textmass._PFADE.grenze
    try:
        for _ in range(2):
            for (s, f), erwartet in zip(faelle, ohne, strict=True):
                verts, codes = TextToPath().get_text_path(f, s)
                pfad = Path(verts, codes)
                assert np.array_equal(pfad.vertices, erwartet.vertices)
                assert (pfad.codes is None) == (erwartet.codes is None)
                assert np.array_equal(np.asarray(pfad.codes), np.asarray(erwartet.codes))
                verts[:] = -1.0  # the caller's own
                codes.clear()
        assert len(textmass._PFADE) == len(faelle)
        textmass.leeren()
        textmass._PFADE.grenze = 2
        for i in range(5):
            TextToPath().get_text_path(FontProperties(), f"Gebiet {i}")
        assert len(textmass._PFADE) == 2
    finally:
        textmass._PFADE.grenze = grenze
        textmass.ausschalten()


@pytest.mark.parametrize(
    ("groesse", "familie", "rc"),
    [(12.5, "DejaVu Sans", {}), (10.0, "DejaVu Serif", {}), (10.0, "sans-serif",
     {"font.sans-serif": ["DejaVu Sans Mono"]}), (10.0, "DejaVu Sans", {"text.hinting": "none"})],
)  # fmt: skip
def test_another_font_size_or_setting_is_laid_out_and_drawn_anew(groesse, familie, rc):
    """The caches hold the default chart; another size, family or font setting must not be
    served from them (the pixels are matplotlib's own for that font)."""
    with plt.rc_context(rc):
        textmass.ausschalten()
        erwartet = _pixel(_vielerlei_text(groesse, familie))
    assert textmass.einschalten()
    textmass.leeren()
    try:
        _pixel(_vielerlei_text())  # fills the caches with the default font
        with plt.rc_context(rc):
            assert _pixel(_vielerlei_text(groesse, familie)) == erwartet
    finally:
        textmass.ausschalten()


def test_a_cached_layout_is_the_callers_own_copy():
    assert textmass.einschalten()
    textmass.leeren()
    try:
        fig = _vielerlei_text()
        renderer = FigureCanvasAgg(fig).get_renderer()
        titel = fig.axes[0]._left_title
        box, zeilen, _ = titel._get_layout(renderer)
        box.x0 = -999.0
        zeilen.clear()
        box2, zeilen2, _ = titel._get_layout(renderer)
        assert box2.x0 != -999.0 and len(zeilen2) == 2
    finally:
        textmass.ausschalten()

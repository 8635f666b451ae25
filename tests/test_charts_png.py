"""Charts drawn once (issue 28): the PNG of a laid-out chart comes from one draw, cropped to its
ink, and shows what the tight bounding box showed (nothing cut off, same size of content)."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from kennzahlen.charts import plots


def _rgba(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def _ink(bild: np.ndarray) -> tuple[int, int]:
    """Height and width of what differs from the corner (background) pixel."""
    tinte = np.any(bild != bild[0, 0], axis=2)
    zeilen, spalten = np.flatnonzero(tinte.any(axis=1)), np.flatnonzero(tinte.any(axis=0))
    return int(zeilen[-1] - zeilen[0] + 1), int(spalten[-1] - spalten[0] + 1)


def _draws(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts full draws of a figure (Figure.draw with a real Agg renderer)."""
    from matplotlib.backends.backend_agg import RendererAgg

    gezaehlt: list[int] = []
    original = Figure.draw

    def draw(self, renderer):
        if isinstance(renderer, RendererAgg):
            gezaehlt.append(1)
        return original(self, renderer)

    monkeypatch.setattr(Figure, "draw", draw)
    return gezaehlt


def _legende_daneben(rechts: float = 0.8) -> Figure:
    """A chart whose legend (anchored beside the axes, as the class maps' legend) reaches beyond
    the figure's right edge."""
    fig, ax = plt.subplots(figsize=(8.0, 3.0))
    ax.plot([0, 1], [0, 1], label="Legende daneben")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title("Titel")
    fig.subplots_adjust(right=rechts)
    plt.close(fig)
    return fig


def test_the_report_png_is_one_draw_and_shows_what_the_tight_box_showed(monkeypatch):
    from kennzahlen.charts.png import zeichne

    plots.setup()
    alt = io.BytesIO()
    _legende_daneben().savefig(alt, format="png", dpi=plots.DPI, bbox_inches="tight")
    fig = _legende_daneben()
    gezaehlt = _draws(monkeypatch)
    neu = zeichne(fig)
    assert len(gezaehlt) == 1  # the tight bounding box drew it twice
    h_alt, w_alt = _ink(_rgba(alt.getvalue()))
    h_neu, w_neu = _ink(_rgba(neu))
    # the legend beyond the figure's edge is there: the same ink (subpixel offsets: 1 px)
    assert abs(h_alt - h_neu) <= 1 and abs(w_alt - w_neu) <= 1
    geschnitten = io.BytesIO()  # the figure as it is, without the margin: the legend is cut
    _legende_daneben().savefig(geschnitten, format="png", dpi=plots.DPI)
    assert _ink(_rgba(geschnitten.getvalue()))[1] < w_neu - 9
    # margin 0.1 in (9 px at 90 dpi) around the ink, as savefig.pad_inches
    assert _rgba(neu).shape[1] == w_neu + 2 * 9
    assert fig.get_size_inches().tolist() == [8.0, 3.0]  # the figure is left as it was


def test_the_inline_formatter_draws_a_palette_chart_once(monkeypatch):
    plots.setup()
    fig = plots.balken(pd.Series({"Nord": 3.0, "Süd": 5.0}), "Süd hat mehr")
    fig.kz_palette = 32  # type: ignore[attr-defined]
    gezaehlt = _draws(monkeypatch)
    data, meta = plots._mit_alt(None)(fig)
    assert len(gezaehlt) == 1
    assert Image.open(io.BytesIO(data)).mode == "P"  # a palette PNG
    assert meta["alt"].startswith("Balkendiagramm.") and meta["kz_schrift"] > 0


def test_a_legend_beyond_the_margin_is_measured_the_old_way():
    """A legend reaching further than the margin drawn around the figure (0.6 in): the chart is
    saved with the tight bounding box, so nothing is cut off."""
    from kennzahlen.charts.png import zeichne

    plots.setup()
    alt = io.BytesIO()
    _legende_daneben(0.95).savefig(alt, format="png", dpi=plots.DPI, bbox_inches="tight")
    assert _ink(_rgba(zeichne(_legende_daneben(0.95)))) == _ink(_rgba(alt.getvalue()))


def _pixel(fig: Figure) -> np.ndarray:
    fig.axes[0].set_axis_off()  # as every map (plots.kartenrahmen)
    puffer = io.BytesIO()
    fig.savefig(puffer, format="png", dpi=plots.DPI)
    plt.close(fig)
    return _rgba(puffer.getvalue())


def test_base_map_paths_draw_what_geopandas_draws():
    """Two Stadtviertel (one with a hole, one of two parts): the cached paths give the same
    pixels as GeoDataFrame.plot, fill, hatch, values and boundary alike."""
    import geopandas as gpd
    from matplotlib.colors import Normalize
    from shapely.geometry import MultiPolygon, Polygon

    from kennzahlen.charts import grundkarte

    loch = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (1, 2), (2, 2), (2, 1)]])
    zwei = MultiPolygon([Polygon([(5, 0), (7, 0), (7, 2)]), Polygon([(5, 3), (7, 3), (6, 5)])])
    gdf = gpd.GeoDataFrame({"wert": [1.0, 3.0]}, geometry=[loch, zwei], crs="EPSG:3035")
    norm, stil = Normalize(0, 4), {"edgecolor": "white", "linewidth": 0.5}

    alt, ax = plt.subplots(figsize=(3, 2))
    gdf.plot(ax=ax, column="wert", cmap="viridis", norm=norm, **stil)
    gdf.iloc[:1].plot(ax=ax, facecolor="none", edgecolor="#333333", linewidth=0, hatch="//")
    gdf.iloc[1:].boundary.plot(ax=ax, color="black", linewidth=1.6)
    neu, ax = plt.subplots(figsize=(3, 2))
    grundkarte.flaechen(ax, gdf.geometry, gdf["wert"], cmap="viridis", norm=norm, **stil)
    grundkarte.flaechen(
        ax, gdf.geometry[:1], facecolor="none", edgecolor="#333333", linewidth=0, hatch="//"
    )
    grundkarte.raender(ax, gdf.geometry[1:], color="black", linewidth=1.6)
    assert np.array_equal(_pixel(alt), _pixel(neu))


def test_a_class_map_is_built_without_drawing(monkeypatch):
    """geopandas drew the whole figure after each of its calls (five to seven per class map);
    the map is now drawn once, for its PNG."""
    from kennzahlen.catalog.geography import flaechen
    from kennzahlen.charts import klassen

    plots.setup()
    gdf = flaechen().gdf.iloc[:12]
    farbe = dict(zip(["1", "2"], klassen.STATUS_FARBEN[:2], strict=True))
    gezaehlt = _draws(monkeypatch)
    klassen.klassenkarte(
        {nr: ["1", "2", None][i % 3] for i, nr in enumerate(gdf.index)},
        gdf, "Status", farbe, {"1": "1", "2": "2"}, umrandet=list(gdf.index[:2]), alt="Karte",
    )  # fmt: skip
    assert gezaehlt == []


def _tinte_wie_vorher(rgba: np.ndarray, pad: float):
    """The ink window as png._tinte computed it before (channel by channel)."""
    tinte = np.any(rgba != rgba[0, 0], axis=2)
    zeilen = np.flatnonzero(tinte.any(axis=1))
    spalten = np.flatnonzero(tinte.any(axis=0))
    if not len(zeilen):
        return None
    h, w = tinte.shape
    if zeilen[0] == 0 or spalten[0] == 0 or zeilen[-1] == h - 1 or spalten[-1] == w - 1:
        return None
    p = int(round(pad))
    return (max(0, zeilen[0] - p), min(h, zeilen[-1] + 1 + p),
            max(0, spalten[0] - p), min(w, spalten[-1] + 1 + p))  # fmt: skip


def test_the_ink_window_is_found_as_before():
    from kennzahlen.charts import png

    rng = np.random.default_rng(28)
    leer = np.full((40, 60, 4), 255, dtype=np.uint8)
    faelle = [leer, leer.copy(), leer.copy(), leer.copy(), leer.copy()]
    faelle[1][10:20, 15:31] = (0, 0, 0, 255)
    faelle[2][5, 7, 3] = 254  # only the alpha channel differs
    faelle[3][0, 30] = (1, 2, 3, 255)  # ink at the edge
    faelle[4][3:37, 2:58] = rng.integers(0, 256, (34, 56, 4), dtype=np.uint8)
    for bild in faelle:
        for pad in (0, 9, 9.4, 100):
            assert png._tinte(bild, pad) == _tinte_wie_vorher(bild, pad)


def _idat(data: bytes) -> bytes:
    """The image data of a PNG (its IDAT chunks joined)."""
    import struct

    i, out = 8, b""
    while i < len(data):
        (n,) = struct.unpack(">I", data[i : i + 4])
        if data[i + 4 : i + 8] == b"IDAT":
            out += data[i + 8 : i + 8 + n]
        i += 12 + n
    return out


def test_the_rgba_png_is_known_larger_without_encoding_it_whole():
    """The count stops once the compressed data exceed the limit: then the file is larger; the
    compressed stream counted in small blocks is the file's own."""
    from PIL import ImageFile

    from kennzahlen.charts import png

    fig = plots.zeitreihe(
        pd.DataFrame({"A": [0.1, 0.3, 0.2, 0.4], "B": [0.2, 0.1, 0.3, 0.2]},
                     index=["2020", "2021", "2022", "2023"]), "Zwei Linien", prozent=True,
    )  # fmt: skip
    bild = _rgba(png.zeichne(fig))
    voll = png._rgba_png(bild, fig.dpi)
    daten = len(_idat(voll))
    zaehler = png._IdatZaehler(10**9)
    png._rgba_png(bild, fig.dpi, zaehler)
    assert zaehler.idat == daten  # every byte of the image data counted, none of the headers
    assert png._rgba_groesser(bild, fig.dpi, daten - 1)
    assert not png._rgba_groesser(bild, fig.dpi, daten)
    assert not png._rgba_groesser(bild, fig.dpi, len(voll))
    assert ImageFile.MAXBLOCK == 65536  # restored
    assert png._rgba_png(bild, fig.dpi) == voll


@pytest.mark.parametrize("farben", [8, 32, 64, 256])
def test_the_palette_choice_is_the_same_as_encoding_both(farben):
    """Palette or RGBA: the smaller, as when both were encoded whole (RGBA when equal)."""
    from PIL import Image

    from kennzahlen.charts import png

    def beide(bild: np.ndarray, dpi: float) -> bytes:  # the smaller of both encoded whole
        rgb = Image.fromarray(np.ascontiguousarray(bild[..., :3]), mode="RGB")
        out = io.BytesIO()
        png._quantisiert(rgb, farben, "fastoctree").save(out, format="PNG", optimize=True)
        voll = png._rgba_png(bild, dpi)
        return voll if len(voll) <= len(out.getvalue()) else out.getvalue()

    fig = plots.balken(pd.Series([3.0, 5.0, 2.0], index=["A", "B", "C"]), "Balken")
    bild = _rgba(png.zeichne(fig))
    assert png._palette(bild, farben, "fastoctree", fig.dpi) == beide(bild, fig.dpi)
    rauschen = np.random.default_rng(farben).integers(0, 256, bild.shape, dtype=np.uint8)
    rauschen[..., 3] = 255  # noise: the palette of a few colours is no smaller than RGBA
    assert png._palette(rauschen, farben, "fastoctree", fig.dpi) == beide(rauschen, fig.dpi)

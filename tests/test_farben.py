"""Map colours a reader never takes for "nicht bewertet" (issue 26: the middle colours of the
SGB-II map, on the grey 'cividis' scale, looked like the grey of areas not rated).

The rule, on the palette and not on a picture: every colour of the map's scale keeps a chroma
(CIELAB C*) of at least ``farben.MIN_BUNTHEIT`` and lies at least ΔE 20 from the grey, also as
a reader with a red-green deficiency (protanopia, deuteranopia: 1 in 12 men) sees it; and an
area not rated is hatched in a grey with 3:1 on its fill (WCAG 2.1, 1.4.1 and 1.4.11), so it
never depends on colour at all. Small hand-made maps, no demo data.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from matplotlib import colors as mcolors
from matplotlib import pyplot as plt
from shapely.geometry import box

from kennzahlen.charts import karten, klassen
from kennzahlen.core import farben

SICHTEN = ("protan", "deutan")


def test_colour_math_by_hand():
    assert farben.lab("#FFFFFF") == pytest.approx((100, 0, 0), abs=0.02)
    assert farben.lab("#000000") == (0, 0, 0)
    assert farben.farbabstand("#FFFFFF", "#000000") == pytest.approx(100)
    assert farben.buntheit("#808080") < 0.01  # any grey: chroma 0
    # pure red, deuteranopia: linear (0,367322; 0,280085; 0) -> sRGB (163, 144, 0)
    assert farben.fehlsichtig("#FF0000", "deutan") == "#A39000"
    assert {farben.fehlsichtig("#808080", a) for a in ("protan", "deutan", "tritan")} == {
        "#808080"
    }  # a grey stays the grey it is


def _skala(cmap, n: int = 21) -> list[str]:
    return [mcolors.to_hex(cmap(x)).upper() for x in np.linspace(0, 1, n)]


def _grau_funde(skala: list[str]) -> list[str]:
    funde = []
    for farbe in skala:
        for art, sicht in [("", farbe), *((a, farben.fehlsichtig(farbe, a)) for a in SICHTEN)]:
            if farben.buntheit(sicht) < farben.MIN_BUNTHEIT:
                funde.append(f"{farbe} {art}: Buntheit {farben.buntheit(sicht):.0f}")
            if farben.farbabstand(sicht, farben.NICHT_BEWERTET) < 20:
                funde.append(
                    f"{farbe} {art}: ΔE {farben.farbabstand(sicht, farben.NICHT_BEWERTET)}"
                )
    return funde


def test_the_rule_finds_the_old_grey_scale():
    assert len(_grau_funde(_skala(plt.get_cmap("cividis_r")))) > 10


def test_no_colour_of_the_map_scale_reads_as_not_rated():
    assert _grau_funde(_skala(karten.karten_skala())) == []


def _flaechen(n: int) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        geometry=[box(i, 0, i + 1, 1) for i in range(n)],
        index=[str(110 + i) for i in range(n)],
        crs="EPSG:3035",
    )


def _schraffiert(fig) -> list:
    return [c for c in fig.axes[0].collections if c.get_hatch() == "////"]


def test_areas_without_value_are_hatched_with_contrast():
    assert farben.kontrast(farben.SCHRAFFUR, farben.NICHT_BEWERTET) >= farben.MIN_GRAFIK
    fig = karten.karte({"110": 0.02, "111": 0.08, "113": 0.14}, _flaechen(4), "Test", True)
    schraffur = _schraffiert(fig)
    assert len(schraffur) == 1 and len(schraffur[0].get_paths()) == 1  # the one without value
    assert mcolors.to_hex(schraffur[0].get_edgecolor()[0]).upper() == farben.SCHRAFFUR
    gefuellt = [
        mcolors.to_hex(f).upper() for c in fig.axes[0].collections for f in c.get_facecolor()
    ]
    assert farben.NICHT_BEWERTET in gefuellt
    bunt = [f for f in gefuellt if f != farben.NICHT_BEWERTET]
    assert len(bunt) == 3 and min(farben.buntheit(f) for f in bunt) >= farben.MIN_BUNTHEIT
    assert "grau schraffiert ohne Wert" in fig.kz_alt
    plt.close(fig)


def test_the_class_maps_hatch_the_same_way():
    fig = klassen.klassenkarte(
        {"110": "hoch", "111": None}, _flaechen(2), "Test", {"hoch": "#CC4C02"}, {"hoch": "H"}
    )
    schraffur = _schraffiert(fig)
    assert len(schraffur) == 1
    assert mcolors.to_hex(schraffur[0].get_edgecolor()[0]).upper() == farben.SCHRAFFUR
    plt.close(fig)

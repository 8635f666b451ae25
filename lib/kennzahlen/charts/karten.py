"""Maps of values in the house style: a choropleth of the Stadtviertel, its colour scale, the
hatching of areas without a value and a map's frame (moved out of :mod:`kennzahlen.charts.plots`,
which kept its other charts under the module size limit)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from kennzahlen.charts import grundkarte
from kennzahlen.charts.plots import _done, _satz, _wert, beschreibe, de_achse
from kennzahlen.core import farben

if TYPE_CHECKING:
    import geopandas as gpd


def karte(
    werte: Mapping[str, float],
    flaechen: gpd.GeoDataFrame,
    titel: str,
    prozent: bool = False,
    umrandet: Sequence[str] = (),
    legende: str = "",
) -> Figure:
    """Choropleth of the Stadtviertel on :func:`karten_skala` (light yellow to dark brown);
    no value: grey and hatched, so colour is not what tells it apart.

    ``flaechen``: polygons indexed by stadtviertel_nr in a projected CRS (geography.flaechen().gdf).
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    fig, ax = plt.subplots(figsize=(7.2, 6.2))
    gdf = flaechen.copy()
    gdf["wert"] = [np.nan if werte.get(nr) is None else float(werte[nr]) for nr in gdf.index]
    finite = gdf["wert"].to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    norm = Normalize(vmin, vmax if vmax > vmin else vmin + 1)
    cmap = karten_skala()
    leer = gdf["wert"].isna()
    # the polygons' paths are made once per process (grundkarte), not by geopandas per map
    if leer.any():
        grundkarte.flaechen(
            ax, gdf.geometry[leer], color=farben.NICHT_BEWERTET, edgecolor="white", linewidth=0.5
        )
        schraffur(ax, gdf[leer])
    if (~leer).any():
        grundkarte.flaechen(
            ax, gdf.geometry[~leer], gdf["wert"][~leer], cmap=cmap, norm=norm,
            edgecolor="white", linewidth=0.5,
        )  # fmt: skip
    rand = gdf[gdf.index.isin(list(umrandet))]
    if len(rand):
        grundkarte.raender(ax, rand.geometry, color="black", linewidth=1.6)
    kartenrahmen(ax, gdf)
    cb = fig.colorbar(
        ScalarMappable(norm=norm, cmap=cmap),
        ax=ax,
        shrink=0.7,
        format=de_achse(prozent=prozent, nachkomma=0),
    )
    cb.set_label(legende)
    ax.set_title(titel)
    spanne = (
        f"Farbe nach Wert, von {_wert(vmin, prozent)} (hell) bis {_wert(vmax, prozent)} (dunkel); "
        f"{finite.size} Stadtviertel mit Wert, grau schraffiert ohne Wert."
        if finite.size
        else "Kein Stadtviertel hat einen Wert."
    )
    beschreibe(
        fig, "Karte der Stadtviertel.", _satz(titel), spanne, _satz(legende) if legende else ""
    )
    return _done(fig)


def karten_skala():
    """The colour scale of a map of values (:data:`kennzahlen.core.farben.KARTE_SKALA`)."""
    from matplotlib.colors import ListedColormap

    name, von, bis = farben.KARTE_SKALA
    return ListedColormap(plt.get_cmap(name)(np.linspace(von, bis, 256)), name="kz_karte")


def schraffur(ax, gdf) -> None:
    """Hatch areas "nicht bewertet" in a dark grey (3:1 on their grey, WCAG 1.4.11)."""
    grundkarte.flaechen(
        ax, gdf.geometry, facecolor="none", edgecolor=farben.SCHRAFFUR, linewidth=0, hatch="////"
    )


def kartenrahmen(ax, gdf) -> None:
    """A map's axes: the areas' extent, equal scale, no axis lines."""
    if len(gdf):
        x0, y0, x1, y1 = gdf.total_bounds
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_axis_off()

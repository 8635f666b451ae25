"""The Stadtviertel polygons of a map as matplotlib paths made once per process and reused.

``GeoDataFrame.plot`` normalises every geometry, turns each into a path and, at the end of every
call, draws the whole figure (``canvas.draw_idle``, a full render on the Agg canvas); a class map
calls it five to seven times. The polygons are the same in every map of a run (the Stadtviertel
of the configuration), so their paths are made once per geometry and kept here; a map adds them
as one collection each, with the same paths, colours and keywords as geopandas would: the
picture is the same, pixel for pixel, without the geopandas calls and their draws.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.path import Path

#: geometry id -> (geometry, polygon path, boundary segments); the geometry is kept so an id
#: that Python gives to a new object later never matches
_PFADE: dict[int, tuple[Any, Path, list[np.ndarray]]] = {}
_HOECHSTENS = 20_000


def _pfade(geom: Any) -> tuple[Any, Path, list[np.ndarray]]:
    """The polygon path (rings as geopandas' ``_PolygonPatch`` makes them from the normalised
    geometry) and the boundary segments (as ``GeoSeries.boundary.plot``) of a (Multi)Polygon."""
    import shapely

    eintrag = _PFADE.get(id(geom))
    if eintrag is not None and eintrag[0] is geom:
        return eintrag
    norm = shapely.normalize(geom)
    teile = [norm] if norm.geom_type == "Polygon" else list(norm.geoms)
    ringe = []
    for teil in teile:
        ringe.append(Path(np.asarray(teil.exterior.coords)[:, :2], closed=True))
        ringe.extend(Path(np.asarray(r.coords)[:, :2], closed=True) for r in teil.interiors)
    rand = shapely.get_parts(shapely.normalize(geom.boundary))
    segmente = [np.array(linie.coords)[:, :2] for linie in rand]
    if len(_PFADE) > _HOECHSTENS:
        _PFADE.clear()
    eintrag = (geom, Path.make_compound_path(*ringe), segmente)
    _PFADE[id(geom)] = eintrag
    return eintrag


def flaechen(
    ax: Any,
    geometrien: Iterable[Any],
    werte: Iterable[float] | None = None,
    cmap: Any = None,
    **kwargs: Any,
) -> None:
    """The polygons as one collection (``gdf.plot(ax=ax, color=..., **kwargs)``, or with
    ``werte`` and ``cmap``: ``gdf.plot(column=..., cmap=..., norm=..., **kwargs)``);
    ``color`` fills, as in geopandas."""
    pfade = [_pfade(g)[1] for g in geometrien]
    if not pfade:
        return
    if "color" in kwargs:
        kwargs["facecolor"] = kwargs.pop("color")
    sammlung = PathCollection(pfade, **kwargs)
    if cmap is not None:
        sammlung.set_cmap(cmap)
    if werte is not None:
        arr = np.asarray(list(werte), dtype=float)
        sammlung.set_array(arr)
        if "norm" not in kwargs:
            sammlung.set_clim(float(np.nanmin(arr)), float(np.nanmax(arr)))
        sammlung.update_scalarmappable()  # the fill colours now, as after geopandas' draw
    ax.add_collection(sammlung, autolim=True)
    ax.autoscale_view()
    ax.set_aspect("equal")


def raender(ax: Any, geometrien: Iterable[Any], **kwargs: Any) -> None:
    """The polygons' boundaries as lines (``gdf.boundary.plot(ax=ax, **kwargs)``)."""
    segmente = [s for g in geometrien for s in _pfade(g)[2]]
    if not segmente:
        return
    ax.add_collection(LineCollection(segmente, **kwargs), autolim=True)
    ax.autoscale_view()
    ax.set_aspect("equal")

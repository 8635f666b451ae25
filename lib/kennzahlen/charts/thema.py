"""The house style's base without importing seaborn (issue 28): the settings, palette and colour
maps of seaborn's ``set_theme``, so every chart is the same picture as with seaborn."""

from __future__ import annotations

from typing import Any

import matplotlib
import matplotlib.pyplot as plt

from kennzahlen.core import farben

OKABE_ITO = farben.OKABE_ITO


#: what seaborn 0.13.2's ``set_theme(context="notebook", style="whitegrid", font="DejaVu Sans")``
#: sets (its ``plotting_context`` and ``axes_style``), set directly: importing seaborn costs a
#: kernel about 0.7 s, most of it ``scipy.stats``, which nothing else here needs
#: (``tests/test_charts_thema.py`` compares it with seaborn's)
SEABORN_THEMA: dict[str, Any] = {
    "axes.linewidth": 1.25, "grid.linewidth": 1, "lines.linewidth": 1.5, "lines.markersize": 6,
    "patch.linewidth": 1, "xtick.major.width": 1.25, "ytick.major.width": 1.25,
    "xtick.minor.width": 1, "ytick.minor.width": 1, "xtick.major.size": 6,
    "ytick.major.size": 6, "xtick.minor.size": 4, "ytick.minor.size": 4, "font.size": 12,
    "axes.labelsize": 12, "axes.titlesize": 12, "xtick.labelsize": 11, "ytick.labelsize": 11,
    "legend.fontsize": 11, "legend.title_fontsize": 12,
    "figure.facecolor": "white", "axes.labelcolor": ".15", "xtick.direction": "out",
    "ytick.direction": "out", "xtick.color": ".15", "ytick.color": ".15",
    "axes.axisbelow": True, "grid.linestyle": "-", "text.color": ".15",
    "font.family": "DejaVu Sans",
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans",
                        "sans-serif"],
    "lines.solid_capstyle": "round", "patch.edgecolor": "w", "patch.force_edgecolor": True,
    "image.cmap": "rocket", "xtick.top": False, "ytick.right": False, "axes.grid": True,
    "axes.facecolor": "white", "axes.edgecolor": ".8", "grid.color": ".8",
    "axes.spines.left": True, "axes.spines.bottom": True, "axes.spines.right": True,
    "axes.spines.top": True, "xtick.bottom": False, "ytick.left": False,
}  # fmt: skip

#: seaborn's palette "colorblind"
FARBENBLIND = ["#0173B2", "#DE8F05", "#029E73", "#D55E00", "#CC78BC", "#CA9161", "#FBAFE4",
               "#949494", "#ECE133", "#56B4E9"]  # fmt: skip


def farbenblind(n: int) -> list[tuple[float, float, float]]:
    """``seaborn.color_palette("colorblind", n_colors=n)``: its colours as RGB, repeated."""
    from matplotlib.colors import to_rgb

    return [to_rgb(FARBENBLIND[i % len(FARBENBLIND)]) for i in range(n)]


def _seaborn_skalen() -> None:
    """Register seaborn's colour maps (``rocket``, the theme's ``image.cmap``, and the others,
    each with its reverse) from seaborn's own table of colours, without importing seaborn (which
    keeps them when it is imported later)."""
    import ast
    import importlib.util
    from pathlib import Path

    from matplotlib.colors import ListedColormap

    if "rocket" in matplotlib.colormaps:
        return
    spec = importlib.util.find_spec("seaborn")
    if spec is None or spec.origin is None:
        return
    baum = ast.parse((Path(spec.origin).parent / "cm.py").read_text(encoding="utf-8"))
    tabellen = {
        n.targets[0].id: n.value
        for n in baum.body
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name)
    }
    for name in ("rocket", "mako", "vlag", "icefire", "flare", "crest"):
        lut = ast.literal_eval(tabellen[f"_{name}_lut"])
        for n, farben_ in ((name, lut), (name + "_r", lut[::-1])):
            if n not in matplotlib.colormaps:
                matplotlib.colormaps.register(ListedColormap(farben_, n), name=n)


def thema() -> None:
    """seaborn's ``set_theme(context="notebook", style="whitegrid", palette=OKABE_ITO,
    font="DejaVu Sans")``, without seaborn (the house palette: Okabe-Ito)."""
    from cycler import cycler
    from matplotlib.colors import to_rgb

    _seaborn_skalen()
    plt.rcParams.update(SEABORN_THEMA)  # type: ignore[arg-type]
    plt.rcParams["axes.prop_cycle"] = cycler("color", [to_rgb(c) for c in OKABE_ITO])

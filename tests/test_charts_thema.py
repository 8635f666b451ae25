"""The house style without importing seaborn (issue 28): the same settings, palette and colour
maps as seaborn's ``set_theme``, so every chart is the same picture."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from kennzahlen.charts import plots, png  # noqa: E402


def _seaborn_thema() -> None:
    import seaborn as sns

    sns.set_theme(
        context="notebook", style="whitegrid", palette=plots.OKABE_ITO, font="DejaVu Sans"
    )


def _nach_setup() -> dict:
    with mpl.rc_context():
        mpl.rcParams.update(mpl.rcParamsDefault)
        plots.setup()
        return dict(mpl.rcParams)


def test_the_settings_are_seaborns_theme(monkeypatch):
    ohne = _nach_setup()
    monkeypatch.setattr(plots, "_thema", _seaborn_thema)
    assert _nach_setup() == ohne


def test_the_colorblind_palette_and_the_colour_maps_are_seaborns():
    import seaborn as sns
    import seaborn.cm as scm

    for n in (1, 3, 10, 11, 25):
        assert plots.farbenblind(n) == list(sns.color_palette("colorblind", n_colors=n))
    for name in ("rocket", "mako", "vlag", "icefire", "flare", "crest"):
        for n in (name, name + "_r"):
            assert np.array_equal(mpl.colormaps[n].colors, getattr(scm, n).colors), n


def test_setup_imports_neither_seaborn_nor_scipy_stats():
    code = (
        "import sys, matplotlib; matplotlib.use('Agg')\n"
        "from kennzahlen.charts import plots\n"
        "plots.setup()\n"
        "import matplotlib as mpl\n"
        "assert 'rocket' in mpl.colormaps and 'crest_r' in mpl.colormaps\n"
        "print(sorted(m for m in ('seaborn', 'scipy.stats') if m in sys.modules))\n"
        "import seaborn  # registers its colour maps only where they are missing: no error\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _bilder() -> list[bytes]:
    fig = plots.anteile_gestapelt(
        pd.DataFrame({"unter 18": [0.2, 0.25], "18 bis 64": [0.6, 0.55], "65 und älter":
                      [0.2, 0.2]}, index=["West", "Wiblingen"]), "Altersgruppen",
    )  # fmt: skip
    zeit = plots.zeitreihe(pd.DataFrame({"A": [1.0, 3.0, 2.0], "B": [2.0, 1.0, 3.0]},
                                        index=["2021", "2022", "2023"]), "Zwei Reihen")  # fmt: skip
    streu = plt.figure()
    streu.add_subplot().scatter([1, 2, 3], [3, 1, 2], c=[0.1, 0.5, 0.9])  # the default map
    plt.close(streu)
    return [png.zeichne(f) for f in (fig, zeit, streu)]


def test_charts_are_the_same_as_with_seaborns_theme(monkeypatch):
    import seaborn as sns

    with mpl.rc_context():
        plots.setup()
        ohne = _bilder()
    monkeypatch.setattr(plots, "_thema", _seaborn_thema)
    monkeypatch.setattr(plots, "farbenblind", lambda n: sns.color_palette("colorblind", n))
    with mpl.rc_context():
        plots.setup()
        mit = _bilder()
    assert mit == ohne

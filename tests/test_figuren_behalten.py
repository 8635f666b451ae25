"""A chart an analyst holds is never changed by a later chart (issue 28, charts.behalten).

The runner's report kernels hand a funnel's or a control chart's figure out again once its PNG
was made; in any other process (an analyst's JupyterLab, a script, papermill on its own) every
chart is a figure of its own, so ``f1 = trichter(...)``, then ``f2 = trichter(...)``, then
``f1.savefig(...)`` saves the first chart.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from kennzahlen.charts import behalten, layout, plots, png, streuung  # noqa: E402
from kennzahlen.runner import worker  # noqa: E402
from kennzahlen.statistik import intervalle as iv  # noqa: E402

RAEUME = ["Böfingen", "Eselsberg", "Mitte/Ost", "West", "Wiblingen"]


def _trichter(hervorheben: str):
    punkte = pd.DataFrame(
        {"nenner": [120.0, 480.0, 950.0, 300.0, 610.0], "wert": [0.2, 0.1, 0.13, 0.05, 0.16]},
        index=RAEUME,
    )
    n = np.linspace(36.0, 950 * 1.25, 120)
    return streuung.trichter(
        punkte, iv.trichter(0.12, n, 1.0, True), 0.12, "Anteil 2023", True, hervorheben
    )


def _regelkarte(basis: float, titel: str):
    n = 12
    karte = pd.DataFrame(
        {
            "periode": [f"{2019 + i // 4}-Q{i % 4 + 1}" for i in range(n)],
            "wert": basis + np.sin(np.arange(n)) * basis / 10,
            "mitte": basis, "unten": basis * 0.8, "oben": basis * 1.2,
            "vorlaeufig": [i < 4 for i in range(n)], "signal": [""] * n, "segment": 0,
        }
    )  # fmt: skip
    return streuung.regelkarte(karte, titel, True, True)


@pytest.fixture
def leer():
    plots.setup()
    caches = (png._GRUENDE, layout._FEST, streuung._BEHALTEN, streuung._REGELKARTEN)
    for cache in caches:
        cache.clear()
    yield
    for cache in caches:
        cache.clear()


@pytest.mark.parametrize("machen", ["trichter", "regelkarte"])
def test_outside_the_report_kernel_a_held_chart_stays_its_own(monkeypatch, leer, machen):
    monkeypatch.delenv(behalten.UMGEBUNG, raising=False)
    erste, zweite = (
        (lambda: _trichter("West"), lambda: _trichter("Böfingen"))
        if machen == "trichter"
        else (lambda: _regelkarte(0.2, "West"), lambda: _regelkarte(0.5, "Böfingen"))
    )
    f1 = erste()
    vorher = png.zeichne(f1, 64)  # displayed: its PNG made
    f2 = zweite()
    png.zeichne(f2, 64)
    assert f2 is not f1
    assert png.zeichne(f1, 64) == vorher  # the analyst's chart is still the first one
    assert not streuung._BEHALTEN and not streuung._REGELKARTEN  # nothing kept


@pytest.mark.parametrize("machen", ["trichter", "regelkarte"])
def test_in_the_report_kernel_the_figure_serves_the_next_chart(monkeypatch, leer, machen):
    """The other side of the switch: the runner's kernels do reuse (what pays in issue 28)."""
    monkeypatch.setenv(behalten.UMGEBUNG, "1")
    if machen == "trichter":
        f1 = _trichter("West")
        png.zeichne(f1, 64)
        assert _trichter("Böfingen") is f1
    else:
        f1 = _regelkarte(0.2, "West")
        png.zeichne(f1, 64)
        assert _regelkarte(0.5, "Böfingen") is f1


@pytest.fixture
def gestartet(monkeypatch) -> dict:
    """What the worker's warm kernel is started with (a stand-in kernel manager records it)."""
    gesehen: dict = {}

    class Manager:
        has_kernel = False

        def __init__(self, **kwargs):
            pass

        async def start_kernel(self, **kwargs):
            gesehen.update(kwargs)

        async def is_alive(self):
            return True

    monkeypatch.setattr(worker, "_ipc_kernel_manager", lambda: Manager)
    monkeypatch.setattr(worker, "_WARM", {})
    return gesehen


def test_the_runner_starts_its_kernels_with_the_switch(monkeypatch, gestartet):
    """The warm kernel of a worker is started with charts.behalten's variable set to "1"."""
    monkeypatch.delenv(behalten.UMGEBUNG, raising=False)
    worker._warm_kernel(".")
    assert gestartet["env"][behalten.UMGEBUNG] == "1"
    assert gestartet["env"]["PATH"] == __import__("os").environ["PATH"]  # the rest as it was
    assert behalten.UMGEBUNG not in __import__("os").environ  # the worker itself unchanged


def test_the_kernel_gets_the_folders_absolute(monkeypatch, tmp_path, gestartet):
    """KENNZAHLEN_HOME=. (or a relative KENNZAHLEN_CONFIG) meant the folder the run was started
    in; the kernel runs in the notebooks' folder and would have looked for config/ there."""
    import os

    from kennzahlen.core import paths

    (tmp_path / "config").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(paths.HOME_ENV, ".")
    monkeypatch.setenv(paths.CONFIG_ENV, "config")
    worker._warm_kernel(str(tmp_path))
    assert gestartet["env"][paths.HOME_ENV] == str(tmp_path.resolve())
    assert gestartet["env"][paths.CONFIG_ENV] == str((tmp_path / "config").resolve())
    assert os.environ[paths.HOME_ENV] == "."  # the worker's own environment as it was


def test_holen_and_merken_keep_only_in_the_runner_and_only_so_many(monkeypatch):
    from collections import OrderedDict

    cache: OrderedDict = OrderedDict()
    a, b, c = object(), object(), object()
    monkeypatch.delenv(behalten.UMGEBUNG, raising=False)
    behalten.merken(cache, "a", a, 2)  # type: ignore[arg-type]
    assert not cache and behalten.holen(cache, "a") is None
    monkeypatch.setenv(behalten.UMGEBUNG, "1")
    for key, fig in (("a", a), ("b", b)):
        behalten.merken(cache, key, fig, 2)  # type: ignore[arg-type]
    assert behalten.holen(cache, "a") is a  # now the most recently used
    behalten.merken(cache, "c", c, 2)  # type: ignore[arg-type]
    assert list(cache) == ["a", "c"]  # b, the least recently used, dropped
    behalten.merken(cache, "d", object(), 0)  # type: ignore[arg-type]
    assert "d" not in cache

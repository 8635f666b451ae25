"""Issue 28, Produkt 3: what every Sozialraum's report of a year shares is kept for the process,
keyed by everything it depends on, and bounded: the comparison with the rings
(:func:`vergleich.ring_html`), the funnel's limits and title (``unsicherheit._trichter_teile``)
and the tight box of a funnel's x axis kept with its background (``png._achsenboxen``, also when
the y axis measures only its offset text for the title).

Each is checked against a fresh computation, for staleness (another input, another result) and
for its bound.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from kennzahlen.catalog.model import load_catalog  # noqa: E402
from kennzahlen.charts import layout, plots, png, streuung  # noqa: E402
from kennzahlen.pool.load import load_pool, pool_files  # noqa: E402
from kennzahlen.products.wirkung import unsicherheit, vergleich  # noqa: E402
from kennzahlen.statistik import intervalle as iv  # noqa: E402

RAEUME = ["Böfingen", "Eselsberg", "Mitte/Ost", "West", "Wiblingen"]


# ------------------------------------------------------------------------ the comparison rings
@pytest.fixture()
def pool(demo_pool: Path, tmp_path: Path) -> Path:
    """A copy of the demo pool this test may change."""
    ziel = tmp_path / "pool"
    shutil.copytree(demo_pool, ziel, ignore=shutil.ignore_patterns("*.lock"))
    return ziel


@pytest.fixture()
def leer_ringe():
    vergleich._RINGE.clear()
    yield
    vergleich._RINGE.clear()


def _mit_ring(pool: Path) -> tuple:
    """A Kennzahl with comparison values in the pool, and a year that has them."""
    vw = load_pool(pool, "vergleichswerte")
    assert len(vw), "the demo pool has comparison values"
    kid = str(vw["kennzahl"].iloc[0])
    jahr = str(int(pd.to_numeric(vw.loc[vw["kennzahl"] == kid, "jahr"]).max()))
    return load_catalog().get(kid), jahr


def _frisch(pool: Path, k, jahr: str, eigen: float | None) -> str:
    """The comparison computed without the kept results."""
    from kennzahlen.catalog.geography import stadt
    from kennzahlen.products import ringvergleich

    vw = load_pool(pool, "vergleichswerte")
    vj = ringvergleich.vergleichsjahr(vw, k, jahr)
    if vj is None:
        return ""
    return vergleich._html(vw, k, jahr, vj, eigen, stadt())


def test_the_ring_comparison_is_kept_as_computed(pool: Path, leer_ringe) -> None:
    k, jahr = _mit_ring(pool)
    for eigen in (0.5, None, 0.25):
        frisch = _frisch(pool, k, jahr, eigen)
        assert frisch
        assert vergleich.ring_html(k, jahr, pool, lambda j, e=eigen: e) == frisch
        assert vergleich.ring_html(k, jahr, pool, lambda j, e=eigen: e) == frisch
    assert vergleich.ring_html(k, jahr, pool, lambda j: 0.5) != vergleich.ring_html(
        k, jahr, pool, lambda j: 0.25
    )


def test_the_ring_comparison_follows_the_comparison_values(pool: Path, leer_ringe) -> None:
    k, jahr = _mit_ring(pool)
    vorher = vergleich.ring_html(k, jahr, pool, lambda j: 0.5)
    path = pool_files(pool) / "vergleichswerte.parquet"
    frame = pd.read_parquet(path)
    frame["wert"] = frame["wert"] * 2
    path.unlink()
    frame.to_parquet(path)
    nachher = vergleich.ring_html(k, jahr, pool, lambda j: 0.5)
    assert nachher != vorher
    assert nachher == _frisch(pool, k, jahr, 0.5)


def test_the_ring_comparison_follows_the_catalog_entry(pool: Path, leer_ringe) -> None:
    k, jahr = _mit_ring(pool)
    vorher = vergleich.ring_html(k, jahr, pool, lambda j: 0.5)
    anders = k.model_copy(update={"titel": k.titel + " (neu)"})
    nachher = vergleich.ring_html(anders, jahr, pool, lambda j: 0.5)
    assert nachher != vorher
    assert "(neu)" in nachher
    assert nachher == _frisch(pool, anders, jahr, 0.5)


def test_frames_given_directly_are_kept_by_content(pool: Path, leer_ringe) -> None:
    k, jahr = _mit_ring(pool)
    vw = load_pool(pool, "vergleichswerte")
    quelle = {"vergleichswerte": vw.copy()}
    quelle["vergleichswerte"].attrs.clear()
    vorher = vergleich.ring_html(k, jahr, quelle, lambda j: 0.5)
    assert vorher == _frisch(pool, k, jahr, 0.5)
    doppelt = vw.copy()
    doppelt.attrs.clear()
    doppelt["wert"] = doppelt["wert"] * 2
    assert vergleich.ring_html(k, jahr, {"vergleichswerte": doppelt}, lambda j: 0.5) != vorher


def test_the_kept_ring_comparisons_are_bounded(
    pool: Path, leer_ringe, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vergleich, "GRENZE_RINGE", 3)
    k, jahr = _mit_ring(pool)
    for i in range(10):
        eigen = 0.1 * (i + 1)
        assert vergleich.ring_html(k, jahr, pool, lambda j, e=eigen: e) == _frisch(
            pool, k, jahr, eigen
        )
        assert len(vergleich._RINGE) <= 3


# ------------------------------------------------------------------------ the funnel's parts
@pytest.fixture()
def leer_teile():
    unsicherheit._TEILE.clear()
    yield
    unsicherheit._TEILE.clear()


def _punkte(faktor: float = 1.0) -> pd.DataFrame:
    return pd.DataFrame(
        {"nenner": [120.0, 480.0, 950.0, 300.0, 610.0], "wert": [0.2, 0.1, 0.13, 0.05, 0.16]},
        index=RAEUME,
    ) * [1.0, faktor]


def _anteil():
    """A Produkt-3 Kennzahl that is a share (a funnel with the binomial limits)."""
    from kennzahlen.core.vocabulary import ist_anteil
    from kennzahlen.products.wirkung.werte import kennzahlen_p3

    return next(k for k in kennzahlen_p3() if k.nenner and ist_anteil(k.einheit))


def _teile_frisch(k, jahr: str, punkte: pd.DataFrame, referenz: float):
    from kennzahlen.core.vocabulary import ist_anteil

    n = np.linspace(max(1.0, punkte["nenner"].min() * 0.3), punkte["nenner"].max() * 1.25, 120)
    grenzen = iv.trichter(referenz, n, k.faktor, ist_anteil(k.einheit))
    titel = unsicherheit.trichter_titel(k, jahr, unsicherheit.trichter_lage(k, punkte, referenz))
    return grenzen, titel


def _gleich(a: iv.Trichter, b: iv.Trichter) -> bool:
    felder = ("n", "innen_unten", "innen_oben", "aussen_unten", "aussen_oben")
    return all(np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True) for f in felder)


def test_the_funnel_parts_are_kept_as_computed(leer_teile) -> None:
    k = _anteil()
    for punkte, referenz in [(_punkte(), 0.12), (_punkte(), 0.02), (_punkte(1.5), 0.12)]:
        grenzen, titel = _teile_frisch(k, "2023", punkte, referenz)
        for _ in range(2):
            g, t, x_label = unsicherheit._trichter_teile(k, "2023", punkte, referenz)
            assert _gleich(g, grenzen)
            assert t == titel
            assert x_label in ("Fälle im Nenner", "Einwohner*innen im Nenner")
    assert len(unsicherheit._TEILE) == 3


def test_the_funnel_parts_follow_year_points_and_catalog_entry(leer_teile) -> None:
    k = _anteil()
    punkte = _punkte()
    erst = unsicherheit._trichter_teile(k, "2023", punkte, 0.12)
    assert unsicherheit._trichter_teile(k, "2022", punkte, 0.12)[1] != erst[1]  # the year
    umbenannt = punkte.rename(index={"West": "Weststadt"})
    assert "Weststadt" in unsicherheit._trichter_teile(k, "2023", umbenannt, 0.12)[1]
    anders = k.model_copy(update={"titel": "Ein anderer Titel"})
    assert unsicherheit._trichter_teile(anders, "2023", punkte, 0.12)[1].startswith("Ein anderer")
    # the kept limits are shared by the reports: nobody may change them in place
    with pytest.raises(ValueError):
        erst[0].innen_oben[0] = 0.0


def test_the_kept_funnel_parts_are_bounded(leer_teile, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unsicherheit, "GRENZE_TEILE", 2)
    k = _anteil()
    for i in range(6):
        unsicherheit._trichter_teile(k, "2023", _punkte(), 0.05 + 0.01 * i)
        assert len(unsicherheit._TEILE) <= 2


# ------------------------------------------------------------------- the funnel's x axis box
@pytest.fixture()
def leer_grund():
    plots.setup()
    for cache in (png._GRUENDE, layout._FEST, streuung._BEHALTEN, png._ACHSENBOXEN):
        cache.clear()
    yield
    for cache in (png._GRUENDE, layout._FEST, streuung._BEHALTEN, png._ACHSENBOXEN):
        cache.clear()


def _trichter(hervorheben: str | None):
    punkte = _punkte()
    grenzen = iv.trichter(0.12, np.linspace(36.0, 950 * 1.25, 120), 1.0, True)
    return streuung.trichter(
        punkte, grenzen, 0.12, "Anteil der Fälle 2023:\nWest jenseits der 95-%-Grenzen", True,
        hervorheben,
    )  # fmt: skip


def test_the_x_axis_box_is_kept_beside_the_y_axis_of_the_title(
    leer_grund, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A funnel's y axis measures only its offset text for the title (``titel_ohne_ticks``); its
    x axis' tight box is kept with the background, and every PNG is the one of the whole draw."""
    for raum in [None, *RAEUME]:
        fig = _trichter(raum)
        assert "get_tightbbox" in vars(fig.axes[0].yaxis)  # the title's own y axis measure
        data = png.zeichne(fig, 64)
        with monkeypatch.context() as m:
            m.setattr(plots, "fest_und_lose", lambda *a: None)
            m.setattr(streuung, "_BEHALTEN", {})
            m.setattr(streuung, "GRENZE_BEHALTEN", 0)
            ganz = _trichter(raum)
            assert png.zeichne(ganz, 64) == data, raum
            assert fig.axes[0].title.get_position() == ganz.axes[0].title.get_position()
        assert "get_tightbbox" not in vars(fig.axes[0].xaxis)  # put back after the draw
    assert len(png._GRUENDE) == 1
    assert len(png._ACHSENBOXEN) == 1
    (boxen,) = png._ACHSENBOXEN.values()
    assert set(boxen) == {0}  # the x axis only: the y axis keeps its own measure


# ----------------------------------------------------------------- the funnel's names measured
def test_kept_name_extents_give_the_pngs_and_layouts_measured_anew(
    leer_grund, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the names' extents kept, every highlight of a kept funnel has the layout and the PNG
    of a new funnel whose names are measured every time."""
    for raum in [None, *RAEUME, "West", None]:
        fig = _trichter(raum)
        data = png.zeichne(fig, 64)
        with monkeypatch.context() as m:
            m.setattr(streuung, "_ausmass_gemerkt", lambda name: None)
            m.setattr(streuung, "_BEHALTEN", {})
            m.setattr(streuung, "GRENZE_BEHALTEN", 0)
            ganz = _trichter(raum)
            assert "get_window_extent" not in vars(ganz.axes[0].texts[0])
            assert vars(fig.subplotpars) == vars(ganz.subplotpars), raum
            assert png.zeichne(ganz, 64) == data, raum


def _name():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _trichter(None)
    FigureCanvasAgg(fig)  # a canvas with a renderer (the closed figure has none)
    name = fig.axes[0].texts[0]
    assert "get_window_extent" in vars(name)
    return fig, name


def _frisch_gemessen(name, renderer):
    from matplotlib.text import Annotation

    return Annotation.get_window_extent(name, renderer)


def test_a_kept_name_extent_follows_what_it_depends_on(leer_grund) -> None:
    fig, name = _name()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    aenderungen = [
        lambda: name.set_fontweight("bold"),
        lambda: name.set_text(name.get_text() + " und mehr"),
        lambda: name.set_fontsize(14),
        lambda: ax.set_ylim(ax.get_ylim()[0], ax.get_ylim()[1] * 2),
        lambda: ax.set_position([0.2, 0.2, 0.5, 0.5]),
        lambda: fig.set_size_inches(6.0, 3.0),
        lambda: setattr(name, "xyann", (40, 40)),
        lambda: name.set_horizontalalignment("right"),
        lambda: name.set_visible(False),
    ]
    for aendern in aenderungen:
        vorher = name.get_window_extent(renderer)
        assert vorher.bounds == _frisch_gemessen(name, renderer).bounds
        aendern()
        renderer = fig.canvas.get_renderer()
        nachher = name.get_window_extent(renderer)
        assert nachher.bounds == _frisch_gemessen(name, renderer).bounds
        assert nachher.bounds != vorher.bounds
    fig.set_dpi(50)
    renderer = fig.canvas.get_renderer()
    assert name.get_window_extent(renderer).bounds == _frisch_gemessen(name, renderer).bounds


def test_the_kept_name_extents_are_bounded(leer_grund, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streuung, "GRENZE_AUSMASSE", 3)
    fig, name = _name()
    for i in range(8):
        name.set_text(f"Sozialraum {i}")
        renderer = fig.canvas.get_renderer()
        assert name.get_window_extent(renderer).bounds == (_frisch_gemessen(name, renderer).bounds)
    zelle = next(
        c.cell_contents for c in vars(name)["get_window_extent"].__closure__
        if isinstance(c.cell_contents, dict)
    )  # fmt: skip
    assert len(zelle) == 3

"""Issue 28: what every area's report of a period shares is computed once per process, keyed by
everything it depends on (pool version and file state, period, configuration).

Each cache is checked against a fresh computation, and for staleness: after the pool's table or
a configuration file changes, the next call shows the change; an area's report never gets
another area's content.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kennzahlen.pool import abdeckung
from kennzahlen.pool.load import load_pool, pool_files
from kennzahlen.products import steckbrief
from kennzahlen.products.ampelbericht import regelkarten


@pytest.fixture()
def pool(demo_pool: Path, tmp_path: Path) -> Path:
    """A copy of the demo pool this test may change."""
    ziel = tmp_path / "pool"
    shutil.copytree(demo_pool, ziel, ignore=shutil.ignore_patterns("*.lock"))
    return ziel


def _aendern(pool: Path, table: str, change) -> None:
    """Rewrite one table of the pool's current version (a new file: another file state)."""
    path = pool_files(pool) / f"{table}.parquet"
    frame = pd.read_parquet(path)
    change(frame)
    path.unlink()
    frame.to_parquet(path)


@pytest.fixture()
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the configuration folder, in use for this test (KENNZAHLEN_CONFIG)."""
    from kennzahlen.core import paths

    ziel = tmp_path / "config"
    shutil.copytree(paths.CONFIG, ziel)
    monkeypatch.setenv("KENNZAHLEN_CONFIG", str(ziel))
    return ziel


IDS = ["bev_gesamt", "sgb2_quote"]


def _anhang(pool: Path, jahr: str = "2023") -> str:
    return steckbrief.anhang(IDS, jahr, pool).data


def test_the_appendix_is_kept_as_computed(pool: Path) -> None:
    erst = _anhang(pool)
    assert erst == steckbrief._anhang_html(tuple(IDS), "2023", pool)  # without the cache
    assert _anhang(pool) == erst
    assert _anhang(pool, "2019") == steckbrief._anhang_html(tuple(IDS), "2019", pool)


def test_the_appendix_follows_the_pools_stand(pool: Path) -> None:
    vorher = _anhang(pool)
    assert "15.01.2031" not in vorher

    def neu(frame: pd.DataFrame) -> None:
        frame["stand"] = pd.Timestamp("2031-01-15")

    _aendern(pool, "stand", neu)
    nachher = _anhang(pool)
    assert "15.01.2031" in nachher and nachher != vorher


def test_the_appendix_follows_the_catalog(pool: Path, config: Path) -> None:
    from kennzahlen.catalog.model import load_catalog

    titel = load_catalog().get("sgb2_quote").titel
    vorher = _anhang(pool)
    assert titel in vorher
    katalog = config / "kennzahlen.yaml"
    text = katalog.read_text(encoding="utf-8")
    assert text.count(titel) >= 1
    katalog.write_text(text.replace(titel, titel + " (neu benannt)"), encoding="utf-8")
    assert titel + " (neu benannt)" in _anhang(pool)


def test_the_city_comparison_is_kept_as_computed(pool: Path) -> None:
    for quartal in ("2023-Q4", "2022-Q2"):
        frisch = regelkarten._vergleich_html(
            load_pool(pool, "vergleichswerte"), pool, quartal
        )  # computed without the cache
        assert regelkarten.vergleich_html(pool, quartal) == frisch
        assert regelkarten.vergleich_html(pool, quartal) == frisch
    assert regelkarten.vergleich_html(pool, "2023-Q4") != regelkarten.vergleich_html(
        pool, "2022-Q2"
    )


def test_the_city_comparison_follows_both_pool_tables(pool: Path) -> None:
    vorher = regelkarten.vergleich_html(pool, "2023-Q4")

    def doppelt(frame: pd.DataFrame) -> None:
        frame["wert"] = frame["wert"] * 2

    _aendern(pool, "vergleichswerte", doppelt)
    mitte = regelkarten.vergleich_html(pool, "2023-Q4")
    assert mitte != vorher
    assert mitte == regelkarten._vergleich_html(load_pool(pool, "vergleichswerte"), pool, "2023-Q4")

    def eigen(frame: pd.DataFrame) -> None:
        frame["wert"] = frame["wert"] * 3
        frame["zaehler"] = frame["zaehler"] * 3

    _aendern(pool, "kennzahlen", eigen)
    nachher = regelkarten.vergleich_html(pool, "2023-Q4")
    assert nachher != mitte
    assert nachher == regelkarten._vergleich_html(
        load_pool(pool, "vergleichswerte"), pool, "2023-Q4"
    )


def test_the_city_comparison_follows_the_catalog(pool: Path, config: Path) -> None:
    from kennzahlen.catalog.model import load_catalog

    vorher = regelkarten.vergleich_html(pool, "2023-Q4")
    vw = load_pool(pool, "vergleichswerte")
    titel = next(
        k.titel
        for k in load_catalog().kennzahlen
        if k.id in set(vw["kennzahl"]) and k.titel in vorher
    )
    katalog = config / "kennzahlen.yaml"
    text = katalog.read_text(encoding="utf-8")
    katalog.write_text(text.replace(titel, titel + " (neu benannt)"), encoding="utf-8")
    assert titel + " (neu benannt)" in regelkarten.vergleich_html(pool, "2023-Q4")


# -- the first period of a series (reihen_hinweis) -------------------------------------------


def _erste_zeilenweise(pool: pd.DataFrame, kennzahl: str, raum, bis):
    """abdeckung._first_period as it was: the pool filtered row by row."""
    from kennzahlen.core.periods import letzter_tag

    rows = pool[pool["kennzahl"] == kennzahl]
    if raum is not None:
        rows = rows[rows["raum"] == raum]
    ends = rows["periode"].astype(str).map(letzter_tag)
    if bis is not None:
        ends = ends[ends <= letzter_tag(bis)]
    return None if ends.empty else str(ends.min())


def test_the_first_period_is_found_as_row_by_row(demo_pool: Path) -> None:
    daten = load_pool(demo_pool)
    rng = np.random.default_rng(28)
    kennzahlen = sorted(set(daten["kennzahl"]))
    raeume = [None, *sorted(set(daten["raum"].dropna()))[:6], "Nirgendwo"]
    bis = [None, "2017", "2019-Q1", "2020-12-31", "2023-Q4", "2010"]
    # the pool's first periods once (each call hashes the whole pool to find them again)
    enden = abdeckung._erste_enden(daten)
    for k in [*rng.choice(kennzahlen, 25, replace=False), "gibt_es_nicht"]:
        for r in raeume:
            for b in bis:
                assert abdeckung._first_period(enden, str(k), r, b) == _erste_zeilenweise(
                    daten, str(k), r, b
                ), (k, r, b)


def test_the_first_period_follows_the_pool(demo_pool: Path) -> None:
    daten = load_pool(demo_pool)
    k = "bev_gesamt"
    vorher = abdeckung._first_period(abdeckung._erste_enden(daten), k, None, None)
    spaeter = daten[~daten["periode"].astype(str).str.startswith(vorher[:4])]
    spaeter = spaeter[~spaeter["periode"].astype(str).eq(vorher[:4])]
    assert abdeckung._first_period(
        abdeckung._erste_enden(spaeter), k, None, None
    ) == _erste_zeilenweise(spaeter, k, None, None)
    assert abdeckung._first_period(abdeckung._erste_enden(spaeter), k, None, None) != vorher
    assert abdeckung._first_period(abdeckung._erste_enden(daten), k, None, None) == vorher


# -- the class maps of Produkt 1 -------------------------------------------------------------


def _klassenkarte_png(namen: dict[str, str], umrandet: list[str]) -> tuple[bytes, list]:
    import matplotlib.pyplot as plt

    from kennzahlen.catalog.geography import flaechen
    from kennzahlen.charts import klassen, plots

    plots.setup()
    gdf = flaechen().gdf
    stufen = ["1", "2", "3", "4"]
    farbe = klassen.klassenfarben(stufen, klassen.STATUS_FARBEN)
    klasse = {nr: [*stufen, None][i % 5] for i, nr in enumerate(gdf.index)}
    fig = klassen.klassenkarte(
        klasse, gdf, "Status 2023; umrandet: Test", farbe, {s: s for s in stufen}, umrandet,
        alt="Karte", namen=namen, ohne_flaeche=[("Ort A", "1"), ("Ort B", None)],
    )  # fmt: skip
    texte = [(t.get_text(), t.xyann, t.get_ha(), t.get_va()) for t in fig.axes[0].texts]
    data = klassen.png(fig)
    plt.close(fig)
    return data, texte


def test_class_maps_are_the_same_without_the_clip_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """The codes and names of a class map skip matplotlib's test whether their point lies in the
    axes (it does, strictly inside the map's limits): the same names in the same places, the
    same PNG as with the test, in maps of different areas one after another."""
    from kennzahlen.catalog.geography import flaechen
    from kennzahlen.charts import klassen

    nrs = list(flaechen().gdf.index)
    namen = {nr: f"Viertel {nr}" for nr in nrs[::3]}
    faelle = [(namen, nrs[:8]), ({nr: f"Viertel {nr}" for nr in nrs[1::4]}, nrs[8:15]), (namen, [])]
    jetzt = [_klassenkarte_png(n, u) for n, u in faelle]
    monkeypatch.setattr(klassen, "_clip", lambda *args: None)  # matplotlib's own test each time
    vorher = [_klassenkarte_png(n, u) for n, u in faelle]
    assert jetzt == vorher
    assert jetzt[0] != jetzt[1]


def test_class_map_label_boxes_follow_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kept boxes of map labels are keyed by matplotlib's settings: under another font the
    map is what it is without any kept box."""
    import matplotlib as mpl

    from kennzahlen.catalog.geography import flaechen
    from kennzahlen.charts import klassen

    nrs = list(flaechen().gdf.index)
    namen = {nr: f"Stadtviertel Nummer {nr}" for nr in nrs[::2]}
    _klassenkarte_png(namen, nrs[:5])  # boxes kept under the house style
    with mpl.rc_context({"font.family": "DejaVu Serif"}):
        behalten = _klassenkarte_png(namen, nrs[:5])
        klassen._AUSMASSE.clear()
        frisch = _klassenkarte_png(namen, nrs[:5])
    assert behalten == frisch


def test_the_overlap_test_is_bbox_overlaps() -> None:
    from matplotlib.transforms import Bbox

    from kennzahlen.charts import klassen

    rng = np.random.default_rng(28)
    werte = rng.integers(0, 12, (400, 4)).astype(float)  # whole numbers: edges touch often
    boxen = [Bbox.from_extents(*w) for w in werte]  # corners in either order
    for i in range(0, 400, 40):
        belegt = klassen._Belegt(boxen[i : i + 30])
        for b in boxen:
            assert belegt.ueberlappt(b) == any(b.overlaps(c) for c in boxen[i : i + 30])


# -- titles over a y axis (charts.layout.titel_ohne_ticks) -----------------------------------


def test_titles_of_axes_without_axis_lines_stand_where_they_stood(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A class map in metres: matplotlib lifts its title over the hidden y axis's offset text
    ("1e6"); set from that offset text alone, the title stands at the same place, the PNG is
    the same, and any other caller of the y axis's box gets matplotlib's own."""
    import matplotlib.pyplot as plt

    from kennzahlen.charts import layout

    jetzt = _klassenkarte_png({}, [])
    monkeypatch.setattr(layout, "titel_ohne_ticks", lambda fig: None)
    monkeypatch.setattr("kennzahlen.charts.plots._titel_ohne_ticks", lambda fig: None)
    assert _klassenkarte_png({}, []) == jetzt
    monkeypatch.undo()

    from kennzahlen.catalog.geography import flaechen
    from kennzahlen.charts import klassen, plots

    gdf = flaechen().gdf
    fig = klassen.klassenkarte({}, gdf, "Titel", {"1": "#ffffff"}, {"1": "1"})
    klassen.png(fig)
    ax = fig.axes[0]
    assert "get_tightbbox" in vars(ax.yaxis)
    assert ax.yaxis.offsetText.get_text() and ax.title.get_position()[1] > 1.0
    renderer = fig._get_renderer()
    eigen = type(ax.yaxis).get_tightbbox(ax.yaxis, renderer)
    assert ax.yaxis.get_tightbbox(renderer).bounds == eigen.bounds
    plt.close(fig)
    plots.setup()


def _diagramme() -> list[bytes]:
    """Charts with titles over y axes of every kind: small multiples (titles per panel), a
    control chart and one whose y axis has an offset text ("+1e6") next to its title."""
    import matplotlib.pyplot as plt

    from kennzahlen.charts import plots, streuung
    from kennzahlen.charts.png import zeichne

    plots.setup()
    idx = [str(j) for j in range(2015, 2024)]
    daten = pd.DataFrame(
        {"a": np.arange(9) * 3.0, "b": 1e6 + np.arange(9), "c": [5, 4, np.nan, 3, 2, 2, 1, 1, 0]},
        index=idx,
    )
    figs = [plots.kleine_vielfache(daten, "Drei Reihen")]
    karte = pd.DataFrame(
        {
            "periode": [f"{2019 + i // 4}-Q{i % 4 + 1}" for i in range(12)],
            "wert": [1e6 + v for v in [3, 4, 5, 4, 6, 5, 9, 4, 3, 5, 4, 6]],
            "mitte": 1e6 + 4.8, "unten": 1e6 + 1.0, "oben": 1e6 + 8.6,
            "vorlaeufig": [True] * 4 + [False] * 8, "segment": 0,
            "signal": [""] * 6 + ["ueber_grenze"] + [""] * 5,
        }
    )  # fmt: skip
    figs.append(streuung.regelkarte(karte, "Regelkarte", False, True))
    fig, ax = plt.subplots()
    ax.plot(np.arange(5), 2e6 + np.arange(5) * 0.5)
    ax.set_title("Ein langer Titel über einer Achse mit Versatz", loc="left")
    figs.append(plots._done(fig))
    return [zeichne(f) for f in figs]


def test_titles_over_y_axes_stand_where_they_stood(monkeypatch: pytest.MonkeyPatch) -> None:
    jetzt = _diagramme()
    monkeypatch.setattr("kennzahlen.charts.plots._titel_ohne_ticks", lambda fig: None)
    assert _diagramme() == jetzt


# -- Produkt 2: the finance table of all areas -----------------------------------------------


def test_the_finance_table_is_kept_per_pool_content_and_period(demo_pool: Path) -> None:
    from kennzahlen.products.quartalsmeldung import finanzen

    daten = load_pool(demo_pool)
    frisch = finanzen.finanztabelle.__wrapped__(daten, "2023-Q4")  # without the cache
    erst = finanzen.finanztabelle(daten, "2023-Q4")
    pd.testing.assert_frame_equal(erst, frisch)
    erst.iloc[:, :] = -1.0  # a caller's change never reaches the next caller
    pd.testing.assert_frame_equal(finanzen.finanztabelle(daten, "2023-Q4"), frisch)
    pd.testing.assert_frame_equal(
        finanzen.finanztabelle(daten, "2022-Q4"),
        finanzen.finanztabelle.__wrapped__(daten, "2022-Q4"),
    )
    anders = daten.copy()
    anders["wert"] = anders["wert"] * 2  # another pool content: computed again
    pd.testing.assert_frame_equal(
        finanzen.finanztabelle(anders, "2023-Q4"),
        finanzen.finanztabelle.__wrapped__(anders, "2023-Q4"),
    )
    assert not finanzen.finanztabelle(anders, "2023-Q4").equals(frisch)


# -- Produkt 4: the rows of each control chart -----------------------------------------------


def _reihen_gleich(pool: Path) -> int:
    from kennzahlen import ampel

    details = load_pool(pool, "ampel_details")
    zeilen = regelkarten._zeilen_je_reihe(details)
    n = 0
    for p in ampel.load_ampel_config().indikatoren:
        for raum in [*sorted(set(details["sozialraum"].dropna())), "Nirgendwo"]:
            for quartal in ("2021-Q4", "2023-Q4"):
                teil = details.iloc[zeilen.get((p.kennzahl.id, p.regel, raum), regelkarten._KEINE)]
                aus_teil = regelkarten.reihe(teil, p, raum, quartal)
                pd.testing.assert_frame_equal(
                    aus_teil, regelkarten.reihe(details, p, raum, quartal)
                )
                n += len(aus_teil)
    return n


def test_control_chart_rows_are_the_rows_of_all_details(pool: Path) -> None:
    vorher = _reihen_gleich(pool)
    assert vorher

    def ohne_west(frame: pd.DataFrame) -> None:
        frame.drop(frame.index[frame["sozialraum"] == "West"], inplace=True)
        frame.reset_index(drop=True, inplace=True)

    _aendern(pool, "ampel_details", ohne_west)  # other rows at other places: found again
    assert 0 < _reihen_gleich(pool) < vorher


# -- axes without a label text (charts.layout.leere_beschriftung_fest) -----------------------


def _mit_und_ohne_beschriftung() -> list[bytes]:
    """The charts of :func:`_diagramme` plus a line chart with both axis labels and one whose
    y label is set after its layout (placed at the draw as before)."""
    import matplotlib.pyplot as plt

    from kennzahlen.charts import plots
    from kennzahlen.charts.png import zeichne

    out = _diagramme()
    idx = [str(j) for j in range(2015, 2024)]
    daten = pd.DataFrame({"a": np.arange(9) * 1234.5, "b": np.arange(9)[::-1] * 1000.0}, idx)
    out.append(zeichne(plots.zeitreihe(daten, "Mit Beschriftung", ylabel="Personen")))
    fig, ax = plt.subplots()
    ax.plot(np.arange(5), np.arange(5) * 1e4)
    ax.set_title("Beschriftung nach dem Layout")
    plots._done(fig)
    ax.set_ylabel("später gesetzt")
    out.append(zeichne(fig))
    return out


def test_an_empty_axis_label_left_where_it_is_gives_the_same_charts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kennzahlen.charts import plots

    jetzt = _mit_und_ohne_beschriftung()
    monkeypatch.setattr("kennzahlen.charts.plots._leere_beschriftung_fest", lambda fig: None)
    assert _mit_und_ohne_beschriftung() == jetzt
    monkeypatch.undo()
    fig = plots.kleine_vielfache(pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 1.0]}), "Zwei")
    assert all("_update_label_position" in vars(ax.yaxis) for ax in fig.axes)


def test_small_multiples_without_axes_in_empty_cells_are_the_same_png(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Small multiples make axes only for the panels they show: the same PNG as with invisible
    axes in the grid's empty cells (as ``plt.subplots`` made them), laid out the same."""
    from kennzahlen.charts import plots
    from kennzahlen.charts.png import zeichne

    plots.setup()
    idx = [str(j) for j in range(2016, 2024)]
    daten = pd.DataFrame(
        {k: np.arange(8) * (i + 1) * 10.0 for i, k in enumerate(["a", "b", "c", "d"])}, idx
    )
    ohne = plots.kleine_vielfache(daten, "Vier Reihen")
    assert len(ohne.axes) == 4
    fertig = plots._done

    def mit_leeren_zellen(fig):
        raster = fig.axes[0].get_subplotspec().get_gridspec()
        for j in (4, 5):
            fig.add_subplot(raster[j // 3, j % 3]).set_visible(False)
        return fertig(fig)

    monkeypatch.setattr(plots, "_done", mit_leeren_zellen)
    mit = plots.kleine_vielfache(daten, "Vier Reihen")
    assert len(mit.axes) == 6
    assert zeichne(ohne) == zeichne(mit)

"""Time series of Produkt 3 kept per process (issue 28): the next report's chart of the same
Kennzahl is the kept figure with another line highlighted, drawn from the kept picture of what
lies under the lines (:func:`kennzahlen.charts.png.grund`). Its PNG, metadata and alt text are
those of a new figure; a changed input is a new chart; the kept figures are bounded."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from kennzahlen.catalog.model import load_catalog  # noqa: E402
from kennzahlen.charts import behalten, layout, plots, png  # noqa: E402
from kennzahlen.charts.schrift import schrift_metadaten  # noqa: E402
from kennzahlen.core.schema import GESAMTSTADT  # noqa: E402
from kennzahlen.products.wirkung import brueche  # noqa: E402

RAEUME = ["Böfingen", "Eselsberg", "Mitte/Ost", "West", "Wiblingen"]
#: a Kennzahl with a break of its definition (2022-Q3) and a Zielwert change (2023)
MIT_BRUCH = "egh_z2_anteil_nahfeld"


def _reihe(faktor: float = 1.0) -> pd.DataFrame:
    werte = {
        r: [faktor * (0.5 + 0.05 * i + 0.03 * j) for j in range(3)]
        for i, r in enumerate([GESAMTSTADT, *RAEUME])
    }
    return pd.DataFrame(werte, index=["2021", "2022", "2023"])


def _diagramm(hervorheben, faktor: float = 1.0, titel: str = "Anteil steigt", kid=MIT_BRUCH):
    k = load_catalog().get(kid)
    return brueche.diagramm(_reihe(faktor), k, titel, True, hervorheben)


def _png(fig) -> tuple:
    data = png.zeichne(fig)
    return data, schrift_metadaten(fig, data), plots.alt_text(fig)


def _neu(monkeypatch, hervorheben, **kw) -> tuple:
    """The PNG of a new figure (nothing kept, drawn whole)."""
    with monkeypatch.context() as m:
        m.setattr(brueche, "_BEHALTEN", type(brueche._BEHALTEN)())
        m.setattr(brueche, "GRENZE_BEHALTEN", 0)
        m.setattr(png, "_GRUENDE", type(png._GRUENDE)())
        m.setattr(png, "_ACHSENBOXEN", type(png._ACHSENBOXEN)())
        fig = _diagramm(hervorheben, **kw)
        del fig.kz_grund  # drawn whole, not from a kept picture
        return _png(fig)


@pytest.fixture
def leer(monkeypatch):
    """Empty caches, in a report kernel: figures are handed out again only there
    (:mod:`kennzahlen.charts.behalten`)."""
    monkeypatch.setenv(behalten.UMGEBUNG, "1")
    plots.setup()
    caches = (png._GRUENDE, png._ACHSENBOXEN, layout._FEST, brueche._BEHALTEN)
    for cache in caches:
        cache.clear()
    yield
    for cache in caches:
        cache.clear()


@pytest.mark.parametrize("kid", [MIT_BRUCH, None])
def test_kept_series_draws_as_a_new_one(monkeypatch, leer, kid):
    if kid is None:  # a Kennzahl with one Zielwert over the years and no break
        kid = next(
            k.id
            for k in load_catalog().kennzahlen
            if k.einheit == "anteil" and k.zielwert_im("2021") is not None
            and len({k.zielwert_im(j) for j in ("2021", "2022", "2023")}) == 1
            and not k.brueche(bis="2023-Q4")
        )  # fmt: skip
    erster = _diagramm(GESAMTSTADT, kid=kid)
    assert _png(erster) == _neu(monkeypatch, GESAMTSTADT, kid=kid)
    gerufen = []
    mit_grund = png._mit_grund
    monkeypatch.setattr(png, "_mit_grund", lambda *a: gerufen.append(1) or mit_grund(*a))
    legende = erster.axes[0].get_legend()
    for raum in ["West", "Böfingen", None, GESAMTSTADT, "West"]:
        fig = _diagramm(raum, kid=kid)
        assert fig is erster  # the kept figure, handed out again
        assert fig.axes[0].get_legend() is legende  # its handles set, not a new legend
        assert _png(fig) == _neu(monkeypatch, raum, kid=kid)
    assert len(gerufen) == 5  # each drawn from the kept picture


def test_a_changed_input_is_a_new_chart(monkeypatch, leer):
    erster = _diagramm("West")
    _png(erster)
    for kw in ({"faktor": 1.1}, {"titel": "Anderer Titel"}):
        fig = _diagramm("West", **kw)
        assert fig is not erster
        assert _png(fig) == _neu(monkeypatch, "West", **kw)
    with plt.rc_context({"axes.labelsize": 11.5}):  # other settings: another chart
        fig = _diagramm("West")
        assert fig is not erster
        assert _png(fig) == _neu(monkeypatch, "West")


def test_only_handed_out_again_once_drawn_and_unchanged(leer):
    erster = _diagramm("West")
    assert _diagramm("Böfingen") is not erster  # its PNG was not made yet
    zweiter = _diagramm("West")
    _png(zweiter)
    zweiter.axes[0].set_title("geändert")  # changed after its PNG: not handed out again
    assert _diagramm("West") is not zweiter
    dritter = _diagramm("West")
    _png(dritter)
    plots.beschreibe(dritter, "anderer Alt-Text")  # an attribute the stale flag does not follow
    assert _diagramm("West") is not dritter


def test_kept_charts_are_bounded(monkeypatch, leer):
    monkeypatch.setattr(brueche, "GRENZE_BEHALTEN", 2)
    figs = []
    for faktor in (1.0, 1.1, 1.2):
        figs.append(_diagramm("West", faktor=faktor))
        _png(figs[-1])
    assert len(brueche._BEHALTEN) == 2
    assert _diagramm("West", faktor=1.0) is not figs[0]  # the least recently used went first
    assert _diagramm("West", faktor=1.2) is figs[2]


def test_highlight_sets_the_lines_as_a_new_chart(leer):
    for hervor in (None, "West"):
        k = load_catalog().get(MIT_BRUCH)
        fig = brueche.diagramm(_reihe(), k, "T", True, GESAMTSTADT)
        plots.zeitreihe_hervorheben(fig, hervor)
        neu = brueche._diagramm_neu(
            _reihe(), "T", True, hervor, [k.zielwert_im(j) for j in ("2021", "2022", "2023")],
            brueche._stufen(k, ["2021", "2022", "2023"],
                            [k.zielwert_im(j) for j in ("2021", "2022", "2023")]),
            brueche._bruch_plan(k, ["2021", "2022", "2023"]), [],
        )  # fmt: skip
        props = [
            [(ln.get_linewidth(), ln.get_markersize(), ln.get_alpha()) for ln in f.axes[0].lines]
            for f in (fig, neu)
        ]
        assert props[0] == props[1]
        legenden = [
            [(h.get_linewidth(), h.get_markersize(), h.get_alpha()) for h in f.axes[0]
             .get_legend().legend_handles]
            for f in (fig, neu)
        ]  # fmt: skip
        assert legenden[0] == legenden[1]


def test_outside_a_report_kernel_every_chart_is_a_figure_of_its_own(monkeypatch, leer):
    monkeypatch.delenv(behalten.UMGEBUNG)
    erster = _diagramm("West")
    gehalten = _png(erster)
    zweiter = _diagramm("Böfingen")
    assert zweiter is not erster and not brueche._BEHALTEN
    assert _png(zweiter) == _neu(monkeypatch, "Böfingen")
    assert _png(erster) == gehalten  # the figure an analyst holds is unchanged

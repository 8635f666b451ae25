"""Control-chart figures kept per process (issue 28): the next control chart empties the kept
figure of its size instead of making a new figure, axes and ticks. Nothing of the previous chart
may stay in it, a figure is only taken again once its PNG was made and nothing in it changed, and
under the same matplotlib settings; the PNG is always the one of a new figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib as mpl  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from kennzahlen.charts import plots, png, streuung  # noqa: E402
from kennzahlen.charts.schrift import schrift_metadaten  # noqa: E402


@pytest.fixture(autouse=True)
def im_berichtskernel(monkeypatch):
    """Figures are handed out again only in the runner's report kernels (charts.behalten)."""
    from kennzahlen.charts import behalten

    monkeypatch.setenv(behalten.UMGEBUNG, "1")


def _karte(n: int = 12, basis: float = 0.2, signal_bei: int | None = 6, segmente: int = 1):
    """A control chart's frame as the SPC rule gives it (n quarters, provisional limits first)."""
    rng = np.random.default_rng(n + int(basis * 1000))
    wert = basis + rng.normal(0, basis / 10, n)
    segment = np.repeat(np.arange(segmente), -(-n // segmente))[:n]
    signal = [""] * n
    if signal_bei is not None:
        signal[signal_bei] = "ueber_grenze"
    return pd.DataFrame(
        {
            "periode": [f"{2019 + i // 4}-Q{i % 4 + 1}" for i in range(n)],
            "wert": wert,
            "mitte": basis,
            "unten": basis * 0.8,
            "oben": basis * 1.2,
            "vorlaeufig": [i < 4 for i in range(n)],
            "signal": signal,
            "segment": segment,
        }
    )


#: charts of different length, scale, signals, segments, target and labels
FAELLE = [
    ((_karte(), "Anteil ambulanter HzE, West:\nzuletzt über der Grenze", True, True), {}),
    (
        (_karte(20, 1200.0, None, 2), "Räumungsklagen, Böfingen", False, False),
        {"zielwert": [None] * 10 + [1100.0] * 10, "neue_basis": ["2021-Q3"]},
    ),
    ((_karte(13, 0.05, 12), "Nahfeld", True, None), {"beschriftung": {"2019-Q1": "2019 Q1"}}),
    ((_karte(3, 7.5, None), "Kurz", False, True), {}),
]


def _png(fig) -> tuple:
    """The PNG and everything the report takes from the figure with it."""
    data = png.zeichne(fig, 64)
    return data, schrift_metadaten(fig, data), plots.alt_text(fig)


def _neu(monkeypatch, fall) -> tuple:
    """The PNG of a new figure of the chart (nothing kept)."""
    with monkeypatch.context() as m:
        m.setattr(streuung, "_REGELKARTEN", {})
        m.setattr(streuung, "GRENZE_REGELKARTEN", 0)
        return _png(streuung.regelkarte(*fall[0], **fall[1]))


@pytest.fixture
def leer():
    plots.setup()
    streuung._REGELKARTEN.clear()
    yield
    streuung._REGELKARTEN.clear()


def test_a_kept_figure_draws_what_a_new_one_draws(monkeypatch, leer):
    erste = streuung.regelkarte(*FAELLE[0][0], **FAELLE[0][1])
    _png(erste)
    for fall in [*FAELLE[1:], *FAELLE, FAELLE[3], FAELLE[3], FAELLE[1], FAELLE[0]]:
        fig = streuung.regelkarte(*fall[0], **fall[1])
        assert fig is erste  # the kept figure, emptied and drawn again
        assert _png(fig) == _neu(monkeypatch, fall), fall[0][1]
        assert getattr(fig.canvas, "renderer", None) is None  # kept without the canvas' pixels
    assert len(streuung._REGELKARTEN) == 1


def test_nothing_of_the_previous_chart_stays(leer):
    fig = streuung.regelkarte(*FAELLE[1][0], **FAELLE[1][1])
    _png(fig)
    fig = streuung.regelkarte(*FAELLE[3][0], **FAELLE[3][1])
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Kurz"
    assert len(ax.get_lines()) == 1 + 3  # the values and one segment's mean and limits
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Mittelwert",
        "Grenzen",
        "vorläufige Grenzen",
        "übliche Schwankung",
    ]
    assert ax.get_xlim()[1] < 3  # three points, not the twenty before


def test_another_chart_draws_another_png(leer):
    a = _png(streuung.regelkarte(*FAELLE[0][0], **FAELLE[0][1]))
    b = _png(streuung.regelkarte(*FAELLE[2][0], **FAELLE[2][1]))
    assert a[0] != b[0] and a[2] != b[2]


def test_a_figure_whose_png_was_not_made_is_not_taken_again(leer):
    erste = streuung.regelkarte(*FAELLE[0][0], **FAELLE[0][1])
    zweite = streuung.regelkarte(*FAELLE[2][0], **FAELLE[2][1])  # the first one not shown yet
    assert zweite is not erste
    assert erste.axes[0].get_title(loc="left") == FAELLE[0][0][1]


def test_a_figure_changed_before_or_after_its_png_is_not_taken_again(monkeypatch, leer):
    erste = streuung.regelkarte(*FAELLE[0][0], **FAELLE[0][1])
    erste.axes[0].axhline(0.3, color="#00FF00")  # a notebook adds a line, then shows it
    _png(erste)
    fig = streuung.regelkarte(*FAELLE[1][0], **FAELLE[1][1])
    assert fig is not erste
    assert _png(fig) == _neu(monkeypatch, FAELLE[1])
    fig.axes[0].set_ylim(0, 5)  # a change after the report showed it
    nochmal = streuung.regelkarte(*FAELLE[2][0], **FAELLE[2][1])
    assert nochmal is not fig
    assert _png(nochmal) == _neu(monkeypatch, FAELLE[2])
    plots.beschreibe(nochmal, "Etwas anderes.")  # its alt text replaced after the PNG
    dritte = streuung.regelkarte(*FAELLE[3][0], **FAELLE[3][1])
    assert dritte is not nochmal
    assert _png(dritte) == _neu(monkeypatch, FAELLE[3])


def test_other_settings_are_another_figure_and_the_kept_ones_are_bounded(monkeypatch, leer):
    monkeypatch.setattr(streuung, "GRENZE_REGELKARTEN", 2)
    erste = streuung.regelkarte(*FAELLE[0][0], **FAELLE[0][1])
    _png(erste)
    for groesse in (10.5, 11.5, 14.0):  # the house style has 12.5
        with mpl.rc_context({"axes.titlesize": groesse}):
            fig = streuung.regelkarte(*FAELLE[1][0], **FAELLE[1][1])
            assert fig is not erste
            assert _png(fig) == _neu(monkeypatch, FAELLE[1])
        assert len(streuung._REGELKARTEN) <= 2
    fig = streuung.regelkarte(*FAELLE[1][0], **FAELLE[1][1])
    assert fig is not erste  # dropped: the least recently used of more than two
    assert _png(fig) == _neu(monkeypatch, FAELLE[1])

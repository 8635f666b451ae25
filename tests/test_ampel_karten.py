"""The SPC charts of all periods at once (``ampel.rules.karten``) against the chart per period
(``karte``) and the signal of the last point (``spc.letzte_signale``) against ``spc.signale``,
on random series: the same limits, texts and signals, float for float."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pandas as pd

from kennzahlen.ampel.config import NeueBasis, Parameter
from kennzahlen.ampel.rules.karten import karte, karten
from kennzahlen.ampel.rules.spc import reihen
from kennzahlen.core.periods import quartale_range
from kennzahlen.statistik import spc


def _werte(rng: np.random.Generator, n: int) -> np.ndarray:
    """A random walk on few levels: ties, runs, trends and jumps beyond the limits."""
    y = rng.normal(0, 1, n).cumsum() * rng.choice([0.3, 1.0, 3.0])
    return np.round(y, int(rng.integers(0, 3)))


def test_last_signal_of_every_prefix_equals_the_signals_of_the_prefix():
    rng = np.random.default_rng(7)
    gesehen = set()
    for _ in range(250):
        n = int(rng.integers(1, 25))
        y = _werte(rng, n)
        starts = set(rng.choice(np.arange(n), size=min(n, 2), replace=False).tolist()) | {0}
        pos = np.zeros(n, dtype="int64")
        for i in range(1, n):
            pos[i] = 0 if i in starts else pos[i - 1] + 1
        aktiv = tuple(x for x in spc.SIGNALE if rng.random() < 0.8)
        lauf, trend = int(rng.integers(2, 9)), int(rng.integers(2, 9))
        gs = []
        for i in range(n):
            seg = y[i - pos[i] : i + 1]
            basis = seg[: int(rng.integers(2, len(seg) + 1))] if len(seg) >= 2 else [y[i], y[i] + 1]
            gs.append(spc.grenzen(basis, 2.66, bool(rng.random() < 0.5)))
        g = [np.array([getattr(x, a) for x in gs]) for a in ("mitte", "unten", "oben")]
        g += [np.array([getattr(x, a) for x in gs]) for a in ("nah_unten", "nah_oben")]
        got = spc.letzte_signale(y, g, pos, aktiv, lauf, trend)
        for i in range(n):
            want = spc.signale(y[i - pos[i] : i + 1], gs[i], aktiv, lauf, trend)[-1]
            assert got[i] == want, (y, pos, i, aktiv, lauf, trend)
            gesehen.add(want.split("_")[0])
    assert gesehen == {"", "ueber", "unter", "trend", "zwei", "lauf"}


def _parameter(rng: np.random.Generator, periodizitaet: str, quartale: list[str]) -> Parameter:
    neu = sorted(rng.choice(quartale[4:], size=int(rng.integers(0, 3)), replace=False).tolist())
    von = quartale[int(rng.integers(0, 4))] if rng.random() < 0.3 else None
    kz = SimpleNamespace(periodizitaet=periodizitaet, einheit=str(rng.choice(["anzahl", "anteil"])))
    return Parameter(
        arbeitsfeld="a", kennzahl=kz, regel="spc", name="I", richtung="hoeher_besser",  # type: ignore[arg-type]
        min_faelle=0, toleranz=0.0, toleranz_text="", vorquartale=4, gelb_ueber_prozent=0,
        rot_ueber_prozent=0, basis_perioden=int(rng.integers(2, 13)), basis_von=von,
        basis_bis=quartale[quartale.index(von) + int(rng.integers(1, 9))] if von else None,
        grenzfaktor=2.66, lauf=int(rng.integers(2, 9)), trend=int(rng.integers(2, 9)),
        signale=tuple(x for x in spc.SIGNALE if rng.random() < 0.8),
        ausreisser_pruefen=bool(rng.random() < 0.7), vorlaeufig_ab=int(rng.integers(1, 8)),
        neue_basis=tuple(NeueBasis(ab=q, beschlossen_am=dt.date(2022, 1, 5), grund="ein Grund hier")
                         for q in (neu if von is None or rng.random() < 0.5 else [])),
    )  # fmt: skip


def test_charts_of_all_periods_equal_the_chart_per_period():
    rng = np.random.default_rng(11)
    quartale = quartale_range("2018-Q1", "2024-Q4")
    texte = set()
    for lauf in range(12):
        art = ["quartal", "jahr", "stichtag_quartal"][lauf % 3]
        p = _parameter(rng, art, quartale)
        perioden = {
            "quartal": quartale,
            "jahr": [str(j) for j in range(2012, 2025)],
            "stichtag_quartal": [str(pd.Period(q, "Q").end_time.date()) for q in quartale],
        }[art]
        teile = []
        for raum in ("A", "B", "C"):
            per = sorted(
                rng.choice(perioden, size=int(rng.integers(0, len(perioden))), replace=False)
            )
            teile.append(
                pd.DataFrame({"raum": raum, "periode": per, "wert": _werte(rng, len(per))})
            )
        by_area = reihen(pd.concat(teile, ignore_index=True))
        charts = karten(p, by_area)
        assert len(charts) == sum(len(s) for s in by_area.values())
        for raum, s in by_area.items():
            for per in s["periode"]:
                k, c = karte(p, s, per), charts[(raum, per)]
                assert k is not None
                assert (c.grenzen, c.basis) == (k.grenzen, k.basis), (raum, per)
                assert c.signal == (k.signal if k.grenzen else ""), (raum, per)
                texte |= {w for w in ("neu gesetzt", "vorläufig", "unvollständig") if w in c.basis}
                texte |= {"signal"} if c.signal else set()
    assert texte == {"neu gesetzt", "vorläufig", "unvollständig", "signal"}

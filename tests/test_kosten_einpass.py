"""The cost rules counted in one pass (``pool.gruppen.summe_zeitraum``, ``quartalsenden``) against
the rules as written in :mod:`kennzahlen.pool.kosten` (a mask and a groupby per period), on random
tables: amounts in quarters of a Euro (sums of x.5 are common, so the rounding is tested), rows
for the whole year beside quarter rows, stocks with open and missing ends."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kennzahlen.core.periods import perioden_fuer
from kennzahlen.pool import kosten
from kennzahlen.pool.gruppen import gruppen, quartalsenden, summe_zeitraum

T = pd.Timestamp


def _wie_die_regel(regel, df, g, periods, spalte):
    """The counts as ``kosten.zaehlen`` gives them, per group id and period."""
    out = np.zeros((g.n, len(periods)), dtype=np.int64)
    frame = kosten.zaehlen(regel, df.assign(__g=g.gid), periods, ["__g"], spalte)
    col = {p.label: j for j, p in enumerate(periods)}
    if len(frame):
        np.add.at(
            out,
            (frame["__g"].to_numpy(np.intp), frame["periode"].map(col).to_numpy(np.intp)),
            frame["n"].to_numpy(np.int64),
        )
    return out


def _perioden():
    first, last = T("2019-01-01"), T("2022-12-31")
    return [
        p
        for art in ("quartal", "jahr", "stichtag_quartal")
        for p in perioden_fuer(art, first, last)
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_amounts_per_period_equal_the_rule_float_for_float(seed):
    rng = np.random.default_rng(seed)
    n = 600
    jahre = rng.integers(2019, 2023, n)
    quartale = rng.integers(0, 5, n)  # 0: a row for the whole year
    periode = [str(j) if q == 0 else f"{j}-Q{q}" for j, q in zip(jahre, quartale, strict=True)]
    df = pd.DataFrame(
        {
            "periode": periode,
            "hilfeart": rng.choice(["a", "b", "c"], n),
            "sozialraum": rng.choice(["West", "Mitte", None], n),
            "netto": rng.integers(-40, 400, n) * 0.25,
        }
    )
    df.loc[rng.random(n) < 0.05, "netto"] = np.nan
    g = gruppen(df, ["hilfeart", "sozialraum"])
    periods = _perioden()
    jahr, quartal = kosten.jahr_und_quartal(df["periode"])
    got = summe_zeitraum(g, jahr, quartal, df["netto"], periods)
    want = _wie_die_regel("summe_zeitraum", df, g, periods, "netto")
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, want)
    # the rounding is exercised: some sums end in exactly ,50 Euro
    halbe = df.groupby([df["periode"], df["hilfeart"]])["netto"].sum() % 1 == 0.5
    assert halbe.any()


def test_a_whole_year_row_replaces_its_groups_quarters_only():
    df = pd.DataFrame(
        {
            "periode": ["2021-Q1", "2021-Q4", "2021", "2021-Q2"],
            "hilfeart": ["a", "a", "a", "b"],
            "netto": [10.5, 20.0, 100.0, 7.5],
        }
    )
    g = gruppen(df, ["hilfeart"])
    periods = [p for p in _perioden() if p.label in ("2021", "2021-Q4", "2021-12-31", "2021-06-30")]
    jahr, quartal = kosten.jahr_und_quartal(df["periode"])
    got = summe_zeitraum(g, jahr, quartal, df["netto"], periods)
    labels = [p.label for p in periods]
    # a: the year row (100) replaces 10.5 + 20 at the year's end; 30 June counts Q1 and Q2: 10.5
    # -> 10 (half to even); b: 7.5 -> 8
    assert dict(zip(labels, got[0], strict=True)) == {
        "2021-06-30": 10,
        "2021-12-31": 100,
        "2021-Q4": 20,
        "2021": 100,
    }
    assert dict(zip(labels, got[1], strict=True)) == {
        "2021-06-30": 8,
        "2021-12-31": 8,
        "2021-Q4": 0,
        "2021": 8,
    }


@pytest.mark.parametrize("seed", [4, 5])
def test_stocks_on_the_quarter_ends_equal_the_rule(seed):
    rng = np.random.default_rng(seed)
    n = 500
    beginn = T("2018-06-01") + pd.to_timedelta(rng.integers(0, 1700, n), unit="D")
    dauer = pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    df = pd.DataFrame({"beginn": beginn, "ende": beginn + dauer, "art": rng.choice(["x", "y"], n)})
    df.loc[rng.random(n) < 0.2, "ende"] = pd.NaT
    df.loc[rng.random(n) < 0.03, "beginn"] = pd.NaT
    # cases that end or start exactly on a quarter end
    df.loc[0, ["beginn", "ende"]] = [T("2020-03-31"), T("2020-03-31")]
    df.loc[1, ["beginn", "ende"]] = [T("2020-01-01"), T("2020-06-30")]
    g = gruppen(df, ["art"])
    periods = _perioden()
    got = quartalsenden(g, df["beginn"], df["ende"], periods)
    np.testing.assert_array_equal(
        got, _wie_die_regel("bestand_quartalsenden", df, g, periods, None)
    )

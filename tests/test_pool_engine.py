"""The one-pass counting engine (:mod:`kennzahlen.pool.gruppen`): its edges by hand, and the whole
pool against the engine of before issue 28 (``benchmarks/naiv_zaehlen.py``, a mask and a groupby
per period) on random tables full of edge dates."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

from kennzahlen.catalog import geography
from kennzahlen.catalog.model import load_catalog
from kennzahlen.core.periods import Periode, perioden_fuer
from kennzahlen.core.schema import OHNE_ZUORDNUNG, TABLES
from kennzahlen.pool.gruppen import gruppen, spannen, summen
from kennzahlen.pool.zaehlen import PoolBuilder

ROOT = Path(__file__).resolve().parents[1]
RG = geography.raumgliederung()
STV2SR = geography.stadtviertel_to_sozialraum()
T = pd.Timestamp


def _naiv():
    spec = importlib.util.spec_from_file_location(
        "naiv_zaehlen", ROOT / "benchmarks" / "naiv_zaehlen.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.NaivPoolBuilder


def _p(label: str, start: str, end: str) -> Periode:
    return Periode(label, T(start), T(end))


# ------------------------------------------------------------------ by hand
def test_stock_on_every_stichtag_in_one_pass():
    """Two groups; a case ending on a Stichtag counts there, one starting the day after not."""
    df = pd.DataFrame(
        {
            "g": ["a", "a", "b", "a"],
            "beginn": [T("2021-01-01"), T("2021-03-31"), T("2021-04-01"), pd.NaT],
            "ende": [T("2021-03-31"), pd.NaT, T("2021-09-30"), pd.NaT],
        }
    )
    g = gruppen(df, ["g"])
    stichtage = [_p(s, s, s) for s in ("2021-03-31", "2021-06-30", "2021-09-30", "2021-12-31")]
    got = spannen(g, df["beginn"], df["ende"], stichtage, "bestand")
    assert list(g.frame["g"]) == ["a", "b"]
    # a: case 1 on 31.03. only, case 2 from 31.03. on (open), case 4 has no beginn: never
    # b: 01.04. to 30.09.: on 30.06. and 30.09.
    assert got.tolist() == [[2, 1, 1, 1], [0, 1, 1, 0]]


def test_events_year_to_date_overlap_and_fall_back_when_starts_do_not_rise():
    """jahr_bis_stichtag: each quarter end counts the year so far (overlapping periods); periods
    whose starts do not rise with their ends are counted one by one, with the same result."""
    df = pd.DataFrame(
        {
            "g": ["x"] * 4,
            "datum": pd.to_datetime(["2021-01-01", "2021-06-30", "2021-07-01", "2022-01-01"]),
        }
    )
    g = gruppen(df, ["g"])
    ends = ["2021-03-31", "2021-06-30", "2021-09-30", "2021-12-31", "2022-03-31"]
    got = spannen(g, df["datum"], None, [_p(e, e, e) for e in ends], "jahr_bis_stichtag")
    assert got.tolist() == [[1, 2, 3, 3, 1]]
    # a year and a quarter inside it: the year ends last but starts first
    mixed = [_p("2021", "2021-01-01", "2021-12-31"), _p("2021-Q3", "2021-07-01", "2021-09-30")]
    assert spannen(g, df["datum"], None, mixed, "ereignisse").tolist() == [[3, 1]]


def test_count_table_sums_only_its_stichtage():
    df = pd.DataFrame(
        {
            "g": ["a", "a", "b", "b"],
            "stichtag": pd.to_datetime(["2020-12-31", "2021-12-31", "2021-12-31", "2021-06-30"]),
            "anzahl": [5, 7, 11, 13],
        }
    )
    g = gruppen(df, ["g"])
    periods = [
        _p("2021-12-31", "2021-12-31", "2021-12-31"),
        _p("2020-12-31", "2020-12-31", "2020-12-31"),
    ]
    assert summen(g, df["stichtag"], df["anzahl"], periods).tolist() == [[7, 5], [11, 0]]


# ------------------------------------------------------------------ against the naive engine
QUARTER_ENDS = [e.end for e in perioden_fuer("stichtag_quartal", T("2018-01-01"), T("2023-12-31"))]


def _dates(rng: np.random.Generator, n: int) -> pd.Series:
    """Dates that like the edges: quarter ends, the day after, New Year, anything."""
    ends = pd.DatetimeIndex(QUARTER_ENDS)
    pick = rng.integers(0, 4, n)
    base = ends[rng.integers(0, len(ends), n)]
    shift = np.select([pick == 0, pick == 1, pick == 2], [0, 1, -1], rng.integers(-80, 80, n))
    days = base + pd.to_timedelta(shift, unit="D")
    return pd.Series(days).astype("datetime64[ns]")


def _column(rng: np.random.Generator, col, n: int) -> pd.Series:
    stv = list(RG["stadtviertel_nr"])
    if col.kind == "code":
        return pd.Series(rng.choice(list(col.codes), n), dtype=object)
    if col.kind == "bool":
        return pd.Series(rng.random(n) < 0.5)
    if col.kind == "area":
        return pd.Series(
            [None if x < 0.1 else stv[int(x * 1000) % len(stv)] for x in rng.random(n)],
            dtype=object,
        )
    if col.kind == "sozialraum":
        names = geography.sozialraeume()
        return pd.Series(
            [names[i] if i < len(names) else None for i in rng.integers(0, len(names) + 1, n)],
            dtype=object,
        )
    if col.kind == "int":
        return pd.Series(rng.integers(0, 111, n), dtype="int64")
    if col.kind == "count":
        return pd.Series(rng.integers(0, 40, n), dtype="int64")
    if col.kind == "id":
        return pd.Series([f"id{i}" for i in range(n)], dtype=object)
    if col.kind == "decimal":  # amounts in Euro with cents
        return pd.Series(rng.integers(0, 10**7, n) / 100, dtype="float64")
    if col.kind == "zeitraum":  # a quarter, or a whole year (the annual accounts)
        ends = pd.DatetimeIndex(QUARTER_ENDS)[rng.integers(0, len(QUARTER_ENDS), n)]
        jahr = rng.random(n) < 0.2
        return pd.Series(
            [
                f"{e.year}" if j else f"{e.year}-Q{e.quarter}"
                for e, j in zip(ends, jahr, strict=True)
            ],
            dtype=object,
        )
    if col.kind == "text":
        return pd.Series(["Text"] * n, dtype=object)
    return _dates(rng, n)


def _table(rng: np.random.Generator, name: str, n: int) -> pd.DataFrame:
    spec = TABLES[name]
    df = pd.DataFrame({c.name: _column(rng, c, n) for c in spec.columns})
    if "ende" in df:
        later = df["beginn"] + pd.to_timedelta(rng.integers(0, 400, n), unit="D")
        df["ende"] = later.where(rng.random(n) < 0.7)
    if spec.kind == "count":
        df["stichtag"] = pd.Series(pd.DatetimeIndex(QUARTER_ENDS)[rng.integers(0, 24, n)])
        df = df.drop_duplicates(subset=list(spec.key))
    if spec.has_stadtviertel:
        df["sozialraum"] = df["stadtviertel_nr"].map(STV2SR).fillna(OHNE_ZUORDNUNG)
    elif "sozialraum" in df:
        df["sozialraum"] = df["sozialraum"].fillna(OHNE_ZUORDNUNG)
    df["stand"] = T("2024-01-15")
    df["datei"] = f"{name}_2024-01-15.csv"
    return df.reset_index(drop=True)


def test_the_pool_equals_the_naive_engine_value_by_value():
    """Every Kennzahl of the catalog on 800 random rows per table (24 quarters, edge dates, empty
    areas): the same frame, dtypes and values, as the engine of before issue 28 (4 s of CPU)."""
    rng = np.random.default_rng(1)
    catalog = load_catalog()
    used = {b.tabelle for b in catalog.basiszahlen.values()}
    tables = {
        name: _table(rng, name, 800 if name in used else 0) for name in TABLES if name in used
    }
    empty = {n: pd.DataFrame(columns=TABLES[n].output_columns) for n in TABLES if n not in used}
    tables.update(empty)
    files = pd.DataFrame(
        [
            {"datei": f"{n}.csv", "tabelle": n, "stand": T(s), "zeilen": 1}
            for n in used
            for s in ("2018-02-01", "2024-01-15")
        ]
    )
    new = PoolBuilder(tables, catalog, RG, files).build()
    old = _naiv()(tables, catalog, RG, files).build()
    assert len(new) > 10_000
    pd.testing.assert_frame_equal(new, old, check_exact=True)


def test_groups_on_integer_codes_are_those_of_groupby_ngroup():
    """:func:`gruppen` folds factorised codes into one code per row: the same numbering as
    ``groupby(columns, dropna=False, observed=True, sort=False).ngroup()`` (first row order), the
    same first rows, on text, categorical (with unused categories), bool and int columns with
    empty values, and on many columns whose combined range is renumbered on the way."""
    rng = np.random.default_rng(28)
    n = 5000
    text = np.array(["a", "b", "", "ü", "10", "2"], dtype=object)
    df = pd.DataFrame(
        {
            "t": pd.Series(text[rng.integers(0, 6, n)], dtype="str").where(rng.random(n) > 0.1),
            "c": pd.Categorical.from_codes(rng.integers(-1, 3, n), categories=["x", "y", "z", "w"]),
            "b": rng.random(n) > 0.5,
            "i": pd.Series(rng.integers(0, 4, n), dtype="Int64").where(rng.random(n) > 0.2),
            "d": pd.Series(rng.integers(0, 7, n).astype(float)).where(rng.random(n) > 0.1),
        }
    )
    for extra in range(12):  # many wide columns: the combined code would overflow, renumbered
        df[f"w{extra}"] = pd.Series(rng.integers(0, 40, n).astype(str), dtype="str")
    for cols in (["t"], ["c", "t"], ["t", "c", "b", "i", "d"], list(df.columns)):
        g = gruppen(df, cols)
        expected = df.groupby(cols, dropna=False, observed=True, sort=False).ngroup().to_numpy()
        assert np.array_equal(g.gid, expected)
        first = np.unique(expected, return_index=True)[1]
        pd.testing.assert_frame_equal(g.frame, df[cols].iloc[first].reset_index(drop=True))


def test_spans_counted_in_row_blocks_give_the_same_counts(monkeypatch):
    """:func:`spannen` counts a large table in row blocks: any block size, the same matrix."""
    from kennzahlen.pool import gruppen as modul

    rng = np.random.default_rng(6)
    n = 997
    df = pd.DataFrame(
        {
            "g": rng.integers(0, 5, n).astype(str),
            "beginn": _dates(rng, n).where(rng.random(n) > 0.05),
            "ende": _dates(rng, n).where(rng.random(n) > 0.4),
        }
    )
    g = gruppen(df, ["g"])
    periods = perioden_fuer("stichtag_quartal", T("2018-01-01"), T("2023-12-31"))
    for regel, end in (("bestand", df["ende"]), ("im_verlauf", df["ende"]), ("ereignisse", None)):
        whole = spannen(g, df["beginn"], end, periods, regel)
        monkeypatch.setattr(modul, "_BLOCK", 100)
        assert np.array_equal(spannen(g, df["beginn"], end, periods, regel), whole)
        monkeypatch.setattr(modul, "_BLOCK", 1 << 18)

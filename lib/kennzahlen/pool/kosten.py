"""The counting rules of costs (Ziel 7): amounts per period, stocks at four quarter ends, changes.

Three rules beside those of :mod:`kennzahlen.pool.zaehlen`, self-contained (frames in, frames
out), so that a rewrite of the counting engine can take them over as they are:

- ``summe_zeitraum`` (table ``ausgaben``): the sum of an amount column (``netto``, ``brutto``,
  ``einnahmen``) over a period. A quarter sums its quarter's rows; a year, and a quarter-end
  Stichtag (the year to date), sum the quarters of the year up to it, except that a row for the
  whole year (``periode`` = ``JJJJ``, the annual accounts) replaces the quarter rows of its year
  with the same Arbeitsfeld, Hilfeart, setting and Sozialraum. Sums are rounded to whole Euro per
  area and Hilfeart, so that every total is the exact sum of its parts.
- ``bestand_quartalsenden`` (record tables with ``beginn``/``ende``): the stock on each of the four
  quarter ends of a year, summed; divided by 4 (``faktor: 4`` of a Kennzahl "Euro je Fall") it is
  the average case of the year.
- ``vergleich: vorjahr`` of a Kennzahl: the value is the change of Zähler/Nenner x faktor against
  the previous year (``wert_t / wert_t-1 - 1``); Zähler and Nenner stay those of the year.

Abdeckung of ``ausgaben``: the quarters delivered, and the years delivered whole (a row for the
year, or all four quarters), see :func:`abdeckung_frames`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kennzahlen.core.periods import Periode, jahresbeginn, quartal_beginn_von_tag, quartal_enden

#: the rules this module counts (Basiszahl ``regel``)
REGELN = ("summe_zeitraum", "bestand_quartalsenden")


def zaehlen(
    regel: str, df: pd.DataFrame, periods: list[Periode], group: list[str], spalte: str | None
) -> pd.DataFrame:
    """The counts (or amounts) of one of this module's rules per period and ``group``."""
    if regel == "summe_zeitraum":
        return summe_zeitraum(df, str(spalte), periods, group)
    return bestand_quartalsenden(df, periods, group)


def _jahr_quartal(periode: pd.Series) -> tuple[pd.Series, pd.Series]:
    """'2023-Q2' -> ('2023', 2); '2023' -> ('2023', 0)."""
    text = periode.astype(str)
    quartal = pd.to_numeric(text.str[6:].where(text.str.len() > 4, "0"), errors="coerce")
    return text.str[:4], quartal.fillna(0).astype("int64")


def jahr_und_quartal(periode: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``ausgaben`` the year and quarter of its ``periode`` as int64 arrays ('2023-Q2'
    -> (2023, 2); '2023' -> (2023, 0)): what :func:`summe_zeitraum` compares with."""
    jahr, quartal = _jahr_quartal(periode)
    return pd.to_numeric(jahr, errors="coerce").fillna(-1).to_numpy(np.int64), quartal.to_numpy(
        np.int64
    )


def _summe(df: pd.DataFrame, spalte: str, group: list[str]) -> pd.DataFrame:
    g = df.groupby(group, dropna=False, observed=True)[spalte].sum()
    return g.rename("n").reset_index()


def summe_zeitraum(
    df: pd.DataFrame, spalte: str, periods: list[Periode], group: list[str]
) -> pd.DataFrame:
    """The amounts of ``spalte`` per period and ``group`` (whole Euro), as described above."""
    jahr, quartal = _jahr_quartal(df["periode"])
    parts = []
    for p in periods:
        y = str(p.end.year)
        if "-Q" in p.label:
            part = _summe(df[(jahr == y) & (quartal == p.end.quarter)], spalte, group)
        else:  # a year, or the year to date on a quarter-end Stichtag
            quarters = _summe(
                df[(jahr == y) & (quartal >= 1) & (quartal <= p.end.quarter)], spalte, group
            )
            part = quarters
            if p.end.quarter == 4:
                whole = _summe(df[(jahr == y) & (quartal == 0)], spalte, group)
                keys = pd.MultiIndex.from_frame(whole[group]) if len(whole) else None
                if keys is not None:
                    replaced = pd.MultiIndex.from_frame(quarters[group]).isin(keys)
                    part = pd.concat([quarters[~replaced], whole], ignore_index=True)
        part["n"] = part["n"].round().astype("int64")
        part["periode"] = p.label
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def bestand_quartalsenden(
    df: pd.DataFrame, periods: list[Periode], group: list[str]
) -> pd.DataFrame:
    """The stocks on the quarter ends of each period, summed per ``group``."""
    parts = []
    for p in periods:
        for s in quartal_enden(p.start, p.end):
            mask = (df["beginn"] <= s) & (df["ende"].isna() | (df["ende"] >= s))
            g = df.loc[mask, group].groupby(group, dropna=False, observed=True).size()
            g = g.rename("n").reset_index()
            g["periode"] = p.label
            parts.append(g)
    if not parts:
        return pd.DataFrame()
    both = pd.concat(parts, ignore_index=True)
    keys = ["periode", *group]
    return both.groupby(keys, dropna=False, observed=True)["n"].sum().reset_index()


def erster_tag(regel: str, period: Periode) -> pd.Timestamp:
    """The first day a rule of this module needs covered for a period."""
    if regel == "bestand_quartalsenden":
        return period.start + pd.offsets.QuarterEnd(0)
    if period.start == period.end:  # a Stichtag: the year to date
        return jahresbeginn(period.end)
    return period.start


def vorjahr(z: pd.DataFrame) -> pd.DataFrame:
    """Pool rows (ebene, raum, periode = year, zaehler, nenner, wert) with ``wert`` replaced by
    its change against the previous year; years without a previous value (or one of 0) drop."""
    prev = z[["ebene", "raum", "periode", "wert"]].rename(columns={"wert": "vorjahr"})
    prev["periode"] = (prev["periode"].astype(int) + 1).astype(str)
    out = z.merge(prev, on=["ebene", "raum", "periode"], how="inner")
    out = out[out["vorjahr"].notna() & (out["vorjahr"] != 0)]
    out["wert"] = out["wert"] / out["vorjahr"] - 1
    return out.drop(columns="vorjahr")


def abdeckung_frames(frame: pd.DataFrame) -> tuple[frozenset, frozenset, pd.Timestamp | None]:
    """For ``ausgaben``: the quarter ends of the quarters delivered, the years delivered whole (a
    row for the year, or all four quarters) and the first day delivered."""
    if not len(frame):
        return frozenset(), frozenset(), None
    jahr, quartal = _jahr_quartal(frame["periode"])
    q = pd.DataFrame({"jahr": jahr.astype(int), "q": quartal}).drop_duplicates()
    quarters = q[q["q"] > 0]
    ends = frozenset(
        pd.Timestamp(year=int(j), month=3 * int(n), day=1) + pd.offsets.MonthEnd(0)
        for j, n in zip(quarters["jahr"], quarters["q"], strict=True)
    )
    whole = set(q.loc[q["q"] == 0, "jahr"])
    whole |= {j for j, g in quarters.groupby("jahr") if set(g["q"]) >= {1, 2, 3, 4}}
    starts = [quartal_beginn_von_tag(e) for e in ends] + [
        pd.Timestamp(year=j, month=1, day=1) for j in whole
    ]
    return ends, frozenset(int(j) for j in whole), min(starts)

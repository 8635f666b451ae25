"""Periods: the one place for Stichtag, quarter and year arithmetic.

Three kinds of label name a period throughout the package (pool column ``periode``, the run
parameter ``periode``, the Ampel column ``quartal``):

- a quarter ``'YYYY-Qn'`` (a run quarter; the pool period of a quarterly Kennzahl),
- a year ``'YYYY'`` (the pool period of a yearly Kennzahl; the report period of Produkt 1 and 3),
- a Stichtag ``'YYYY-MM-DD'`` (the pool period of a stock), usually a quarter's last day.

A quarter's Stichtag is its last day: ``stichtag('2021-Q4') == '2021-12-31'``. German text for a
period (``'4. Quartal 2021'``) is :func:`kennzahlen.core.fmt.periode`.
"""

from __future__ import annotations

import functools
import numbers
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol, cast, get_args

if TYPE_CHECKING:
    import pandas as pd
else:

    class _Pandas:
        """pandas, imported on first use: an unchanged report rerun never needs it (rerun.py)."""

        def __getattr__(self, name: str):
            import pandas

            return getattr(pandas, name)

    pd = _Pandas()

#: how often a Kennzahl is measured (catalog ``periodizitaet``)
Periodizitaet = Literal["stichtag_quartal", "stichtag_jahr", "quartal", "jahr"]
PERIODIZITAETEN: tuple[str, ...] = get_args(Periodizitaet)
#: a quarter label 'YYYY-Qn'
QUARTAL_RE = re.compile(r"^\d{4}-Q[1-4]$", flags=re.ASCII)
#: a quarter-end Stichtag 'YYYY-MM-DD' (a pattern for ``Series.str.fullmatch``)
QUARTALSENDE_MUSTER = r"\d{4}-(03-31|06-30|09-30|12-31)"
#: a year label 'YYYY' (a pattern for ``Series.str.fullmatch``)
JAHR_MUSTER = r"\d{4}"


def ist_quartal(text: object) -> bool:
    """Whether ``text`` is a quarter label 'YYYY-Qn' (ASCII digits only)."""
    return isinstance(text, str) and QUARTAL_RE.match(text) is not None


def teile(quartal: str) -> tuple[int, int]:
    """'2021-Q4' -> (2021, 4)."""
    return int(quartal[:4]), int(quartal[-1])


def jahr_von(periode: object) -> str:
    """The year of a pool period: '2021-Q4', '2021-12-31', '2021' -> '2021'."""
    return str(periode)[:4]


def als_quartal(jahr: int, n: int) -> str:
    """(2021, 4) -> '2021-Q4'."""
    return f"{jahr}-Q{n}"


def verschiebe(quartal: str, n: int) -> str:
    """The quarter ``n`` quarters later (earlier for negative ``n``): ('2021-Q4', 1) ->
    '2022-Q1'."""
    jahr, q = teile(quartal)
    idx = jahr * 4 + (q - 1) + n
    return als_quartal(idx // 4, idx % 4 + 1)


def vorquartal(quartal: str, n: int = 1) -> str:
    """The quarter ``n`` quarters before: ('2022-Q1', 1) -> '2021-Q4'; n=4: the Vorjahresquartal."""
    return verschiebe(quartal, -n)


def quartale_range(first: str, last: str) -> list[str]:
    """All quarters from ``first`` to ``last`` (inclusive; empty when ``first`` is later)."""
    out, q = [], first
    while q <= last:
        out.append(q)
        q = verschiebe(q, 1)
    return out


def quartal_beginn(quartal: str) -> pd.Timestamp:
    """The first day of a quarter: '2024-Q1' -> 2024-01-01."""
    jahr, q = teile(quartal)
    return pd.Timestamp(year=jahr, month=3 * q - 2, day=1)


@functools.lru_cache(maxsize=4096, typed=True)
def quartal_ende(quartal: str) -> pd.Timestamp:
    """The last day of a quarter (its Stichtag) as a date: '2024-Q1' -> 2024-03-31."""
    jahr, q = teile(quartal)
    return pd.Timestamp(year=jahr, month=3 * q, day=1) + pd.offsets.MonthEnd(0)


def stichtag(quartal: str) -> str:
    """The quarter-end Stichtag of 'YYYY-Qn' as a pool period: '2021-Q4' -> '2021-12-31'."""
    return quartal_ende(quartal).strftime("%Y-%m-%d")


def jahres_stichtag(jahr: str | int) -> str:
    """The Stichtag 31.12. of a year as a pool period: '2018' -> '2018-12-31'."""
    return f"{jahr}-12-31"


def jahresbeginn(tag: object) -> pd.Timestamp:
    """The 1 January of a day's year: 2024-02-29 -> 2024-01-01."""
    return pd.Timestamp(year=pd.Timestamp(tag).year, month=1, day=1)


def ist_jahresende(perioden: pd.Series) -> pd.Series:
    """Which pool periods (strings) are a 31.12. Stichtag."""
    return perioden.astype(str).str.endswith("-12-31")


def quartal_von_tag(tag: object) -> str:
    """The quarter a day lies in: '2024-02-29' -> '2024-Q1'."""
    ts = pd.Timestamp(tag)
    return als_quartal(ts.year, ts.quarter)


def ist_quartalsende(tag: object) -> bool:
    """Whether a day is the last day of its quarter."""
    ts = pd.Timestamp(tag)
    return ts == ts + pd.offsets.QuarterEnd(0)


@functools.lru_cache(maxsize=4096, typed=True)
def quartal_von(periode: str) -> str | None:
    """The quarter a pool period belongs to: a quarter itself, a year its Q4, a quarter-end
    Stichtag its quarter; None for any other day (kept per period: the Ampel asks for the same
    few periods thousands of times)."""
    if QUARTAL_RE.match(periode):
        return periode
    if re.fullmatch(JAHR_MUSTER, periode):
        return als_quartal(int(periode), 4)
    if not ist_quartalsende(periode):
        return None
    return quartal_von_tag(periode)


def letztes_volles_jahr(quartal: str) -> int:
    """The last complete year up to a quarter's end: '2023-Q4' -> 2023, '2023-Q3' -> 2022."""
    jahr, q = teile(quartal)
    return jahr if q == 4 else jahr - 1


def periode_fuer(quartal: str, periodizitaet: str) -> str:
    """The pool period a Kennzahl of the periodicity is read at in a quarter.

    Stocks (stichtag_quartal): the quarter-end Stichtag; quarterly values: the quarter; yearly
    values: the last complete year up to the quarter; stichtag_jahr: the last 31.12. up to the
    quarter end.
    """
    if periodizitaet == "stichtag_quartal":
        return stichtag(quartal)
    if periodizitaet == "quartal":
        return quartal
    last = letztes_volles_jahr(quartal)
    return str(last) if periodizitaet == "jahr" else jahres_stichtag(last)


def zeitraum(periode: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a pool period: '2018', '2019-Q1' or a Stichtag '2018-12-31'."""
    text = str(periode)
    if len(text) == 4:
        return pd.Timestamp(f"{text}-01-01"), pd.Timestamp(f"{text}-12-31")
    if "-Q" in text:
        return quartal_beginn(text), quartal_ende(text)
    day = pd.Timestamp(text)
    return day, day


def letzter_tag(periode: str) -> str:
    """A pool period as its last day ('2021', '2021-Q4' -> '2021-12-31'), for comparisons."""
    if len(periode) == 4:
        return jahres_stichtag(periode)
    if "-Q" in periode:
        return stichtag(periode)
    return periode


def quartal_beginn_von_tag(ts: object) -> pd.Timestamp:
    """The first day of the quarter a day lies in: :func:`quartal_beginn` of its label."""
    return pd.Timestamp(ts).to_period("Q").start_time.normalize()


def letztes_quartal_ende(ts: object) -> pd.Timestamp:
    """The last quarter end on or before ``ts``."""
    ts = pd.Timestamp(ts).normalize()
    qe = ts + pd.offsets.QuarterEnd(0)
    return qe if qe == ts else ts - pd.offsets.QuarterEnd(1)


def quartal_enden(first: pd.Timestamp, last: pd.Timestamp) -> list[pd.Timestamp]:
    """Quarter-end Stichtage S with first <= S <= last."""
    return list(pd.date_range(first, last, freq="QE"))


@dataclass(frozen=True)
class Periode:
    """A reporting period: its label in the pool and its first and last day."""

    label: str
    start: pd.Timestamp
    end: pd.Timestamp


def perioden_fuer(periodizitaet: str, first: pd.Timestamp, last: pd.Timestamp) -> list[Periode]:
    """All periods of a periodicity that lie completely within [first, last]."""
    out: list[Periode] = []
    for s in quartal_enden(first, last):
        if (
            periodizitaet == "stichtag_quartal"
            or periodizitaet == "stichtag_jahr"
            and s.month == 12
        ):
            out.append(Periode(s.strftime("%Y-%m-%d"), s, s))
        elif periodizitaet == "quartal":
            start = s - pd.offsets.QuarterBegin(startingMonth=1)
            if start >= first:
                out.append(Periode(als_quartal(s.year, s.quarter), start, s))
        elif periodizitaet == "jahr" and s.month == 12:
            start = jahresbeginn(s)
            if start >= first:
                out.append(Periode(str(s.year), start, s))
    return out


# ---------------------------------------------------------------------------- what analysts type
#: the forms :func:`periode_lesen` understands, for messages
PERIODEN_FORMEN = (
    "'2021' (Jahr), '2021-Q4', 'Q4/2021' oder '4. Quartal 2021' (Quartal), "
    "'31.12.2021' oder '2021-12-31' (Stichtag), ein datetime.date oder pandas.Timestamp"
)
_FORMEN: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("jahr", re.compile(r"(?P<j>\d{4})", flags=re.ASCII)),
    ("quartal", re.compile(r"(?P<j>\d{4})\s*[-/ ]?\s*q(?P<q>[1-4])", flags=re.ASCII)),
    ("quartal", re.compile(r"q(?P<q>[1-4])\s*[-/ ]?\s*(?P<j>\d{4})", flags=re.ASCII)),
    ("quartal", re.compile(r"(?P<q>[1-4])\.?\s*quartal\s+(?P<j>\d{4})", flags=re.ASCII)),
    ("tag", re.compile(r"(?P<j>\d{4})-(?P<m>\d{1,2})-(?P<t>\d{1,2})", flags=re.ASCII)),
    ("tag", re.compile(r"(?P<t>\d{1,2})\.(?P<m>\d{1,2})\.(?P<j>\d{4})", flags=re.ASCII)),
)


class _Zeitspanne(Protocol):
    """What :func:`periode_lesen` reads of a ``pandas.Period``."""

    year: int
    quarter: int


class PeriodenFormatError(ValueError):
    """A period an analyst typed is no year, quarter or day; the message lists the forms."""


@dataclass(frozen=True)
class Periodenangabe:
    """A period as an analyst named it: ``art`` is 'jahr', 'quartal' or 'tag', ``schluessel``
    its pool-style label ('2021', '2021-Q4', '2021-12-31'), ``text`` what was typed."""

    art: str
    schluessel: str
    text: str

    @property
    def letzter_tag(self) -> str:
        """The last day of the period named: '2021', '2021-Q4' -> '2021-12-31'."""
        return letzter_tag(self.schluessel)


def periode_lesen(angabe: object) -> Periodenangabe:
    """Read a period in any form a German analyst types (:data:`PERIODEN_FORMEN`).

    >>> periode_lesen("Q4/2021").schluessel, periode_lesen("31.12.2021").schluessel
    ('2021-Q4', '2021-12-31')
    >>> periode_lesen(2021).art
    'jahr'
    """
    text = str(angabe)
    if isinstance(angabe, numbers.Integral) and not isinstance(angabe, bool):
        angabe = int(angabe)  # also numpy integers
    elif type(angabe).__name__ == "datetime64":
        angabe = pd.Timestamp(angabe)
    if type(angabe).__name__ == "Period":  # pandas.Period (known by name: pandas stays unloaded)
        span = cast("_Zeitspanne", angabe)
        frei = str(getattr(angabe, "freqstr", ""))[:1].upper()
        angabe = {"Q": f"{span.year}-Q{span.quarter}", "Y": str(span.year)}.get(
            frei, getattr(angabe, "end_time", angabe)
        )
    if hasattr(angabe, "year") and hasattr(angabe, "month") and hasattr(angabe, "day"):
        tag = f"{angabe.year:04d}-{angabe.month:02d}-{angabe.day:02d}"  # date, datetime, Timestamp
        return Periodenangabe("tag", tag, text)
    if isinstance(angabe, str | int) and not isinstance(angabe, bool):
        norm = re.sub(r"\s+", " ", text.strip().casefold())
        for art, muster in _FORMEN:
            m = muster.fullmatch(norm)
            if m:
                return Periodenangabe(art, _schluessel(art, m, text), text)
    raise PeriodenFormatError(f"Periode {text!r} nicht erkannt: erlaubt sind {PERIODEN_FORMEN}.")


def _schluessel(art: str, m: re.Match[str], text: str) -> str:
    jahr = m.group("j")
    if art == "jahr":
        return jahr
    if art == "quartal":
        return als_quartal(int(jahr), int(m.group("q")))
    tag = f"{jahr}-{int(m.group('m')):02d}-{int(m.group('t')):02d}"
    try:
        pd.Timestamp(tag)
    except ValueError:
        raise PeriodenFormatError(f"Periode {text!r}: {tag} ist kein gültiges Datum.") from None
    return tag


def passende_perioden(angabe: Periodenangabe, vorhanden: Iterable[str]) -> list[str]:
    """The pool periods among ``vorhanden`` that the analyst's period names, oldest first.

    A day names every period ending on it ('2021-12-31' -> the Stichtag, '2021-Q4' and '2021');
    a quarter names itself and its Stichtag; a year names itself and its 31.12., else (a
    Kennzahl of quarters) its four quarters.
    """
    vorhanden = list(vorhanden)
    k = angabe.schluessel
    if angabe.art == "tag":
        treffer = [p for p in vorhanden if letzter_tag(p) == k]
    elif angabe.art == "quartal":
        treffer = [p for p in vorhanden if p in (k, stichtag(k))]
    else:
        treffer = [p for p in vorhanden if p in (k, jahres_stichtag(k))]
        treffer = treffer or [p for p in vorhanden if ist_quartal(p) and p.startswith(k)]
    return sorted(set(treffer))


def naechste_perioden(angabe: Periodenangabe, vorhanden: Iterable[str], n: int = 3) -> list[str]:
    """The ``n`` pool periods whose last day lies nearest to the period named, oldest first."""
    ziel = pd.Timestamp(angabe.letzter_tag)
    nah = sorted(set(vorhanden), key=lambda p: (abs(pd.Timestamp(letzter_tag(p)) - ziel), p))
    return sorted(nah[:n], key=letzter_tag)

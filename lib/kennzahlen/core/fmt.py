"""German formatting of numbers, shares and dates for reports (via babel, locale de_DE).

A number and its unit never break apart: the space before "%" is a no-break space (NBSP).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "de_DE"
#: no-break space: between a number and its unit ("40,0 %"), so a line never ends inside it
NBSP = "\u00a0"


def _missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def zahl(x: float | int | None, nachkomma: int = 0, leer: str = "–") -> str:
    """A number in German format: 1234.5 -> '1.235' (nachkomma=0) or '1.234,5' (1)."""
    if _missing(x):
        return leer
    if x == 0:  # -0.0 is no value below zero (and 0.0 == -0.0 would share one cache entry)
        x = 0
    try:
        return _zahl(x, nachkomma)
    except TypeError:  # an unhashable number type: format it without the cache
        return _zahl.__wrapped__(x, nachkomma)


@lru_cache(maxsize=65536, typed=True)
def _zahl(x: float | int, nachkomma: int) -> str:
    """babel's German number text, kept per value: a report formats the same values many times."""
    text = _deutsch(x, nachkomma)
    if text is not None:
        return text
    pattern = "#,##0" + ("." + "0" * nachkomma if nachkomma else "")
    return format_decimal(x, format=pattern, locale=LOCALE)


#: the quanta babel rounds to (``Decimal(10) ** -nachkomma``)
_QUANTUM = {n: Decimal(10) ** -n for n in range(7)}
#: "1,234.5" (Python's grouping) -> "1.234,5" (German)
_DEUTSCH = str.maketrans(",.", ".,")


def _deutsch(x: object, nachkomma: int) -> str | None:
    """What ``format_decimal(x, "#,##0.0…", locale="de_DE")`` gives, made the way babel makes it
    (the value as ``Decimal(str(x))``, its sign kept apart, the absolute value rounded half to
    even to ``nachkomma`` decimals, grouped by three), without babel's pattern and locale
    machinery (tests/test_fmt_schnell.py compares both); None for anything else (babel then)."""
    quantum = _QUANTUM.get(nachkomma)
    if quantum is None or isinstance(x, bool):
        return None
    try:
        d = Decimal(str(x))
        if not d.is_finite() or not abs(d) < 10**15:
            return None
        gerundet = abs(d).quantize(quantum)
    except (ArithmeticError, ValueError, InvalidOperation):
        return None
    text = f"{gerundet:,f}".translate(_DEUTSCH)
    return "-" + text if d.is_signed() else text


def prozent(anteil: float | None, nachkomma: int = 1, leer: str = "–") -> str:
    """A share given as a fraction 0–1 in German percent: 0.8 -> '80,0 %'."""
    if anteil is None or _missing(anteil):
        return leer
    return f"{zahl(anteil * 100, nachkomma)}{NBSP}%"


def prozent_vorzeichen(anteil: float | None, nachkomma: int = 1, leer: str = "–") -> str:
    """A change given as a fraction in German percent with its sign: 0.0577 -> '+5,8 %'."""
    if anteil is None or _missing(anteil):
        return leer
    return f"{_mit_vorzeichen(anteil * 100, nachkomma)}{NBSP}%"


def euro(betrag: float | None, nachkomma: int = 0, leer: str = "–") -> str:
    """An amount in Euro, German format: 1234567 -> '1.234.567 €', (3173.077, 2) -> '3.173,08 €'."""
    if betrag is None or _missing(betrag):
        return leer
    return f"{zahl(betrag, nachkomma)}{NBSP}€"


def teuro(betrag: float | None, leer: str = "–") -> str:
    """An amount in thousands of Euro for wide tables: 1234567 -> '1.235 T€'."""
    if betrag is None or _missing(betrag):
        return leer
    return f"{zahl(betrag / 1000, 0)}{NBSP}T€"


def nachkomma_noetig(werte: Iterable[float], mindestens: int = 0, hoechstens: int = 6) -> int:
    """The fewest decimals (at least ``mindestens``) that show every value exactly: [30, 32.5] ->
    1."""
    finite = [float(v) for v in werte if not _missing(v) and math.isfinite(float(v))]
    for d in range(mindestens, hoechstens + 1):
        if all(abs(round(v, d) - v) <= 1e-9 * max(1.0, abs(v)) for v in finite):
            return d
    return hoechstens


def veraenderung(neu: float | None, alt: float | None, nachkomma: int = 1) -> str:
    """Relative change with sign: '+3,2 %'; '–' when not computable."""
    if neu is None or alt is None or _missing(neu) or _missing(alt) or not alt:
        return "–"
    return f"{_mit_vorzeichen((neu - alt) / alt * 100, nachkomma)}{NBSP}%"


def differenz(neu: float | None, alt: float | None, nachkomma: int = 0) -> str:
    """Absolute change with sign: '+12', '−3', '±0'."""
    if neu is None or alt is None or _missing(neu) or _missing(alt):
        return "–"
    return _mit_vorzeichen(neu - alt, nachkomma)


def _mit_vorzeichen(x: float, nachkomma: int) -> str:
    """'+3,2', '−3,2', and '±0,0' whenever the shown digits are all zero (never '−0,0')."""
    text = zahl(abs(x), nachkomma)
    if not any(c in "123456789" for c in text):
        return f"±{text}"
    return f"{'+' if x > 0 else '−'}{text}"


def datum(ts: object) -> str:
    """A date in German short form: '31.12.2021'."""
    if _missing(ts):
        return "–"
    return format_date(pd.Timestamp(ts).date(), format="dd.MM.yyyy", locale=LOCALE)


def periode(label: str) -> str:
    """A pool period in German: '2021-12-31' -> '31.12.2021', '2021-Q4' -> '4. Quartal 2021'."""
    if "-Q" in label:
        year, q = label.split("-Q")
        return f"{q}. Quartal {year}"
    if len(label) == 4:
        return f"Jahr {label}"
    return datum(label)


def anzahl(n: int, einzahl: str, mehrzahl: str) -> str:
    """A count with its noun in the right number: '1 Veränderung', '2 Veränderungen',
    '0 Veränderungen' (German takes the plural for 0)."""
    return f"{zahl(n)} {numerus(n, einzahl, mehrzahl)}"


def numerus(n: int | float, einzahl: str, mehrzahl: str) -> str:
    """The word for exactly one or for any other number: a verb or noun that agrees with ``n``
    ('wurde'/'wurden'; in 'x von y' the verb agrees with x)."""
    return einzahl if n == 1 else mehrzahl


def satz(text: str) -> str:
    """A sentence ends with a full stop (or ! ?): 'fachlich unauffällig' -> 'fachlich
    unauffällig.'; text from config or raw data may come without one."""
    text = text.rstrip()
    return text if not text or text[-1] in ".!?" else text + "."

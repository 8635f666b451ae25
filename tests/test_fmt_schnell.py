"""German number texts without babel's machinery: the same text as babel's format_decimal for
floats, numpy floats and ints of every size and sign, halves that round to even, and values
whose decimal and binary roundings differ."""

from __future__ import annotations

import numpy as np
from babel.numbers import format_decimal

from kennzahlen.core import fmt


def _babel(x: object, n: int) -> str:
    pattern = "#,##0" + ("." + "0" * n if n else "")
    return format_decimal(x, format=pattern, locale="de_DE")


def _werte() -> list[object]:
    rng = np.random.default_rng(28)
    werte: list[object] = []
    for scale in (1e-4, 0.01, 1, 100, 1e4, 1e6, 1e9, 1e13):
        werte += list(rng.normal(0, scale, 400))
    werte += [round(float(v), 3) for v in rng.uniform(-1000, 1000, 2000)]
    werte += [k + 0.5 for k in range(-20, 20)] + [k / 8 for k in range(-100, 100)]
    werte += [k / 1000 for k in range(-3000, 3000, 7)]
    werte += [2.675, 1.005, 0.125, 0.045, -0.04, -0.05, -0.0, 0.0, 1e-20, -1e-20, 999.95, 999.5]
    werte += [9.999999999e14, -9.999999999e14, 123456789012.345, 1e15, -1e15, 1e300, 5e-324]
    werte += [np.float64(v) for v in rng.normal(0, 1000, 300)] + [np.float32(1.1), np.float32(-2.5)]
    werte += [0, 1, -1, 7, 999, 1000, -1000, 123456789, 10**14, 10**15, 10**20, -(10**18)]
    werte += [np.int64(12345), np.int32(-7), float("inf"), float("-inf")]
    return werte


def _oder_fehler(f, *args):  # type: ignore[no-untyped-def]
    try:
        return f(*args)
    except Exception as e:  # babel fails on some values (1e300): then the same way
        return type(e)


def test_the_german_text_equals_babel():
    for n in range(5):
        for x in _werte():
            assert _oder_fehler(fmt._zahl.__wrapped__, x, n) == _oder_fehler(_babel, x, n), (x, n)


def test_the_fast_path_takes_ordinary_numbers():
    assert fmt._deutsch(1234.56, 1) == "1.234,6"
    assert fmt._deutsch(-0.04, 1) == "-0,0"
    assert fmt._deutsch(2.675, 2) == "2,68"  # decimal rounding of str(x), as babel does
    assert fmt._deutsch(float("nan"), 1) is None
    assert fmt._deutsch(1e300, 0) is None
    assert fmt.zahl(1234567.891, 2) == "1.234.567,89"

"""German number texts of zero: the same text whatever was formatted before in the process."""

import pytest

from kennzahlen.core import fmt


@pytest.mark.parametrize("vorher", [[], [(-0.0, 0), (0.0, 1), (-0.0, 1)], [(0.0, 0), (0.0, 1)]])
def test_zero_is_shown_without_sign_whatever_came_first(vorher):
    """-0.0 (a difference of equal values, a sum of signed zeros) is no value below zero; before,
    the cache made 0.0 and -0.0 one key, so `zahl(0.0)` said '-0' after `zahl(-0.0)` had run."""
    fmt._zahl.cache_clear()  # a fresh process: what came before is only what this test formats
    for wert, nachkomma in vorher:
        fmt.zahl(wert, nachkomma)
    texte = [fmt.zahl(0.0), fmt.zahl(-0.0), fmt.zahl(-0.0, 1), fmt.euro(-0.0), fmt.zahl(0)]
    assert texte == ["0", "0", "0,0", "0\u00a0€", "0"]


def test_a_small_negative_value_keeps_its_sign():
    """A value below zero that rounds to zero still shows its sign ("-0,0")."""
    assert fmt.zahl(-0.04, 1) == "-0,0"
    assert fmt.zahl(0.04, 1) == "0,0"

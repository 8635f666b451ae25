"""Issue 30: the SPC building blocks against the point-by-point fixtures of NHSRplotthedots.

Fixtures ported from the tests of the R package NHSRplotthedots (nhs-r-community, MIT licence):
``tests/testthat/test-ptd_calculate_point_type.R`` (the rules, point by point),
``tests/testthat/_snaps/ptd_spc_standard.md`` and ``_snaps/ptd_spc.md`` (the limits of
``set.seed(123); rnorm(20)``, whole and in two groups of ten), ``test-ptd_spc_standard.R`` (two
points near opposite limits are no signal) and ``test-ptd_calculate_assurance_type.R``.
Only the numbers are taken over; the implementation is our own (kennzahlen.statistik.spc).
"""

from __future__ import annotations

import numpy as np
import pytest

from kennzahlen.statistik import spc

#: R: set.seed(123); rnorm(20)
RNORM_123 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774,
    1.71506499, 0.46091621, -1.26506123, -0.68685285, -0.44566197,
    1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113,
    1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip


def test_limits_of_the_snapshots():
    """ptd_spc_standard / summary: mean 0,142, limits -3,01 .. 3,29; the two facets of ten
    (as two segments after a rebase) 0,0746 / -2,60 / 2,75 and 0,209 / -3,28 / 3,70."""
    for werte, erwartet in [
        (RNORM_123, (0.142, -3.01, 3.29)),
        (RNORM_123[:10], (0.0746, -2.60, 2.75)),
        (RNORM_123[10:], (0.209, -3.28, 3.70)),
    ]:
        g = spc.grenzen(werte)
        assert (g.mitte, g.unten, g.oben) == pytest.approx(erwartet, abs=0.005)
    assert spc.signale(RNORM_123, spc.grenzen(RNORM_123)) == [""] * 20  # all common cause


def test_outlier_screening_narrows_the_limits():
    """test-ptd_spc_standard: y[15] = 10 gives different limits with and without screening, and
    the unscreened range is wider."""
    y = list(RNORM_123)
    y[14] = 10
    mit, ohne = spc.grenzen(y), spc.grenzen(y, ausreisser=False)
    assert mit.unten != ohne.unten and mit.oben != ohne.oben
    assert ohne.oben - ohne.unten > mit.oben - mit.unten
    # by hand, without screening: mean MR of the 19 moving ranges; with screening the two ranges
    # around the 10 (over 3,267 x the mean) are left out
    mr = np.abs(np.diff(y))
    assert ohne.oben == pytest.approx(np.mean(y) + 2.66 * mr.mean())
    assert mit.oben == pytest.approx(np.mean(y) + 2.66 * mr[mr < 3.267 * mr.mean()].mean())


def test_seven_point_one_side_mean():
    assert list(spc.lauf_ende([])) == []
    assert list(spc.lauf_ende([1] * 6)) == [0] * 6
    assert list(spc.lauf_ende([1] * 6 + [-1])) == [0] * 7
    assert list(spc.lauf_ende([1] * 8 + [-1])) == [0] * 6 + [1, 1, 0]
    assert list(spc.lauf_ende([-1] * 8 + [1])) == [0] * 6 + [1, 1, 0]


def test_part_of_seven():
    assert list(spc.teil_von([])) == []
    assert list(spc.teil_von([0] * 6)) == [0] * 6
    assert list(spc.teil_von([0] * 6 + [1, 0])) == [1] * 7 + [0]
    assert list(spc.teil_von([0] * 7 + [1, 0])) == [0] + [1] * 7 + [0]
    assert list(spc.teil_von([0] * 6 + [-1, 0])) == [1] * 7 + [0]
    assert list(spc.teil_von([0] * 7 + [-1, 0])) == [0] + [1] * 7 + [0]


def test_seven_point_trend():
    assert list(spc.trend_ende([])) == []
    assert list(spc.trend_ende(range(1, 7))) == [0] * 6
    assert list(spc.trend_ende([1, 2, 3, 3, 4, 5, 6])) == [0] * 7
    assert list(spc.trend_ende(range(1, 8))) == [0] * 6 + [1]
    assert list(spc.trend_ende([2, *range(1, 8), 3])) == [0] * 7 + [1, 0]
    assert list(spc.trend_ende(range(7, 0, -1))) == [0] * 6 + [-1]
    assert list(spc.trend_ende([2, *range(7, 0, -1), 3])) == [0] * 7 + [-1, 0]


def test_two_in_three():
    assert list(spc.zwei_von_drei([], [])) == []
    assert list(spc.zwei_von_drei([0, 0, 0], [0])) == [0, 0, 0]
    for v in ([1, 0, 1], [0, 1, 1], [1, 1, 0]):
        assert list(spc.zwei_von_drei(v, [1, 1, 1])) == [1, 1, 1]
        assert list(spc.zwei_von_drei(v, [1, -1, 1])) == [0, 0, 0]  # opposite sides
    assert list(spc.zwei_von_drei([0, 0, 1, 0, 1, 0, 0], [1] * 7)) == [0, 0, 1, 1, 1, 0, 0]
    assert list(spc.zwei_von_drei([0, 0, 1, 1, 0, 0, 0], [1] * 7)) == [0, 1, 1, 1, 1, 0, 0]
    assert list(spc.zwei_von_drei([0, 0, 1, 0, 1, 0, 0], [1, -1] * 3 + [1])) == [0] * 7
    assert list(spc.zwei_von_drei([0, 0, 1, 1, 0, 0, 0], [-1, 1] * 3 + [-1])) == [0] * 7


def test_part_of_two_in_three():
    def teil(v, seiten):
        return list(spc.teil_von_zwei_von_drei(spc.zwei_von_drei(v, seiten), v))

    assert teil([1, 0, 1], [1, 1, 1]) == [1, 0, 1]
    assert teil([0, 1, 1], [1, 1, 1]) == [0, 1, 1]
    assert teil([1, 1, 0], [1, 1, 1]) == [1, 1, 0]
    assert teil([0, 0, 1, 0, 1, 0, 0], [1] * 7) == [0, 0, 1, 0, 1, 0, 0]
    assert teil([1, 0, 0, 1], [1] * 4) == [0, 0, 0, 0]
    assert teil([1, 0, 0, 1, 1], [1] * 5) == [0, 0, 0, 1, 1]


def test_two_points_near_opposite_limits_are_common_cause():
    """test-ptd_spc_standard: alternating 1, -1 (16 points), the last two 5,5 and -5,5."""
    y = [1.0, -1.0] * 8
    y[14], y[15] = 5.5, -5.5
    g = spc.grenzen(y)
    assert spc.signale(y, g)[-2:] == ["", ""]


def test_each_rule_and_its_order():
    """Hand-made: limits from a flat baseline 10, 12 (mean 11, mR 2: limits 5,68 .. 16,32, near
    lines 7,45 .. 14,55)."""
    g = spc.grenzen([10, 12] * 6)
    assert (g.unten, g.oben, g.nah_unten, g.nah_oben) == pytest.approx(
        (5.68, 16.32, 11 - 2 / 3 * 5.32, 11 + 2 / 3 * 5.32)
    )
    assert spc.signale([17], g) == ["ueber_grenze"]
    assert spc.signale([16.32], g) == [""]  # on the limit: inside
    assert spc.signale([15, 12, 15], g) == ["zwei_von_drei_ueber", "", "zwei_von_drei_ueber"]
    assert spc.signale([15, 11, 15], g) == ["", "", ""]  # the middle one on the mean
    assert spc.signale([15, 12, 15], g, aktiv=spc.SIGNALE_ALT) == [""] * 3
    assert spc.signale([12] * 7, g) == ["lauf_ueber"] * 7
    assert spc.signale([12] * 6, g) == [""] * 6
    steigend = [5.9, 7, 8, 9, 10, 11.5, 13]  # a rising trend from below the mean
    assert spc.signale(steigend, g) == ["trend_steigend"] * 7
    assert spc.signale(steigend, g, aktiv=spc.SIGNALE_ALT) == [""] * 7
    # a point beyond the limit within a trend stays a limit signal (the order of NHSRplotthedots)
    assert spc.signale([*steigend[:6], 17], g)[-1] == "ueber_grenze"
    assert spc.signale(list(reversed(steigend)), g) == ["trend_fallend"] * 7


def test_assurance():
    """test-ptd_calculate_assurance_type: limits (1, 3), (5, 7), (1, 5) against target 4."""
    faelle = [(1, 2, 3), (5, 6, 7), (1, 4, 5)]
    gs = [spc.Grenzen(m, lo, hi, lo, hi, 12) for lo, m, hi in faelle]
    assert [spc.zielsicherheit(4, g, "hoeher_besser") for g in gs] == [
        spc.SICHER_VERFEHLT,
        spc.SICHER_ERREICHT,
        spc.WECHSELND,
    ]
    assert [spc.zielsicherheit(4, g, "niedriger_besser") for g in gs] == [
        spc.SICHER_ERREICHT,
        spc.SICHER_VERFEHLT,
        spc.WECHSELND,
    ]
    assert spc.zielsicherheit(None, gs[0], "hoeher_besser") is None
    assert spc.zielsicherheit(4, gs[0], None) is None

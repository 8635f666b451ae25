"""Issue 30: confidence intervals, what they allow a report to say, and the ring comparison.

Pure functions on hand-made numbers; the expectations are computed by hand (formulas in the
comments)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kennzahlen.statistik import intervalle as iv
from kennzahlen.statistik.vergleich import ringvergleich


def test_worked_examples_of_the_issue():
    """37 of 50 = 74 %: Wilson 95 % 60,4–84,1 %, against 80 % 'nicht sicher verfehlt';
    296 of 400 = 74 %: 69,5–78,1 %, 'verfehlt'.

    Wilson: (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n), z = 1,96.
    n = 50: centre (0,74 + 0,03841) / 1,07683 = 0,72287, half 1,82014 · √(0,0038480 + 0,0003841)
    = 0,11839 -> 0,6045 .. 0,8413."""
    lo, hi = iv.intervall(37, 50, anteil=True)
    assert (round(lo * 100, 1), round(hi * 100, 1)) == (60.4, 84.1)
    assert iv.zielvergleich(37 / 50, lo, hi, 0.80, "hoeher_besser") == iv.NICHT_SICHER_VERFEHLT
    lo, hi = iv.intervall(296, 400, anteil=True)
    assert (round(lo * 100, 1), round(hi * 100, 1)) == (69.5, 78.1)
    assert iv.zielvergleich(296 / 400, lo, hi, 0.80, "hoeher_besser") == iv.VERFEHLT
    assert iv.zielvergleich(41 / 50, *iv.intervall(41, 50, anteil=True), 0.80, "hoeher_besser") == (
        iv.ERREICHT
    )


def test_zielvergleich_lower_is_better_and_without_target():
    # 30 of 100 = 30 % against at most 25 %: Wilson 21,9–39,6 %: the lower end reaches 25 %
    lo, hi = iv.intervall(30, 100, anteil=True)
    assert iv.zielvergleich(0.30, lo, hi, 0.25, "niedriger_besser") == iv.NICHT_SICHER_VERFEHLT
    assert iv.zielvergleich(0.30, lo, hi, 0.20, "niedriger_besser") == iv.VERFEHLT
    assert iv.zielvergleich(0.30, lo, hi, 0.30, "niedriger_besser") == iv.ERREICHT
    assert iv.zielvergleich(0.30, lo, hi, None, "niedriger_besser") is None
    assert iv.zielvergleich(0.30, math.nan, math.nan, 0.8, "hoeher_besser") == iv.VERFEHLT


def test_poisson_byar_from_ten_exact_below():
    """Byar (PHE): lower = O·(1 − 1/9O − z/3√O)³, upper = (O+1)·(1 − 1/9(O+1) + z/3√(O+1))³.
    O = 100: 100 · 0,933557³ = 81,36; 101 · 1,063908³ = 121,63. Exact for O = 5:
    χ²(0,025; 10)/2 = 1,6235 and χ²(0,975; 12)/2 = 11,6683 (the Poisson table)."""
    assert iv.poisson(100) == pytest.approx((81.362, 121.628), abs=1e-3)
    assert iv.poisson(5) == pytest.approx((1.6235, 11.6683), abs=1e-4)
    assert iv.poisson(0)[0] == 0.0
    # a rate per 1.000: 5 of 1.000 residents -> 1,62 .. 11,67 per 1.000
    assert iv.intervall(5, 1000, 1000) == pytest.approx((1.6235, 11.6683), abs=1e-4)
    # 99,8 %: z = 3,0902; Byar 100 -> 71,90 .. 134,94
    assert iv.z_wert(0.998) == pytest.approx(3.0902, abs=1e-4)
    assert iv.poisson(100, 0.998) == pytest.approx((71.904, 134.944), abs=1e-3)


def test_columns_give_the_same_intervals_as_single_values():
    k = [37, 296, 5, 100, 0, 3, np.nan, 4]
    n = [50, 400, 1000, 12000, 20, np.nan, 10, 0]
    f = [1, 1, 1000, 1000, 1, 1, 1, 1]
    a = [True, True, False, False, True, True, True, True]
    lo, hi = iv.intervalle(k, n, f, a)
    for i in range(len(k)):
        nenner = None if math.isnan(n[i]) else n[i]
        einzeln = iv.intervall(k[i], nenner, f[i], a[i]) if nenner is not None else (np.nan,) * 2
        assert (lo[i], hi[i]) == pytest.approx(einzeln, nan_ok=True), i
    assert np.isnan(lo[5]) and np.isnan(lo[6]) and np.isnan(lo[7])  # no Nenner, no Zähler, 0


def test_an_area_against_the_city():
    assert iv.gegen_referenz(0.60, 0.84, 0.80) == iv.AEHNLICH
    assert iv.gegen_referenz(0.60, 0.78, 0.80) == iv.NIEDRIGER
    assert iv.gegen_referenz(0.81, 0.90, 0.80) == iv.HOEHER
    assert iv.gegen_referenz(np.nan, np.nan, 0.80) is None


def test_funnel_limits():
    """Share 80 %, n = 100: 0,8 ± 1,96 · 0,04 = 72,2–87,8 %; 99,8 %: ± 3,09 · 0,04 = 67,6–92,4 %.
    Rate 2 per 1.000, n = 10.000: 20 expected; exact 95 % of 20 = 12,22 .. 30,89 -> 1,22 .. 3,09."""
    t = iv.trichter(0.8, [100], 1, True)
    assert (t.innen_unten[0], t.innen_oben[0]) == pytest.approx((0.7216, 0.8784), abs=1e-4)
    assert (t.aussen_unten[0], t.aussen_oben[0]) == pytest.approx((0.6764, 0.9236), abs=1e-4)
    r = iv.trichter(2.0, [10000], 1000, False)
    assert (r.innen_unten[0], r.innen_oben[0]) == pytest.approx((1.2217, 3.0888), abs=1e-4)
    wide = iv.trichter(0.8, [25, 100, 400], 1, True)
    assert list(np.diff(wide.innen_oben)) == sorted(np.diff(wide.innen_oben))  # narrows with n
    assert wide.innen_oben[0] > wide.innen_oben[2]


def test_ring_of_nine_peers_by_hand():
    """Nine peers sorted: 2,2 2,4 2,7 2,9 3,1 3,3 3,6 3,8 4,0 -> median 3,1 (the fifth), mean
    28,0 / 9 = 3,111, range 2,2–4,0; own 2,82: six peers are higher -> rank 7 of 10."""
    peers = [3.1, 2.4, 4.0, 2.9, 3.6, 2.2, 3.3, 2.7, 3.8]
    r = ringvergleich(2.82, peers)
    assert r is not None
    assert r.median == pytest.approx(3.1)
    assert r.mittel == pytest.approx(28.0 / 9)
    assert (r.minimum, r.maximum) == (2.2, 4.0)
    assert (r.rang, r.von, r.staedte) == (7, 10, 9)
    assert r.lage("niedriger_besser") == "unter dem Median (günstiger)"
    assert r.lage(None) == "unter dem Median"
    # ties share the better rank; the highest value is rank 1
    assert ringvergleich(4.0, peers).rang == 1  # type: ignore[union-attr]
    assert ringvergleich(3.1, peers).rang == 5  # type: ignore[union-attr]
    assert ringvergleich(3.1, peers).lage("hoeher_besser") == "am Median"  # type: ignore[union-attr]
    assert ringvergleich(3.0, []) is None
    # an even ring: the median is the mean of the two middle values
    assert ringvergleich(1.0, [1, 2, 3, 4]).median == pytest.approx(2.5)  # type: ignore[union-attr]


def test_the_pool_carries_the_interval_of_every_share_and_rate():
    """A share (Wilson), a rate per 1.000 (exact Poisson below 10 events) and a count (none)."""
    import pandas as pd

    from kennzahlen.catalog.model import load_catalog

    pool = pd.DataFrame(
        {
            "kennzahl": ["jh_z5_anteil_hilfen_vor_dem_fall", "ws_z5_mietschulden_je_1000",
                         "bev_gesamt", "jh_z5_anteil_hilfen_vor_dem_fall"],
            "zaehler": [37, 5, 21423, 0],
            "nenner": pd.array([50, 1000, None, 0], dtype="Int64"),
        }
    )  # fmt: skip
    out = iv.mit_intervallen(pool, load_catalog())
    assert list(out.columns[-2:]) == ["ki95_unten", "ki95_oben"]
    assert (out.loc[0, "ki95_unten"], out.loc[0, "ki95_oben"]) == pytest.approx(
        (0.6045, 0.8413), abs=1e-4
    )
    assert (out.loc[1, "ki95_unten"], out.loc[1, "ki95_oben"]) == pytest.approx(
        (1.6235, 11.6683), abs=1e-4
    )
    assert out.loc[2:, ["ki95_unten", "ki95_oben"]].isna().all().all()  # a count; a Nenner of 0


@pytest.mark.parametrize(
    "kid", ["jh_z7_netto_je_fall_veraenderung", "egh_z7_netto_je_fall", "ah_z7_netto_je_einwohner"]
)
def test_no_interval_where_the_zaehler_is_an_amount_in_euro(kid):
    """An amount in Euro is no count of events: neither Wilson nor Poisson applies. A change of
    the cost per case (+6,2 %) once got '+2.644.051,4 % bis +2.646.675,8 %' as its 'interval',
    and the sentence called the Zielwert 'sicher verfehlt' from it. No interval, no funnel."""
    import pandas as pd

    from kennzahlen.catalog.model import load_catalog
    from kennzahlen.products.wirkung import unsicherheit

    cat = load_catalog()
    k = cat.get(kid)
    assert k.in_euro
    pool = pd.DataFrame(
        {"kennzahl": [kid], "zaehler": [4_521_337], "nenner": pd.array([2_480], dtype="Int64")}
    )
    out = iv.mit_intervallen(pool, cat)
    assert out[["ki95_unten", "ki95_oben"]].isna().all().all()
    assert unsicherheit.intervall(k, 4_521_337.0, 2_480.0) is None

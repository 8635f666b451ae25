"""The quantiles of the intervals without ``scipy.stats``: the same floats as scipy's chi2 and
normal distributions, edge cases included (0, 1, outside [0, 1], df <= 0, NaN)."""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2 as scipy_chi2
from scipy.stats import norm as scipy_norm

from kennzahlen.statistik import intervalle


def test_chi2_and_normal_quantiles_equal_scipy_stats():
    rng = np.random.default_rng(3)
    q = np.concatenate([rng.random(3000), [0, 1, -0.1, 1.1, np.nan, 0.025, 0.975, 0.001]])
    df = np.concatenate([rng.random(3000) * 200, [0, 2, -1, 4, 5, np.nan, 1e-12, 0.5]])
    df[:1000] = np.round(df[:1000])
    assert np.array_equal(intervalle.chi2.ppf(q, df), scipy_chi2.ppf(q, df), equal_nan=True)
    assert np.array_equal(intervalle.norm.ppf(q), scipy_norm.ppf(q), equal_nan=True)
    a = 1 - 0.95
    for k in (0, 1, 3, 9, 10, 250):
        assert intervalle.poisson_exakt(k) == (
            0.0 if k == 0 else float(scipy_chi2.ppf(a / 2, 2 * k) / 2),
            float(scipy_chi2.ppf(1 - a / 2, 2 * k + 2) / 2),
        )
    assert intervalle.z_wert(0.998) == float(scipy_norm.ppf(0.999))


def test_the_intervals_do_not_use_scipy_stats():
    """Importing scipy.stats costs about 0.4 s CPU of every pool build."""
    for f in (intervalle.chi2, intervalle.norm):
        assert not type(f).__module__.startswith("scipy.stats")

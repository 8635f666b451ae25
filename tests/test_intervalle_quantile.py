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


def test_the_tabled_quantiles_equal_scipy_stats():
    """The constants that spare a pool build importing scipy: z of both levels, chi-square of
    the 95 % level for df 2..20 (whole counts below Byar's threshold)."""
    for niveau, z in intervalle._Z.items():
        assert z == float(scipy_norm.ppf(1 - (1 - niveau) / 2))
        assert intervalle.z_wert(niveau) == z
    assert len(intervalle._CHI2) == 2
    for q, tabelle in intervalle._CHI2.items():
        assert sorted(tabelle) == [float(d) for d in range(2, 21, 2)]
        for df, wert in tabelle.items():
            assert wert == float(scipy_chi2.ppf(q, df))
    a = 1 - intervalle.NIVEAU
    assert set(intervalle._CHI2) == {a / 2, 1 - a / 2}


def test_the_table_and_scipy_give_the_same_intervals():
    """Whole and broken counts, zeros, mixed with values beyond the table: the same floats as
    the chi-square quantiles of scipy.stats."""
    k = np.array([0, 1, 2, 5, 9, 9.5, 0.3, 10, 40, 3], dtype="float64")
    n = np.full(len(k), 100.0)
    lo, hi = intervalle.intervalle(k, n, 1000.0, False)
    a = 1 - 0.95
    for i, kk in enumerate(k):
        if kk >= intervalle.BYAR_AB:
            continue
        erw_lo = 0.0 if kk == 0 else float(scipy_chi2.ppf(a / 2, 2 * kk) / 2)
        erw_hi = float(scipy_chi2.ppf(1 - a / 2, 2 * kk + 2) / 2)
        assert lo[i] == erw_lo / 100.0 * 1000.0
        assert hi[i] == erw_hi / 100.0 * 1000.0
    vektor = intervalle.chi2.ppf(a / 2, np.array([[2.0, 4.0], [6.0, 3.0]]))
    assert np.array_equal(vektor, scipy_chi2.ppf(a / 2, np.array([[2.0, 4.0], [6.0, 3.0]])))


def test_a_pool_build_does_not_import_scipy(tmp_path):
    """The intervals of a pool (whole counts at 95 %) come from the tables: no scipy import."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np, pandas as pd\n"
        "from kennzahlen.statistik import intervalle\n"
        "lo, hi = intervalle.intervalle(np.array([0., 3., 9., 12.]), np.array([5., 5., 50., 80.]),"
        " 100.0, np.array([False, True, False, False]))\n"
        "intervalle.intervall(4, 20)\n"
        "print('scipy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

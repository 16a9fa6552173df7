"""PSR, expected maximum Sharpe and DSR: published examples, hand-worked values, properties.

Normal quantiles and CDFs in the expected values come from the standard library's
``statistics.NormalDist`` / ``math.erf``, not from scipy, so they check the code independently.
"""

from __future__ import annotations

import math
import subprocess
import sys
from statistics import NormalDist

import numpy as np
import pytest
import scipy.stats as ss

from alu.backtest import metrics
from alu.stats import (
    EULER_GAMMA,
    deflated_sharpe_ratio,
    deflated_sharpe_ratio_from_returns,
    expected_max_sharpe,
    per_period_sharpe,
    probabilistic_sharpe_ratio,
    return_moments,
)

Z = NormalDist()


def phi(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


# --- published examples ---------------------------------------------------------------------


def test_dsr_numerical_example_of_the_paper():
    # Bailey and López de Prado (2014), "The Deflated Sharpe Ratio", numerical example:
    # annualised SR 2.5 over 5 years of daily returns (T = 1250, 250 days a year), N = 100
    # trials whose annualised Sharpe ratios have variance 1/2, skew -3, kurtosis 10 -> DSR 0.9004.
    # (The same inputs and value are in pypbo's test suite, esvhd/pypbo, pypbo/tests/pbo_tests.py.)
    sr_daily = 2.5 / math.sqrt(250)
    var_daily = 0.5 / 250
    dsr = deflated_sharpe_ratio(
        [sr_daily], [1250], [-3.0], [10.0], n_trials=100, sharpe_variance=var_daily
    )
    assert dsr[0] == pytest.approx(0.9004, abs=5e-5)
    # The benchmark behind it, by hand: sqrt(0.002) * (0.42278 * 2.32635 + 0.57722 * 2.67999)
    sr0 = math.sqrt(var_daily) * (
        (1 - 0.5772156649) * Z.inv_cdf(1 - 1 / 100)
        + 0.5772156649 * Z.inv_cdf(1 - 1 / (100 * math.e))
    )
    assert sr0 == pytest.approx(0.1132, abs=5e-5)
    assert expected_max_sharpe(100, var_daily) == pytest.approx(sr0, rel=1e-9)
    # and the PSR with that benchmark, by hand: var term 1 + 3*SR + (10-1)/4*SR**2
    z = (sr_daily - sr0) * math.sqrt(1249) / math.sqrt(1 + 3 * sr_daily + 9 / 4 * sr_daily**2)
    assert dsr[0] == pytest.approx(phi(z), rel=1e-9)


def test_psr_example_of_the_sharpe_ratio_efficient_frontier():
    # Bailey and López de Prado (2012), "The Sharpe Ratio Efficient Frontier": 24 monthly returns,
    # annualised SR 1.585 (monthly 1.585 / sqrt(12)), skew -2.448, kurtosis 10.164:
    # PSR(0) = 0.9132 (value as transcribed in pypbo's test_psr).
    psr = probabilistic_sharpe_ratio(1.585 / math.sqrt(12), 0.0, 24, -2.448, 10.164)
    assert psr == pytest.approx(0.91323430688486018, rel=1e-9)


# --- hand-worked values ---------------------------------------------------------------------


def test_psr_normal_returns_by_hand():
    # SR 0.1, SR* 0, T 101, skew 0, kurtosis 3: var term 1 + (3-1)/4 * 0.01 = 1.005,
    # z = 0.1 * sqrt(100) / sqrt(1.005) = 0.997509...
    assert probabilistic_sharpe_ratio(0.1, 0.0, 101) == pytest.approx(phi(1 / math.sqrt(1.005)))
    assert probabilistic_sharpe_ratio(0.1, 0.0, 101, 0.0, 3.0) == pytest.approx(0.84074, abs=1e-5)


def test_psr_non_normal_by_hand():
    # SR 0.2, SR* 0.05, T 50, skew -1, kurtosis 6: var term 1 + 0.2 + 5/4 * 0.04 = 1.25,
    # z = 0.15 * 7 / sqrt(1.25) = 0.939149...
    psr = probabilistic_sharpe_ratio(0.2, 0.05, 50, -1.0, 6.0)
    assert psr == pytest.approx(phi(1.05 / math.sqrt(1.25)), rel=1e-12)


def test_expected_max_sharpe_by_hand():
    # N = 100, V = 4: 2 * (0.42278 * 2.32635 + 0.57722 * 2.67999) = 2 * 2.53060
    by_hand = (1 - EULER_GAMMA) * Z.inv_cdf(0.99) + EULER_GAMMA * Z.inv_cdf(1 - 1 / (100 * math.e))
    assert by_hand == pytest.approx(2.5306028932016846, rel=1e-12)  # pypbo's expected_max(100)
    assert expected_max_sharpe(100, 4.0) == pytest.approx(2 * by_hand, rel=1e-12)
    # N = 2: Phi^-1(1/2) = 0, so only the second term: gamma * Phi^-1(1 - 1/(2e))
    assert expected_max_sharpe(2, 1.0) == pytest.approx(
        EULER_GAMMA * Z.inv_cdf(1 - 1 / (2 * math.e))
    )


def test_expected_max_sharpe_is_close_to_the_simulated_maximum():
    # The paper's approximation of E[max of N normals with variance V]; for N = 100 the
    # exact value is about 1 % lower. 4000 draws: the simulated mean's standard error is ~0.7 %
    # of it, so a 3 % tolerance leaves room for both with a fixed seed.
    rng = np.random.default_rng(20140731)
    simulated = rng.normal(0.0, 2.0, size=(4000, 100)).max(axis=1).mean()
    assert expected_max_sharpe(100, 4.0) == pytest.approx(simulated, rel=0.03)


def test_expected_max_sharpe_single_trial_and_vectorised():
    assert expected_max_sharpe(1, 0.3) == 0.0
    assert expected_max_sharpe(1, float("nan")) == 0.0
    assert math.isnan(expected_max_sharpe(5, float("nan")))
    assert expected_max_sharpe(10, 0.0) == 0.0
    values = expected_max_sharpe(np.array([1, 2, 10, 100]), 1.0)
    assert values[0] == 0.0 and np.all(np.diff(values) > 0)
    with pytest.raises(ValueError, match="at least 1"):
        expected_max_sharpe(0.5, 1.0)
    with pytest.raises(ValueError, match="negative"):
        expected_max_sharpe(10, -1.0)


# --- PSR / DSR properties -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sr", "t", "skew", "kurt"), [(0.1, 100, 0, 3), (-0.3, 7, 1.5, 9), (0, 2, 0, 1)]
)
def test_psr_is_one_half_at_the_benchmark(sr, t, skew, kurt):
    assert probabilistic_sharpe_ratio(sr, sr, t, skew, kurt) == 0.5


def test_psr_undefined_cases_are_nan_and_scalars_stay_scalars():
    assert isinstance(probabilistic_sharpe_ratio(0.1, 0.0, 100), float)
    assert math.isnan(probabilistic_sharpe_ratio(0.1, 0.0, 1))  # T < 2
    assert math.isnan(probabilistic_sharpe_ratio(float("nan"), 0.0, 100))
    # skew 10 with kurtosis 1 violates kurtosis >= 1 + skew**2: non-positive variance term
    assert math.isnan(probabilistic_sharpe_ratio(0.5, 0.0, 100, 10.0, 1.0))
    out = probabilistic_sharpe_ratio(np.array([0.1, 0.2]), 0.0, np.array([[100], [400]]))
    assert out.shape == (2, 2)
    assert out[1, 1] > out[0, 1] > out[0, 0]  # higher SR and longer T both raise PSR


def test_dsr_decreases_with_the_number_of_trials():
    dsr = [
        deflated_sharpe_ratio([0.1], [1000], [0.0], [3.0], n_trials=n, sharpe_variance=0.001)[0]
        for n in (1, 2, 10, 100, 1000, 10000)
    ]
    assert np.all(np.diff(dsr) < 0)


def test_dsr_increases_with_the_track_record_when_above_the_benchmark():
    sr0 = expected_max_sharpe(100, 0.001)
    assert sr0 < 0.1  # so a longer record makes the same SR more convincing
    dsr = [
        deflated_sharpe_ratio([0.1], [t], [0.0], [3.0], n_trials=100, sharpe_variance=0.001)[0]
        for t in (100, 250, 1000, 5000)
    ]
    assert np.all(np.diff(dsr) > 0)


def test_dsr_default_trials_and_variance():
    # By default N = number of variants and V = the sample variance (ddof=1) of their SRs:
    # SRs 0.01, 0.03, 0.08 -> mean 0.04, squared deviations 9, 1, 16 (x1e-4), V = 26e-4 / 2.
    sr, t = np.array([0.01, 0.03, 0.08]), np.array([500, 800, 1000])
    sr0 = expected_max_sharpe(3, 13e-4)
    np.testing.assert_allclose(
        deflated_sharpe_ratio(sr, t, 0.0, 3.0), probabilistic_sharpe_ratio(sr, sr0, t), rtol=1e-12
    )
    # n_trials overrides N (e.g. variants tried earlier and not passed in)
    np.testing.assert_allclose(
        deflated_sharpe_ratio(sr, t, 0.0, 3.0, n_trials=50),
        probabilistic_sharpe_ratio(sr, expected_max_sharpe(50, 13e-4), t),
        rtol=1e-12,
    )


def test_dsr_degenerate_inputs():
    # a single variant: nothing to deflate, DSR = PSR(0) (its variance is undefined but unused)
    assert deflated_sharpe_ratio([0.1], [101], [0.0], [3.0])[0] == pytest.approx(
        probabilistic_sharpe_ratio(0.1, 0.0, 101)
    )
    # identical Sharpe ratios: zero variance, SR_0 = 0, DSR = PSR(0)
    dsr = deflated_sharpe_ratio([0.05, 0.05, 0.05], [500, 500, 500], 0.0, 3.0)
    np.testing.assert_allclose(dsr, probabilistic_sharpe_ratio(0.05, 0.0, 500))
    # several trials but only one defined Sharpe ratio: V undefined, everything NaN
    assert np.isnan(deflated_sharpe_ratio([0.1, np.nan], [100, 100], 0.0, 3.0)).all()
    # too few observations for one variant: NaN for that one only
    dsr = deflated_sharpe_ratio([0.1, 0.0, -0.1], [100, 1, 100], 0.0, 3.0)
    assert math.isnan(dsr[1]) and np.isfinite(dsr[[0, 2]]).all()


def test_dsr_zero_std_variant_is_nan_and_left_out_of_the_variance_but_counted_as_a_trial():
    rng = np.random.default_rng(7)
    returns = rng.normal(0.0005, 0.01, size=(750, 6))
    returns[:, 3] = 0.001  # never varies: std 0
    dsr = deflated_sharpe_ratio_from_returns(returns)
    assert math.isnan(dsr[3])
    m = return_moments(returns[:, [0, 1, 2, 4, 5]])
    expected = deflated_sharpe_ratio(m.sharpe, m.n_obs, m.skew, m.kurtosis, n_trials=6)
    np.testing.assert_allclose(dsr[[0, 1, 2, 4, 5]], expected, rtol=1e-12)
    assert ((dsr[np.isfinite(dsr)] >= 0) & (dsr[np.isfinite(dsr)] <= 1)).all()


def test_dsr_separates_a_skilled_variant_from_lucky_ones():
    # 49 variants of pure noise and one with a true daily SR of 0.1 (1.6 a year), 10 years.
    rng = np.random.default_rng(2014)
    returns = rng.normal(0.0, 0.01, size=(2500, 50))
    returns[:, 17] += 0.001
    dsr = deflated_sharpe_ratio_from_returns(returns)
    assert dsr[17] > 0.95
    assert np.delete(dsr, 17).max() < 0.5


def test_dsr_is_unchanged_by_leverage():
    # Scaling every return by a positive constant leaves SR, skew and kurtosis, hence DSR, alone.
    rng = np.random.default_rng(3)
    returns = rng.standard_t(4, size=(600, 8)) * 0.01 + 0.0003
    np.testing.assert_allclose(
        deflated_sharpe_ratio_from_returns(3.7 * returns),
        deflated_sharpe_ratio_from_returns(returns),
        rtol=1e-9,
    )


# --- per-column moments ---------------------------------------------------------------------


def test_return_moments_match_scipy_column_by_column_with_late_starts():
    rng = np.random.default_rng(11)
    returns = rng.standard_t(5, size=(400, 9)) * 0.02
    starts = [0, 0, 10, 50, 399, 398, 0, 200, 7]
    for j, s in enumerate(starts):
        returns[:s, j] = np.nan
    m = return_moments(returns, chunk_columns=4)
    for j, s in enumerate(starts):
        col = returns[s:, j]
        assert m.n_obs[j] == len(col)
        if len(col) < 2:
            assert math.isnan(m.sharpe[j])
            continue
        assert m.sharpe[j] == pytest.approx(col.mean() / col.std(ddof=1), rel=1e-10)
        assert m.skew[j] == pytest.approx(ss.skew(col), rel=1e-9, abs=1e-12)
        assert m.kurtosis[j] == pytest.approx(ss.kurtosis(col, fisher=False), rel=1e-9)
    # the chunk size only changes the order of the work
    whole = return_moments(returns)
    for a, b in zip(whole, m, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(per_period_sharpe(returns), whole.sharpe, rtol=1e-12)


def test_return_moments_agree_with_the_annualised_sharpe_of_metrics():
    r = np.array([0.01, -2 / 101, 3 / 99, -6 / 102])
    m = return_moments(r)  # 1-D input: 0-d results
    assert m.sharpe.shape == ()
    assert float(m.sharpe) * math.sqrt(252) == pytest.approx(metrics.sharpe(r), rel=1e-12)


def test_return_moments_normal_returns_have_skew_near_0_and_kurtosis_near_3():
    # 200,000 normal draws: the standard errors of skew and kurtosis are sqrt(6/n) = 0.0055 and
    # sqrt(24/n) = 0.011, so 0.03 and 0.06 are more than 5 standard errors.
    rng = np.random.default_rng(5)
    m = return_moments(rng.normal(0.0, 1.0, size=200_000))
    assert abs(float(m.skew)) < 0.03
    assert abs(float(m.kurtosis) - 3.0) < 0.06


def test_return_moments_invariances():
    rng = np.random.default_rng(9)
    returns = rng.standard_t(6, size=(300, 5)) * 0.01 + 0.0004
    base = return_moments(returns)
    scaled = return_moments(2.5 * returns)
    flipped = return_moments(-returns)
    for a, b in zip(base[:3], scaled[:3], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10)
    np.testing.assert_allclose(flipped.sharpe, -base.sharpe, rtol=1e-10)
    np.testing.assert_allclose(flipped.skew, -base.skew, rtol=1e-10)
    np.testing.assert_allclose(flipped.kurtosis, base.kurtosis, rtol=1e-10)


def test_return_moments_constant_and_empty_columns_are_nan():
    returns = np.full((5, 3), np.nan)
    returns[:, 0] = 0.01  # constant
    returns[4, 1] = 0.02  # one value
    m = return_moments(returns)
    assert np.isnan(m.sharpe).all() and np.isnan(m.skew).all() and np.isnan(m.kurtosis).all()
    assert m.n_obs.tolist() == [5, 1, 0]


def test_the_stats_modules_import_neither_pandas_nor_vectorbt():
    code = (
        "import sys, alu.stats; print(sorted({'pandas', 'vectorbt', 'numba'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

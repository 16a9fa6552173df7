"""Trial counts from per-chunk reductions against a direct computation on small inputs, and the
minimum backtest length against the examples of Bailey, Borwein, López de Prado and Zhu (2014)."""

from __future__ import annotations

import numpy as np
import pytest

from alu.stats.trials import (
    count_trials,
    effective_trials,
    mean_pairwise_correlation,
    min_backtest_length,
    unit_columns,
    unit_sum,
)


def test_mean_correlation_from_the_sum_equals_the_matrix():
    rng = np.random.default_rng(2)
    common = rng.normal(size=(300, 1))
    returns = 0.6 * common + rng.normal(size=(300, 12))
    z, dispersed = unit_columns(returns)
    assert dispersed.all()
    corr = np.corrcoef(returns, rowvar=False)
    direct = corr[~np.eye(12, dtype=bool)].mean()
    assert mean_pairwise_correlation(z.sum(axis=1), 12) == pytest.approx(direct, rel=1e-12)
    total, mask = unit_sum(returns)
    assert mask.all()
    np.testing.assert_allclose(total, z.sum(axis=1), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("chunk", [1, 5, 1000])
def test_count_trials_in_chunks_matches_a_direct_count(chunk):
    rng = np.random.default_rng(4)
    base = rng.normal(0, 0.01, size=(250, 6)) + rng.normal(0, 0.01, size=(250, 1))
    flat = np.zeros((250, 2))  # never traded
    returns = np.column_stack([base, base[:, [0, 3]], flat])  # two repeats, two flat
    count, first = count_trials(returns, chunk_columns=chunk)
    assert count.raw == 10
    assert count.distinct == 7  # six streams and one flat stream
    assert count.dispersed == 6
    assert first.tolist() == [True] * 6 + [False, False, True, False]
    corr = np.corrcoef(base, rowvar=False)
    rho = corr[~np.eye(6, dtype=bool)].mean()
    assert count.mean_correlation == pytest.approx(rho, rel=1e-10)
    assert count.effective == pytest.approx(rho + (1 - rho) * 6, rel=1e-10)


def test_effective_trials_limits():
    assert effective_trials(10, 0.0) == 10
    assert effective_trials(10, 1.0) == 1
    assert effective_trials(10, -0.2) == 10  # clipped
    assert effective_trials(1, float("nan")) == 1
    assert effective_trials(0, float("nan")) == 1


def test_min_backtest_length_matches_the_paper():
    # Bailey, Borwein, López de Prado and Zhu (2014): with 5 years of daily data no more than
    # 45 independent trials should be tried for a Sharpe ratio of 1; 7 trials give a Sharpe
    # above 1 over about 2 years by luck alone.
    assert min_backtest_length(45, 1.0) == pytest.approx(5.0, abs=0.01)
    assert min_backtest_length(7, 1.0) == pytest.approx(1.92, abs=0.01)
    # Scales with 1 / SR^2; one trial needs nothing; no positive Sharpe, no answer.
    assert min_backtest_length(45, 2.0) == pytest.approx(min_backtest_length(45, 1.0) / 4)
    assert min_backtest_length(1, 1.0) == 0.0
    assert np.isnan(min_backtest_length(10, -0.5))


def test_unit_sum_with_missing_values_equals_the_direct_form():
    rng = np.random.default_rng(8)
    returns = rng.normal(size=(120, 7))
    returns[rng.random(returns.shape) < 0.1] = np.nan
    returns[:, 6] = 0.5  # no dispersion
    z, mask = unit_columns(returns)
    total, mask_sum = unit_sum(returns)
    assert mask.tolist() == mask_sum.tolist() == [True] * 6 + [False]
    np.testing.assert_allclose(total, z.sum(axis=1), rtol=1e-9, atol=1e-12)

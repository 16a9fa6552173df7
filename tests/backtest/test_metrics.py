"""Metrics against values worked by hand, and invariances (empyrical-style)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from alu.backtest import metrics as m

EQUITY = np.array([101.0, 99.0, 102.0, 96.0])
INITIAL = 100.0
# Returns by hand: 101/100-1, 99/101-1, 102/99-1, 96/102-1
R = [0.01, -2 / 101, 3 / 99, -6 / 102]


def test_daily_returns_first_relative_to_initial_cash():
    np.testing.assert_allclose(m.daily_returns(EQUITY, INITIAL), R, rtol=1e-12)


def test_total_return_and_cagr():
    assert m.total_return(EQUITY, INITIAL) == pytest.approx(-0.04)
    # 4 daily returns: (0.96) ** (252 / 4) - 1
    assert m.cagr(EQUITY, INITIAL) == pytest.approx(0.96**63 - 1)


def test_sharpe_by_hand():
    mean = sum(R) / 4
    var = sum((r - mean) ** 2 for r in R) / 3
    assert m.sharpe(np.array(R)) == pytest.approx(mean / math.sqrt(var) * math.sqrt(252))


def test_sortino_by_hand():
    mean = sum(R) / 4
    downside = math.sqrt(((-2 / 101) ** 2 + (-6 / 102) ** 2) / 4)
    assert m.sortino(np.array(R)) == pytest.approx(mean / downside * math.sqrt(252))


def test_max_drawdown_by_hand():
    # peaks: 101, 101, 102, 102 -> drawdowns 0, 2/101, 0, 6/102
    assert m.max_drawdown(EQUITY, INITIAL) == pytest.approx(6 / 102)


def test_max_drawdown_counts_the_initial_cash_as_a_peak():
    assert m.max_drawdown(np.array([95.0, 97.0]), 100.0) == pytest.approx(0.05)
    assert m.max_drawdown(np.array([100.0, 110.0, 120.0]), 100.0) == 0.0


def test_undefined_ratios_are_nan():
    assert math.isnan(m.sharpe(np.array([0.01, 0.01, 0.01])))
    assert math.isnan(m.sharpe(np.array([0.01])))
    assert math.isnan(m.sortino(np.array([0.01, 0.02])))
    assert math.isnan(m.win_rate(np.array([])))


def test_exposure_and_win_rate():
    assert m.exposure(np.array([0.0, 3.0, -2.0, 0.0])) == 0.5
    assert m.win_rate(np.array([0.1, -0.2, 0.0, 0.3])) == 0.5


@pytest.mark.parametrize("scale", [0.5, 3.0, 10.0])
def test_sharpe_and_sortino_are_scale_invariant(scale):
    rng = np.random.default_rng(7)
    returns = rng.normal(0.0005, 0.01, 500)
    assert m.sharpe(returns * scale) == pytest.approx(m.sharpe(returns))
    assert m.sortino(returns * scale) == pytest.approx(m.sortino(returns))


def test_equity_metrics_do_not_depend_on_account_size():
    a = m.equity_metrics(EQUITY, INITIAL)
    b = m.equity_metrics(EQUITY * 1000, INITIAL * 1000)
    for key in a:
        assert a[key] == pytest.approx(b[key])


# Published values from empyrical's test suite (quantopian/empyrical, tests/test_stats.py).
POSITIVE = np.array([1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]) / 100
NEGATIVE = np.array([0.0, -6.0, -7.0, -1.0, -9.0, -2.0, -6.0, -8.0, -5.0]) / 100
MIXED = np.array([0.0, 1.0, 10.0, -4.0, 2.0, 3.0, 2.0, 1.0, -10.0]) / 100  # its NaN read as 0


def equity_of(returns: np.ndarray, initial: float = 100.0) -> np.ndarray:
    return initial * np.cumprod(1 + returns)


def test_sharpe_matches_empyrical():
    assert m.sharpe(POSITIVE) == pytest.approx(52.915026221291804, rel=1e-12)
    assert m.sharpe(NEGATIVE) == pytest.approx(-24.406808633910085, rel=1e-12)


def test_sortino_matches_empyrical():
    assert m.sortino(NEGATIVE) == pytest.approx(-13.532743075043401, rel=1e-12)


def test_max_drawdown_matches_empyrical():
    assert m.max_drawdown(equity_of(NEGATIVE), 100.0) == pytest.approx(0.36590730349873601)
    assert m.max_drawdown(equity_of(np.array([0.1, -0.1, 0.1])), 100.0) == pytest.approx(0.10)
    assert m.max_drawdown(equity_of(MIXED), 100.0) == pytest.approx(0.10)


def test_cagr_matches_empyrical_annual_return():
    assert m.cagr(equity_of(MIXED), 100.0) == pytest.approx(1.9135925373194231, rel=1e-10)


def test_daily_returns_round_trip_equity():
    np.testing.assert_allclose(m.daily_returns(equity_of(MIXED), 100.0), MIXED, atol=1e-15)

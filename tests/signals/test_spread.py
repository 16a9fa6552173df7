"""Spread level, regime, z-score, change and narrowing on hand-made LME rows."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from alu.signals.spread import backwardation_spread, rolling_zscore, spread_regime, spread_signals


def lme(spreads, three_month=2500.0):
    idx = pd.bdate_range("2024-01-01", periods=len(spreads))
    three = np.full(len(spreads), three_month)
    return pd.DataFrame(
        {"cash_settlement": three + np.array(spreads), "three_month": three}, index=idx
    )


def test_spread_is_cash_minus_three_month_and_skips_missing():
    frame = lme([10.0, -20.0, 5.0])
    frame.iloc[1, 1] = np.nan
    spread = backwardation_spread(frame)
    assert spread.tolist() == [10.0, 5.0]
    assert spread.name == "spread_usd_t"


def test_regime_with_deadband():
    s = pd.Series([-10.0, -5.0, 0.0, 5.0, 6.0])
    assert spread_regime(s, deadband=5.0).tolist() == [
        "CONTANGO",
        "FLAT",
        "FLAT",
        "FLAT",
        "BACKWARDATION",
    ]


def test_zscore_by_hand():
    z = rolling_zscore(pd.Series([1.0, 2.0, 3.0, 10.0]), 3)
    assert math.isnan(z.iloc[1])
    assert z.iloc[2] == pytest.approx((3 - 2) / 1.0)
    mean, std = 5.0, np.std([2.0, 3.0, 10.0], ddof=1)
    assert z.iloc[3] == pytest.approx((10 - mean) / std)


def test_change_and_narrowing_by_hand():
    frame = spread_signals(
        lme([20.0, 15.0, 12.0, 4.0, 30.0]),
        deadband=5.0,
        spread_z_window=3,
        spread_change_days=2,
        narrowing_usd_t=10.0,
    )
    change = frame["spread_change_usd_t"].tolist()
    assert math.isnan(change[0]) and math.isnan(change[1])
    assert change[2:] == [-8.0, -11.0, 18.0]
    # Day 3: 15 two days earlier was backwardation and it fell 11 >= 10.
    assert frame["spread_narrowing"].tolist() == [False, False, False, True, False]


def test_narrowing_needs_a_backwardation_to_narrow():
    frame = spread_signals(lme([-10.0, -20.0, -40.0]), spread_change_days=1, spread_z_window=2)
    assert not frame["spread_narrowing"].any()

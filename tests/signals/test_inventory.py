"""Inventory signals on hand-made stock figures."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from alu.signals.inventory import inventory_signals, stock_percentile


def stocks(values):
    idx = pd.bdate_range("2024-01-01", periods=len(values))
    return pd.DataFrame({"lme_stock": np.array(values, dtype=float)}, index=idx)


def test_percentile_by_hand():
    s = pd.Series([5.0, 3.0, 4.0, 1.0, 6.0])
    pct = stock_percentile(s, pct_window=3, pct_min_periods=2)
    # windows: [5] -> NaN; [5,3] -> 1/2; [5,3,4] -> 2/3; [3,4,1] -> 1/3; [4,1,6] -> 3/3
    assert math.isnan(pct.iloc[0])
    assert pct.iloc[1:].tolist() == pytest.approx([0.5, 2 / 3, 1 / 3, 1.0])


def test_changes_and_trend_by_hand():
    frame = inventory_signals(
        stocks([100, 100, 99.5, 98, 103]),
        pct_window=3,
        pct_min_periods=1,
        stock_short_days=1,
        stock_long_days=2,
        stock_z_window=2,
        trend_deadband=0.01,
    )
    assert frame["stock_change_short_t"].tolist()[1:] == [0, -0.5, -1.5, 5]
    assert frame["stock_change_long_t"].tolist()[2:] == [-0.5, -2, 3.5]
    assert frame["stock_pct_change_long"].iloc[2] == pytest.approx(-0.005)
    # -0.5 % is inside the 1 % deadband (FLAT); -2 % is FALLING; +3.5 % is BUILDING.
    assert frame["inventory_trend"].tolist()[2:] == ["FLAT", "FALLING", "BUILDING"]
    assert pd.isna(frame["inventory_trend"].iloc[0])


def test_zscore_of_long_pct_change():
    frame = inventory_signals(stocks([100, 100, 99, 98, 103]), stock_long_days=2, stock_z_window=2)
    pct = frame["stock_pct_change_long"]
    expected = (pct.iloc[3] - pct.iloc[2:4].mean()) / pct.iloc[2:4].std(ddof=1)
    assert frame["stock_change_z"].iloc[3] == pytest.approx(expected)


def test_missing_stock_figures_are_skipped_not_zero():
    frame = stocks([100, np.nan, 90])
    out = inventory_signals(frame, stock_short_days=1)
    assert len(out) == 2 and out["stock_change_short_t"].iloc[1] == -10

"""The rolled constant-maturity LME leg, checked by hand on built curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alu.data.roll import roll_yield, rolled_index


def test_a_flat_curve_rolls_for_free():
    days = pd.bdate_range("2024-01-01", periods=30)
    price = pd.Series(2500.0, index=days)
    index = rolled_index(price, price)
    assert index.iloc[0] == 2500.0
    np.testing.assert_allclose(index.to_numpy(), 2500.0)


def test_constant_backwardation_earns_k_over_91_a_calendar_day():
    """Cash k $/t above a flat 3-month price P: each calendar day the aged contract gains
    k / 91 $/t, so the index grows by k / (91 P) a calendar day (compounded per step)."""
    k, price = 40.0, 2600.0
    days = pd.bdate_range("2024-01-01", periods=60)
    three_month = pd.Series(price, index=days)
    cash = three_month + k
    index = rolled_index(cash, three_month)
    gaps = np.diff(days.to_numpy()).astype("timedelta64[D]").astype(float)
    expected = price * np.cumprod(np.r_[1.0, 1 + k * gaps / (91 * price)])
    np.testing.assert_allclose(index.to_numpy(), expected, rtol=1e-13)
    # Weekends count: Friday -> Monday earns three days' roll.
    monday = days.get_loc(pd.Timestamp("2024-01-08"))
    assert index.iloc[monday] / index.iloc[monday - 1] - 1 == pytest.approx(3 * k / (91 * price))


def test_contango_pays_the_roll_and_the_yield_is_the_gap_to_the_raw_price():
    days = pd.bdate_range("2024-01-01", periods=250)
    three_month = pd.Series(np.linspace(2400.0, 2600.0, 250), index=days)
    cash = three_month - 30.0
    index = rolled_index(cash, three_month)
    raw = three_month.iloc[-1] / three_month.iloc[0] - 1
    held = index.iloc[-1] / index.iloc[0] - 1
    assert held < raw
    assert roll_yield(cash, three_month) == pytest.approx((1 + held) / (1 + raw) - 1)


def test_days_without_both_prices_are_skipped():
    days = pd.bdate_range("2024-01-01", periods=5)
    three_month = pd.Series([2500.0, np.nan, 2510.0, 2520.0, 2530.0], index=days)
    cash = pd.Series([2505.0, 2506.0, 2512.0, np.nan, 2540.0], index=days)
    index = rolled_index(cash, three_month)
    assert list(index.index) == [days[0], days[2], days[4]]
    d = (days[2] - days[0]).days
    assert index.iloc[1] == pytest.approx(2500.0 * (2510 - (2510 - 2512) * d / 91) / 2500.0)

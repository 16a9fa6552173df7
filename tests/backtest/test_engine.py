"""The engine against an independent plain-Python loop of the execution model.

The loop below is written from the model's definition (README, backtest/engine.py docstring),
not from vectorbt: decide at the close, fill the change at the next day's open (close when no
open), slippage against the trade, fees on traded value, all-in sizing, equity at the close.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alu.backtest.engine import Costs, held_stance, simulate


def reference_account(close, fill, stance, fees, slippage, cash0):
    """Equity, shares and trades of one account, day by day."""
    cash, shares = cash0, 0.0
    held_prev = 0
    equity, position, trades = [], [], []
    open_trade = None
    for t in range(len(close)):
        held = stance[t - 1] if t > 0 else 0
        if held != held_prev:
            if shares > 0:  # sell the long
                px = fill[t] * (1 - slippage)
                cash += shares * px * (1 - fees)
                open_trade.update(exit=t, exit_px=px, exit_fee=shares * px * fees)
                trades.append(open_trade)
                open_trade, shares = None, 0.0
            elif shares < 0:  # buy back the short
                px = fill[t] * (1 + slippage)
                cash -= -shares * px * (1 + fees)
                open_trade.update(exit=t, exit_px=px, exit_fee=-shares * px * fees)
                trades.append(open_trade)
                open_trade, shares = None, 0.0
            if held != 0 and cash > 0:
                px = fill[t] * (1 + slippage if held > 0 else 1 - slippage)
                size = cash / (px * (1 + fees))
                fee = size * px * fees
                cash += -size * px - fee if held > 0 else size * px - fee
                shares = size if held > 0 else -size
                open_trade = {
                    "entry": t,
                    "entry_px": px,
                    "size": size,
                    "entry_fee": fee,
                    "dir": held,
                }
            held_prev = held
        equity.append(cash + shares * close[t])
        position.append(shares)
    if open_trade is not None:
        open_trade.update(exit=None, exit_px=close[-1], exit_fee=0.0)
        trades.append(open_trade)
    out_trades = []
    for tr in trades:
        gross = tr["size"] * (tr["exit_px"] - tr["entry_px"]) * tr["dir"]
        pnl = gross - tr["entry_fee"] - tr["exit_fee"]
        out_trades.append(
            (
                tr["entry"],
                tr["exit"],
                tr["entry_px"],
                tr["dir"],
                pnl / (tr["size"] * tr["entry_px"]),
            )
        )
    return np.array(equity), np.array(position), out_trades


@st.composite
def market_cases(draw):
    n = draw(st.integers(2, 70))
    moves = draw(st.lists(st.floats(-0.04, 0.04), min_size=n, max_size=n))
    close = 50.0 * np.exp(np.cumsum(moves))
    gaps = draw(st.lists(st.floats(-0.02, 0.02), min_size=n, max_size=n))
    fill = np.concatenate(([50.0], close[:-1])) * np.exp(gaps)
    no_open = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    fill = np.where(no_open, close, fill)  # a missing Open fills at the close
    stance = np.array(draw(st.lists(st.sampled_from([-1, 0, 1]), min_size=n, max_size=n)))
    fees = draw(st.sampled_from([0.0, 0.001, 0.0123]))
    slippage = draw(st.sampled_from([0.0, 0.0005, 0.01]))
    return close, fill, stance.astype(np.int8), fees, slippage


def run_engine(close, fill, stance, fees, slippage):
    idx = pd.bdate_range("2020-01-01", periods=len(close))
    return simulate(
        "X",
        pd.Series(close, index=idx),
        pd.Series(fill, index=idx),
        pd.Series(stance, index=idx),
        Costs(fees=fees, slippage=slippage),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(market_cases())
def test_engine_matches_reference_loop(case):
    close, fill, stance, fees, slippage = case
    account = run_engine(close, fill, stance, fees, slippage)
    equity, position, trades = reference_account(close, fill, stance, fees, slippage, 100_000.0)
    np.testing.assert_allclose(account.equity, equity, rtol=1e-9, atol=1e-7)
    np.testing.assert_allclose(account.position, position, rtol=1e-9, atol=1e-9)
    assert len(account.trades) == len(trades)
    for got, (entry, exit_, entry_px, direction, ret) in zip(account.trades, trades, strict=True):
        assert got.entry_date == account.dates[entry]
        assert got.exit_date == (None if exit_ is None else account.dates[exit_])
        assert got.direction == ("long" if direction > 0 else "short")
        assert math.isclose(got.entry_price, entry_px, rel_tol=1e-12)
        # vectorbt treats prices within 1e-9 (relative) as equal (vectorbt.utils.math_.is_close_nb),
        # so a trade marked at such a price can differ from the exact formula by ~1e-9.
        assert math.isclose(got.trade_return, ret, rel_tol=1e-9, abs_tol=2e-9)


def test_hand_worked_round_trip():
    """Buy at day 1's open, sell at day 3's open, with 1 % fees and 1 % slippage."""
    close = np.array([10.0, 11.0, 12.0, 13.0])
    fill = np.array([10.0, 10.0, 12.0, 12.5])
    stance = np.array([1, 1, 0, 0], dtype=np.int8)
    account = run_engine(close, fill, stance, 0.01, 0.01)
    buy_px = 10.0 * 1.01
    shares = 100_000.0 / (buy_px * 1.01)
    sell_px = 12.5 * 0.99
    final = shares * sell_px * 0.99
    expected = [100_000.0, shares * 11.0, shares * 12.0, final]
    np.testing.assert_allclose(account.equity, expected, rtol=1e-12)
    (trade,) = account.trades
    assert trade.entry_date == account.dates[1] and trade.exit_date == account.dates[3]
    assert trade.entry_price == pytest.approx(buy_px)
    assert trade.exit_price == pytest.approx(sell_px)
    assert trade.trade_return == pytest.approx((final - 100_000.0) / (shares * buy_px))


def test_open_trade_stays_open_at_the_last_close():
    close = np.array([10.0, 10.0, 11.0])
    account = run_engine(close, close, np.array([1, 1, 1], dtype=np.int8), 0.0, 0.0)
    (trade,) = account.trades
    assert trade.exit_date is None and trade.exit_price is None
    assert trade.trade_return == pytest.approx(0.1)
    assert account.equity[-1] == pytest.approx(110_000.0)


def test_held_stance_is_yesterdays_decision():
    assert held_stance(np.array([1, 0, -1, -1], dtype=np.int8)).tolist() == [0, 1, 0, -1]


def test_decision_on_the_last_day_is_never_filled():
    close = np.array([10.0, 10.0, 10.0])
    account = run_engine(close, close, np.array([0, 0, 1], dtype=np.int8), 0.001, 0.0)
    assert account.trades == [] and account.equity.tolist() == [100_000.0] * 3

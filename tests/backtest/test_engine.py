"""The engine against an independent plain-Python loop of the execution model.

The loop below is written from the model's definition (README, alu/backtest/engine.py docstring),
not from vectorbt or the kernel: decide at the close, fill the change at the next day's open
(close when no open), slippage against the order, fees on traded value, whole exits whatever the
cash, sizing (fraction of equity, volatility target with periodic resizing), maintenance margin
and liquidation, stop-loss and trailing stops with the re-entry block, ruin, equity at the close.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alu.backtest.engine import Costs, Model, annual_volatility, held_stance, simulate

CASH0 = 100_000.0
DEFAULT = Model()


def reference_account(close, fill, stance, fees, slippage, cash0=CASH0, model=DEFAULT, sigma=None):
    """Equity, shares, trades and the ruin day of one account, day by day, in plain Python."""
    n = len(close)
    if sigma is None:
        sigma = annual_volatility(close, model.vol_window)
    cash, shares, side = cash0, 0.0, 0
    trade = None
    trades = []
    forced = None
    blocked = 0
    ruined_day = None
    equity, position = [], []

    def buy_px(p):
        return p * (1 + slippage)

    def sell_px(p):
        return p * (1 - slippage)

    def close_position(t, reason):
        nonlocal cash, shares, side, trade
        p = fill[t]
        if shares > 0:
            px = sell_px(p)
            cash += shares * px - shares * px * fees
        else:
            px = buy_px(p)
            cash -= -shares * px + -shares * px * fees
        trade.update(exit=t, exit_px=px, pnl=cash - trade["cash_before"], reason=reason)
        trades.append(trade)
        trade, shares, side = None, 0.0, 0

    def resize_due(t, entry):
        every = model.rebalance_days
        return model.vol_target > 0 and every > 0 and (t - entry) % every == 0

    def moved_against(c, reference, fraction):
        if fraction <= 0:
            return False
        return c <= reference * (1 - fraction) if side > 0 else c >= reference * (1 + fraction)

    def leverage(t):
        if model.vol_target > 0:
            s = sigma[t - 1]
            if s != s:  # NaN
                return None
            return model.max_leverage if s == 0 else min(model.max_leverage, model.vol_target / s)
        return model.fraction

    for t in range(n):
        if t > 0 and ruined_day is None:
            want = int(stance[t - 1])
            if forced is not None and side != 0:
                stopped = side
                close_position(t, forced)
                if want == stopped:
                    blocked = stopped
            forced = None
            if want == blocked:
                want = 0
            if want != side:
                if side != 0:
                    close_position(t, "signal")
                lev = leverage(t) if want != 0 and cash > 0 else None
                if lev is not None:
                    px = buy_px(fill[t]) if want > 0 else sell_px(fill[t])
                    size = lev * cash / (px * (1 + fees))
                    before = cash
                    cash += -want * size * px - size * px * fees
                    shares, side = want * size, want
                    trade = dict(entry=t, entry_px=px, size=size, dir=want, cash_before=before)
                    best = None
            elif side != 0 and resize_due(t, trade["entry"]):
                value = cash + shares * fill[t]
                lev = leverage(t)
                if value > 0 and lev is not None:
                    side_px = buy_px(fill[t]) if side > 0 else sell_px(fill[t])
                    target = side * lev * value / (side_px * (1 + fees))
                    delta = target - shares
                    if delta > 0:
                        px = buy_px(fill[t])
                        cash -= delta * px + delta * px * fees
                    elif delta < 0:
                        px = sell_px(fill[t])
                        cash += -delta * px - (-delta) * px * fees
                    shares = target
            if side == 0 and cash <= 0:
                ruined_day = t
        value = cash + shares * close[t]
        equity.append(value)
        position.append(shares)
        if side != 0:
            c = close[t]
            best = c if best is None else (max(best, c) if side > 0 else min(best, c))
            entry = trade["entry_px"]
            if value <= model.maintenance_margin * abs(shares) * c * (1 + 1e-9):
                forced = "liquidation"
            elif moved_against(c, entry, model.stop_loss) or moved_against(
                c, best, model.trailing_stop
            ):
                forced = "stop"
        if blocked != 0 and stance[t] != blocked:
            blocked = 0
    if trade is not None:
        pnl = cash + shares * close[-1] - trade["cash_before"]
        trade.update(exit=None, exit_px=None, pnl=pnl, reason="end")
        trades.append(trade)
    out = []
    for tr in trades:
        ret = tr["pnl"] / (tr["size"] * tr["entry_px"])
        out.append(
            (tr["entry"], tr["exit"], tr["entry_px"], tr["dir"], ret, tr["reason"], tr["exit_px"])
        )
    return np.array(equity), np.array(position), out, ruined_day


@st.composite
def market_cases(draw):
    n = draw(st.integers(2, 70))
    wild = draw(st.booleans())  # big moves: shorts that lose more than the account, stops
    span = 0.25 if wild else 0.04
    moves = draw(st.lists(st.floats(-span, span), min_size=n, max_size=n))
    close = 50.0 * np.exp(np.cumsum(moves))
    gaps = draw(st.lists(st.floats(-0.02, 0.02), min_size=n, max_size=n))
    fill = np.concatenate(([50.0], close[:-1])) * np.exp(gaps)
    no_open = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    fill = np.where(no_open, close, fill)  # a missing Open fills at the close
    stance = np.array(draw(st.lists(st.sampled_from([-1, 0, 1]), min_size=n, max_size=n)))
    fees = draw(st.sampled_from([0.0, 0.001, 0.0123]))
    slippage = draw(st.sampled_from([0.0, 0.0005, 0.01]))
    sizing = draw(st.sampled_from(["all-in", "fraction", "vol-target"]))
    max_leverage = draw(st.sampled_from([1.0, 2.0, 3.0]))
    fraction = draw(st.sampled_from([0.3, 1.0, 1.5, 3.0])) if sizing == "fraction" else 1.0
    model = Model(
        fraction=min(fraction, max_leverage),
        vol_target=draw(st.sampled_from([0.1, 0.4, 2.0])) if sizing == "vol-target" else 0.0,
        max_leverage=max_leverage,
        vol_window=draw(st.sampled_from([2, 5, 10])),
        rebalance_days=draw(st.sampled_from([1, 3, 20])),
        stop_loss=draw(st.sampled_from([0.0, 0.0, 0.05, 0.2])),
        trailing_stop=draw(st.sampled_from([0.0, 0.0, 0.03, 0.1])),
        maintenance_margin=draw(st.sampled_from([0.0, 0.25, 0.5, 1.0])),
    )
    return close, fill, stance.astype(np.int8), fees, slippage, model


def run_engine(close, fill, stance, fees, slippage, model=DEFAULT):
    idx = pd.bdate_range("2020-01-01", periods=len(close))
    return simulate(
        "X",
        pd.Series(close, index=idx),
        pd.Series(fill, index=idx),
        pd.Series(stance, index=idx),
        Costs(fees=fees, slippage=slippage),
        model,
    )


def assert_matches_reference(case):
    close, fill, stance, fees, slippage, model = case
    account = run_engine(close, fill, stance, fees, slippage, model)
    equity, position, trades, ruined = reference_account(
        close, fill, stance, fees, slippage, model=model
    )
    scale = max(1.0, float(np.max(np.abs(equity))))
    np.testing.assert_allclose(account.equity, equity, rtol=1e-9, atol=1e-9 * scale)
    np.testing.assert_allclose(account.position, position, rtol=1e-9, atol=1e-9)
    assert account.ruined_on == (None if ruined is None else account.dates[ruined])
    assert len(account.trades) == len(trades)
    for got, (entry, exit_, entry_px, direction, ret, reason, exit_px) in zip(
        account.trades, trades, strict=True
    ):
        assert got.entry_date == account.dates[entry]
        assert got.exit_date == (None if exit_ is None else account.dates[exit_])
        assert got.direction == ("long" if direction > 0 else "short")
        assert got.exit_reason == reason
        assert math.isclose(got.entry_price, entry_px, rel_tol=1e-12)
        if exit_px is not None:
            assert math.isclose(got.exit_price, exit_px, rel_tol=1e-12)
        assert math.isclose(got.trade_return, ret, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(market_cases())
def test_engine_matches_reference_loop(case):
    assert_matches_reference(case)


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
    assert trade.exit_reason == "signal"


def test_open_trade_stays_open_at_the_last_close():
    close = np.array([10.0, 10.0, 11.0])
    account = run_engine(close, close, np.array([1, 1, 1], dtype=np.int8), 0.0, 0.0)
    (trade,) = account.trades
    assert trade.exit_date is None and trade.exit_price is None
    assert trade.exit_reason == "end"
    assert trade.trade_return == pytest.approx(0.1)
    assert account.equity[-1] == pytest.approx(110_000.0)


def test_held_stance_is_yesterdays_decision():
    assert held_stance(np.array([1, 0, -1, -1], dtype=np.int8)).tolist() == [0, 1, 0, -1]


def test_decision_on_the_last_day_is_never_filled():
    close = np.array([10.0, 10.0, 10.0])
    account = run_engine(close, close, np.array([0, 0, 1], dtype=np.int8), 0.001, 0.0)
    assert account.trades == [] and account.equity.tolist() == [100_000.0] * 3


def test_a_short_that_loses_more_than_the_account_is_covered_whole():
    """Short 2,000 shares at 50; the rule covers at day 3's open, which gaps to 150: the cover
    buys all 2,000 back (never a partial cover) and cash goes below zero: ruined."""
    close = np.array([50.0, 50.0, 90.0, 150.0])
    fill = np.array([50.0, 50.0, 90.0, 150.0])
    stance = np.array([-1, -1, 0, 0], dtype=np.int8)
    account = run_engine(close, fill, stance, 0.0, 0.0, Model(maintenance_margin=0.0))
    (trade,) = account.trades
    assert trade.size == pytest.approx(2_000.0)
    assert trade.exit_date == account.dates[3] and trade.exit_reason == "signal"
    # proceeds 100,000 + cash 100,000 - 2,000 x 150 = -100,000
    assert account.equity[-1] == pytest.approx(-100_000.0)
    assert account.position[-1] == 0.0
    assert account.ruined_on == account.dates[3]


def test_liquidation_at_the_maintenance_margin():
    """Short 2,000 at 50 (cash 200,000). At 160 equity is 200,000 - 320,000 < 0.25 x 320,000:
    liquidated at the next fill; the rule still wants short, so the account stays flat."""
    close = np.array([50.0, 50.0, 60.0, 160.0, 100.0, 100.0])
    stance = np.array([-1] * 6, dtype=np.int8)
    account = run_engine(close, close, stance, 0.0, 0.0, Model(maintenance_margin=0.25))
    (trade,) = account.trades
    assert trade.exit_reason == "liquidation" and trade.exit_date == account.dates[4]
    assert account.equity[4] == pytest.approx(200_000.0 - 2_000 * 100.0)
    assert account.position[4:].tolist() == [0.0, 0.0]


def test_stop_loss_blocks_re_entry_until_the_rule_goes_flat():
    close = np.array([100.0, 100.0, 89.0, 95.0, 95.0, 96.0, 97.0, 98.0])
    stance = np.array([1, 1, 1, 1, 0, 1, 1, 1], dtype=np.int8)
    account = run_engine(close, close, stance, 0.0, 0.0, Model(stop_loss=0.1))
    first, second = account.trades
    assert first.exit_reason == "stop" and first.exit_date == account.dates[3]
    # blocked on day 4 (the rule still long at day 3's close); the rule is flat at day 4's
    # close, long again at day 5's: re-entered at day 6's fill
    assert second.entry_date == account.dates[6]


def test_vol_target_sizes_by_trailing_volatility():
    rng = np.random.default_rng(3)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, 40)))
    stance = np.r_[np.zeros(10), np.ones(30)].astype(np.int8)
    model = Model(vol_target=0.1, max_leverage=2.0, vol_window=5, rebalance_days=5)
    account = run_engine(close, close, stance, 0.0, 0.0, model)
    sigma = annual_volatility(close, 5)
    entry = account.trades[0]
    t = account.dates.get_loc(entry.entry_date)
    expected_value = min(2.0, 0.1 / sigma[t - 1]) * 100_000.0
    assert entry.size * entry.entry_price == pytest.approx(expected_value)

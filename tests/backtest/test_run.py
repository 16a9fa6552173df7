"""The equal-weight portfolio line and the result document."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alu.backtest.engine import Account, Costs, Trade, trade_records
from alu.backtest.run import combine_accounts, portfolio_metrics


def account(symbol, days, equity, trades=()):
    dates = pd.DatetimeIndex(pd.to_datetime(days))
    n = len(dates)
    return Account(
        symbol,
        dates,
        np.ones(n),
        np.ones(n),
        np.zeros(n, dtype=np.int8),
        np.zeros(n),
        np.array(equity, dtype=float),
        trade_records(list(trades), dates),
        Costs(init_cash=100.0),
    )


def test_portfolio_sums_accounts_on_the_union_calendar_carrying_forward():
    us = account("AA", ["2024-01-02", "2024-01-03", "2024-01-05"], [101, 102, 104])
    lme = account("LME3M", ["2024-01-03", "2024-01-04", "2024-01-05"], [99, 98, 100])
    equity = combine_accounts({"AA": us, "LME3M": lme}, 100.0)
    assert list(equity.index) == list(
        pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"])
    )
    # 01-02: LME not started (100); 01-04: AA closed (carries 102)
    assert equity.tolist() == [201, 201, 200, 204]


def test_portfolio_metrics_pool_trades_and_average_exposure():
    def t(r, open_=False):
        exit_date = None if open_ else pd.Timestamp("2024-01-03")
        exit_price = None if open_ else 1.0
        return Trade(pd.Timestamp("2024-01-02"), exit_date, 1.0, exit_price, "long", 1.0, 0.0, r)

    a = account("A", ["2024-01-02", "2024-01-03"], [100, 110], [t(0.1), t(-0.05)])
    b = account("B", ["2024-01-02", "2024-01-03"], [100, 100], [t(0.2, open_=True)])
    accounts = {"A": a, "B": b}
    metrics = portfolio_metrics(accounts, combine_accounts(accounts, 100.0))
    assert metrics["total_return"] == pytest.approx(0.05)
    assert metrics["trades"] == 3
    assert metrics["win_rate"] == 0.5  # the open trade is not counted

"""The data both chart renderers draw: state runs, buy and hold, trade points, which market
panels exist and when they use default parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alu.backtest.engine import Trade
from alu.backtest.run import BacktestSpec, run_backtest
from alu.data.market import Market
from alu.data.source import DataSource
from alu.reports.chart_data import StateRun, buy_hold_equity, chart_data, state_runs, trade_points
from alu.strategies import get_strategy

D = pd.Timestamp


def test_state_runs_by_hand():
    states = pd.Series(
        ["BULL", "BULL", "NEUTRAL", "BEAR", "BEAR", "BULL"],
        index=pd.to_datetime(
            ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-08", "2024-01-09", "2024-01-10"]
        ),
    )
    assert state_runs(states, ("BULL", "BEAR")) == [
        StateRun("BULL", D("2024-01-02"), D("2024-01-04")),
        StateRun("BEAR", D("2024-01-08"), D("2024-01-10")),
        StateRun("BULL", D("2024-01-10"), D("2024-01-11")),  # the last ends the day after
    ]
    assert state_runs(states, ("NEUTRAL",)) == [
        StateRun("NEUTRAL", D("2024-01-04"), D("2024-01-08"))
    ]
    assert state_runs(states.iloc[:0], ("BULL",)) == []


def test_buy_hold_is_initial_cash_times_close_over_first_close():
    assert buy_hold_equity(np.array([10.0, 12.0, 9.0]), 100.0).tolist() == [100.0, 120.0, 90.0]


def test_trade_points_leave_out_the_exit_of_an_open_trade():
    def trade(entry, exit_, direction):
        exit_date = None if exit_ is None else D(exit_)
        return Trade(D(entry), exit_date, 1.0, None if exit_ is None else 2.0, direction, 1, 0, 0)

    trades = [
        trade("2024-01-02", "2024-01-05", "long"),
        trade("2024-01-08", "2024-01-09", "short"),
        trade("2024-01-10", None, "long"),
    ]
    when, price, chosen = trade_points(trades, "long", "entry")
    assert when == [D("2024-01-02"), D("2024-01-10")] and price == [1.0, 1.0]
    when, price, chosen = trade_points(trades, "long", "exit")
    assert when == [D("2024-01-05")] and price == [2.0] and chosen == [trades[0]]
    assert trade_points(trades, "short", "exit")[0] == [D("2024-01-09")]


def run(market, strategy, symbols, **params):
    chosen = get_strategy(strategy)
    spec = BacktestSpec(chosen, chosen.resolve(params), symbols)
    return chart_data(run_backtest(market.universe(), spec), market)


@pytest.mark.parametrize(
    ("strategy", "at_defaults"),
    [
        ("squeeze", set()),
        ("bands", {"spread", "stock"}),
        ("spread", {"bands", "stock"}),
        ("buy_hold", {"bands", "spread", "stock"}),
    ],
)
def test_every_market_panel_is_shown_and_defaults_are_flagged(sample_market, strategy, at_defaults):
    data = run(sample_market, strategy, ["AA"])
    panels = {"bands": data.bands, "spread": data.spread, "stock": data.stock}
    assert all(p is not None for p in panels.values())
    assert {name for name, p in panels.items() if p.defaults} == at_defaults
    assert data.bands.reference.index[0] >= data.first
    assert data.bands.reference.index[-1] <= data.last
    assert data.notes == []


def test_the_strategy_parameters_reach_the_panels(sample_market):
    data = run(sample_market, "squeeze", ["AA"], upper=3400, lower=2900, deadband=12)
    assert (data.bands.upper, data.bands.lower, data.spread.deadband) == (3400.0, 2900.0, 12.0)
    data = run(sample_market, "inventory", ["AA"], entry_pct=0.1)
    assert data.stock.thresholds == {"entry_pct": 0.1, "exit_pct": 0.5}


def test_without_market_files_there_are_no_market_panels(make_data_dir):
    market = Market(DataSource("data-dir", make_data_dir(symbols=("AA",), lme=False)))
    data = run(market, "buy_hold", ["AA"])
    assert (data.bands, data.spread, data.stock) == (None, None, None)
    assert not data.has_market and len(data.notes) == 2


def test_bands_from_futures_when_there_is_no_lme(make_data_dir):
    market = Market(DataSource("data-dir", make_data_dir(symbols=("AA", "ALI=F"), lme=False)))
    data = run(market, "bands", ["AA"])
    assert data.bands is not None and data.bands.reference_name.startswith("ALI=F close")
    assert data.spread is None and data.stock is None

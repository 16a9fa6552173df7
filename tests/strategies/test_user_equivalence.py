"""A TOML and a Python-file strategy written to mean the same as the built-in ``bands`` and
``inventory`` give the same stances, trades and equity, to 1e-9, in both directions; and a sweep
over a user strategy's parameter equals the backtests of each variant."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alu.backtest.engine import Costs
from alu.backtest.run import BacktestSpec, run_backtest
from alu.backtest.sweep import FULL, PORTFOLIO, SweepSpec, run_sweep
from alu.data.market import Market
from alu.data.source import DataSource
from alu.strategies import get_strategy, strategy_catalog
from alu.strategies.variants import variants_from_grids

FILES = Path(__file__).parent / "files"
CATALOG = strategy_catalog([FILES / "like_builtins.toml", FILES / "like_builtins.py"])
TWINS = {
    "bands": ("toml_bands", "py_bands"),
    "inventory": ("toml_inventory", "py_inventory"),
}
PAIRS = [(builtin, twin) for builtin, twins in TWINS.items() for twin in twins]
COSTS = Costs(fees=0.002, slippage=0.001)


def backtest(market: Market, name: str, direction: str, overrides=None, symbols=None):
    strategy = get_strategy(name, CATALOG)
    resolved, _ = market.resolve_symbols(symbols)
    spec = BacktestSpec(
        strategy, strategy.resolve(overrides or {}), resolved, costs=COSTS, direction=direction
    )
    return run_backtest(market.universe(), spec)


def assert_same(expected, got) -> None:
    assert list(got.accounts) == list(expected.accounts)
    for symbol, a in expected.accounts.items():
        b = got.accounts[symbol]
        np.testing.assert_array_equal(b.stance, a.stance)
        np.testing.assert_allclose(b.equity, a.equity, rtol=1e-9, atol=0)
        assert len(b.trades) == len(a.trades), symbol
        for x, y in zip(a.trades, b.trades, strict=True):
            assert (x.entry_date, x.exit_date, x.direction) == (
                y.entry_date,
                y.exit_date,
                y.direction,
            )
            for field in ("entry_price", "size", "pnl", "trade_return"):
                assert getattr(y, field) == pytest.approx(getattr(x, field), rel=1e-9, abs=1e-9)
    np.testing.assert_allclose(got.portfolio_equity, expected.portfolio_equity, rtol=1e-9)


def test_the_twins_load_as_user_strategies():
    for builtin, twins in TWINS.items():
        for twin in twins:
            strategy = CATALOG[twin]
            assert strategy.file is not None and strategy.file.parent == FILES
            assert strategy.families == get_strategy(builtin).families
            assert [p.name for p in strategy.params] == [
                p.name for p in get_strategy(builtin).params
            ]
            assert strategy.long_only is False


@pytest.mark.parametrize("direction", ["long", "both"])
@pytest.mark.parametrize(("builtin", "twin"), PAIRS)
def test_same_trades_as_the_builtin_on_the_sample(sample_market, builtin, twin, direction):
    expected = backtest(sample_market, builtin, direction)
    got = backtest(sample_market, twin, direction)
    assert sum(len(a.trades) for a in expected.accounts.values()) > 5  # something to compare
    if direction == "both":
        assert any(t.direction == "short" for a in got.accounts.values() for t in a.trades)
    assert_same(expected, got)


@pytest.mark.parametrize(("builtin", "twin"), [p for p in PAIRS if p[0] == "inventory"])
def test_same_trades_with_other_parameters(sample_market, builtin, twin):
    overrides = {"entry_pct": "0.35", "exit_pct": "0.45", "stock_long_days": "10"}
    assert_same(
        backtest(sample_market, builtin, "both", overrides),
        backtest(sample_market, twin, "both", overrides),
    )


@pytest.mark.parametrize("direction", ["long", "both"])
@pytest.mark.parametrize(("builtin", "twin"), PAIRS)
def test_same_trades_as_the_builtin_on_the_real_files(real_data_dir, builtin, twin, direction):
    market = Market(DataSource("data-dir", real_data_dir))
    assert_same(backtest(market, builtin, direction), backtest(market, twin, direction))


@pytest.mark.parametrize("direction", ["long", "both"])
@pytest.mark.parametrize("twin", ["toml_inventory", "py_inventory", "toml_bands"])
def test_a_grid_over_a_user_strategy_equals_its_backtests(sample_market, twin, direction):
    grid = ["entry_pct=0.1,0.3", "exit_pct=0.4,0.6"] if "inventory" in twin else ["confirm=1,4"]
    variants = variants_from_grids(
        twin, [*grid, "buffer=0,0.01"] if "bands" in twin else grid, {}, strategies=CATALOG
    )
    symbols = ["AA", "CENX", "ALI=F"]
    start = pd.Timestamp("2015-01-01")
    sweep = run_sweep(
        sample_market.universe(),
        SweepSpec(variants, symbols, start=start, costs=COSTS, direction=direction, chunk_size=3),
    )
    builtin = "inventory" if "inventory" in twin else "bands"
    twin_of_builtin = variants_from_grids(
        builtin, [*grid, "buffer=0,0.01"] if "bands" in twin else grid, {}
    )
    reference = run_sweep(
        sample_market.universe(),
        SweepSpec(twin_of_builtin, symbols, start=start, costs=COSTS, direction=direction),
    )
    everything = np.arange(len(variants))
    np.testing.assert_allclose(
        sweep.portfolio_returns(everything),
        reference.portfolio_returns(everything),
        rtol=1e-9,
        atol=1e-15,
    )
    for i, variant in enumerate(variants):
        single = run_backtest(
            sample_market.universe(),
            BacktestSpec(variant.strategy, variant.params, symbols, start, None, COSTS, direction),
        )
        expected = {**single.symbol_metrics(), PORTFOLIO: single.portfolio_metrics()}
        for name, metrics in expected.items():
            for metric, value in metrics.items():
                got = sweep.metrics[FULL][name][metric][i]
                if np.isnan(value):
                    assert np.isnan(got), (variant.name, name, metric)
                else:
                    assert got == pytest.approx(value, rel=1e-9, abs=1e-12), (
                        variant.name,
                        name,
                        metric,
                    )

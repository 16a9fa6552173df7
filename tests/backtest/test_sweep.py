"""Every variant of a sweep equals `alu backtest` with the same parameters, to 1e-9."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alu.backtest.engine import Costs
from alu.backtest.run import BacktestSpec, run_backtest
from alu.backtest.sweep import FULL, IN_SAMPLE, OUT_OF_SAMPLE, PORTFOLIO, SweepSpec, run_sweep
from alu.data.market import Market
from alu.strategies import STRATEGIES
from alu.strategies.base import signal_table
from alu.strategies.sweep_signals import SweepSignals
from alu.strategies.variants import load_variants_file, variants_from_grids

EXAMPLE = Path(__file__).resolve().parents[2] / "strategies" / "variants.example.toml"
SYMBOLS = ["AA", "CENX", "ALI=F"]
START = pd.Timestamp("2019-01-01")


def assert_equal_to_backtest(market: Market, result, index: int, *, split=None, **spec) -> None:
    variant = result.spec.variants[index]
    windows = [(FULL, spec.get("end"))]
    if split is not None:
        windows.append((IN_SAMPLE, split))
    for scope, end in windows:
        cut = Market(market.source, end=end) if end is not None else market
        single = run_backtest(
            cut.universe(),
            BacktestSpec(
                variant.strategy,
                variant.params,
                SYMBOLS,
                START,
                end,
                spec.get("costs", Costs()),
                spec.get("direction", "long"),
            ),
        )
        expected = {**single.symbol_metrics(), PORTFOLIO: single.portfolio_metrics()}
        for name, metrics in expected.items():
            for metric, value in metrics.items():
                got = result.metrics[scope][name][metric][index]
                if np.isnan(value):
                    assert np.isnan(got), (scope, name, metric)
                else:
                    assert got == pytest.approx(value, rel=1e-9, abs=1e-12), (scope, name, metric)


@pytest.mark.parametrize("direction", ["long", "both"])
def test_grid_variants_equal_single_backtests(sample_market, direction):
    variants = variants_from_grids(
        "squeeze", ["lower=2800,2950", "narrowing_usd_t=5,20", "window_before=0,5"], {}
    )
    costs = Costs(fees=0.002, slippage=0.001)
    result = run_sweep(
        sample_market.universe(),
        SweepSpec(variants, SYMBOLS, start=START, costs=costs, direction=direction, chunk_size=3),
    )
    for i in range(len(variants)):
        assert_equal_to_backtest(sample_market, result, i, costs=costs, direction=direction)


def test_mixed_strategies_from_the_example_file(sample_market):
    variants = load_variants_file(EXAMPLE)
    result = run_sweep(sample_market.universe(), SweepSpec(variants, SYMBOLS, start=START))
    assert {v.strategy.name for v in variants} == set(STRATEGIES)
    for i in range(len(variants)):
        assert_equal_to_backtest(sample_market, result, i)


def test_in_sample_equals_a_backtest_ending_at_the_split(sample_market):
    variants = variants_from_grids("bands", ["confirm=1,3", "upper=3100,3200"], {})
    split = pd.Timestamp("2022-06-30")
    result = run_sweep(
        sample_market.universe(),
        SweepSpec(variants, SYMBOLS, start=START, split=split, direction="both"),
    )
    assert result.split_index == int((result.dates <= split).sum())
    for i in range(len(variants)):
        assert_equal_to_backtest(sample_market, result, i, split=split, direction="both")
    # Out of sample continues the same accounts: the full-period growth is IS x OOS growth.
    full = 1 + result.metrics[FULL][PORTFOLIO]["total_return"]
    parts = (1 + result.metrics[IN_SAMPLE][PORTFOLIO]["total_return"]) * (
        1 + result.metrics[OUT_OF_SAMPLE][PORTFOLIO]["total_return"]
    )
    np.testing.assert_allclose(full, parts, rtol=1e-12)


def test_portfolio_returns_rebuild_the_portfolio_equity(sample_market):
    variants = variants_from_grids("spread", ["deadband=0,10"], {})
    result = run_sweep(sample_market.universe(), SweepSpec(variants, SYMBOLS, start=START))
    single = run_backtest(
        sample_market.universe(),
        BacktestSpec(variants[1].strategy, variants[1].params, SYMBOLS, START),
    )
    rebuilt = 300_000.0 * np.cumprod(1 + result.portfolio_returns([1])[:, 0])
    np.testing.assert_allclose(rebuilt, single.portfolio_equity.to_numpy(), rtol=1e-10)


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_stacked_rule_equals_the_table_rule(sample_market, name):
    strategy = STRATEGIES[name]
    grids = {
        "squeeze": ["confirm=1,4", "window_after=0,9"],
        "bands": ["buffer=0,0.01"],
        "spread": ["spread_change_days=5,20"],
        "inventory": ["entry_pct=0.1,0.3", "pct_window=500,1260"],
        "buy_hold": [],
    }[name]
    variants = (
        variants_from_grids(name, grids, {})
        if grids
        else [v for v in load_variants_file(EXAMPLE) if v.strategy.name == "buy_hold"]
    )
    inputs = sample_market.signal_inputs()
    stack = SweepSignals(strategy, [v.params for v in variants], inputs)
    days = sample_market.instrument("CENX").bars.index
    stances = stack.stances("CENX", days, np.arange(len(variants)), allow_short=True)
    for i, variant in enumerate(variants):
        table = signal_table(strategy.frames(inputs, variant.params), days)
        expected = strategy.stance_from_table(table, variant.params, allow_short=True)
        np.testing.assert_array_equal(stances[:, i], expected.to_numpy())


@pytest.mark.parametrize("direction", ["long", "both"])
def test_execution_parameters_sweep_like_any_other(sample_market, direction):
    """Stops, vol-target sizing, leverage and margin swept by --grid equal single backtests."""
    grids = [
        "stop_loss=0,0.05",
        "trailing_stop=0,0.1",
        "vol_target=0,0.3",
        "maintenance_margin=0.25,0.6",
    ]
    fixed = {"max_leverage": 2.0, "vol_window": 20, "rebalance_days": 5, "fraction": 1.5}
    variants = variants_from_grids("bands", grids, fixed)
    result = run_sweep(
        sample_market.universe(),
        SweepSpec(variants, SYMBOLS, start=START, direction=direction, chunk_size=5),
    )
    for i in range(len(variants)):
        assert_equal_to_backtest(sample_market, result, i, direction=direction)


def test_a_stale_input_blanks_its_family_in_both_paths(make_data_dir):
    """A month without LME rows: spread and inventory are UNKNOWN there, in the single table and
    in the stacked columns alike, and every strategy that uses them is flat."""
    root = make_data_dir()
    lines = (root / "lme.csv").read_text().splitlines()
    kept = [lines[0], *[r for r in lines[1:] if not ("2023-03-01" <= r[:10] <= "2023-04-15")]]
    (root / "lme.csv").write_text("\n".join(kept) + "\n")
    from alu.data.source import DataSource

    market = Market(DataSource("data-dir", root))
    inputs = market.signal_inputs()
    days = market.instrument("AA").bars.index
    gap = (days >= "2023-03-09") & (days <= "2023-04-14")
    for name in ("squeeze", "spread", "inventory"):
        strategy = STRATEGIES[name]
        params = strategy.resolve({})
        table = signal_table(strategy.frames(inputs, params), days)
        for family in strategy.dated_families:
            assert not table[f"{family}_known"][gap].any()
        assert table.loc[gap, "spread_regime"].isna().all() if name != "inventory" else True
        stance = strategy.stance_from_table(table, params, allow_short=True)
        assert (stance[gap] == 0).all()
        loose = {**params, "max_stale_days": 60}  # the gap is then not stale
        loose_table = signal_table(strategy.frames(inputs, loose), days)
        assert all(loose_table[f"{f}_known"][gap].all() for f in strategy.dated_families)
        loose_stance = strategy.stance_from_table(loose_table, loose, allow_short=True)
        for route in (SweepSignals,):
            stack = route(strategy, [params, loose], inputs)
            stacked = stack.stances("AA", days, np.arange(2), allow_short=True)
            np.testing.assert_array_equal(stacked[:, 0], stance.to_numpy())
            np.testing.assert_array_equal(stacked[:, 1], loose_stance.to_numpy())

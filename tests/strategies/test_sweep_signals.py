"""The arrays-based columns builder the sweep reads (alu.strategies.sweep_signals) gives every
variant the signal columns and stance of the single-setting signal table a backtest reads
(alu.strategies.base.signal_table), for every built-in strategy, both directions, every
instrument calendar of the sample and chunks of variants, from parameter dicts or arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alu.errors import AluError
from alu.signals.kernels import REFERENCE
from alu.strategies import STRATEGIES
from alu.strategies.base import signal_table
from alu.strategies.columns import TableColumns, state_codes
from alu.strategies.inputs import SignalInputs
from alu.strategies.signal_columns import STATE_COLUMNS
from alu.strategies.sweep_signals import SweepSignals
from alu.strategies.variants import expand

SYMBOLS = ("AA", "ALI=F", "LME3M")
# Grids over every family's parameters (repeated settings across variants included).
GRIDS = {
    "squeeze": {
        "confirm": [1, 3],
        "lower": [2800.0, 3000.0],
        "narrowing_usd_t": [5.0, 20.0],
        "stock_long_days": [10, 20],
        "window_before": [0, 5],
        "window_after": [2],
    },
    "bands": {"confirm": [1, 3, 8], "buffer": [0.0, 0.005, 0.02], "upper": [3100.0, 3200.0]},
    "spread": {
        "deadband": [0.0, 5.0, 15.0],
        "spread_change_days": [1, 10],
        "narrowing_usd_t": [0.0, 10.0],
    },
    "inventory": {
        "pct_window": [300, 1260],
        "stock_long_days": [5, 20],
        "entry_pct": [0.2, 0.4],
        "trend_deadband": [0.0, 0.02],
    },
    "buy_hold": {},
}
# The columns the rules read (and a number), per family.
COLUMNS = {
    "bands": ("band_state", "reference_price", "to_upper_pct"),
    "spread": ("spread_regime", "spread_narrowing", "spread_z"),
    "inventory": ("stock_percentile", "inventory_trend", "stock_change_z"),
    "catalysts": ("in_catalyst_window",),
}


def test_every_built_in_strategy_has_a_grid():
    assert set(GRIDS) == set(STRATEGIES)


def single_table(strategy, inputs, params, days) -> pd.DataFrame:
    """The signal table a single backtest reads (empty for a strategy without signals)."""
    if not strategy.families:
        return pd.DataFrame(index=days)
    return signal_table(strategy.frames(inputs, params), days)


def single_column(table: pd.DataFrame, column: str) -> np.ndarray:
    """A table column as the sweep reads it: state codes, or the values."""
    if column in STATE_COLUMNS:
        return state_codes(table[column].to_numpy(dtype=object))
    return TableColumns(table).number(column)


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_same_stances_as_the_single_setting_tables(sample_market, name):
    strategy = STRATEGIES[name]
    grid = expand(strategy, GRIDS[name])
    variants = [v.params for v in grid]
    inputs = sample_market.signal_inputs()
    everything = np.arange(len(variants))
    routes = [
        SweepSignals(strategy, variants, inputs),  # numba kernels (the default)
        SweepSignals(strategy, variants, inputs, kernels=REFERENCE),  # numpy
        SweepSignals(strategy, grid.param_arrays(everything), inputs),  # parameter arrays
    ]
    chunks = np.array_split(everything, min(3, len(variants)))
    for symbol in SYMBOLS:
        days = sample_market.instrument(symbol).bars.index
        tables = [single_table(strategy, inputs, params, days) for params in variants]
        for allow_short in (False, True):
            expected = np.column_stack(
                [
                    strategy.stance_from_table(t, params, allow_short=allow_short).to_numpy()
                    for t, params in zip(tables, variants, strict=True)
                ]
            )
            for route in routes:
                for chunk in chunks:
                    np.testing.assert_array_equal(
                        route.stances(symbol, days, chunk, allow_short=allow_short),
                        expected[:, chunk],
                    )
        for chunk in chunks:
            ours = routes[0].columns(symbol, days, chunk)
            for column in (c for f in strategy.families for c in COLUMNS[f]):
                theirs = np.column_stack([single_column(tables[i], column) for i in chunk])
                np.testing.assert_array_equal(ours.number(column), theirs, err_msg=column)


def test_refuses_data_without_the_inputs(sample_market):
    inputs = sample_market.signal_inputs()
    no_lme = SignalInputs(inputs.reference, inputs.reference_name, None, inputs.catalysts)
    with pytest.raises(AluError, match="this data lacks lme.csv"):
        SweepSignals(STRATEGIES["spread"], [STRATEGIES["spread"].resolve({})], no_lme)

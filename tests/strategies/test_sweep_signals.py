"""The arrays-based columns builder (alu.strategies.sweep_signals, the phase-2 prototype) gives
the same signal columns and stances as today's StackedSignals, for every built-in strategy, both
directions, every instrument calendar of the sample and chunks of variants."""

from __future__ import annotations

import numpy as np
import pytest

from alu.errors import AluError
from alu.signals.kernels import REFERENCE
from alu.strategies import STRATEGIES
from alu.strategies.inputs import SignalInputs
from alu.strategies.stack import StackedSignals
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


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_same_stances_as_stacked_signals(sample_market, name):
    strategy = STRATEGIES[name]
    variants = [v.params for v in expand(strategy, GRIDS[name])]
    inputs = sample_market.signal_inputs()
    today = StackedSignals(strategy, variants, inputs)
    for kernels in (None, REFERENCE):  # numba (the default) and numpy
        arrays = SweepSignals(strategy, variants, inputs, kernels=kernels)
        for symbol in SYMBOLS:
            days = sample_market.instrument(symbol).bars.index
            for chunk in np.array_split(np.arange(len(variants)), min(3, len(variants))):
                for allow_short in (False, True):
                    np.testing.assert_array_equal(
                        arrays.stances(symbol, days, chunk, allow_short=allow_short),
                        today.stances(symbol, days, chunk, allow_short=allow_short),
                    )
                ours = arrays.columns(symbol, days, chunk)
                theirs = today.columns(symbol, days, chunk)
                for column in (c for f in strategy.families for c in COLUMNS[f]):
                    np.testing.assert_array_equal(
                        ours.number(column), theirs.number(column), err_msg=column
                    )


def test_refuses_data_without_the_inputs(sample_market):
    inputs = sample_market.signal_inputs()
    no_lme = SignalInputs(inputs.reference, inputs.reference_name, None, inputs.catalysts)
    with pytest.raises(AluError, match="this data lacks lme.csv"):
        SweepSignals(STRATEGIES["spread"], [STRATEGIES["spread"].resolve({})], no_lme)

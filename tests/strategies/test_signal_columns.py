"""The declared signal columns against what the signal families produce."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alu.signals import states
from alu.signals.states import STATE_CODES
from alu.strategies import get_strategy
from alu.strategies import signal_columns as sc
from alu.strategies.base import FAMILIES, family_frames, signal_table
from alu.strategies.sweep_signals import SweepSignals

# Columns of the signal table that rules do not read, and why: dates of the rows used (for
# freshness), names and dates of events (text), and the band zone (a state outside
# alu.signals.states; the distances to the bands say the same as numbers).
NOT_FOR_RULES = {
    "reference_date",
    "spread_date",
    "stock_date",
    "next_event_date",
    "next_event_name",
    "next_event_kind",
    "last_event_name",
    "window_event",
    "zone",
    # whether the family's input is fresh on the day: the strategy layer reads these, not rules
    "bands_known",
    "spread_known",
    "inventory_known",
}


@pytest.fixture(scope="module")
def table(sample_market) -> pd.DataFrame:
    params = get_strategy("squeeze").resolve({})
    frames = family_frames(sample_market.signal_inputs(), FAMILIES, params)
    return signal_table(frames, sample_market.instrument("AA").bars.index)


def test_every_declared_column_is_produced_and_every_produced_one_is_declared(table):
    declared = set(sc.SIGNAL_COLUMNS)
    assert declared <= set(table.columns)
    assert set(table.columns) - declared == NOT_FOR_RULES


def test_kinds_match_the_values(table):
    for name, column in sc.SIGNAL_COLUMNS.items():
        values = table[name]
        if column.kind == sc.STATE:
            seen = set(values.dropna())
            assert seen <= set(column.states), name
            assert seen == set(column.states), f"{name}: the sample shows every state"
        elif column.kind == sc.FLAG:
            assert values.dtype == bool, name
        else:
            assert values.to_numpy(dtype=np.float64).shape == (len(table),), name
            assert column.unit, f"{name} states its unit"


def test_states_are_the_names_of_alu_signals_states():
    names = {v for k, v in vars(states).items() if k.isupper() and isinstance(v, str)}
    for column in sc.SIGNAL_COLUMNS.values():
        assert (column.kind == sc.STATE) == bool(column.states), column.name
        assert set(column.states) <= names & set(STATE_CODES), column.name
    assert {"band_state", "spread_regime", "inventory_trend"} == sc.STATE_COLUMNS


def test_families_are_the_strategy_families():
    assert {c.family for c in sc.SIGNAL_COLUMNS.values()} == set(FAMILIES)


def test_the_sweep_reads_every_declared_column_like_a_backtest(sample_market, table):
    """Each declared column, through the stacked (sweep) path, equals the table's reading."""
    strategy = get_strategy("squeeze")
    params = strategy.resolve({})
    stack = SweepSignals(strategy, [params], sample_market.signal_inputs())
    days = sample_market.instrument("AA").bars.index
    cols = stack.columns("AA", days, np.arange(1))
    from alu.strategies.columns import TableColumns

    single = TableColumns(table)
    for name, column in sc.SIGNAL_COLUMNS.items():
        if column.kind == sc.STATE:
            for state in column.states:
                np.testing.assert_array_equal(
                    cols.states(name, state)[:, 0], single.states(name, state)
                )
        elif column.kind == sc.FLAG:
            np.testing.assert_array_equal(cols.flag(name)[:, 0], single.flag(name))
        else:
            np.testing.assert_array_equal(cols.number(name)[:, 0], single.number(name))


def test_columns_json_lists_every_column():
    items = sc.columns_json()
    assert [i["name"] for i in items] == list(sc.SIGNAL_COLUMNS)
    band = items[0]
    assert band == {
        "name": "band_state",
        "family": "bands",
        "kind": "state",
        "unit": None,
        "meaning": sc.SIGNAL_COLUMNS["band_state"].meaning,
        "states": ["BULL", "NEUTRAL", "BEAR"],
    }

"""The numba twins of the built-in rules (alu.strategies.rules_nb), which a sweep runs, give every
variant the stance of the rule itself evaluated on the signal columns
(:meth:`SweepSignals.stances`, held to the single-setting signal tables by
test_sweep_signals.py): every built-in strategy, both directions, every instrument, chunks,
mixed staleness limits, written at an offset; on the sample and on the real files (whose LME
series has a four-month gap, so stale stretches are exercised). And no look-ahead: altering
the data after a day leaves every twin stance up to that day unchanged."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from alu.data.market import Market
from alu.data.source import DataSource
from alu.strategies import STRATEGIES
from alu.strategies.base import Strategy
from alu.strategies.library import bands_rule
from alu.strategies.rules_nb import TWINS
from alu.strategies.sweep_signals import SweepSignals
from alu.strategies.variants import expand

# Grids over each family's parameters, with three staleness limits (1 weekday flags every
# weekend gap of a weekly series as stale; 40 bridges the real file's gap in part).
GRIDS = {
    "squeeze": {
        "confirm": [1, 3],
        "lower": [2800.0, 3000.0],
        "narrowing_usd_t": [5.0, 20.0],
        "stock_long_days": [10, 20],
        "window_before": [0, 5],
        "max_stale_days": [1, 5, 40],
    },
    "bands": {"confirm": [1, 3, 8], "buffer": [0.0, 0.02], "max_stale_days": [1, 5, 40]},
    "spread": {
        "deadband": [0.0, 5.0],
        "spread_change_days": [1, 10],
        "narrowing_usd_t": [0.0, 10.0],
        "max_stale_days": [1, 5, 40],
    },
    "inventory": {
        "pct_window": [300, 1260],
        "stock_long_days": [5, 20],
        "entry_pct": [0.2, 0.4],
        "exit_pct": [0.5, 0.7],
        "max_stale_days": [1, 5, 40],
    },
}


def test_every_built_in_rule_with_signals_has_a_twin():
    with_signals = {name for name, s in STRATEGIES.items() if s.families}
    assert with_signals == set(GRIDS)
    assert {STRATEGIES[name].rule for name in GRIDS} == set(TWINS)


def test_a_rule_over_other_families_has_no_twin(sample_market):
    """A user's strategy that reuses a built-in rule over other families runs the rule itself."""
    mine = Strategy("mine", bands_rule, ("bands", "spread"))
    stack = SweepSignals(mine, [mine.resolve({})], sample_market.signal_inputs())
    assert stack.twin is None
    bands = STRATEGIES["bands"]
    assert SweepSignals(bands, [bands.resolve({})], sample_market.signal_inputs()).twin is not None


def assert_twin_equals_rule(market: Market, name: str, symbols) -> None:
    strategy = STRATEGIES[name]
    variants = [v.params for v in expand(strategy, GRIDS[name])]
    stack = SweepSignals(strategy, variants, market.signal_inputs())
    everything = np.arange(len(variants))
    for symbol in symbols:
        days = market.instrument(symbol).bars.index
        for allow_short in (False, True):
            expected = stack.stances(symbol, days, everything, allow_short=allow_short).T
            assert (expected != 0).any()
            for chunk in np.array_split(everything, 3):
                out = np.full((len(chunk), len(days)), 7, dtype=np.int8)
                stack.write_stances(symbol, days, chunk, allow_short=allow_short, out=out)
                np.testing.assert_array_equal(out, expected[chunk], err_msg=f"{symbol}")
            # written from day 250 on into columns 3.. of a wider array
            wide = np.full((len(variants), len(days) + 3), 7, dtype=np.int8)
            stack.write_stances(
                symbol, days, everything, allow_short=allow_short, out=wide, at=3, skip=250
            )
            np.testing.assert_array_equal(wide[:, 3 : len(days) - 247], expected[:, 250:])
            assert (wide[:, :3] == 7).all() and (wide[:, len(days) - 247 :] == 7).all()


@pytest.mark.parametrize("name", list(GRIDS))
def test_twin_equals_the_rule_on_the_sample(sample_market, name):
    assert_twin_equals_rule(sample_market, name, ("AA", "ALI=F", "LME3M"))


@pytest.mark.parametrize("name", list(GRIDS))
def test_twin_equals_the_rule_on_the_real_files(real_data_dir, name):
    market = Market(DataSource("real", real_data_dir))
    assert_twin_equals_rule(market, name, ("AA", "CENX", "LME3M"))


def scrambled_after(inputs, cut: pd.Timestamp, seed: int):
    """The signal inputs with every LME and reference value after ``cut`` scrambled and an
    event announced and dated after it."""
    rng = np.random.default_rng(seed)
    lme = inputs.lme.copy()
    after = lme.index > cut
    lme.loc[after] = lme.loc[after].to_numpy() * rng.uniform(0.7, 1.3, (after.sum(), 1))
    reference = inputs.reference.copy()
    later = reference.index > cut
    reference[later] = reference[later].to_numpy() * rng.uniform(0.5, 1.5, later.sum())
    events = inputs.catalysts
    extra = events.iloc[:1].copy()
    extra.index = pd.DatetimeIndex([cut + pd.Timedelta(days=3)], name=events.index.name)
    if "announced" in extra.columns:
        extra["announced"] = cut + pd.Timedelta(days=1)
    return replace(inputs, reference=reference, lme=lme, catalysts=pd.concat([events, extra]))


@pytest.mark.parametrize("name", list(GRIDS))
def test_twin_stances_do_not_look_ahead(sample_market, name):
    strategy = STRATEGIES[name]
    variants = [v.params for v in expand(strategy, GRIDS[name])]
    everything = np.arange(len(variants))
    inputs = sample_market.signal_inputs()
    for seed, cut in enumerate((pd.Timestamp("2022-03-08"), pd.Timestamp("2025-06-03"))):
        other = scrambled_after(inputs, cut, seed)
        for symbol in ("AA", "LME3M"):
            days = sample_market.instrument(symbol).bars.index
            n = int((days <= cut).sum())
            for allow_short in (False, True):
                stances = []
                for source in (inputs, other):
                    out = np.empty((len(variants), len(days)), dtype=np.int8)
                    SweepSignals(strategy, variants, source).write_stances(
                        symbol, days, everything, allow_short=allow_short, out=out
                    )
                    stances.append(out)
                np.testing.assert_array_equal(stances[1][:, :n], stances[0][:, :n])
                assert (stances[1][:, n:] != stances[0][:, n:]).any()  # the scrambling bites

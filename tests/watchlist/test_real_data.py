"""The watchlist on the real files in ../shared/data/real (skipped when absent): AA and CENX
from Yahoo, the LME record from Westmetall, so the aluminium leg is LME3M."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alu.data.market import Market
from alu.data.source import DataSource
from alu.strategies import STRATEGIES
from alu.watchlist.build import history, watch
from alu.watchlist.series import STANCE_NAMES


def test_watchlist_on_real_data(real_data_dir):
    market = Market(DataSource("data-dir", real_data_dir))
    snap = watch(market)
    assert list(snap.instruments) == ["AA", "CENX", "LME3M"]
    lme_last = market.lme().index[-1]
    assert snap.as_of >= lme_last
    assert snap.inventory.date < snap.as_of  # publication lag
    assert snap.spread.date <= snap.as_of and snap.band.date <= snap.as_of
    for item in snap.freshness:
        assert item.lag_days == np.busday_count(item.last.date(), snap.as_of.date())
        assert item.stale == (item.lag_days > 5)


def test_real_stances_are_the_strategies_own(real_data_dir):
    """The watchlist's stance on a day is Strategy.stance over the instrument's days up to it."""
    market = Market(DataSource("data-dir", real_data_dir))
    day = pd.Timestamp("2022-03-08")  # the 2022 LME squeeze
    snap = watch(market, day=day)
    inputs = market.signal_inputs().truncated(day)
    for symbol in ("AA", "LME3M"):
        days = market.instrument(symbol).bars.loc[:day].index
        for name, strategy in STRATEGIES.items():
            for direction in ("long", "both"):
                expected = strategy.stance(
                    inputs, days, strategy.resolve({}), allow_short=direction == "both"
                )
                view = snap.instruments[symbol].stances[name][direction]
                assert view.stance == STANCE_NAMES[int(expected.iloc[-1])], (symbol, name)
                assert view.held == STANCE_NAMES[int(expected.iloc[-2])], (symbol, name)


def test_real_history_agrees_with_single_days(real_data_dir):
    market = Market(DataSource("data-dir", real_data_dir))
    start, end = pd.Timestamp("2024-04-01"), pd.Timestamp("2024-04-30")
    hist = history(market, start=start, end=end)
    for day in pd.bdate_range(start, end)[::3]:
        snap = watch(market, day=day)
        if snap.as_of == day:
            assert snap.alerts == [a for a in hist.alerts if a.date == day], day

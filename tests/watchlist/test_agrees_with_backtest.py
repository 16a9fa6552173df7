"""The watchlist and the backtest cannot disagree: on the sample, for every strategy and both
directions, the stance the watchlist shows on a day (from data cut at that day) is the stance
the backtest (over the whole history) decided at that close, and "held" is the one before.
Every strategy includes users' own (the example strategy files, TOML and Python)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from alu.backtest.engine import Costs
from alu.backtest.run import BacktestSpec, run_backtest
from alu.data.market import Market
from alu.strategies import strategy_catalog
from alu.watchlist.build import watch
from alu.watchlist.series import STANCE_NAMES

EXAMPLES = Path(__file__).resolve().parents[2] / "strategies" / "examples"
CATALOG = strategy_catalog(sorted(EXAMPLES.glob("*.toml")) + sorted(EXAMPLES.glob("*.py")))
FIXED_DAYS = [pd.Timestamp(d) for d in ("2012-11-05", "2018-04-09", "2022-03-08", "2026-11-20")]


def decision_day(account):
    """A day on which an order was decided: the close before the middle trade's first fill."""
    if not account.trades:
        return []
    trade = account.trades[len(account.trades) // 2]
    return [account.dates[account.dates.get_loc(trade.entry_date) - 1]]


@pytest.fixture(scope="module")
def watch_on(sample_market):
    """The watchlist on a day, each day computed once for all the strategies."""
    market = Market(sample_market.source)
    cache = {}

    def get(day):
        if day not in cache:
            cache[day] = watch(market, day=day, strategies=CATALOG.values())
        return cache[day]

    return get


@pytest.mark.parametrize("name", list(CATALOG))
def test_watchlist_stances_match_the_backtest(sample_market, watch_on, name):
    strategy = CATALOG[name]
    symbols = ["AA", "CENX", "ALI=F"]
    market = Market(sample_market.source)
    checked = 0
    for direction in ("long", "both"):
        spec = BacktestSpec(
            strategy, strategy.resolve({}), symbols, costs=Costs(), direction=direction
        )
        result = run_backtest(market.universe(), spec)
        for symbol, account in result.accounts.items():
            stance = pd.Series(account.stance, index=account.dates)
            decided = decision_day(account)
            for day in [*FIXED_DAYS, *decided]:
                view = watch_on(day).instruments[symbol].stances[name][direction]
                i = account.dates.get_loc(day)
                assert view.stance == STANCE_NAMES[int(stance.iloc[i])], (symbol, direction, day)
                held = int(stance.iloc[i - 1]) if i else 0
                assert view.held == STANCE_NAMES[held], (symbol, direction, day)
                assert (view.order is None) == (view.stance == view.held)
                if day in decided:  # a trade opened at the next open
                    assert view.order in ("entry", "reversal"), (symbol, direction, day)
                checked += 1
    assert checked >= 2 * 3 * len(FIXED_DAYS)

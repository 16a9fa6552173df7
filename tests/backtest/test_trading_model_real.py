"""The trading model on the real files (AA and CENX merged Yahoo files, the Westmetall LME
record): whole exits, liquidations named, the rolled leg, stale inputs, suspect rows, windows.
Skipped without ../shared/data/real."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alu.backtest.engine import Costs
from alu.backtest.run import BacktestSpec, run_backtest
from alu.data.market import Market
from alu.data.source import DataSource
from alu.strategies import STRATEGIES

SYMBOLS = ["AA", "CENX", "LME3M"]
# The 3-month price is missing from 2008-02-20 to 2008-06-16; the last one (02-19) is stale
# (more than 5 weekdays old) from the close of 02-27, so no position is held from 02-28.
GAP = (pd.Timestamp("2008-02-28"), pd.Timestamp("2008-06-16"))


@pytest.fixture(scope="module")
def real_market(real_dir, tmp_path_factory) -> Market:
    root = tmp_path_factory.mktemp("real")
    (root / "prices").mkdir()
    (root / "prices" / "AA.csv").symlink_to(real_dir / "AA_daily_merged_adjusted_2000_2026.csv")
    (root / "prices" / "CENX.csv").symlink_to(real_dir / "CENX_daily_merged_2000_2026.csv")
    (root / "lme.csv").symlink_to(real_dir / "LME_aluminium_daily_westmetall.csv")
    return Market(DataSource("data-dir", root))


def backtest(market, name, direction="long", start=None, **overrides):
    strategy = STRATEGIES[name]
    spec = BacktestSpec(
        strategy, strategy.resolve(overrides), SYMBOLS, start, None, Costs(), direction
    )
    return run_backtest(market.universe(), spec)


@pytest.mark.parametrize("name", [n for n in STRATEGIES if n != "buy_hold"])
def test_both_directions_never_leave_a_trade_beside_its_twin(real_market, name):
    result = backtest(real_market, name, "both", pd.Timestamp("2008-01-02"))
    portfolio = result.portfolio_metrics()
    doc = result.to_json()
    for symbol, account in result.accounts.items():
        entries = [t.entry_date for t in account.trades]
        assert len(entries) == len(set(entries)), symbol
        assert sum(t.is_open for t in account.trades) <= 1
        if account.liquidations:
            assert any(n.startswith(f"{symbol}: liquidated on") for n in result.notes)
            days = [f"{t.exit_date:%Y-%m-%d}" for t in account.liquidations]
            assert doc["symbols"][symbol]["liquidations"] == days
        if account.ruined_on is not None:
            assert any(f"{symbol}: RUINED" in n for n in result.notes)
    if result.portfolio_equity.min() <= 0:
        assert all(np.isnan(portfolio[m]) for m in ("sharpe", "sortino", "cagr"))


def test_spread_both_names_the_liquidations_of_the_cenx_short(real_market):
    """The case of the issue: CENX's short from 2012-12-19 is closed whole (liquidated)."""
    result = backtest(real_market, "spread", "both", pd.Timestamp("2008-01-02"))
    cenx = result.accounts["CENX"]
    short = next(t for t in cenx.trades if t.entry_date == pd.Timestamp("2012-12-19"))
    assert short.exit_reason == "liquidation" and short.exit_date is not None
    assert any(n.startswith("CENX: liquidated on") for n in result.notes)


def test_buy_and_hold_of_the_rolled_leg_equals_the_formula(real_market, real_dir):
    result = backtest(real_market, "buy_hold")
    account = result.accounts["LME3M"]
    lme = pd.read_csv(real_dir / "LME_aluminium_daily_westmetall.csv", parse_dates=["date"])
    lme = lme.set_index("date")
    lme = lme.drop(index=[pd.Timestamp("2008-01-30"), pd.Timestamp("2008-11-08")])  # suspect
    both = lme.dropna(subset=["cash_settlement", "three_month"])
    index = [float(both["three_month"].iloc[0])]
    for s, t in zip(both.index[:-1], both.index[1:], strict=True):
        d = (t - s).days
        f_t, c_t = both.at[t, "three_month"], both.at[t, "cash_settlement"]
        index.append(index[-1] * (f_t - (f_t - c_t) * d / 91) / both.at[s, "three_month"])
    index = pd.Series(index, index=both.index)
    first, last = account.dates[0], account.dates[-1]
    assert account.metrics()["buy_hold_return"] == pytest.approx(
        index[last] / index[first] - 1, rel=1e-9, abs=1e-9
    )
    leg = result.legs["LME3M"]
    raw = both["three_month"]
    assert leg["raw_three_month_change"] == pytest.approx(raw[last] / raw[first] - 1, rel=1e-12)
    assert leg["buy_hold_return"] < 0 < leg["raw_three_month_change"]  # 2008-2026: contango
    assert any("raw 3-month price" in n for n in result.notes)


@pytest.mark.parametrize("name", ["squeeze", "bands", "spread", "inventory"])
def test_no_position_through_the_2008_gap(real_market, name):
    for direction in ("long", "both"):
        result = backtest(real_market, name, direction, pd.Timestamp("2008-01-02"))
        for symbol in ("AA", "CENX"):
            account = result.accounts[symbol]
            inside = (account.dates >= GAP[0]) & (account.dates <= GAP[1])
            assert (account.position[inside] == 0).all(), (name, direction, symbol)
        lme3m = result.accounts["LME3M"].dates
        assert not ((lme3m > pd.Timestamp("2008-02-19")) & (lme3m < GAP[1])).any()


def test_the_suspect_row_is_left_out_with_a_note(real_market):
    result = backtest(real_market, "spread", "both", pd.Timestamp("2008-01-02"))
    assert pd.Timestamp("2008-01-30") not in real_market.trusted_lme().index
    assert any("2008-01-30" in n and "--keep-suspect" in n for n in result.notes)
    # With the typo gone, no one-day round trip on 2008-01-31/02-01 driven by it.
    for account in result.accounts.values():
        assert not any(t.entry_date == pd.Timestamp("2008-01-31") for t in account.trades)


def test_the_default_window_compares_like_with_like(real_market):
    result = backtest(real_market, "squeeze")
    assert result.window.start.year == 2008 and "known" in result.window.reason
    for account in result.accounts.values():
        assert account.dates[0] >= result.window.start
        assert account.dates[0] < result.window.start + pd.Timedelta(days=5)


def test_the_stance_never_depends_on_the_start(real_market):
    """The watchlist for 2022-02-24 says AA squeeze is long: so does a backtest from that day."""
    from alu.watchlist.build import watch

    day = pd.Timestamp("2022-02-24")
    snap = watch(real_market, day=day)
    full = backtest(real_market, "squeeze")
    late = backtest(real_market, "squeeze", start=day)
    for symbol in ("AA", "CENX"):
        a, b = full.accounts[symbol], late.accounts[symbol]
        shared = a.dates >= day
        np.testing.assert_array_equal(a.stance[shared], b.stance)
        expected = snap.instruments[symbol].stances["squeeze"]["long"].stance
        assert {"long": 1, "flat": 0, "short": -1}[expected] == b.stance[0]

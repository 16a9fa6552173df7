"""No look-ahead, for every strategy and direction: results up to day t are identical when the
data after t is removed or altered. Run through the real loaders, signals, join and engine.

"Every strategy" includes users' own: those of the example strategy files (TOML and Python),
which read every signal family between them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alu.backtest.engine import Costs
from alu.backtest.run import BacktestSpec, run_backtest
from alu.data.market import Market
from alu.data.source import DataSource, sample_dir
from alu.strategies import STRATEGIES, strategy_catalog
from alu.strategies.base import BANDS, Strategy

CUTS = [pd.Timestamp("2022-03-08"), pd.Timestamp("2025-06-03")]
SYMBOLS = ["AA", "ALI=F", "LME3M"]
EXAMPLES = Path(__file__).resolve().parents[2] / "strategies" / "examples"
CATALOG = strategy_catalog(sorted(EXAMPLES.glob("*.toml")) + sorted(EXAMPLES.glob("*.py")))
assert len(CATALOG) > len(STRATEGIES) + 3  # the examples hold user strategies


def altered_copy(root, cut: pd.Timestamp, seed: int):
    """A copy of the sample with every value after ``cut`` scrambled, plus a later catalyst."""
    rng = np.random.default_rng(seed)
    (root / "prices").mkdir(parents=True)
    lme = pd.read_csv(sample_dir() / "lme.csv", index_col="date", parse_dates=True).astype(float)
    after = lme.index > cut
    for column in lme.columns:
        lme.loc[after, column] = (
            lme.loc[after, column] * rng.uniform(0.7, 1.3, after.sum())
        ).round(1)
    lme.to_csv(root / "lme.csv", date_format="%Y-%m-%d")
    for symbol in ("AA", "ALI=F"):
        px = pd.read_csv(
            sample_dir() / "prices" / f"{symbol}.csv", index_col="Date", parse_dates=True
        )
        after = px.index > cut
        px.loc[after, ["Open", "High", "Low", "Close", "Adj Close"]] *= rng.uniform(
            0.5, 1.5, (after.sum(), 1)
        )
        px.to_csv(root / "prices" / f"{symbol}.csv", date_format="%Y-%m-%d")
    day = cut + pd.Timedelta(days=3)
    (root / "catalysts.csv").write_text(
        f"date,name,kind,announced\n{day:%Y-%m-%d},Surprise after the cut,tariff,{cut + pd.Timedelta(days=1):%Y-%m-%d}\n"
    )
    return root


def run(market: Market, name: str, direction: str):
    strategy = CATALOG[name]
    spec = BacktestSpec(
        strategy, strategy.resolve({}), SYMBOLS, costs=Costs(), direction=direction, end=market.end
    )
    return run_backtest(market.universe(), spec)


def assert_same_up_to(full, other, cut):
    for symbol in SYMBOLS:
        a, b = full.accounts[symbol], other.accounts[symbol]
        n = int((a.dates <= cut).sum())
        assert (b.dates[:n] == a.dates[:n]).all()
        np.testing.assert_array_equal(b.stance[:n], a.stance[:n])
        np.testing.assert_allclose(b.equity[:n], a.equity[:n], rtol=1e-12)
        entered = [t for t in a.trades if t.entry_date <= cut]
        got = [t for t in b.trades if t.entry_date <= cut]
        assert [(t.entry_date, t.entry_price, t.direction) for t in got] == [
            (t.entry_date, t.entry_price, t.direction) for t in entered
        ]


@pytest.fixture(scope="module")
def full_runs():
    market = Market(DataSource("sample", sample_dir()))
    return {
        (name, direction): run(market, name, direction)
        for name in CATALOG
        for direction in ("long", "both")
    }


@pytest.mark.parametrize("direction", ["long", "both"])
@pytest.mark.parametrize("name", list(CATALOG))
@pytest.mark.parametrize("cut", CUTS, ids=lambda c: f"{c:%Y-%m-%d}")
def test_removing_data_after_t_changes_nothing_up_to_t(full_runs, name, direction, cut):
    truncated = run(Market(DataSource("sample", sample_dir()), end=cut), name, direction)
    assert_same_up_to(full_runs[(name, direction)], truncated, cut)


@pytest.mark.parametrize("direction", ["long", "both"])
@pytest.mark.parametrize("name", list(CATALOG))
@pytest.mark.parametrize("cut", CUTS, ids=lambda c: f"{c:%Y-%m-%d}")
def test_altering_data_after_t_changes_nothing_up_to_t(full_runs, tmp_path, name, direction, cut):
    root = altered_copy(tmp_path / "altered", cut, seed=hash((name, direction)) % 2**32)
    altered = run(Market(DataSource("data-dir", root)), name, direction)
    assert_same_up_to(full_runs[(name, direction)], altered, cut)
    # The alteration is real: something after the cut differs.
    a, b = full_runs[(name, direction)].accounts["LME3M"], altered.accounts["LME3M"]
    assert len(a.close) != len(b.close) or not np.allclose(a.close, b.close)


def peek_rule(cols, params, allow_short):
    """Long when tomorrow's reference close is higher: a look-ahead on purpose."""
    price = cols.number("reference_price")
    tomorrow = np.append(price[1:], np.nan)
    return (tomorrow > price).astype(np.int8)


def test_the_harness_catches_a_strategy_that_peeks():
    """A peek shows at a cut day whose next close is higher; over a few days it must show."""
    peeking = Strategy("peek", peek_rule, (BANDS,))
    spec = dict(symbols=SYMBOLS, costs=Costs(), direction="long")
    full = run_backtest(
        Market(DataSource("sample", sample_dir())).universe(),
        BacktestSpec(peeking, peeking.resolve({}), **spec),
    )
    caught = 0
    for cut in pd.bdate_range("2022-03-01", periods=6):
        truncated = run_backtest(
            Market(DataSource("sample", sample_dir()), end=cut).universe(),
            BacktestSpec(peeking, peeking.resolve({}), end=cut, **spec),
        )
        try:
            assert_same_up_to(full, truncated, cut)
        except AssertionError:
            caught += 1
    assert caught >= 1

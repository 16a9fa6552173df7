"""Forward returns by state and rank ICs: the forward return's definition, the counts, the
statistics against their definitions, and no look-ahead."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from alu.research.forward import (
    BY_STATE_COLUMNS,
    IC_COLUMNS,
    forward_returns,
    non_overlapping,
    observations,
    research,
)
from alu.research.hac import hac_mean
from alu.strategies.base import family_frames
from alu.watchlist.series import ALL_FAMILIES, watch_params
from tests.research.conftest import CUT


def test_forward_return_from_the_next_fill_to_the_close_h_days_on():
    days = pd.bdate_range("2024-01-01", periods=5)
    fill = pd.Series([10.0, 11, 12, 13, 14], index=days)
    close = pd.Series([10.5, 11.5, 12.5, 13.5, 14.5], index=days)
    r1 = forward_returns(fill, close, 1)
    r3 = forward_returns(fill, close, 3)
    assert r1.iloc[0] == pytest.approx(11.5 / 11 - 1)  # day 1's open to day 1's close
    assert r3.iloc[0] == pytest.approx(13.5 / 11 - 1)  # day 1's open to day 3's close
    assert r3.iloc[1] == pytest.approx(14.5 / 12 - 1)
    assert r3.iloc[2:].isna().all() and np.isnan(r1.iloc[-1])
    # A leg without an open fills at the next close: its 1-day return is 0.
    assert (forward_returns(close, close, 1).dropna() == 0).all()
    with pytest.raises(ValueError):
        forward_returns(fill, close, 0)


def test_non_overlapping_counts():
    assert non_overlapping(np.arange(10), 1) == 10
    assert non_overlapping(np.arange(10), 5) == 2
    assert non_overlapping(np.array([0, 1, 2, 10, 11, 30]), 5) == 3
    assert non_overlapping(np.array([], dtype=int), 3) == 0


@pytest.fixture(scope="module")
def sample_research(sample_dir_copy):
    from alu.data.market import Market
    from alu.data.source import DataSource

    market = Market(DataSource("data-dir", sample_dir_copy))
    return market, research(market, horizons=(1, 5, 20))


def test_rows_columns_and_the_statistics_they_claim(sample_research):
    market, result = sample_research
    assert list(result.by_state.columns) == list(BY_STATE_COLUMNS)
    assert list(result.ic.columns) == list(IC_COLUMNS)
    doc = result.to_json()
    assert {"horizons", "by_state", "ic", "data", "notes"} <= set(doc)
    assert {
        "signal",
        "state",
        "symbol",
        "horizon",
        "n",
        "n_independent",
        "mean",
        "excess_mean",
        "hit_rate",
        "t_hac",
    } <= set(doc["by_state"][0])
    assert {"signal", "symbol", "horizon", "ic", "t_hac", "n"} <= set(doc["ic"][0])
    signals = set(result.by_state["signal"])
    assert signals == {
        "band_state",
        "spread_regime",
        "spread_narrowing",
        "inventory_trend",
        "squeeze",
    }
    # Recompute one cell from the observations.
    inputs = market.signal_inputs()
    frames = family_frames(inputs, ALL_FAMILIES, watch_params())
    obs = observations(market, "AA", frames, ALL_FAMILIES, (5,))
    row = result.by_state.query(
        "signal == 'spread_regime' and state == 'CONTANGO' and symbol == 'AA' and horizon == 5"
    ).iloc[0]
    fwd = obs["fwd_5"]
    chosen = fwd[(obs["spread_regime"] == "CONTANGO") & fwd.notna()]
    base = fwd[obs["spread_regime"].notna() & fwd.notna()].mean()
    assert row["n"] == len(chosen)
    assert row["mean"] == pytest.approx(chosen.mean())
    assert row["excess_mean"] == pytest.approx(chosen.mean() - base)
    assert row["hit_rate"] == pytest.approx((chosen > 0).mean())
    assert row["t_hac"] == pytest.approx(hac_mean(chosen.to_numpy(), 4).t)
    ic = result.ic.query("signal == 'spread_z' and symbol == 'CENX' and horizon == 20").iloc[0]
    obs = observations(market, "CENX", frames, ALL_FAMILIES, (20,))
    keep = obs["spread_z"].notna() & obs["fwd_20"].notna()
    assert ic["n"] == keep.sum()
    assert ic["ic"] == pytest.approx(spearmanr(obs["spread_z"][keep], obs["fwd_20"][keep])[0])


def test_states_of_a_family_partition_its_days(sample_research):
    _, result = sample_research
    totals = result.by_state.groupby(["signal", "symbol", "horizon"])["n"].sum().unstack("signal")
    # Every day with a spread regime is NARROWING or not.
    assert (totals["spread_regime"] == totals["spread_narrowing"]).all()


def test_shuffling_the_future_leaves_every_observation_up_to_the_cut(
    shuffled_dir, sample_dir_copy, market_of
):
    horizons = (1, 5, 20)
    params = watch_params()
    for symbol in ("AA", "ALI=F"):
        frames = []
        for path in (sample_dir_copy, shuffled_dir):
            market = market_of(path)
            inputs = market.signal_inputs()
            f = family_frames(inputs, ALL_FAMILIES, params)
            frames.append(observations(market, symbol, f, ALL_FAMILIES, horizons))
        original, shuffled = frames
        days = original.index
        cut = days.searchsorted(CUT, side="right")  # days[:cut] are dated up to the cut
        signals = [c for c in original.columns if not c.startswith("fwd_")]
        pd.testing.assert_frame_equal(original[signals].iloc[:cut], shuffled[signals].iloc[:cut])
        for h in horizons:
            # the window of day i ends on day i + h: by the cut for i + h < cut
            ends_by_cut = slice(0, cut - h)
            pd.testing.assert_series_equal(
                original[f"fwd_{h}"].iloc[ends_by_cut], shuffled[f"fwd_{h}"].iloc[ends_by_cut]
            )
        assert (
            not original[f"fwd_{horizons[-1]}"]
            .iloc[cut:]
            .equals(shuffled[f"fwd_{horizons[-1]}"].iloc[cut:])
        )


def test_end_reads_nothing_after_it(sample_dir_copy, shuffled_dir, market_of):
    kwargs = {"horizons": (5, 20), "symbols": ["AA"], "end": CUT}
    a = research(market_of(sample_dir_copy), **kwargs)
    b = research(market_of(shuffled_dir), **kwargs)
    pd.testing.assert_frame_equal(a.by_state, b.by_state)
    pd.testing.assert_frame_equal(a.ic, b.ic)

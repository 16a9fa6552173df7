"""The thesis verdict: the conditions are the squeeze rule's, the verdict and episodes follow
from them, nothing after the day reaches it, and the real files give the numbers of issue 12."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from alu.research.thesis import (
    MIXED,
    OFF,
    ON,
    UNKNOWN,
    daily_verdicts,
    episode_returns,
    episode_spans,
    spells,
    thesis,
)
from alu.strategies.columns import TableColumns
from alu.strategies.library import SQUEEZE_CONDITIONS, squeeze_long_conditions, squeeze_rule
from tests.research.conftest import CUT

DAYS = pd.bdate_range("2024-01-01", periods=6)


def table(**overrides) -> pd.DataFrame:
    """A signal table on DAYS where every condition holds unless overridden."""
    base = {
        "band_state": ["NEUTRAL"] * 6,
        "spread_regime": ["BACKWARDATION"] * 6,
        "spread_narrowing": [False] * 6,
        "inventory_trend": ["FALLING"] * 6,
        "in_catalyst_window": [False] * 6,
        "reference_date": DAYS,
        "spread_date": DAYS,
        "stock_date": DAYS - pd.Timedelta(days=1),
    }
    base.update(overrides)
    return pd.DataFrame(base, index=DAYS)


def test_verdict_all_some_none_and_stale():
    t = table(
        band_state=["BULL", "BEAR", "BEAR", "NEUTRAL", "NEUTRAL", "NEUTRAL"],
        spread_regime=["BACKWARDATION", "CONTANGO", "CONTANGO"] + ["BACKWARDATION"] * 3,
        spread_narrowing=[False, False, False, True, False, False],
        inventory_trend=["FALLING", "BUILDING", "FLAT", "FALLING", "FALLING", "FALLING"],
        in_catalyst_window=[False, True, True, False, False, False],
        spread_date=[*DAYS[:5], DAYS[5] - pd.Timedelta(days=12)],  # 8 weekdays old on day 6
    )
    verdict = daily_verdicts(t)["verdict"].tolist()
    assert verdict == [ON, OFF, OFF, MIXED, ON, UNKNOWN]
    assert daily_verdicts(t)[SQUEEZE_CONDITIONS[1]].tolist() == [1, 0, 0, 0, 1, 1]


def test_conditions_are_the_squeeze_rule_entry_and_exit():
    rng = np.random.default_rng(1)
    n = 400
    t = pd.DataFrame(
        {
            "band_state": rng.choice(["BULL", "NEUTRAL", "BEAR", None], n),
            "spread_regime": rng.choice(["BACKWARDATION", "FLAT", "CONTANGO", None], n),
            "spread_narrowing": rng.random(n) < 0.2,
            "inventory_trend": rng.choice(["FALLING", "FLAT", "BUILDING", None], n),
            "in_catalyst_window": rng.random(n) < 0.1,
        }
    )
    cols = TableColumns(t)
    conditions = squeeze_long_conditions(cols)
    entry = np.logical_and.reduce([c.holds for c in conditions])
    # The rule as it read before the conditions were factored out (issue 12).
    not_bear = t["band_state"].isin(["BULL", "NEUTRAL"]).to_numpy()
    back = (t["spread_regime"] == "BACKWARDATION").to_numpy()
    falling = (t["inventory_trend"] == "FALLING").to_numpy()
    window = t["in_catalyst_window"].to_numpy()
    old_entry = not_bear & back & falling & ~window
    old_exit = (
        t["spread_narrowing"].to_numpy()
        | ~back
        | (t["inventory_trend"] == "BUILDING").to_numpy()
        | (t["band_state"] == "BEAR").to_numpy()
        | window
    )
    held, pos = [], False
    for e, x in zip(old_entry, old_exit, strict=True):
        pos = False if x else (True if e else pos)
        held.append(pos)
    assert squeeze_rule(cols, {}, False).tolist() == [int(h) for h in held]
    assert (entry <= old_entry).all()  # entry adds "not narrowing", which the exit vetoes anyway


def test_episodes_and_spells():
    verdict = pd.Series([OFF, ON, ON, MIXED, ON, OFF] + [OFF] * 30 + [ON, ON], dtype=object)
    spans = episode_spans(verdict)
    assert spans == [(1, 2), (4, 4), (36, 37)]
    assert spells(spans, gap=20) == [1, 1, 2]
    assert spells(spans, gap=1) == [1, 2, 3]


def test_episode_return_from_fill_after_first_day_to_fill_after_last():
    days = pd.bdate_range("2024-03-01", periods=5)
    bars = pd.DataFrame(
        {"open": [10.0, 11, 12, np.nan, 14], "close": [10.5, 11.5, 12.5, 13.5, 14.5]}, index=days
    )
    fill = bars["open"].fillna(bars["close"])
    # ON on days 0..1: enter at day 1's open (11), leave at day 2's open (12).
    assert episode_returns(bars, fill, days[0], days[1], False) == (12 / 11 - 1, False)
    # Exit day without an open fills at its close (13.5).
    assert episode_returns(bars, fill, days[1], days[2], False)[0] == pytest.approx(13.5 / 12 - 1)
    # Still running at the last day: marked to its close, open.
    assert episode_returns(bars, fill, days[2], days[4], True) == (14.5 / 13.5 - 1, True)
    # Exit fill not in the data yet: marked to the last close, open.
    assert episode_returns(bars, fill, days[2], days[4], False) == (14.5 / 13.5 - 1, True)
    assert episode_returns(bars, fill, days[4], days[4], True) == (None, True)


def _plain(doc: dict) -> dict:
    doc = dict(doc)
    doc.pop("data")
    return doc


def test_shuffling_the_future_leaves_the_thesis_unchanged(market_of, sample_dir_copy, shuffled_dir):
    original = thesis(market_of(sample_dir_copy), day=CUT)
    shuffled = thesis(market_of(shuffled_dir), day=CUT)
    assert _plain(original.to_json()) == _plain(shuffled.to_json())
    # Seen from a later day of the changed future, the past is the same: daily verdicts up to
    # the cut, and every episode closed (exit filled) by it.
    later = thesis(market_of(shuffled_dir))
    assert later.as_of > CUT
    columns = list(original.daily.columns)
    pd.testing.assert_frame_equal(original.daily, later.daily.loc[:CUT, columns])
    closed = [e for e in original.episodes if not e.open]
    assert closed and all(e in later.episodes for e in closed)


def test_sample_thesis_json_shape(market_of, sample_dir_copy):
    result = thesis(market_of(sample_dir_copy))
    doc = json.loads(json.dumps(result.to_json()))
    assert {"as_of", "verdict", "conditions", "episodes", "freshness", "data", "notes"} <= set(doc)
    assert [c["name"] for c in doc["conditions"]] == list(SQUEEZE_CONDITIONS)
    assert all({"name", "state", "holds", "since"} <= set(c) for c in doc["conditions"])
    assert all({"start", "end", "days", "returns"} <= set(e) for e in doc["episodes"])
    assert set(doc["episodes"][0]["returns"]) == {"AA", "CENX", "ALI=F"}
    assert doc["verdict"] in (ON, MIXED, OFF, UNKNOWN)
    assert result.episodes_frame["days"].sum() == (result.daily["verdict"] == ON).sum()


def test_real_files_give_the_numbers_of_issue_12(real_data_dir, market_of):
    result = thesis(market_of(real_data_dir), day=pd.Timestamp("2026-08-21"))
    bands, spread, stocks, catalysts = result.conditions
    assert result.as_of == pd.Timestamp("2026-08-21")
    assert bands.state == "NEUTRAL" and bands.holds and bands.value == 3244.0
    assert "1 close in a row above 3,200" in bands.detail
    assert spread.state == "CONTANGO" and not spread.holds and spread.value == -17.0
    assert stocks.state == "FALLING" and stocks.holds and stocks.value == 246_925
    assert "the lowest of the record since 2008-01-02" in stocks.detail
    assert catalysts.holds and catalysts.detail == "no known catalyst ahead"
    assert result.verdict == MIXED  # not ON
    assert not any(f.stale for f in result.freshness)
    # The last day in the data (AA, CENX to 2026-10-09) has stale LME inputs: UNKNOWN, and
    # the note names the day to ask for.
    latest = thesis(market_of(real_data_dir))
    assert latest.verdict == UNKNOWN
    assert any("--date 2026-08-21" in n for n in latest.notes)

"""Band state machine on a hand-made reference series.

Defaults: upper 3200, lower 3000, buffer 0.005, confirm 3. So BULL entry needs 3 closes
> 3216, BULL exit a close < 3184, BEAR entry 3 closes < 2985, BEAR exit a close > 3015.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alu.signals.bands import band_signals, band_state, run_length

CLOSES = [3100, 3220, 3230, 3240, 3200, 3180, 3220, 3225, 3230, 2980, 2970, 2960, 3010, 3020]
EXPECTED = ["N", "N", "N", "BULL", "BULL", "N", "N", "N", "BULL", "N", "N", "BEAR", "BEAR", "N"]


def series(values, start="2024-01-01"):
    return pd.Series(values, index=pd.bdate_range(start, periods=len(values)), dtype=float)


def short(states):
    return ["N" if s == "NEUTRAL" else s for s in states]


def test_state_machine_by_hand():
    assert short(band_state(series(CLOSES)).tolist()) == EXPECTED


def test_exit_is_checked_before_entry_on_the_same_day():
    # confirm=1: the crash day leaves BULL (close < 3184) and enters BEAR (close < 2985).
    states = band_state(series([3300, 2900]), confirm=1)
    assert states.tolist() == ["BULL", "BEAR"]


def test_closes_inside_the_buffer_do_not_enter():
    # 3210 is above 3200 but not above 3216: never BULL.
    assert set(band_state(series([3210] * 10)).tolist()) == {"NEUTRAL"}


def test_confirm_counts_consecutive_closes():
    states = band_state(series([3220, 3220, 3100, 3220, 3220, 3220]))
    assert short(states.tolist()) == ["N", "N", "N", "N", "N", "BULL"]


def test_missing_reference_days_are_dropped():
    s = series([3220, np.nan, 3220, 3220])
    states = band_state(s)
    assert len(states) == 3 and states.iloc[-1] == "BULL"


def test_distances_and_zone_run():
    frame = band_signals(series([3100, 3250, 3260, 2990]))
    assert frame["to_upper_usd_t"].tolist() == [-100, 50, 60, -210]
    assert frame["to_lower_usd_t"].tolist() == [100, 250, 260, -10]
    assert frame["to_upper_pct"].iloc[1] == pytest.approx(50 / 3200)
    assert frame["zone"].tolist() == ["BETWEEN", "ABOVE_UPPER", "ABOVE_UPPER", "BELOW_LOWER"]
    assert frame["zone_run"].tolist() == [1, 1, 2, 1]


def test_parameters_are_checked():
    with pytest.raises(ValueError):
        band_state(series(CLOSES), upper=2900)
    with pytest.raises(ValueError):
        band_state(series(CLOSES), confirm=0)


def test_run_length():
    assert run_length(np.array([1, 1, 0, 1, 1, 1], dtype=bool)).tolist() == [1, 2, 0, 1, 2, 3]


def loop_band_state(closes, upper, lower, buffer, confirm):
    """The rules read literally, one day at a time (the reference for the vectorised machine)."""
    state, out = "NEUTRAL", []
    for i, close in enumerate(closes):
        if (state == "BULL" and close < upper * (1 - buffer)) or (
            state == "BEAR" and close > lower * (1 + buffer)
        ):
            state = "NEUTRAL"
        if state == "NEUTRAL":
            last = closes[max(0, i - confirm + 1) : i + 1]
            if len(last) == confirm and all(c > upper * (1 + buffer) for c in last):
                state = "BULL"
            elif len(last) == confirm and all(c < lower * (1 - buffer) for c in last):
                state = "BEAR"
        out.append(state)
    return out


@settings(max_examples=300, deadline=None)
@given(
    moves=st.lists(st.floats(-0.04, 0.04), min_size=1, max_size=120),
    start=st.floats(2700, 3500),
    buffer=st.sampled_from([0.0, 0.002, 0.005, 0.02]),
    confirm=st.integers(1, 5),
    lower=st.sampled_from([2900.0, 3000.0]),
    upper=st.sampled_from([3100.0, 3200.0]),
)
def test_vectorised_machine_equals_the_literal_loop(moves, start, buffer, confirm, lower, upper):
    closes = list(start * np.exp(np.cumsum(moves)))
    got = band_state(series(closes), upper=upper, lower=lower, buffer=buffer, confirm=confirm)
    assert got.tolist() == loop_band_state(closes, upper, lower, buffer, confirm)


def test_vectorised_machine_equals_the_literal_loop_on_the_sample(sample_market):
    reference = sample_market.signal_inputs().reference
    got = band_state(reference).tolist()
    assert got == loop_band_state(reference.tolist(), 3200.0, 3000.0, 0.005, 3)

"""Catalyst countdown and windows, with the announcement as-of rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from alu.signals.catalysts import catalyst_signals, events_between

EVENTS = pd.DataFrame(
    {
        "name": ["A", "B"],
        "kind": ["tariff", "sanctions"],
        "announced": pd.to_datetime(["2024-01-01", "2024-01-15"]),
        "window_before": [np.nan, 2.0],
        "window_after": [np.nan, np.nan],
    },
    index=pd.to_datetime(["2024-01-10", "2024-01-20"]),
)
DAYS = pd.date_range("2024-01-01", "2024-01-31")


@pytest.fixture(scope="module")
def frame():
    return catalyst_signals(EVENTS, DAYS, window_before=5, window_after=5)


def at(frame, day):
    return frame.loc[pd.Timestamp(day)]


def test_event_unknown_on_its_announcement_day(frame):
    # A is announced on 01-01: only known from 01-02.
    assert math.isnan(at(frame, "2024-01-01")["days_to_next_event"])
    assert at(frame, "2024-01-02")["days_to_next_event"] == 8
    assert at(frame, "2024-01-02")["next_event_name"] == "A"


def test_countdown_reaches_zero_on_the_day(frame):
    assert at(frame, "2024-01-10")["days_to_next_event"] == 0


def test_next_event_only_once_announced(frame):
    # After A, B (announced 01-15) is unknown until 01-16.
    assert math.isnan(at(frame, "2024-01-15")["days_to_next_event"])
    assert at(frame, "2024-01-16")["days_to_next_event"] == 4
    assert at(frame, "2024-01-16")["next_event_kind"] == "sanctions"


def test_windows_with_per_event_override(frame):
    inside = frame.index[frame["in_catalyst_window"]]
    a = pd.date_range("2024-01-05", "2024-01-15")  # 10 -5 .. +5
    b = pd.date_range("2024-01-18", "2024-01-25")  # 20 -2 .. +5, known from 16th
    assert list(inside) == list(a.union(b))
    assert at(frame, "2024-01-12")["window_event"] == "A"
    assert at(frame, "2024-01-18")["window_event"] == "B"


def test_days_since_last_event(frame):
    assert at(frame, "2024-01-12")["days_since_last_event"] == 2
    assert at(frame, "2024-01-12")["last_event_name"] == "A"
    assert math.isnan(at(frame, "2024-01-05")["days_since_last_event"])


def test_no_events():
    out = catalyst_signals(EVENTS.iloc[:0], DAYS)
    assert not out["in_catalyst_window"].any()
    assert out["days_to_next_event"].isna().all()


def test_events_between_respects_announcement():
    assert events_between(EVENTS, pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-31"))[
        "name"
    ].tolist() == ["A", "B"]
    assert events_between(EVENTS, pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-15"))[
        "name"
    ].tolist() == ["A"]


def test_window_flag_alone_equals_the_full_signal(frame):
    from alu.signals.catalysts import in_catalyst_window

    flag = in_catalyst_window(EVENTS, DAYS, window_before=5, window_after=5)
    assert flag.tolist() == frame["in_catalyst_window"].tolist()
    assert not in_catalyst_window(EVENTS.iloc[:0], DAYS).any()

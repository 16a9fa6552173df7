"""Dated catalysts: tariffs, sanctions, trade reviews, supply policy.

An event has a ``date`` (when it takes effect) and an ``announced`` date (when the event and its
date became public). As-of: announcements often come after the close (Proclamation 9704, the
2024 US/UK action on Russian metal), so an event is known only from the first day after its
``announced`` date: on day ``t`` only events with ``announced < t`` exist, and a backtest never
stands aside for, or counts down to, an event nobody could have acted on yet.

Distances are in calendar days, so the signal means the same on every trading calendar.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def catalyst_signals(
    events: pd.DataFrame,
    days: pd.DatetimeIndex,
    *,
    window_before: int = 5,
    window_after: int = 5,
) -> pd.DataFrame:
    """Days to the next event and the catalyst-window flag, for each day in ``days``.

    Parameters
    ----------
    events : frame indexed by event date with ``name``, ``kind``, ``announced`` and optional
        per-event ``window_before``/``window_after`` (calendar days; NaN: use the defaults).
    days : the days to evaluate (an instrument's trading days).
    window_before, window_after : default window in calendar days before and after an event
        (defaults 5 and 5): day ``t`` is inside the window of an event dated ``d`` when
        ``d - window_before <= t <= d + window_after`` and the event was announced before ``t``.

    Columns: ``days_to_next_event`` (calendar days to the next known event dated on or after
    ``t``; NaN when none), ``next_event_date``, ``next_event_name``, ``next_event_kind``,
    ``days_since_last_event`` and ``last_event_name`` (the latest event dated before ``t``),
    ``in_catalyst_window`` (bool) and ``window_event`` (the name of the earliest event whose
    window holds ``t``).
    """
    for name, value in (("window_before", window_before), ("window_after", window_after)):
        if int(value) != value or value < 0:
            raise ValueError(f"{name} must be a whole number of days >= 0, got {value}")
    days = pd.DatetimeIndex(days)
    n_days = len(days)
    events = events.sort_index(kind="stable")
    if events.empty or n_days == 0:
        return _empty(days)
    day_ns, date, known = _event_grid(events, days)
    ahead = np.where(known & (date >= day_ns), date - day_ns, np.iinfo(np.int64).max)
    nxt = ahead.argmin(axis=0)
    has_next = ahead[nxt, np.arange(n_days)] != np.iinfo(np.int64).max
    behind = np.where(date < day_ns, day_ns - date, np.iinfo(np.int64).max)
    last = behind.argmin(axis=0)
    has_last = behind[last, np.arange(n_days)] != np.iinfo(np.int64).max
    inside = _inside(events, day_ns, date, known, window_before, window_after)
    first_inside = inside.argmax(axis=0)
    in_window = inside.any(axis=0)

    names = events["name"].to_numpy(dtype=object)
    kinds = events["kind"].to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "days_to_next_event": np.where(has_next, ahead[nxt, np.arange(n_days)], np.nan),
            "next_event_date": pd.DatetimeIndex(np.where(has_next, events.index[nxt], pd.NaT)),
            "next_event_name": np.where(has_next, names[nxt], None),
            "next_event_kind": np.where(has_next, kinds[nxt], None),
            "days_since_last_event": np.where(has_last, behind[last, np.arange(n_days)], np.nan),
            "last_event_name": np.where(has_last, names[last], None),
            "in_catalyst_window": in_window,
            "window_event": np.where(in_window, names[first_inside], None),
        },
        index=days,
    )


def in_catalyst_window(
    events: pd.DataFrame,
    days: pd.DatetimeIndex,
    *,
    window_before: int = 5,
    window_after: int = 5,
) -> np.ndarray:
    """Just the ``in_catalyst_window`` flag of :func:`catalyst_signals` (bool per day), for
    sweeps that need only the flag. Same rule and parameters."""
    days = pd.DatetimeIndex(days)
    if events.empty or len(days) == 0:
        return np.zeros(len(days), dtype=bool)
    events = events.sort_index(kind="stable")
    day_ns, date, known = _event_grid(events, days)
    return _inside(events, day_ns, date, known, window_before, window_after).any(axis=0)


def _event_grid(events: pd.DataFrame, days: pd.DatetimeIndex):
    """Days and event dates as day numbers (events x days grid), and which events are known."""
    day_ns = days.to_numpy(dtype="datetime64[D]").astype(np.int64)[None, :]
    date = events.index.to_numpy(dtype="datetime64[D]").astype(np.int64)[:, None]
    announced = events["announced"].to_numpy(dtype="datetime64[D]").astype(np.int64)[:, None]
    return day_ns, date, announced < day_ns


def _inside(events, day_ns, date, known, window_before: int, window_after: int) -> np.ndarray:
    """events x days: the day lies in the event's window and the event is known that day."""
    before = _per_event(events, "window_before", window_before)[:, None]
    after = _per_event(events, "window_after", window_after)[:, None]
    return known & (day_ns >= date - before) & (day_ns <= date + after)


def _per_event(events: pd.DataFrame, column: str, default: int) -> np.ndarray:
    if column not in events:
        return np.full(len(events), int(default), dtype=np.int64)
    values = events[column].to_numpy(dtype=np.float64)
    return np.where(np.isnan(values), default, values).astype(np.int64)


def _empty(days: pd.DatetimeIndex) -> pd.DataFrame:
    n = len(days)
    return pd.DataFrame(
        {
            "days_to_next_event": np.full(n, np.nan),
            "next_event_date": pd.DatetimeIndex([pd.NaT] * n),
            "next_event_name": np.full(n, None, dtype=object),
            "next_event_kind": np.full(n, None, dtype=object),
            "days_since_last_event": np.full(n, np.nan),
            "last_event_name": np.full(n, None, dtype=object),
            "in_catalyst_window": np.zeros(n, dtype=bool),
            "window_event": np.full(n, None, dtype=object),
        },
        index=days,
    )


def events_between(events: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Events dated in ``[start, end]`` that were known at ``end`` (announced before it)."""
    sel = events.loc[start:end]
    return sel.loc[sel["announced"] < end]

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

from alu.signals.arrays import (
    FLAG,
    DerivedColumn,
    SignalArrays,
    check_whole,
    distinct,
    parameter_arrays,
)
from alu.signals.kernels import REFERENCE, Kernels


def catalyst_sweep(
    events: pd.DataFrame,
    days: pd.DatetimeIndex,
    *,
    window_before: int | np.ndarray = 5,
    window_after: int | np.ndarray = 5,
    kernels: Kernels = REFERENCE,
) -> SignalArrays:
    """The catalyst-window flag for many settings at once, on ``days`` (an instrument's trading
    days): the sweep form of :func:`in_catalyst_window`, parameters numbers or arrays with one
    value per setting.

    Column ``in_catalyst_window`` (flag). Each event's window is an interval of day positions,
    found once per distinct (``window_before``, ``window_after``); a setting's flags are painted
    from its intervals when read. ``kernels``: :data:`~alu.signals.kernels.REFERENCE` (numpy) or
    :data:`alu.signals.nb.NUMBA`.
    """
    arrays, _ = _sweep(events.sort_index(kind="stable"), days, window_before, window_after, kernels)
    return arrays


def _sweep(
    events: pd.DataFrame, days: pd.DatetimeIndex, window_before, window_after, kernels: Kernels
) -> tuple[SignalArrays, tuple[np.ndarray, np.ndarray, np.ndarray] | None]:
    """:func:`catalyst_sweep` on events sorted by date; also the first setting's windows as
    ``(start, end, rank)`` (positions in the sorted days, and each day's position among them;
    None without settings)."""
    p = parameter_arrays(window_before=window_before, window_after=window_after)
    for name in ("window_before", "window_after"):
        p[name] = check_whole(name, p[name], 0, unit=" of days")
    days = pd.DatetimeIndex(days)
    sorted_days, rank, in_order = _sorted_day_numbers(days)
    (before, after), row = distinct(p["window_before"], p["window_after"])
    start, end = _intervals(events, sorted_days, before, after)

    def flags(s: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
        if not in_order:  # the intervals are positions in the sorted days
            rows = rank if rows is None else np.where(rows < 0, -1, rank[rows.clip(0)])
        return kernels.window_flags(start, end, row[s], len(days), rows)

    arrays = SignalArrays(days, p, {"in_catalyst_window": DerivedColumn(FLAG, flags)})
    first = (start[row[0]], end[row[0]], rank) if len(row) else None
    return arrays, first


def _sorted_day_numbers(days: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray, bool]:
    """The days as sorted calendar day numbers, each day's position among them, and whether
    the days were in order already."""
    day_number = _day_numbers(days)
    order = np.argsort(day_number, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return day_number[order], rank, bool((order == np.arange(len(order))).all())


def _day_numbers(days: pd.DatetimeIndex) -> np.ndarray:
    return days.to_numpy(dtype="datetime64[D]").astype(np.int64)


def _intervals(
    events: pd.DataFrame, day_number: np.ndarray, before: np.ndarray, after: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each event's window as positions ``[start, end)`` in ``day_number`` (sorted calendar day
    numbers), per (``before``, ``after``) pair: pairs x events each.

    Day ``t`` is inside the window of an event dated ``d`` when ``d - before <= t <= d + after``
    and the event was announced before ``t`` (per-event ``window_before``/``window_after``
    override the pair's).
    """
    date = _day_numbers(pd.DatetimeIndex(events.index))[None, :]
    announced = events["announced"].to_numpy(dtype="datetime64[D]").astype(np.int64)[None, :]
    first = np.maximum(date - _per_event(events, "window_before", before), announced + 1)
    last = date + _per_event(events, "window_after", after)
    start = np.searchsorted(day_number, first, side="left")
    end = np.maximum(np.searchsorted(day_number, last, side="right"), start)
    return start.astype(np.int64), end.astype(np.int64)


def _per_event(events: pd.DataFrame, column: str, default: np.ndarray) -> np.ndarray:
    """pairs x events: the event's own window where it has one, else the pair's."""
    default = np.asarray(default, dtype=np.int64)[:, None]
    if column not in events:
        return np.broadcast_to(default, (len(default), len(events)))
    values = events[column].to_numpy(dtype=np.float64)[None, :]
    return np.where(np.isnan(values), default, values).astype(np.int64)


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
    events = events.sort_index(kind="stable")
    arrays, (start, end, rank) = _sweep(events, days, window_before, window_after, REFERENCE)
    days = arrays.days
    n_days = len(days)
    if events.empty or n_days == 0:
        return _empty(days)
    day_ns, date, known = _event_grid(events, days)
    ahead = np.where(known & (date >= day_ns), date - day_ns, np.iinfo(np.int64).max)
    nxt = ahead.argmin(axis=0)
    has_next = ahead[nxt, np.arange(n_days)] != np.iinfo(np.int64).max
    behind = np.where(date < day_ns, day_ns - date, np.iinfo(np.int64).max)
    last = behind.argmin(axis=0)
    has_last = behind[last, np.arange(n_days)] != np.iinfo(np.int64).max
    first_inside = _first_event_inside(start, end, rank)

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
            "in_catalyst_window": arrays.one("in_catalyst_window"),
            "window_event": np.where(first_inside >= 0, names[first_inside], None),
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
    """Just the ``in_catalyst_window`` flag of :func:`catalyst_signals` (bool per day): the
    one-setting case of :func:`catalyst_sweep`. Same rule and parameters."""
    arrays = catalyst_sweep(events, days, window_before=window_before, window_after=window_after)
    return arrays.one("in_catalyst_window")


def _event_grid(events: pd.DataFrame, days: pd.DatetimeIndex):
    """Days and event dates as day numbers (events x days grid), and which events are known
    (for the countdowns; the windows are :func:`_intervals`)."""
    day_ns = days.to_numpy(dtype="datetime64[D]").astype(np.int64)[None, :]
    date = events.index.to_numpy(dtype="datetime64[D]").astype(np.int64)[:, None]
    announced = events["announced"].to_numpy(dtype="datetime64[D]").astype(np.int64)[:, None]
    return day_ns, date, announced < day_ns


def _first_event_inside(start: np.ndarray, end: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Per day, the position of the earliest event (by date) whose window ``[start, end)`` (in
    the sorted days) holds it, or -1: the windows painted latest event first."""
    first = np.full(len(rank), -1, dtype=np.int64)
    for e in range(len(start) - 1, -1, -1):
        first[start[e] : end[e]] = e
    return first[rank]


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

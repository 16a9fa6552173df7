"""Alerts: what flipped on a day, found by comparing each day with the previous day of its own
calendar.

- Market-wide signals (band state, spread regime, the spread-narrowing flag, inventory trend,
  the catalyst window) are compared on the watch calendar (see :mod:`alu.watchlist.series`):
  day ``t`` against the watch day before it. A flip from or to an unknown value (a signal still
  warming up) is not an alert.
- A strategy's stance on an instrument is compared on that instrument's trading days: the stance
  decided at the close of ``t`` against the one decided at the previous close (the one held
  during ``t``). A change is an order at the next open. A long-only strategy (``buy_hold``) is
  reported once, under direction ``long``, since ``--direction both`` changes nothing for it.

One function serves a single day and a whole period: the series are computed once and
consecutive days are diffed, so the history and the single-day alerts cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from alu.watchlist.series import STANCE_NAMES, WatchSeries

# kind, column of the signal table, subject; in the order alerts are listed within a day.
SIGNAL_FLIPS = (
    ("band_state", "band_state", "band state"),
    ("spread_regime", "spread_regime", "spread regime"),
    ("spread_narrowing", "spread_narrowing", "spread narrowing"),
    ("inventory_trend", "inventory_trend", "inventory trend"),
    ("catalyst_window", "in_catalyst_window", "catalyst window"),
)
# The columns an alert's text reads, besides the flipping one.
DETAIL_COLUMNS = (
    *(column for _, column, _ in SIGNAL_FLIPS),
    "reference_price",
    "spread_usd_t",
    "spread_change_usd_t",
    "stock_pct_change_long",
    "window_event",
)
KINDS = (*(kind for kind, _, _ in SIGNAL_FLIPS), "stance")
ORDERS = {(0, 1): "entry", (0, -1): "entry", (1, 0): "exit", (-1, 0): "exit"}


@dataclass(frozen=True)
class Alert:
    """One flip on ``date``: ``subject`` went from ``previous`` to ``current``.

    ``kind`` is one of ``band_state``, ``spread_regime``, ``spread_narrowing``,
    ``inventory_trend``, ``catalyst_window`` (values ``in``/``out``) or ``stance`` (values
    ``long``/``flat``/``short``; then ``subject`` is the symbol and ``strategy``/``direction``
    say which stance). ``text`` says it in words.
    """

    date: pd.Timestamp
    kind: str
    subject: str
    previous: str
    current: str
    text: str
    strategy: str | None = None
    direction: str | None = None


def order_name(held: int, decided: int) -> str | None:
    """The order at the next open when the stance goes from ``held`` to ``decided``."""
    if held == decided:
        return None
    return ORDERS.get((held, decided), "reversal")


def flip_positions(values: pd.Series, first: pd.Timestamp, last: pd.Timestamp) -> np.ndarray:
    """Positions ``i`` in ``values`` dated in ``[first, last]`` where ``values[i]`` differs from
    ``values[i - 1]``, both known."""
    lo = values.index.searchsorted(first, side="left")
    hi = values.index.searchsorted(last, side="right")
    lo = max(lo, 1)
    if hi <= lo:
        return np.empty(0, dtype=np.int64)
    now = values.iloc[lo:hi]
    before = values.iloc[lo - 1 : hi - 1]
    known = now.notna().to_numpy() & before.notna().to_numpy()
    changed = now.to_numpy(dtype=object) != before.to_numpy(dtype=object)
    return lo + np.flatnonzero(known & changed)


def alerts_between(series: WatchSeries, first: pd.Timestamp, last: pd.Timestamp) -> list[Alert]:
    """Every flip on a day in ``[first, last]``, by date, then signals before stances."""
    alerts: list[Alert] = []
    signals = series.signals
    columns = {c: signals[c].to_numpy() for c in DETAIL_COLUMNS if c in signals}
    for kind, column, subject in SIGNAL_FLIPS:
        if column not in signals:
            continue
        for i in flip_positions(signals[column], first, last):
            row = {c: values[i] for c, values in columns.items()}
            before = {c: values[i - 1] for c, values in columns.items()}
            alerts.append(
                _signal_alert(kind, subject, row, before, signals.index[i], series.params)
            )
    long_only = {s.name for s in series.strategies if s.long_only}
    for symbol, instrument in series.instruments.items():
        for (strategy, direction), stance in instrument.stances.items():
            if direction != "long" and strategy in long_only:
                continue
            codes = stance.to_numpy()
            for i in flip_positions(stance, first, last):
                held, decided = int(codes[i - 1]), int(codes[i])
                alerts.append(
                    Alert(
                        date=stance.index[i],
                        kind="stance",
                        subject=symbol,
                        previous=STANCE_NAMES[held],
                        current=STANCE_NAMES[decided],
                        text=(
                            f"{symbol} {strategy} ({direction_label(direction)}): "
                            f"{STANCE_NAMES[held]} -> {STANCE_NAMES[decided]}, "
                            f"{order_name(held, decided)} at the next open"
                        ),
                        strategy=strategy,
                        direction=direction,
                    )
                )
    alerts.sort(key=lambda a: (a.date, KINDS.index(a.kind)))
    return alerts


def direction_label(direction: str) -> str:
    return "long-only" if direction == "long" else "long/short"


def _signal_alert(
    kind: str,
    subject: str,
    row: dict[str, Any],
    before: dict[str, Any],
    date: pd.Timestamp,
    params: dict,
) -> Alert:
    if kind == "catalyst_window":
        entering = bool(row["in_catalyst_window"])
        previous, current = ("out", "in") if entering else ("in", "out")
        event = row["window_event"] if entering else before["window_event"]
        verb = "entering" if entering else "leaving"
        return Alert(date, kind, subject, previous, current, f"{verb} the catalyst window: {event}")
    if kind == "spread_narrowing":
        on = bool(row["spread_narrowing"])
        previous, current = ("off", "on") if on else ("on", "off")
        text = (
            f"backwardation narrowing: spread {_signed(row['spread_change_usd_t'])} $/t "
            f"in {params['spread_change_days']} LME days, to {_signed(row['spread_usd_t'])} $/t"
            if on
            else f"narrowing flag cleared (spread {_signed(row['spread_usd_t'])} $/t)"
        )
        return Alert(date, kind, subject, previous, current, text)
    previous, current = str(before[kind]), str(row[kind])
    if kind == "band_state":
        detail = f"reference {row['reference_price']:,.2f} $/t"
    elif kind == "spread_regime":
        detail = f"spread {_signed(row['spread_usd_t'])} $/t"
    else:
        change = _signed(100 * row["stock_pct_change_long"], 1)
        detail = f"stocks {change} % in {params['stock_long_days']} LME days"
    text = f"{subject} {previous} -> {current} ({detail})"
    return Alert(date, kind, subject, previous, current, text)


def _signed(value: float, digits: int = 2) -> str:
    return f"{value:+,.{digits}f}"

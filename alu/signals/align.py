"""Joining a signal computed on its own calendar to an instrument's trading days, as-of.

Each trading day takes the latest row dated on or before it, or, for figures published the next
morning (LME stocks), the latest row dated strictly before it: a figure dated ``T`` is then usable
from the first trading day after ``T``. Nothing is ever back-filled: days before the first usable
row get missing values (False for flags).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def asof_positions(
    source: pd.DatetimeIndex, days: pd.DatetimeIndex, *, published_next_day: bool = False
) -> np.ndarray:
    """For each day, the position in ``source`` of the row usable at its close (-1: none)."""
    side = "left" if published_next_day else "right"
    return source.searchsorted(days, side=side) - 1


def asof_join(
    frame: pd.DataFrame,
    days: pd.DatetimeIndex,
    *,
    published_next_day: bool = False,
    date_column: str | None = None,
) -> pd.DataFrame:
    """``frame`` (sorted by date) seen from each of ``days``, as-of.

    With ``published_next_day`` a row dated ``T`` is used only from the first day after ``T``.
    ``date_column``, when given, adds a column with the date of the row each day uses (NaT when
    none), for freshness checks.
    """
    days = pd.DatetimeIndex(days)
    pos = asof_positions(frame.index, days, published_next_day=published_next_day)
    missing = pos < 0
    if len(frame) == 0:
        out = pd.DataFrame(index=days, columns=frame.columns)
    else:
        out = frame.iloc[np.where(missing, 0, pos)].set_axis(days)
    if missing.any():
        out = out.copy()
        for column in out.columns:
            if out[column].dtype == bool:
                out.loc[missing, column] = False
            else:
                out[column] = out[column].where(~missing)
    if date_column is not None:
        dates = frame.index.to_numpy()[np.where(missing, 0, pos)] if len(frame) else None
        out[date_column] = (
            pd.DatetimeIndex(np.where(missing, np.datetime64("NaT"), dates))
            if dates is not None
            else pd.NaT
        )
    return out


#: Weekdays an input may lag the day it is used on before its family counts as UNKNOWN.
MAX_STALE_DAYS = 5


def stale_days(source_dates: np.ndarray, days: pd.DatetimeIndex) -> np.ndarray:
    """The lag of each day's input in weekdays: ``numpy.busday_count`` from the input's date to
    the day (the input's date counted, the day not), so a Friday figure seen on Monday lags 1.
    Holidays are not removed (the inputs keep different holiday calendars). NaT (no input yet)
    gives -1."""
    dates = np.asarray(source_dates, dtype="datetime64[D]")
    missing = np.isnat(dates)
    lag = np.busday_count(
        np.where(missing, np.datetime64("1970-01-01"), dates),
        pd.DatetimeIndex(days).to_numpy(dtype="datetime64[D]"),
    )
    return np.where(missing, -1, lag)


def known(source_dates: np.ndarray, days: pd.DatetimeIndex, max_stale_days: int) -> np.ndarray:
    """True where a family's input exists and lags the day by at most ``max_stale_days``
    weekdays (see :func:`stale_days`); a family is UNKNOWN elsewhere."""
    lag = stale_days(source_dates, days)
    return (lag >= 0) & (lag <= max_stale_days)

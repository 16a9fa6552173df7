"""Staleness per day: the watchlist's freshness rule (:mod:`alu.watchlist.snapshot`) applied to
every day of a signal table at once.

An input is stale on day ``t`` when the row ``t`` uses is dated more than
:data:`~alu.watchlist.snapshot.STALE_AFTER_DAYS` weekdays before ``t`` (holidays count, as in
the watchlist), or when there is no row yet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alu.watchlist.snapshot import STALE_AFTER_DAYS

# The signal-table column with the date of the row each family reads (see signal_table).
DATE_COLUMNS = {
    "bands": "reference_date",
    "spread": "spread_date",
    "inventory": "stock_date",
}
INPUT_NAMES = {"bands": "band reference", "spread": "LME spread", "inventory": "LME stock"}


def lag_weekdays(used: pd.Series | pd.DatetimeIndex, days: pd.DatetimeIndex) -> np.ndarray:
    """Weekdays from each used date (counted) to its day (not counted), as float (NaN: none)."""
    used = pd.DatetimeIndex(used)
    missing = used.isna()
    start = np.where(missing, days.to_numpy("datetime64[ns]"), used.to_numpy("datetime64[ns]"))
    lag = np.busday_count(start.astype("datetime64[D]"), days.to_numpy("datetime64[D]")).astype(
        np.float64
    )
    lag[missing] = np.nan
    return lag


def stale_mask(table: pd.DataFrame, family: str) -> np.ndarray:
    """True on the days of ``table`` (a signal table) on which ``family``'s input is stale or
    missing; all False for a family without a dated input (catalysts)."""
    column = DATE_COLUMNS.get(family)
    if column is None:
        return np.zeros(len(table), dtype=bool)
    if column not in table:
        return np.ones(len(table), dtype=bool)
    lag = lag_weekdays(table[column], pd.DatetimeIndex(table.index))
    with np.errstate(invalid="ignore"):
        return ~(lag <= STALE_AFTER_DAYS)

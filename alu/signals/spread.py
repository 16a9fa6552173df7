"""The LME cash-to-3-month spread: backwardation (positive) or contango (negative).

``spread_usd_t = cash_settlement - three_month`` in $/t, on LME days where both prices exist.
A tight market pays up for metal now: cash above 3-month (backwardation) is the physical squeeze;
the normal state of a stocked market is contango.

As-of: every value on LME day ``T`` uses prices dated ``T`` or earlier; windows and changes count
LME days that have a spread.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alu.signals.states import BACKWARDATION, CONTANGO, FLAT


def backwardation_spread(lme: pd.DataFrame) -> pd.Series:
    """Cash minus 3-month, $/t (positive = backwardation), on days where both prices exist."""
    spread = (lme["cash_settlement"] - lme["three_month"]).dropna()
    return spread.rename("spread_usd_t")


def spread_regime(spread: pd.Series, *, deadband: float = 5.0) -> pd.Series:
    """``BACKWARDATION`` above ``+deadband`` $/t, ``CONTANGO`` below ``-deadband``, else FLAT."""
    if deadband < 0:
        raise ValueError(f"deadband must be >= 0 $/t, got {deadband}")
    values = spread.to_numpy(dtype=np.float64)
    regime = np.where(
        values > deadband, BACKWARDATION, np.where(values < -deadband, CONTANGO, FLAT)
    )
    return pd.Series(regime.astype(object), index=spread.index, name="spread_regime")


def rolling_zscore(values: pd.Series, window: int) -> pd.Series:
    """``(x - mean) / std`` over the trailing ``window`` observations (ddof=1), full windows only.

    NaN until ``window`` observations exist and where the window's std is zero.
    """
    if int(window) != window or window < 2:
        raise ValueError(f"a z-score window must be a whole number >= 2, got {window}")
    window = int(window)
    roll = values.rolling(window, min_periods=window)
    std = roll.std(ddof=1)
    return (values - roll.mean()) / std.where(std > 0)


def spread_signals(
    lme: pd.DataFrame,
    *,
    deadband: float = 5.0,
    spread_z_window: int = 250,
    spread_change_days: int = 10,
    narrowing_usd_t: float = 10.0,
) -> pd.DataFrame:
    """Spread level, regime, z-score, change and the narrowing flag, per LME day.

    Parameters
    ----------
    lme : frame with ``cash_settlement`` and ``three_month`` in $/t, indexed by LME date.
    deadband : half-width in $/t of the ``FLAT`` regime around zero (default 5).
    spread_z_window : LME days in the trailing z-score window (default 250, about a year).
    spread_change_days : LME days over which the change is measured (default 10).
    narrowing_usd_t : fall in $/t over ``spread_change_days`` that counts as the backwardation
        narrowing (default 10).

    Columns: ``spread_usd_t``; ``spread_regime``; ``spread_z`` (z-score of the level);
    ``spread_change_usd_t`` (level minus the level ``spread_change_days`` LME days earlier);
    ``spread_narrowing`` (True when the spread was in backwardation ``spread_change_days`` days
    ago and has fallen by at least ``narrowing_usd_t`` since: the squeeze unwinding).
    """
    if int(spread_change_days) != spread_change_days or spread_change_days < 1:
        raise ValueError(
            f"spread_change_days must be a whole number >= 1, got {spread_change_days}"
        )
    if narrowing_usd_t < 0:
        raise ValueError(f"narrowing_usd_t must be >= 0, got {narrowing_usd_t}")
    spread = backwardation_spread(lme)
    earlier = spread.shift(int(spread_change_days))
    change = spread - earlier
    narrowing = (earlier > deadband) & (change <= -narrowing_usd_t)
    return pd.DataFrame(
        {
            "spread_usd_t": spread,
            "spread_regime": spread_regime(spread, deadband=deadband),
            "spread_z": rolling_zscore(spread, spread_z_window),
            "spread_change_usd_t": change,
            "spread_narrowing": narrowing.to_numpy(dtype=bool),
        },
        index=spread.index,
    )

"""LME aluminium inventories (total warehouse stock, tonnes).

Falling stocks at multi-year lows are the physical side of the squeeze; rising stocks mean it is
unwinding.

As-of: the values on LME day ``T`` use stock figures dated ``T`` or earlier, but the LME publishes
the stock for ``T`` on the following morning, so a row dated ``T`` must only be used from the
first trading day after ``T``. :func:`alu.signals.align.asof_join` with ``published_next_day=True``
applies that lag; these functions only date each row by the figure it describes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alu.signals.spread import rolling_zscore
from alu.signals.states import BUILDING, FALLING, FLAT


def _whole(name: str, value: int, minimum: int) -> int:
    if int(value) != value or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value}")
    return int(value)


def stock_percentile(stock: pd.Series, *, pct_window: int = 1260, pct_min_periods: int = 252):
    """Trailing percentile of each stock figure: the fraction of the trailing ``pct_window``
    figures (today included) that are <= today's, in (0, 1]. NaN until ``pct_min_periods``
    figures exist."""
    window = _whole("pct_window", pct_window, 2)
    minimum = _whole("pct_min_periods", pct_min_periods, 1)
    if minimum > window:
        raise ValueError("pct_min_periods must not exceed pct_window")
    ranks = stock.rolling(window, min_periods=minimum).rank(method="max", pct=True)
    return ranks.rename("stock_percentile")


def inventory_signals(
    lme: pd.DataFrame,
    *,
    pct_window: int = 1260,
    pct_min_periods: int = 252,
    stock_short_days: int = 5,
    stock_long_days: int = 20,
    stock_z_window: int = 250,
    trend_deadband: float = 0.01,
) -> pd.DataFrame:
    """Stock level, trailing percentile, changes, z-score and trend, per stock figure date.

    Parameters
    ----------
    lme : frame with ``lme_stock`` in tonnes, indexed by the date the figure describes.
    pct_window : figures in the trailing percentile window (default 1,260, about 5 years).
    pct_min_periods : figures needed before a percentile is given (default 252, about a year).
    stock_short_days, stock_long_days : the two change horizons in LME days (defaults 5, 20).
    stock_z_window : figures in the z-score window of the long % change (default 250).
    trend_deadband : the long % change (a fraction) beyond which stocks count as ``FALLING``
        or ``BUILDING`` (default 0.01 = 1 %); inside it the trend is ``FLAT``.

    Columns: ``stock_t``; ``stock_percentile``; ``stock_change_short_t`` and
    ``stock_change_long_t`` (tonnes); ``stock_pct_change_long`` (fraction);
    ``stock_change_z`` (z-score of ``stock_pct_change_long``); ``inventory_trend``.
    """
    short = _whole("stock_short_days", stock_short_days, 1)
    long = _whole("stock_long_days", stock_long_days, 1)
    if trend_deadband < 0:
        raise ValueError(f"trend_deadband must be >= 0, got {trend_deadband}")
    stock = lme["lme_stock"].dropna().astype(np.float64)
    pct_change = stock / stock.shift(long).where(lambda s: s > 0) - 1.0
    values = pct_change.to_numpy()
    trend = np.where(
        values < -trend_deadband, FALLING, np.where(values > trend_deadband, BUILDING, FLAT)
    )
    trend = np.where(np.isnan(values), None, trend).astype(object)
    return pd.DataFrame(
        {
            "stock_t": stock,
            "stock_percentile": stock_percentile(
                stock, pct_window=pct_window, pct_min_periods=pct_min_periods
            ),
            "stock_change_short_t": stock - stock.shift(short),
            "stock_change_long_t": stock - stock.shift(long),
            "stock_pct_change_long": pct_change,
            "stock_change_z": rolling_zscore(pct_change, stock_z_window),
            "inventory_trend": trend,
        },
        index=stock.index,
    )

"""LME aluminium inventories (total warehouse stock, tonnes).

Falling stocks at multi-year lows are the physical side of the squeeze; rising stocks mean it is
unwinding.

As-of: the values on LME day ``T`` use stock figures dated ``T`` or earlier, but the LME publishes
the stock for ``T`` on the following morning, so a row dated ``T`` must only be used from the
first trading day after ``T``. :func:`alu.signals.align.asof_join` with ``published_next_day=True``
applies that lag; these functions only date each row by the figure it describes.

:func:`inventory_sweep` computes the signals for many settings at once: one trailing percentile
per distinct ``pct_window``, one change per
distinct horizon, one z-score per distinct (``stock_long_days``, ``stock_z_window``), one trend
per distinct (``stock_long_days``, ``trend_deadband``), each computed when first read.
:func:`inventory_signals` is its one-setting case.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from alu.signals.arrays import (
    NUMBER,
    STATE,
    SharedColumn,
    SignalArrays,
    check_whole,
    distinct,
    first_bad,
    parameter_arrays,
    state_names,
)
from alu.signals.kernels import REFERENCE, Kernels
from alu.signals.spread import lagged, zscores
from alu.signals.states import BUILDING, FALLING, FLAT

INVENTORY_TRENDS = (FALLING, FLAT, BUILDING)


def _check_percentile(pct_window, pct_min_periods) -> tuple[np.ndarray, np.ndarray]:
    window = check_whole("pct_window", pct_window, 2)
    minimum = check_whole("pct_min_periods", pct_min_periods, 1)
    if first_bad(minimum <= window) is not None:
        raise ValueError("pct_min_periods must not exceed pct_window")
    return window, minimum


def _percentiles(
    stock: np.ndarray, window: np.ndarray, minimum: np.ndarray, kernels: Kernels
) -> tuple[Callable[[], np.ndarray], np.ndarray]:
    """Trailing percentiles per distinct (window, min_periods): (a function computing them,
    the row of each setting)."""
    (windows, minima), row = distinct(window, minimum)

    def compute() -> np.ndarray:
        (uniq,), which = distinct(windows)
        pct = kernels.trailing_percentile(stock, uniq)[which]
        figures = np.arange(1, len(stock) + 1)
        pct[figures[None, :] < minima[:, None]] = np.nan
        return pct

    return compute, row


def stock_percentile(
    stock: pd.Series, *, pct_window: int = 1260, pct_min_periods: int = 252
) -> pd.Series:
    """Trailing percentile of each stock figure: the fraction of the trailing ``pct_window``
    figures (today included) that are <= today's, in (0, 1]. NaN until ``pct_min_periods``
    figures exist. ``stock`` must have no missing figures."""
    window, minimum = _check_percentile(np.atleast_1d(pct_window), np.atleast_1d(pct_min_periods))
    compute, _ = _percentiles(stock.to_numpy(dtype=np.float64), window, minimum, REFERENCE)
    return pd.Series(compute()[0], index=stock.index, name="stock_percentile")


def inventory_sweep(
    lme: pd.DataFrame,
    *,
    pct_window: int | np.ndarray = 1260,
    pct_min_periods: int | np.ndarray = 252,
    stock_short_days: int | np.ndarray = 5,
    stock_long_days: int | np.ndarray = 20,
    stock_z_window: int | np.ndarray = 250,
    trend_deadband: float | np.ndarray = 0.01,
    kernels: Kernels = REFERENCE,
) -> SignalArrays:
    """The inventory signals for many settings at once, on the stock figures' dates (the sweep
    form of :func:`inventory_signals`; parameters are numbers or arrays with one value per
    setting).

    Columns as in :func:`inventory_signals` (``inventory_trend`` as state codes, unknown where the
    long change is). ``kernels``: :data:`~alu.signals.kernels.REFERENCE` (numpy) or
    :data:`alu.signals.nb.NUMBA`.
    """
    p = parameter_arrays(
        pct_window=pct_window,
        pct_min_periods=pct_min_periods,
        stock_short_days=stock_short_days,
        stock_long_days=stock_long_days,
        stock_z_window=stock_z_window,
        trend_deadband=trend_deadband,
    )
    p["stock_short_days"] = check_whole("stock_short_days", p["stock_short_days"], 1)
    p["stock_long_days"] = check_whole("stock_long_days", p["stock_long_days"], 1)
    with np.errstate(invalid="ignore"):
        bad = first_bad(p["trend_deadband"] >= 0)
    if bad is not None:
        raise ValueError(f"trend_deadband must be >= 0, got {p['trend_deadband'][bad].item()}")
    p["trend_deadband"] = p["trend_deadband"].astype(np.float64)
    p["pct_window"], p["pct_min_periods"] = _check_percentile(p["pct_window"], p["pct_min_periods"])
    p["stock_z_window"] = check_whole("a z-score window", p["stock_z_window"], 2)

    stock = lme["lme_stock"].dropna().astype(np.float64)
    values = stock.to_numpy()
    level = values[None, :]
    n_settings = len(p["pct_window"])
    percentile, percentile_row = _percentiles(
        values, p["pct_window"], p["pct_min_periods"], kernels
    )
    (shorts,), short_row = distinct(p["stock_short_days"])
    (longs,), long_row = distinct(p["stock_long_days"])
    earlier_long = lagged(values, longs)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct_change = level / np.where(earlier_long > 0, earlier_long, np.nan) - 1.0
    (z_longs, z_windows), z_row = distinct(p["stock_long_days"], p["stock_z_window"])

    def z() -> np.ndarray:
        out = np.empty((len(z_windows), len(values)), dtype=np.float64)
        for i, (long, window) in enumerate(zip(z_longs.tolist(), z_windows.tolist(), strict=True)):
            changes = pd.Series(pct_change[np.searchsorted(longs, long)], index=stock.index)
            out[i] = zscores(changes, np.array([window]))[0]
        return out

    (trend_longs, trend_deadbands), trend_row = distinct(p["stock_long_days"], p["trend_deadband"])

    def trends() -> np.ndarray:  # one row of codes per distinct (long horizon, deadband)
        change_row = np.searchsorted(longs, trend_longs)
        return kernels.threshold_codes(pct_change, change_row, trend_deadbands, None)

    columns = {
        "stock_t": SharedColumn(NUMBER, level, np.zeros(n_settings, dtype=np.int64)),
        "stock_percentile": SharedColumn(NUMBER, percentile, percentile_row),
        "stock_change_short_t": SharedColumn(NUMBER, level - lagged(values, shorts), short_row),
        "stock_change_long_t": SharedColumn(NUMBER, level - earlier_long, long_row),
        "stock_pct_change_long": SharedColumn(NUMBER, pct_change, long_row),
        "stock_change_z": SharedColumn(NUMBER, z, z_row),
        "inventory_trend": SharedColumn(STATE, trends, trend_row),
    }
    return SignalArrays(stock.index, p, columns)


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
    arrays = inventory_sweep(
        lme,
        pct_window=pct_window,
        pct_min_periods=pct_min_periods,
        stock_short_days=stock_short_days,
        stock_long_days=stock_long_days,
        stock_z_window=stock_z_window,
        trend_deadband=trend_deadband,
    )
    return pd.DataFrame(
        {
            "stock_t": arrays.one("stock_t"),
            "stock_percentile": arrays.one("stock_percentile"),
            "stock_change_short_t": arrays.one("stock_change_short_t"),
            "stock_change_long_t": arrays.one("stock_change_long_t"),
            "stock_pct_change_long": arrays.one("stock_pct_change_long"),
            "stock_change_z": arrays.one("stock_change_z"),
            "inventory_trend": state_names(arrays.one("inventory_trend"), INVENTORY_TRENDS),
        },
        index=arrays.days,
    )

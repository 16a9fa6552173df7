"""The LME cash-to-3-month spread: backwardation (positive) or contango (negative).

``spread_usd_t = cash_settlement - three_month`` in $/t, on LME days where both prices exist.
A tight market pays up for metal now: cash above 3-month (backwardation) is the physical squeeze;
the normal state of a stocked market is contango.

As-of: every value on LME day ``T`` uses prices dated ``T`` or earlier; windows and changes count
LME days that have a spread.

:func:`spread_sweep` computes the signals for many settings at once: one regime per distinct
``deadband``, one z-score per distinct ``spread_z_window``, one change per distinct
``spread_change_days``; the narrowing flag, which depends on three of the four parameters, is
compared when read. :func:`spread_signals` is its one-setting case.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alu.signals.arrays import (
    FLAG,
    NUMBER,
    STATE,
    DerivedColumn,
    SharedColumn,
    SignalArrays,
    check_whole,
    distinct,
    first_bad,
    parameter_arrays,
    state_names,
)
from alu.signals.kernels import REFERENCE, Kernels
from alu.signals.states import BACKWARDATION, CONTANGO, FLAT

SPREAD_REGIMES = (CONTANGO, FLAT, BACKWARDATION)


def backwardation_spread(lme: pd.DataFrame) -> pd.Series:
    """Cash minus 3-month, $/t (positive = backwardation), on days where both prices exist."""
    spread = (lme["cash_settlement"] - lme["three_month"]).dropna()
    return spread.rename("spread_usd_t")


def _check_deadband(deadband) -> np.ndarray:
    deadband = np.asarray(deadband)
    with np.errstate(invalid="ignore"):
        bad = first_bad(deadband >= 0)
    if bad is not None:
        raise ValueError(f"deadband must be >= 0 $/t, got {deadband[bad].item()}")
    return deadband.astype(np.float64)


def spread_regime(spread: pd.Series, *, deadband: float = 5.0) -> pd.Series:
    """``BACKWARDATION`` above ``+deadband`` $/t, ``CONTANGO`` below ``-deadband``, else FLAT
    (None where the spread is missing)."""
    threshold = _check_deadband(np.atleast_1d(deadband))
    values = spread.to_numpy(dtype=np.float64)[None, :]
    codes = REFERENCE.threshold_codes(values, np.zeros(1, np.int64), threshold, None)[0]
    return pd.Series(state_names(codes, SPREAD_REGIMES), index=spread.index, name="spread_regime")


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


def zscores(values: pd.Series, windows: np.ndarray) -> np.ndarray:
    """:func:`rolling_zscore` of ``values`` for each of ``windows``: windows x days, float64."""
    out = np.empty((len(windows), len(values)), dtype=np.float64)
    for i, window in enumerate(windows.tolist()):
        out[i] = rolling_zscore(values, window).to_numpy(dtype=np.float64)
    return out


def lagged(values: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """``values`` shifted by each of ``lags`` positions (NaN where none): lags x days."""
    out = np.full((len(lags), len(values)), np.nan)
    for i, lag in enumerate(lags.tolist()):
        out[i, lag:] = values[: max(len(values) - lag, 0)]
    return out


def spread_sweep(
    lme: pd.DataFrame,
    *,
    deadband: float | np.ndarray = 5.0,
    spread_z_window: int | np.ndarray = 250,
    spread_change_days: int | np.ndarray = 10,
    narrowing_usd_t: float | np.ndarray = 10.0,
    kernels: Kernels = REFERENCE,
) -> SignalArrays:
    """The spread signals for many settings at once, on the LME days with a spread (the sweep
    form of :func:`spread_signals`; parameters are numbers or arrays with one value per setting).

    Columns as in :func:`spread_signals` (``spread_regime`` as state codes). ``kernels``:
    :data:`~alu.signals.kernels.REFERENCE` (numpy) or :data:`alu.signals.nb.NUMBA`.
    """
    p = parameter_arrays(
        deadband=deadband,
        spread_z_window=spread_z_window,
        spread_change_days=spread_change_days,
        narrowing_usd_t=narrowing_usd_t,
    )
    p["spread_change_days"] = check_whole("spread_change_days", p["spread_change_days"], 1)
    with np.errstate(invalid="ignore"):
        bad = first_bad(p["narrowing_usd_t"] >= 0)
    if bad is not None:
        raise ValueError(f"narrowing_usd_t must be >= 0, got {p['narrowing_usd_t'][bad].item()}")
    p["narrowing_usd_t"] = p["narrowing_usd_t"].astype(np.float64)
    p["deadband"] = _check_deadband(p["deadband"])
    p["spread_z_window"] = check_whole("a z-score window", p["spread_z_window"], 2)

    spread = backwardation_spread(lme)
    values = spread.to_numpy(dtype=np.float64)
    level = values[None, :]
    n_settings = len(p["deadband"])
    every = np.zeros(n_settings, dtype=np.int64)
    (windows,), window_row = distinct(p["spread_z_window"])
    (lags,), lag_row = distinct(p["spread_change_days"])
    earlier = lagged(values, lags)
    change = level - earlier

    (deadbands,), deadband_row = distinct(p["deadband"])

    def regimes() -> np.ndarray:  # one row of codes per distinct deadband
        return kernels.threshold_codes(level, np.zeros(len(deadbands), np.int64), deadbands, None)

    def narrowing(s: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
        return kernels.narrowing(
            earlier, change, lag_row[s], p["deadband"][s], p["narrowing_usd_t"][s], rows
        )

    columns = {
        "spread_usd_t": SharedColumn(NUMBER, level, every),
        "spread_regime": SharedColumn(STATE, regimes, deadband_row),
        "spread_z": SharedColumn(NUMBER, lambda: zscores(spread, windows), window_row),
        "spread_change_usd_t": SharedColumn(NUMBER, change, lag_row),
        "spread_narrowing": DerivedColumn(FLAG, narrowing),
    }
    return SignalArrays(spread.index, p, columns)


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
    arrays = spread_sweep(
        lme,
        deadband=deadband,
        spread_z_window=spread_z_window,
        spread_change_days=spread_change_days,
        narrowing_usd_t=narrowing_usd_t,
    )
    return pd.DataFrame(
        {
            "spread_usd_t": arrays.one("spread_usd_t"),
            "spread_regime": state_names(arrays.one("spread_regime"), SPREAD_REGIMES),
            "spread_z": arrays.one("spread_z"),
            "spread_change_usd_t": arrays.one("spread_change_usd_t"),
            "spread_narrowing": arrays.one("spread_narrowing"),
        },
        index=arrays.days,
    )

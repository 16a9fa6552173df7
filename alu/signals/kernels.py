"""The numeric kernels of the signal families, in numpy (and pandas for rolling windows).

These are the reference: the single-setting signals (``alu backtest``, the watchlist) run them,
and :mod:`alu.signals.nb` holds numba twins with the same signatures that sweeps plug in for
speed (:data:`REFERENCE` and :data:`alu.signals.nb.NUMBA`). The tests hold every twin equal to
its reference on random inputs and on the real LME file. Nothing here imports numba.

Layout: arrays are settings-major, ``(settings, days)``. ``rows`` (when not None) selects days
by position, -1 meaning "no row" (the unknown value: MISSING_CODE, False or NaN). An ``*_row``
argument gives, per setting, the row of a per-distinct-value input to read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from alu.signals.arrays import pick_days
from alu.signals.states import MISSING_CODE

CHUNK = 256  # settings per block: bounds the temporaries at CHUNK x days


def _days(values: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    """The days ``rows`` of ``values`` (distinct values x days); rows -1 are set afterwards."""
    return pick_days(values, rows, 0)


# -- bands ------------------------------------------------------------------------------------


def run_dtype(n_days: int) -> np.dtype:
    """The integer type of run lengths over ``n_days`` days: int16 when it holds them (2 bytes a
    day per band pair, about 130 years of trading days), else int32."""
    return np.dtype(np.int16) if n_days <= np.iinfo(np.int16).max else np.dtype(np.int32)


def band_run_maxima(
    close: np.ndarray, level: np.ndarray, buffer: np.ndarray, side: int
) -> np.ndarray:
    """For each (band ``level``, ``buffer``) pair and day: the longest run of entry closes since
    the last exit close (0 on an exit day). Pairs x days, :func:`run_dtype`.

    ``side`` +1 (the upper band, BULL): entry closes are > ``level * (1 + buffer)``, exit closes
    < ``level * (1 - buffer)``. ``side`` -1 (the lower band, BEAR): entry closes are
    < ``level * (1 - buffer)``, exit closes > ``level * (1 + buffer)``.
    """
    n = len(close)
    out = np.empty((len(level), n), dtype=run_dtype(n))
    counts = np.arange(1, n + 1, dtype=np.int64)
    for a in range(0, len(level), CHUNK):
        lvl = level[a : a + CHUNK, None]
        buf = buffer[a : a + CHUNK, None]
        if side > 0:
            entry, leave = close > lvl * (1 + buf), close < lvl * (1 - buf)
        else:
            entry, leave = close < lvl * (1 - buf), close > lvl * (1 + buf)
        # run length of entry closes ending at each day
        last_miss = np.maximum.accumulate(np.where(entry, 0, counts), axis=1)
        run = np.where(entry, counts - last_miss, 0)
        # longest run since the last exit: a running max that restarts at each exit day (runs
        # are < n + 1, so offsetting each segment by (n + 1) x its number keeps them apart)
        segment = np.cumsum(leave, axis=1, dtype=np.int64) * (n + 1)
        out[a : a + CHUNK] = np.maximum.accumulate(segment + run, axis=1) - segment
    return out


def band_state(
    bull_max: np.ndarray,
    bear_max: np.ndarray,
    bull_row: np.ndarray,
    bear_row: np.ndarray,
    confirm: np.ndarray,
    rows: np.ndarray | None,
) -> np.ndarray:
    """Band state codes, settings x days: +1 (BULL) where the BULL run maximum (row
    ``bull_row[s]`` of ``bull_max``) reaches ``confirm[s]``, minus 1 (BEAR) where the BEAR one
    does; MISSING_CODE where ``rows`` is -1."""
    bull_max, bear_max = _days(bull_max, rows), _days(bear_max, rows)
    out = np.empty((len(confirm), bull_max.shape[1]), dtype=np.int8)
    for a in range(0, len(confirm), CHUNK):
        c = confirm[a : a + CHUNK, None]
        bull = bull_max[bull_row[a : a + CHUNK]] >= c
        bear = bear_max[bear_row[a : a + CHUNK]] >= c
        np.subtract(bull.view(np.int8), bear.view(np.int8), out=out[a : a + CHUNK])
    if rows is not None:
        out[:, rows < 0] = MISSING_CODE
    return out


# -- spread and inventory -----------------------------------------------------------------------


def threshold_codes(
    values: np.ndarray, row: np.ndarray, deadband: np.ndarray, rows: np.ndarray | None
) -> np.ndarray:
    """+1 where the value (row ``row[s]`` of ``values``) is > ``deadband[s]``, -1 where it is
    < ``-deadband[s]``, 0 in between; MISSING_CODE where it is NaN or ``rows`` is -1.
    int8, settings x days."""
    values = _days(values, rows)
    out = np.empty((len(row), values.shape[1]), dtype=np.int8)
    for a in range(0, len(row), CHUNK):
        x = values[row[a : a + CHUNK]]
        d = deadband[a : a + CHUNK, None]
        block = out[a : a + CHUNK]
        np.subtract((x > d).view(np.int8), (x < -d).view(np.int8), out=block)
        block[np.isnan(x)] = MISSING_CODE
    if rows is not None:
        out[:, rows < 0] = MISSING_CODE
    return out


def narrowing(
    earlier: np.ndarray,
    change: np.ndarray,
    row: np.ndarray,
    deadband: np.ndarray,
    narrowing_usd_t: np.ndarray,
    rows: np.ndarray | None,
) -> np.ndarray:
    """True where ``earlier`` > ``deadband[s]`` and ``change`` <= ``-narrowing_usd_t[s]`` (rows
    ``row[s]`` of both; NaN compares False); False where ``rows`` is -1. bool, settings x days."""
    earlier, change = _days(earlier, rows), _days(change, rows)
    out = np.empty((len(row), earlier.shape[1]), dtype=bool)
    for a in range(0, len(row), CHUNK):
        r = row[a : a + CHUNK]
        np.logical_and(
            earlier[r] > deadband[a : a + CHUNK, None],
            change[r] <= -narrowing_usd_t[a : a + CHUNK, None],
            out=out[a : a + CHUNK],
        )
    if rows is not None:
        out[:, rows < 0] = False
    return out


def trailing_percentile(values: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """For each window ``w`` and day ``t``: the fraction of the trailing ``min(t + 1, w)`` values
    (today included) that are <= today's. float64, windows x days; ``values`` must have no NaN.

    This is pandas' ``rolling(w, min_periods=1).rank(method="max", pct=True)``.
    """
    series = pd.Series(values, dtype=np.float64)
    out = np.empty((len(windows), len(values)), dtype=np.float64)
    for i, w in enumerate(windows.tolist()):
        out[i] = series.rolling(w, min_periods=1).rank(method="max", pct=True).to_numpy()
    return out


# -- catalysts ------------------------------------------------------------------------------------


def window_flags(
    start: np.ndarray, end: np.ndarray, row: np.ndarray, n_days: int, rows: np.ndarray | None
) -> np.ndarray:
    """True on the days inside any interval ``[start, end)`` (day positions) of row ``row[s]``
    of ``start``/``end`` (distinct settings x events); False where ``rows`` is -1.
    bool, settings x days."""
    n_events = start.shape[1]
    k = len(row)
    out = np.empty((k, n_days), dtype=bool)
    for a in range(0, k, CHUNK):
        r = row[a : a + CHUNK]
        m = len(r)
        lo, hi = start[r], end[r]
        base = (np.arange(m, dtype=np.int64) * (n_days + 1))[:, None]
        edges = np.concatenate([(base + lo).ravel(), (base + hi).ravel()])
        weights = np.r_[np.ones(m * n_events), -np.ones(m * n_events)]
        depth = np.bincount(edges, weights, minlength=m * (n_days + 1))
        out[a : a + CHUNK] = np.cumsum(depth.reshape(m, n_days + 1)[:, :n_days], axis=1) > 0
    return pick_days(out, rows, False)


@dataclass(frozen=True)
class Kernels:
    """One implementation of every kernel: :data:`REFERENCE` (numpy) or
    :data:`alu.signals.nb.NUMBA`."""

    name: str
    band_run_maxima: Callable[..., np.ndarray]
    band_state: Callable[..., np.ndarray]
    threshold_codes: Callable[..., np.ndarray]
    narrowing: Callable[..., np.ndarray]
    trailing_percentile: Callable[..., np.ndarray]
    window_flags: Callable[..., np.ndarray]


REFERENCE = Kernels(
    "numpy",
    band_run_maxima=band_run_maxima,
    band_state=band_state,
    threshold_codes=threshold_codes,
    narrowing=narrowing,
    trailing_percentile=trailing_percentile,
    window_flags=window_flags,
)

"""numba twins of the signal kernels in :mod:`alu.signals.kernels`, for sweeps of many settings.

Same signatures and results as the numpy reference (the tests hold each pair equal on random
inputs and on the real LME file): pass :data:`NUMBA` as ``kernels=`` to a family's sweep form.
Each kernel is one pass over settings x days with no temporaries, compiled once and kept in
numba's on-disk cache. The watchlist and single backtests never import this module.

Floating-point comparisons are written exactly as in the reference (``level * (1 + buffer)``
and so on, no fastmath), so the twins agree bit for bit.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from alu.signals.kernels import Kernels, run_dtype
from alu.signals.states import MISSING_CODE

_MISSING = np.int8(MISSING_CODE)


@njit(cache=True)
def band_run_maxima_nb(close, level, buffer, side, out):
    n = close.shape[0]
    for s in range(level.shape[0]):
        row = out[s]
        run = 0
        best = 0
        if side > 0:  # the upper band: entry closes above, exit closes below
            enter = level[s] * (1 + buffer[s])
            leave = level[s] * (1 - buffer[s])
            for t in range(n):
                run = (run + 1) * (close[t] > enter)
                best = max(best, run) * (not close[t] < leave)
                row[t] = best
        else:  # the lower band: entry closes below, exit closes above
            enter = level[s] * (1 - buffer[s])
            leave = level[s] * (1 + buffer[s])
            for t in range(n):
                run = (run + 1) * (close[t] < enter)
                best = max(best, run) * (not close[t] > leave)
                row[t] = best
    return out


@njit(cache=True)
def band_state_nb(bull_max, bear_max, bull_row, bear_row, confirm, rows, picked, out):
    m = out.shape[1]
    for s in range(confirm.shape[0]):
        bull = bull_max[bull_row[s]]
        bear = bear_max[bear_row[s]]
        c = confirm[s]
        if not picked:  # every day: a branch-free loop the compiler vectorises
            for t in range(m):
                out[s, t] = np.int8(bull[t] >= c) - np.int8(bear[t] >= c)
            continue
        for j in range(m):
            t = rows[j]
            if t < 0:
                out[s, j] = _MISSING
            else:
                out[s, j] = np.int8(bull[t] >= c) - np.int8(bear[t] >= c)
    return out


@njit(cache=True)
def threshold_codes_nb(values, row, deadband, rows, picked, out):
    m = out.shape[1]
    for s in range(row.shape[0]):
        x = values[row[s]]
        d = deadband[s]
        low = -d
        if not picked:
            for t in range(m):
                v = x[t]  # NaN compares False both ways (0), then is marked unknown
                code = np.int8(v > d) - np.int8(v < low)
                out[s, t] = code if v == v else _MISSING
            continue
        for j in range(m):
            t = rows[j]
            v = x[t] if t >= 0 else np.nan
            code = np.int8(v > d) - np.int8(v < low)
            out[s, j] = code if v == v else _MISSING
    return out


@njit(cache=True)
def narrowing_nb(earlier, change, row, deadband, narrowing_usd_t, rows, picked, out):
    m = out.shape[1]
    for s in range(row.shape[0]):
        before = earlier[row[s]]
        moved = change[row[s]]
        d = deadband[s]
        fall = -narrowing_usd_t[s]
        if not picked:
            for t in range(m):
                out[s, t] = (before[t] > d) & (moved[t] <= fall)
            continue
        for j in range(m):
            t = rows[j]
            out[s, j] = t >= 0 and (before[t] > d) & (moved[t] <= fall)
    return out


@njit(cache=True)
def trailing_percentile_nb(rank, n_ranks, windows, out):
    """out[w, t]: the fraction of the trailing windows[w] values (fewer at the start) that are
    <= values[t], given each value's ``rank`` (1..n_ranks, ties sharing one). A Fenwick tree of
    the counts per rank in the window: O(days x log(distinct values)) per window."""
    n = rank.shape[0]
    tree = np.zeros(n_ranks + 1, dtype=np.int64)
    for i in range(windows.shape[0]):
        w = windows[i]
        tree[:] = 0
        for t in range(n):
            j = rank[t]  # today's value enters the window
            while j <= n_ranks:
                tree[j] += 1
                j += j & -j
            if t >= w:  # the value w days back leaves it
                j = rank[t - w]
                while j <= n_ranks:
                    tree[j] -= 1
                    j += j & -j
            count = 0  # values in the window with a rank <= today's
            j = rank[t]
            while j > 0:
                count += tree[j]
                j -= j & -j
            out[i, t] = count / min(t + 1, w)
    return out


@njit(cache=True)
def window_flags_nb(start, end, row, rows, picked, full, out):
    """Paints each setting's intervals into ``full`` (settings x days, all False on entry);
    with ``picked``, copies the ``rows`` into ``out``."""
    k = row.shape[0]
    for s in range(k):
        r = row[s]
        for e in range(start.shape[1]):
            for t in range(start[r, e], end[r, e]):
                full[s, t] = True
    if not picked:
        return full
    for s in range(k):
        for j in range(rows.shape[0]):
            out[s, j] = rows[j] >= 0 and full[s, rows[j]]
    return out


@njit(cache=True, nogil=True)
def gather_rows_nb(values, which, rows, unknown, out):
    """``out[s, j] = values[which[s], rows[j]]``, ``unknown`` where ``rows[j]`` is -1: a shared
    column read for some settings on an instrument's days
    (:meth:`alu.signals.arrays.SharedColumn.take`), settings x days."""
    for s in range(which.shape[0]):
        source = values[which[s]]
        for j in range(rows.shape[0]):
            t = rows[j]
            out[s, j] = source[t] if t >= 0 else unknown
    return out


@njit(cache=True, nogil=True)
def latch_nb(entry, exit, out):
    """:func:`alu.signals.latch.latch` of each column of ``entry``/``exit`` (days x columns,
    any layout): True from an entry day until the next exit day (exit wins a tie)."""
    n_days, n_cols = entry.shape
    for j in range(n_cols):
        on = False
        for t in range(n_days):
            if exit[t, j]:
                on = False
            elif entry[t, j]:
                on = True
            out[t, j] = on
    return out


def gather_rows(values: np.ndarray, which: np.ndarray, rows: np.ndarray, unknown) -> np.ndarray:
    """:func:`gather_rows_nb` with its output allocated (settings x days, values' dtype)."""
    out = np.empty((len(which), len(rows)), dtype=values.dtype)
    return gather_rows_nb(
        np.ascontiguousarray(values),
        _c(which, np.int64),
        _c(rows, np.int64),
        values.dtype.type(unknown),
        out,
    )


def latch_2d(entry: np.ndarray, exit: np.ndarray) -> np.ndarray:
    """:func:`latch_nb` on days x columns bool arrays (broadcast to one shape), days-major
    output (Fortran order, like the sweep's columns)."""
    entry, exit = np.broadcast_arrays(np.asarray(entry, dtype=bool), np.asarray(exit, dtype=bool))
    out = np.empty(entry.shape, dtype=bool, order="F")
    return latch_nb(entry, exit, out)


_NO_ROWS = np.zeros(0, dtype=np.int64)

# Outputs are allocated by numpy, not inside the kernels: numpy asks the kernel for huge pages on
# large arrays, and filling numba's own allocation costs several times more page faults.


def _rows(rows: np.ndarray | None) -> tuple[np.ndarray, bool]:
    """``rows`` for a kernel: (positions, whether to pick them) - every day when None."""
    if rows is None:
        return _NO_ROWS, False
    return np.ascontiguousarray(rows, dtype=np.int64), True


def _c(values: np.ndarray, dtype) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=dtype)


def _width(n_days: int, rows: np.ndarray | None) -> int:
    return n_days if rows is None else len(rows)


def _band_run_maxima(close, level, buffer, side):
    """numba twin of :func:`alu.signals.kernels.band_run_maxima`."""
    f8 = np.float64
    out = np.empty((len(level), len(close)), dtype=run_dtype(len(close)))
    return band_run_maxima_nb(_c(close, f8), _c(level, f8), _c(buffer, f8), int(side), out)


def _band_state(bull_max, bear_max, bull_row, bear_row, confirm, rows):
    """numba twin of :func:`alu.signals.kernels.band_state`."""
    i8 = np.int64
    out = np.empty((len(confirm), _width(bull_max.shape[1], rows)), dtype=np.int8)
    return band_state_nb(
        np.ascontiguousarray(bull_max),
        np.ascontiguousarray(bear_max),
        _c(bull_row, i8),
        _c(bear_row, i8),
        _c(confirm, i8),
        *_rows(rows),
        out,
    )


def _threshold_codes(values, row, deadband, rows):
    """numba twin of :func:`alu.signals.kernels.threshold_codes`."""
    out = np.empty((len(row), _width(values.shape[1], rows)), dtype=np.int8)
    return threshold_codes_nb(
        _c(values, np.float64), _c(row, np.int64), _c(deadband, np.float64), *_rows(rows), out
    )


def _narrowing(earlier, change, row, deadband, narrowing_usd_t, rows):
    """numba twin of :func:`alu.signals.kernels.narrowing`."""
    f8 = np.float64
    out = np.empty((len(row), _width(earlier.shape[1], rows)), dtype=bool)
    return narrowing_nb(
        _c(earlier, f8),
        _c(change, f8),
        _c(row, np.int64),
        _c(deadband, f8),
        _c(narrowing_usd_t, f8),
        *_rows(rows),
        out,
    )


def _trailing_percentile(values, windows):
    """numba twin of :func:`alu.signals.kernels.trailing_percentile`."""
    distinct_values, rank = np.unique(np.asarray(values, dtype=np.float64), return_inverse=True)
    out = np.empty((len(windows), len(values)), dtype=np.float64)
    return trailing_percentile_nb(
        _c(rank.reshape(-1) + 1, np.int64),
        len(distinct_values),
        _c(windows, np.int64),
        out,
    )


def _window_flags(start, end, row, n_days, rows):
    """numba twin of :func:`alu.signals.kernels.window_flags`."""
    i8 = np.int64
    full = np.zeros((len(row), int(n_days)), dtype=bool)
    out = np.empty((len(row), 0 if rows is None else len(rows)), dtype=bool)
    return window_flags_nb(_c(start, i8), _c(end, i8), _c(row, i8), *_rows(rows), full, out)


NUMBA = Kernels(
    "numba",
    band_run_maxima=_band_run_maxima,
    band_state=_band_state,
    threshold_codes=_threshold_codes,
    narrowing=_narrowing,
    trailing_percentile=_trailing_percentile,
    window_flags=_window_flags,
)

"""A latch: a flag set on an entry day and cleared on an exit day (exit wins a tie).

Used by the band state (BULL and BEAR are latches) and by strategies (a position held from an
entry until an exit). Works along the first axis: 1-D (days) or 2-D (days x variants).
"""

from __future__ import annotations

import sys

import numpy as np

#: Days x variants from which a sweep's latch runs the numba twin (when numba is loaded).
NUMBA_LATCH_CELLS = 4096


def latch(entry: np.ndarray, exit: np.ndarray) -> np.ndarray:
    """True from each entry day until the next exit day (exclusive); False before any entry.

    On a day where both fire, exit wins. The value on day ``t`` depends on days ``<= t`` only.
    """
    entry = np.asarray(entry, dtype=bool)
    exit = np.asarray(exit, dtype=bool)
    entry, exit = np.broadcast_arrays(entry, exit)
    if entry.shape[0] == 0:
        return entry.copy()
    # A sweep (days x variants, numba already loaded by it) runs the numba twin, which the
    # tests hold equal to this; a backtest and the watchlist never load numba for it.
    twin = sys.modules.get("alu.signals.nb")
    if twin is not None and entry.ndim == 2 and entry.size >= NUMBA_LATCH_CELLS:
        return twin.latch_2d(entry, exit)
    events = exit | entry
    days = np.arange(entry.shape[0], dtype=np.int32).reshape((-1,) + (1,) * (entry.ndim - 1))
    last = np.maximum.accumulate(np.where(events, days, np.int32(-1)), axis=0)
    set_there = entry & ~exit  # what the latest event left the latch at
    return np.take_along_axis(set_there, last.clip(0), axis=0) & (last >= 0)

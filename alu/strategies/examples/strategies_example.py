"""Example strategy file for `alu ... --strategy-file strategies/examples/strategies_example.py`
(`alu backtest`, `alu compare`, `alu watchlist`, `alu strategies`). Docs: docs/strategies.md.

A rule is a function ``(cols, params, allow_short) -> stance``, decided at each day's close:
+1 long, 0 flat, -1 short. ``cols`` gives the signal columns of one instrument as arrays: 1-D
(days) in a backtest, 2-D (days x variants) in a sweep, where each parameter is an array with
one value per variant. Write it with array operations and it runs unchanged in both.
"""

import numpy as np

from alu.strategies import (
    BACKWARDATION,
    BANDS,
    BEAR,
    BUILDING,
    CATALYSTS,
    CONTANGO,
    INVENTORY,
    SPREAD,
    Param,
    Strategy,
    combine,
    hold,
    strategy,
)


@strategy(
    "spread_momentum",
    families=(SPREAD, CATALYSTS),
    params=(
        Param("z_entry", 1.0, "enter when the spread z-score rises above this"),
        Param("z_exit", 0.0, "exit when it falls below this"),
    ),
)
def spread_momentum(cols, params, allow_short):
    """Long from a strong backwardation (spread z-score above z_entry) until it fades below
    z_exit; flat inside catalyst windows. With --direction both, the mirror image in contango.
    """
    z = cols.number("spread_z")
    window = cols.flag("in_catalyst_window")
    z_entry = np.asarray(params["z_entry"], dtype=np.float64)
    z_exit = np.asarray(params["z_exit"], dtype=np.float64)
    with np.errstate(invalid="ignore"):  # z is NaN until the window has filled
        long = hold((z > z_entry) & cols.states("spread_regime", BACKWARDATION), z < z_exit)
        short = hold((z < -z_entry) & cols.states("spread_regime", CONTANGO), z > -z_exit)
    long &= ~window
    short &= ~window & allow_short
    return combine(long, short)


def unwinding_rule(cols, params, allow_short):
    """Short the unwinding squeeze: BEAR bands and building stocks; cover when either stops.

    Short-only: with --direction long it stays flat.
    """
    bear = cols.states("band_state", BEAR)
    building = cols.states("inventory_trend", BUILDING)
    short = hold(bear & building, ~bear | ~building) & allow_short
    return combine(np.zeros_like(short), short)


STRATEGIES = [Strategy("unwinding", unwinding_rule, (BANDS, INVENTORY))]

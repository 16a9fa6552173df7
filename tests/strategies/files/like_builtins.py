"""The built-in `bands` and `inventory` strategies written as a user's Python file, in a style of
their own (tests/strategies/test_user_equivalence.py)."""

import numpy as np

from alu.strategies import BEAR, BUILDING, BULL, FALLING, INVENTORY, Param, Strategy, hold, strategy


@strategy("py_bands", families=["bands"])
def bands_again(cols, params, allow_short):
    """bands, in Python."""
    bull = cols.states("band_state", BULL)
    bear = cols.states("band_state", BEAR)
    return np.where(bull, 1, np.where(bear & allow_short, -1, 0))


def inventory_again(cols, params, allow_short):
    """inventory, in Python."""
    pct = cols.number("stock_percentile")
    low_at = np.asarray(params["entry_pct"], dtype=float)
    out_at = np.asarray(params["exit_pct"], dtype=float)
    falling = cols.states("inventory_trend", FALLING)
    building = cols.states("inventory_trend", BUILDING)
    with np.errstate(invalid="ignore"):
        long = hold((pct <= low_at) & falling, (pct > out_at) | building)
        short = hold((pct >= 1 - low_at) & building, (pct < 1 - out_at) | falling)
    stance = long.astype(np.int8)
    if allow_short:
        stance = stance - short.astype(np.int8)
    return stance


STRATEGIES = {
    "py_inventory": Strategy(
        "py_inventory",
        inventory_again,
        (INVENTORY,),
        (
            Param("entry_pct", 0.2, "enter at or below this percentile", 0, 1),
            Param("exit_pct", 0.5, "exit above this percentile", 0, 1),
        ),
    )
}

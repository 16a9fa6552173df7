"""Names of the discrete signal states, shared by signals, strategies and outputs."""

BULL = "BULL"
NEUTRAL = "NEUTRAL"
BEAR = "BEAR"

BACKWARDATION = "BACKWARDATION"
FLAT = "FLAT"
CONTANGO = "CONTANGO"

FALLING = "FALLING"
BUILDING = "BUILDING"
# FLAT is shared with the spread regime: a stock change inside the deadband.

# Where a reference close lies against the price bands (no buffer).
ABOVE_UPPER = "ABOVE_UPPER"
BETWEEN = "BETWEEN"
BELOW_LOWER = "BELOW_LOWER"

# Integer codes of the states, for arrays of many settings at once (signals/arrays.py) and of
# many variants (strategies/columns.py).
MISSING_CODE = -9
STATE_CODES: dict[str, int] = {
    BEAR: -1,
    NEUTRAL: 0,
    BULL: 1,
    CONTANGO: -1,
    FLAT: 0,
    BACKWARDATION: 1,
    FALLING: -1,
    BUILDING: 1,
    BELOW_LOWER: -1,
    BETWEEN: 0,
    ABOVE_UPPER: 1,
}

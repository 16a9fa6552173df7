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

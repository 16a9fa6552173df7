"""The $3,000 / $3,200 per tonne price bands.

Reference price: the LME 3-month price ($/t) when the data has it, else the ``ALI=F`` close. The
band state is a state machine over the reference closes, starting NEUTRAL; each day the exit
rule is checked before the entry rules:

- BULL -> NEUTRAL when the close < ``upper * (1 - buffer)``;
- BEAR -> NEUTRAL when the close > ``lower * (1 + buffer)``;
- NEUTRAL -> BULL when the last ``confirm`` closes are all > ``upper * (1 + buffer)``;
- NEUTRAL -> BEAR when the last ``confirm`` closes are all < ``lower * (1 - buffer)``.

A day that leaves BULL may enter BEAR on the same day if its entry rule holds. As-of: the state
on day ``T`` uses reference closes up to and including ``T`` only.

The machine needs no loop. A BULL-entry day is BULL whatever came before: its close is above
``upper * (1 + buffer)``, hence above ``lower * (1 + buffer)``, so a BEAR state exits first; in the
same way a BEAR-entry day is always BEAR, and no other day changes the state except an exit. So
BULL is a latch set by BULL entries and cleared by BULL exits, and BEAR likewise
(:func:`alu.signals.latch.latch`). The tests hold this to a literal day-by-day loop of the rules.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alu.signals.latch import latch
from alu.signals.states import BEAR, BULL, NEUTRAL

ABOVE = "ABOVE_UPPER"
BETWEEN = "BETWEEN"
BELOW = "BELOW_LOWER"


def _check(upper: float, lower: float, buffer: float, confirm: int) -> None:
    if not 0 < lower < upper:
        raise ValueError(f"need 0 < lower < upper, got lower={lower}, upper={upper}")
    if not 0 <= buffer < 1:
        raise ValueError(f"buffer must be a fraction in [0, 1), got {buffer}")
    if int(confirm) != confirm or confirm < 1:
        raise ValueError(f"confirm must be a whole number >= 1, got {confirm}")


def run_length(flags: np.ndarray) -> np.ndarray:
    """For each position, how many consecutive True values end there (0 where False)."""
    flags = np.asarray(flags, dtype=bool)
    counts = np.arange(1, len(flags) + 1)
    last_false = np.maximum.accumulate(np.where(flags, 0, counts))
    return np.where(flags, counts - last_false, 0)


def _state_codes(
    close: np.ndarray, upper: float, lower: float, buffer: float, confirm: int
) -> np.ndarray:
    """+1 BULL, 0 NEUTRAL, -1 BEAR per close (see the module docstring)."""
    _check(upper, lower, buffer, confirm)
    bull_entry = run_length(close > upper * (1 + buffer)) >= confirm
    bear_entry = run_length(close < lower * (1 - buffer)) >= confirm
    bull = latch(bull_entry, close < upper * (1 - buffer))
    bear = latch(bear_entry, close > lower * (1 + buffer))
    return bull.astype(np.int8) - bear.astype(np.int8)


_NAMES = np.array([BEAR, NEUTRAL, BULL], dtype=object)


def band_state(
    reference: pd.Series,
    *,
    upper: float = 3200.0,
    lower: float = 3000.0,
    buffer: float = 0.005,
    confirm: int = 3,
) -> pd.Series:
    """The band state (``BULL``/``NEUTRAL``/``BEAR``) per reference day.

    Parameters
    ----------
    reference : Series of the reference price in $/t, indexed by its own trading days; missing
        values are dropped.
    upper, lower : band levels in $/t (defaults 3,200 and 3,000).
    buffer : fraction around each band that a close must clear (default 0.005 = 0.5 %).
    confirm : closes in a row beyond a band needed to enter BULL or BEAR (default 3).
    """
    reference = reference.dropna()
    codes = _state_codes(reference.to_numpy(dtype=np.float64), upper, lower, buffer, confirm)
    return pd.Series(_NAMES[codes + 1], index=reference.index, name="band_state")


def band_signals(
    reference: pd.Series,
    *,
    upper: float = 3200.0,
    lower: float = 3000.0,
    buffer: float = 0.005,
    confirm: int = 3,
) -> pd.DataFrame:
    """Band state plus distances to each band, per reference day.

    Columns: ``reference_price`` ($/t); ``band_state``; ``to_upper_usd_t`` and ``to_lower_usd_t``
    (close minus the band level, $/t: positive above the band); ``to_upper_pct`` and
    ``to_lower_pct`` (the same as fractions of the band level); ``zone`` (``ABOVE_UPPER``,
    ``BETWEEN`` or ``BELOW_LOWER``, by the close against the bands without buffer) and
    ``zone_run`` (how many consecutive closes, up to today, are in today's zone).
    Parameters as in :func:`band_state`.
    """
    reference = reference.dropna()
    close = reference.to_numpy(dtype=np.float64)
    codes = _state_codes(close, upper, lower, buffer, confirm)
    zone_code = np.where(close > upper, 2, np.where(close < lower, 0, 1))
    changed = np.r_[True, zone_code[1:] != zone_code[:-1]]
    zone_run = run_length(~changed) + 1
    return pd.DataFrame(
        {
            "reference_price": close,
            "band_state": _NAMES[codes + 1],
            "to_upper_usd_t": close - upper,
            "to_lower_usd_t": close - lower,
            "to_upper_pct": close / upper - 1.0,
            "to_lower_pct": close / lower - 1.0,
            "zone": np.array([BELOW, BETWEEN, ABOVE], dtype=object)[zone_code],
            "zone_run": zone_run,
        },
        index=reference.index,
    )

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
BULL is a latch set by BULL entries and cleared by BULL exits, and BEAR likewise. A BULL entry
and a BULL exit never fall on the same day (a close cannot be both above ``upper * (1 + buffer)``
and below ``upper * (1 - buffer)``), so the latch is set on day ``T`` exactly when, among the
closes since the last BULL exit, some run of closes above ``upper * (1 + buffer)`` is at least
``confirm`` long. Hence:

- BULL on day ``T`` iff the longest run of closes > ``upper * (1 + buffer)`` since the last
  close < ``upper * (1 - buffer)`` is >= ``confirm`` (and BEAR likewise, mirrored).

That longest run depends on (``upper``, ``buffer``) only, not on ``confirm``: a sweep computes it
once per distinct pair (:func:`alu.signals.kernels.band_run_maxima`) and each setting's state is
two comparisons per day (:func:`alu.signals.kernels.band_state`). The tests hold this to a literal
day-by-day loop of the rules.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alu.signals.arrays import (
    NUMBER,
    STATE,
    DerivedColumn,
    SharedColumn,
    SignalArrays,
    check_whole,
    distinct,
    first_bad,
    parameter_arrays,
    pick_days,
    state_names,
)
from alu.signals.kernels import REFERENCE, Kernels
from alu.signals.states import (
    ABOVE_UPPER,
    BEAR,
    BELOW_LOWER,
    BETWEEN,
    BULL,
    MISSING_CODE,
    NEUTRAL,
)

# The zone names, kept under their former names here.
ABOVE, BELOW = ABOVE_UPPER, BELOW_LOWER

BAND_STATES = (BEAR, NEUTRAL, BULL)
ZONES = (BELOW_LOWER, BETWEEN, ABOVE_UPPER)


def run_length(flags: np.ndarray) -> np.ndarray:
    """For each position, how many consecutive True values end there (0 where False).

    Along the last axis: 1-D, or 2-D (settings x days).
    """
    flags = np.asarray(flags, dtype=bool)
    counts = np.arange(1, flags.shape[-1] + 1)
    last_false = np.maximum.accumulate(np.where(flags, 0, counts), axis=-1)
    return np.where(flags, counts - last_false, 0)


def _checked(upper, lower, buffer, confirm) -> dict[str, np.ndarray]:
    """The parameter arrays, refused (ValueError) as the single-setting signals refuse them."""
    p = parameter_arrays(upper=upper, lower=lower, buffer=buffer, confirm=confirm)
    with np.errstate(invalid="ignore"):
        bad = first_bad((p["lower"] > 0) & (p["lower"] < p["upper"]))
        if bad is not None:
            raise ValueError(
                f"need 0 < lower < upper, got lower={p['lower'][bad].item()}, "
                f"upper={p['upper'][bad].item()}"
            )
        bad = first_bad((p["buffer"] >= 0) & (p["buffer"] < 1))
        if bad is not None:
            raise ValueError(f"buffer must be a fraction in [0, 1), got {p['buffer'][bad].item()}")
    return {
        "upper": p["upper"].astype(np.float64),
        "lower": p["lower"].astype(np.float64),
        "buffer": p["buffer"].astype(np.float64),
        "confirm": check_whole("confirm", p["confirm"], 1),
    }


def band_sweep(
    reference: pd.Series,
    *,
    upper: float | np.ndarray = 3200.0,
    lower: float | np.ndarray = 3000.0,
    buffer: float | np.ndarray = 0.005,
    confirm: int | np.ndarray = 3,
    kernels: Kernels = REFERENCE,
) -> SignalArrays:
    """The band signals for many settings at once, on the reference's days (the sweep form of
    :func:`band_signals`; parameters are numbers or arrays with one value per setting).

    Columns: ``band_state`` (state codes); ``reference_price``, ``to_upper_usd_t``,
    ``to_lower_usd_t`` ($/t), ``to_upper_pct``, ``to_lower_pct`` (fractions); ``zone`` (codes of
    ``BELOW_LOWER``/``BETWEEN``/``ABOVE_UPPER``) and ``zone_run`` (closes), as in
    :func:`band_signals`. The run maxima behind the state are computed once per distinct
    (``upper``, ``buffer``) and (``lower``, ``buffer``) pair; every other column is computed when
    read. ``kernels``: :data:`~alu.signals.kernels.REFERENCE` (numpy) or
    :data:`alu.signals.nb.NUMBA`.
    """
    reference = reference.dropna()
    close = reference.to_numpy(dtype=np.float64)
    p = _checked(upper, lower, buffer, confirm)
    n_settings = len(p["upper"])
    (bull_level, bull_buffer), bull_row = distinct(p["upper"], p["buffer"])
    (bear_level, bear_buffer), bear_row = distinct(p["lower"], p["buffer"])
    bull_max = kernels.band_run_maxima(close, bull_level, bull_buffer, 1)
    bear_max = kernels.band_run_maxima(close, bear_level, bear_buffer, -1)

    def state(s: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
        return kernels.band_state(
            bull_max, bear_max, bull_row[s], bear_row[s], p["confirm"][s], rows
        )

    def at(rows: np.ndarray | None) -> np.ndarray:
        return pick_days(close[None, :], rows, np.nan)

    def distance(level: str, *, pct: bool):
        def compute(s: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
            band = p[level][s, None]
            return at(rows) / band - 1.0 if pct else at(rows) - band

        return DerivedColumn(NUMBER, compute)

    def zone(s: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
        codes = _zone_codes(at(rows), p["upper"][s, None], p["lower"][s, None])
        if rows is not None:
            codes[:, rows < 0] = MISSING_CODE
        return codes

    def zone_run(s: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
        codes = _zone_codes(close[None, :], p["upper"][s, None], p["lower"][s, None])
        changed = np.ones(codes.shape, dtype=bool)
        changed[:, 1:] = codes[:, 1:] != codes[:, :-1]
        return pick_days((run_length(~changed) + 1).astype(np.float64), rows, np.nan)

    columns = {
        "reference_price": SharedColumn(NUMBER, close[None, :], np.zeros(n_settings, np.int64)),
        "band_state": DerivedColumn(STATE, state),
        "to_upper_usd_t": distance("upper", pct=False),
        "to_lower_usd_t": distance("lower", pct=False),
        "to_upper_pct": distance("upper", pct=True),
        "to_lower_pct": distance("lower", pct=True),
        "zone": DerivedColumn(STATE, zone),
        "zone_run": DerivedColumn(NUMBER, zone_run),
    }
    return SignalArrays(reference.index, p, columns)


def _zone_codes(close: np.ndarray, upper: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """+1 above the upper band, -1 below the lower band, 0 between (no buffer), int8."""
    return (close > upper).view(np.int8) - (close < lower).view(np.int8)


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
    arrays = band_sweep(reference, upper=upper, lower=lower, buffer=buffer, confirm=confirm)
    names = state_names(arrays.one("band_state"), BAND_STATES)
    return pd.Series(names, index=arrays.days, name="band_state")


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
    arrays = band_sweep(reference, upper=upper, lower=lower, buffer=buffer, confirm=confirm)
    return pd.DataFrame(
        {
            "reference_price": arrays.one("reference_price"),
            "band_state": state_names(arrays.one("band_state"), BAND_STATES),
            "to_upper_usd_t": arrays.one("to_upper_usd_t"),
            "to_lower_usd_t": arrays.one("to_lower_usd_t"),
            "to_upper_pct": arrays.one("to_upper_pct"),
            "to_lower_pct": arrays.one("to_lower_pct"),
            "zone": state_names(arrays.one("zone"), ZONES),
            "zone_run": arrays.one("zone_run").astype(np.int64),
        },
        index=arrays.days,
    )

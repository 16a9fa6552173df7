"""The named strategies. Each rule's docstring is its user-facing description (``alu strategies``).

A rule reads the signal columns of one instrument (:mod:`alu.strategies.columns`: 1-D for a single
backtest, days x variants for a sweep) and returns the stance decided at each day's close:
+1 long, 0 flat, -1 short. Parameters may be scalars or arrays with one value per variant.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from alu.signals.states import BACKWARDATION, BEAR, BUILDING, BULL, CONTANGO, FALLING, NEUTRAL
from alu.strategies.base import BANDS, CATALYSTS, INVENTORY, SPREAD, Strategy, combine, hold
from alu.strategies.columns import Columns
from alu.strategies.params import Param


def buy_hold_rule(cols: Columns, params: Mapping[str, Any], allow_short: bool):
    """Benchmark: long from the first day to the last.

    Stance +1 every day, so the account buys at the second day's open and holds.
    No parameters.
    """
    return np.ones(len(cols), dtype=np.int8)


def bands_rule(cols: Columns, params: Mapping[str, Any], allow_short: bool):
    """Long while the band state is BULL; with --direction both, also short while BEAR.

    The band state comes from the reference price (LME 3-month, else ALI=F) against the
    upper/lower bands (3,200/3,000 $/t): it turns BULL after `confirm` closes above
    upper x (1 + buffer), back to NEUTRAL below upper x (1 - buffer), and symmetrically BEAR
    below lower x (1 - buffer) until a close above lower x (1 + buffer).
    """
    long = cols.states("band_state", BULL)
    short = cols.states("band_state", BEAR) if allow_short else np.zeros_like(long)
    return combine(long, short)


def spread_rule(cols: Columns, params: Mapping[str, Any], allow_short: bool):
    """Long while the LME spread is in backwardation and not narrowing; short in contango.

    Long while cash - 3-month > deadband $/t and the spread has not fallen by narrowing_usd_t
    over spread_change_days from a backwardation; with --direction both, short while the
    spread is below -deadband (contango: a stocked market).
    """
    long = cols.states("spread_regime", BACKWARDATION) & ~cols.flag("spread_narrowing")
    short = cols.states("spread_regime", CONTANGO) if allow_short else np.zeros_like(long)
    return combine(long, short)


def inventory_rule(cols: Columns, params: Mapping[str, Any], allow_short: bool):
    """Long when LME stocks are low and falling; out when they build or are no longer low.

    Enter long when the stock's trailing percentile <= entry_pct and the trend over
    stock_long_days is FALLING; exit when the percentile > exit_pct or the trend is BUILDING.
    With --direction both, the mirror image: short when the percentile >= 1 - entry_pct and
    BUILDING; cover when it is < 1 - exit_pct or FALLING. Stock figures are used from the
    first trading day after their date (publication lag).
    """
    pct = cols.number("stock_percentile")
    entry_pct = np.asarray(params["entry_pct"], dtype=np.float64)
    exit_pct = np.asarray(params["exit_pct"], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        low = pct <= entry_pct
        not_low = pct > exit_pct
        high = pct >= 1 - entry_pct
        not_high = pct < 1 - exit_pct
    falling = cols.states("inventory_trend", FALLING)
    building = cols.states("inventory_trend", BUILDING)
    long = hold(low & falling, not_low | building)
    if not allow_short:  # (an array & a Python bool is numpy's slow path; skip the latch too)
        return combine(long, np.zeros_like(long))
    short = hold(high & building, not_high | falling)
    return combine(long, short)


@dataclass(frozen=True)
class Condition:
    """One condition of the squeeze's long rule, per day (1-D or days x variants).

    ``holds``: the condition is met (all four together enter the long); ``breaks``: it has
    failed badly enough to exit a long already held. For every condition but the inventory
    trend ``breaks`` is ``~holds``; stocks must be FALLING to enter but only BUILDING exits
    (a FLAT trend keeps a long).
    """

    name: str
    holds: np.ndarray
    breaks: np.ndarray


BANDS_NOT_BEAR = "bands not BEAR"
SPREAD_BACKWARDATION = "spread in BACKWARDATION, not narrowing"
STOCKS_FALLING = "stocks FALLING"
NO_CATALYST_WINDOW = "no catalyst window"
SQUEEZE_CONDITIONS = (BANDS_NOT_BEAR, SPREAD_BACKWARDATION, STOCKS_FALLING, NO_CATALYST_WINDOW)


def squeeze_long_conditions(cols: Columns) -> tuple[Condition, ...]:
    """The conditions of the squeeze's long rule, in :data:`SQUEEZE_CONDITIONS` order: the
    one definition :func:`squeeze_rule` and the thesis verdict (:mod:`alu.research.thesis`)
    share. Missing states hold nothing (a day without an LME figure is not BACKWARDATION)."""
    window = cols.flag("in_catalyst_window")
    backwardation = cols.states("spread_regime", BACKWARDATION)
    narrowing = cols.flag("spread_narrowing")
    spread_ok = backwardation & ~narrowing
    return (
        Condition(
            BANDS_NOT_BEAR,
            cols.states("band_state", BULL, NEUTRAL),
            cols.states("band_state", BEAR),
        ),
        Condition(SPREAD_BACKWARDATION, spread_ok, ~spread_ok),
        Condition(
            STOCKS_FALLING,
            cols.states("inventory_trend", FALLING),
            cols.states("inventory_trend", BUILDING),
        ),
        Condition(NO_CATALYST_WINDOW, ~window, window),
    )


def squeeze_rule(cols: Columns, params: Mapping[str, Any], allow_short: bool):
    """The squeeze thesis: long aluminium while bands are not BEAR, the spread is in
    backwardation and stocks are falling; stand aside around catalysts.

    Enter long when the band state is BULL or NEUTRAL, the spread regime is BACKWARDATION,
    the inventory trend is FALLING and the day is outside every catalyst window. Exit when the
    spread narrows (the narrowing flag, or the regime is no longer BACKWARDATION), the
    inventory trend is BUILDING, the band state turns BEAR, or a catalyst window opens. With
    --direction both, short the unwinding: enter when the band state is BEAR, the spread is in
    CONTANGO and stocks are BUILDING (outside catalyst windows); cover when any of those stops
    or a catalyst window opens.
    """
    conditions = squeeze_long_conditions(cols)
    # functools.reduce, not np.logical_and.reduce, which would stack the arrays first
    entry = functools.reduce(np.logical_and, [c.holds for c in conditions])
    exit = functools.reduce(np.logical_or, [c.breaks for c in conditions])
    long = hold(entry, exit)
    if not allow_short:
        return combine(long, np.zeros_like(long))
    window = cols.flag("in_catalyst_window")
    bear = cols.states("band_state", BEAR)
    contango = cols.states("spread_regime", CONTANGO)
    building = cols.states("inventory_trend", BUILDING)
    short = hold(
        bear & contango & building & ~window,
        ~bear | ~contango | ~building | window,
    )
    return combine(long, short)


INVENTORY_OWN = (
    Param("entry_pct", 0.2, "enter when the stock percentile is at or below this", 0, 1),
    Param("exit_pct", 0.5, "exit when the stock percentile rises above this", 0, 1),
)

STRATEGIES: dict[str, Strategy] = {
    s.name: s
    for s in (
        Strategy("squeeze", squeeze_rule, (BANDS, SPREAD, INVENTORY, CATALYSTS)),
        Strategy("bands", bands_rule, (BANDS,)),
        Strategy("spread", spread_rule, (SPREAD,)),
        Strategy("inventory", inventory_rule, (INVENTORY,), INVENTORY_OWN),
        Strategy("buy_hold", buy_hold_rule, (), long_only=True),
    )
}

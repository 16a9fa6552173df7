"""The signal columns a strategy rule may read: name, family, kind, unit and meaning, declared once.

``alu strategies`` prints this list, the TOML expressions resolve their names against it (and infer
the families a strategy needs from the columns it reads), and the sweep reads which columns hold
states from it. A test holds it to what the signal families produce
(:func:`alu.strategies.base.signal_table`) and to the state names of
:mod:`alu.signals.states`.

Kinds:

- ``state``: one of a few names (``band_state`` is ``BULL``, ``NEUTRAL`` or ``BEAR``); missing
  before the signal has warmed up. A rule asks ``cols.states(name, *values)``.
- ``flag``: true or false; a day with no value reads false. ``cols.flag(name)``.
- ``number``: a float; missing (NaN) before the signal has warmed up. ``cols.number(name)``.

Every column is the value usable at the close of the day it is read on: bands on the band
reference's days, the spread on LME days, stock figures from the first trading day after their date
(publication lag), catalysts from the day after an event's announcement.
"""

from __future__ import annotations

from dataclasses import dataclass

from alu.signals.states import (
    BACKWARDATION,
    BEAR,
    BUILDING,
    BULL,
    CONTANGO,
    FALLING,
    FLAT,
    NEUTRAL,
)

STATE, FLAG, NUMBER = "state", "flag", "number"
# The family names of alu.strategies.base, spelled here too so this module stays at the bottom
# (base imports it); a test checks the two agree.
_BANDS, _SPREAD, _INVENTORY, _CATALYSTS = "bands", "spread", "inventory", "catalysts"


@dataclass(frozen=True)
class SignalColumn:
    """One column of the signal table that rules may read."""

    name: str
    family: str
    kind: str
    unit: str
    meaning: str
    states: tuple[str, ...] = ()


SIGNAL_COLUMNS: dict[str, SignalColumn] = {
    c.name: c
    for c in (
        SignalColumn(
            "band_state",
            _BANDS,
            STATE,
            "",
            "band state machine on the reference price against upper/lower (with buffer and "
            "confirm)",
            (BULL, NEUTRAL, BEAR),
        ),
        SignalColumn(
            "reference_price",
            _BANDS,
            NUMBER,
            "$/t",
            "the band reference close: LME 3-month, else the ALI=F close",
        ),
        SignalColumn("to_upper_usd_t", _BANDS, NUMBER, "$/t", "reference price minus upper"),
        SignalColumn("to_lower_usd_t", _BANDS, NUMBER, "$/t", "reference price minus lower"),
        SignalColumn("to_upper_pct", _BANDS, NUMBER, "fraction", "reference price / upper - 1"),
        SignalColumn("to_lower_pct", _BANDS, NUMBER, "fraction", "reference price / lower - 1"),
        SignalColumn(
            "zone_run",
            _BANDS,
            NUMBER,
            "closes",
            "consecutive reference closes, up to today, in today's zone (above upper, between, "
            "below lower; no buffer)",
        ),
        SignalColumn(
            "spread_usd_t",
            _SPREAD,
            NUMBER,
            "$/t",
            "LME cash minus 3-month (positive: backwardation)",
        ),
        SignalColumn(
            "spread_regime",
            _SPREAD,
            STATE,
            "",
            "BACKWARDATION above +deadband, CONTANGO below -deadband, else FLAT",
            (BACKWARDATION, FLAT, CONTANGO),
        ),
        SignalColumn(
            "spread_z",
            _SPREAD,
            NUMBER,
            "z-score",
            "z-score of the spread over spread_z_window LME days",
        ),
        SignalColumn(
            "spread_change_usd_t",
            _SPREAD,
            NUMBER,
            "$/t",
            "spread minus the spread spread_change_days LME days earlier",
        ),
        SignalColumn(
            "spread_narrowing",
            _SPREAD,
            FLAG,
            "",
            "the spread was in backwardation spread_change_days ago and has fallen by at least "
            "narrowing_usd_t since",
        ),
        SignalColumn(
            "stock_t",
            _INVENTORY,
            NUMBER,
            "t",
            "LME stock, the latest figure published (dated before today)",
        ),
        SignalColumn(
            "stock_percentile",
            _INVENTORY,
            NUMBER,
            "fraction",
            "trailing percentile of the stock over pct_window figures, in (0, 1]",
        ),
        SignalColumn(
            "stock_change_short_t",
            _INVENTORY,
            NUMBER,
            "t",
            "stock change over stock_short_days figures",
        ),
        SignalColumn(
            "stock_change_long_t",
            _INVENTORY,
            NUMBER,
            "t",
            "stock change over stock_long_days figures",
        ),
        SignalColumn(
            "stock_pct_change_long",
            _INVENTORY,
            NUMBER,
            "fraction",
            "stock change over stock_long_days figures, as a fraction",
        ),
        SignalColumn(
            "stock_change_z",
            _INVENTORY,
            NUMBER,
            "z-score",
            "z-score of stock_pct_change_long over stock_z_window figures",
        ),
        SignalColumn(
            "inventory_trend",
            _INVENTORY,
            STATE,
            "",
            "FALLING / BUILDING when stock_pct_change_long is beyond -/+ trend_deadband, else FLAT",
            (FALLING, FLAT, BUILDING),
        ),
        SignalColumn(
            "in_catalyst_window",
            _CATALYSTS,
            FLAG,
            "",
            "inside window_before..window_after calendar days of a known event",
        ),
        SignalColumn(
            "days_to_next_event",
            _CATALYSTS,
            NUMBER,
            "days",
            "calendar days to the next known event (0: today)",
        ),
        SignalColumn(
            "days_since_last_event",
            _CATALYSTS,
            NUMBER,
            "days",
            "calendar days since the latest event dated before today",
        ),
    )
}

STATE_COLUMNS = frozenset(name for name, c in SIGNAL_COLUMNS.items() if c.kind == STATE)


def columns_json() -> list[dict[str, object]]:
    """The declared columns as JSON-ready objects (``alu strategies --columns --json``)."""
    return [
        {
            "name": c.name,
            "family": c.family,
            "kind": c.kind,
            "unit": c.unit or None,
            "meaning": c.meaning,
            "states": list(c.states) or None,
        }
        for c in SIGNAL_COLUMNS.values()
    ]

"""Every signal and every strategy's stance over the history up to a day, computed once.

The watchlist reads the backtest's own code paths, so the two can never disagree: the signal
families are computed by :func:`alu.strategies.base.family_frames` on their own calendars, joined
as-of by :func:`alu.strategies.base.signal_table` (LME stocks with the next-day publication lag),
and each strategy's stance comes from :meth:`alu.strategies.base.Strategy.stance_from_table` on each
instrument's own trading days, exactly as :func:`alu.backtest.run.run_backtest` does.

Every input is cut at ``end`` before anything is computed: nothing dated after the watchlist's
day can reach it.

The **watch calendar** is the union of the days on which any input has a row (each instrument's
trading days, the LME days, the band reference's days). The market-wide signals (bands, spread,
inventory, catalysts) are read on it; a stock figure dated ``T`` is therefore usable from the
first watch day after ``T``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from alu.data.market import Market
from alu.errors import AluError, did_you_mean
from alu.strategies import STRATEGIES
from alu.strategies.base import (
    BANDS,
    CATALYSTS,
    FAMILY_PARAMS,
    INVENTORY,
    SPREAD,
    Strategy,
    family_frames,
    known_column,
    missing_inputs,
    signal_table,
)
from alu.strategies.inputs import SignalInputs
from alu.strategies.params import Number

ALL_FAMILIES = (BANDS, SPREAD, INVENTORY, CATALYSTS)
# The two ways a backtest can run a strategy: --direction long (long-only) and --direction both.
DIRECTIONS = ("long", "both")
STANCE_NAMES = {1: "long", 0: "flat", -1: "short"}


@dataclass(frozen=True)
class InstrumentSeries:
    """One instrument up to ``end``: its closes and every strategy's stance.

    ``stances`` is indexed by the instrument's trading days, one int8 column per
    ``(strategy, direction)``: the stance decided at each close (+1 long, 0 flat, -1 short).
    """

    symbol: str
    description: str
    close: pd.Series
    stances: pd.DataFrame
    known: pd.DataFrame  # per dated family: its input usable and fresh on the instrument's day


@dataclass(frozen=True)
class WatchSeries:
    """What the watchlist reads, as series over the history up to ``end``.

    - ``days``: the watch calendar (see the module docstring) up to ``end``.
    - ``signals``: the signal table of every available family on ``days``, with
      ``reference_date``, ``spread_date`` and ``stock_date`` (the date of the row each day uses).
    - ``instruments``: per symbol, closes and stances on its own trading days.
    - ``strategies``: the strategies that have stances (those whose inputs the data has).
    - ``params``: the parameters of every family and strategy (see :func:`watch_params`).
    - ``families``: the signal families the data can feed.
    """

    end: pd.Timestamp
    days: pd.DatetimeIndex
    signals: pd.DataFrame
    instruments: dict[str, InstrumentSeries]
    strategies: tuple[Strategy, ...]
    params: dict[str, Number]
    families: tuple[str, ...]
    reference_name: str
    catalysts: pd.DataFrame
    notes: tuple[str, ...]


def watch_params(
    overrides: Mapping[str, Any] | None = None, strategies: Iterable[Strategy] | None = None
) -> dict[str, Number]:
    """Every family's and strategy's parameters: their defaults (as ``alu strategies`` lists
    them) updated by ``overrides``, each checked by the strategies that use it. One value per
    name, shared by every strategy, as in a backtest given the same ``--param``. ``strategies``
    default to the built-in ones; where two strategies give their own parameter the same name
    with different defaults, this holds the first one's, and each strategy's stance reads its
    own default (an override sets both)."""
    overrides = dict(overrides or {})
    known = {p.name for f in ALL_FAMILIES for p in FAMILY_PARAMS[f]}
    params: dict[str, Number] = {p.name: p.default for f in ALL_FAMILIES for p in FAMILY_PARAMS[f]}
    for strategy in STRATEGIES.values() if strategies is None else strategies:
        names = {p.name for p in strategy.params}
        known |= names
        resolved = strategy.resolve({k: v for k, v in overrides.items() if k in names})
        params.update({k: v for k, v in resolved.items() if k not in params or k in overrides})
    unknown = [name for name in overrides if name not in known]
    if unknown:
        raise AluError(
            f"unknown parameter '{unknown[0]}'{did_you_mean(unknown[0], sorted(known))}; "
            f"parameters: {', '.join(sorted(known))}"
        )
    return params


def watch_calendar(inputs: SignalInputs, bars: dict[str, pd.DataFrame]) -> pd.DatetimeIndex:
    """The union of the days on which any input has a row: instruments, LME, band reference."""
    indexes = [frame.index for frame in bars.values()]
    if inputs.lme is not None:
        indexes.append(inputs.lme.index)
    if inputs.reference is not None:
        indexes.append(inputs.reference.index)
    if not indexes:
        return pd.DatetimeIndex([])
    values = np.concatenate([np.asarray(index, dtype="datetime64[ns]") for index in indexes])
    return pd.DatetimeIndex(np.unique(values))


def market_calendar(market: Market, symbols: list[str]) -> pd.DatetimeIndex:
    """The watch calendar of all the data (nothing cut): the days a watchlist can be as of."""
    bars = {s: market.instrument(s).bars for s in symbols}
    return watch_calendar(market.signal_inputs(), bars)


def build_series(
    market: Market,
    symbols: list[str],
    *,
    end: pd.Timestamp,
    params: Mapping[str, Any] | None = None,
    notes: list[str] | None = None,
    strategies: Iterable[Strategy] | None = None,
) -> WatchSeries:
    """Signals on the watch calendar and every strategy's stance per instrument, up to ``end``.

    Each strategy runs in both directions (``long``: long-only, ``both``: also short where the
    strategy has a short side), with the parameters of :func:`watch_params` (``params``
    overrides the defaults). ``strategies`` default to the built-in ones. A strategy whose
    inputs the data lacks (e.g. no ``lme.csv``) is left out with a note, as are the families it
    would need.
    """
    notes = list(notes or [])
    inputs = market.signal_inputs().truncated(end)
    families = tuple(f for f in ALL_FAMILIES if not missing_inputs(inputs, (f,)))
    chosen = tuple(STRATEGIES.values() if strategies is None else strategies)
    overrides = dict(params or {})
    params = watch_params(overrides, chosen)
    frames = family_frames(inputs, families, params)
    own = {s.name: _own_params(s, overrides) for s in chosen}
    shown = []
    for strategy in chosen:
        lacking = missing_inputs(inputs, strategy.families)
        if lacking:
            notes.append(f"strategy {strategy.name} needs {' and '.join(lacking)}: not shown")
        else:
            shown.append(strategy)
    bars = {s: market.instrument(s).bars.loc[:end] for s in symbols}
    days = watch_calendar(inputs, bars)
    instruments = {}
    for symbol, frame in bars.items():
        table = signal_table(frames, frame.index)
        stances = {
            (strategy.name, direction): strategy.stance_from_table(
                table, own[strategy.name], allow_short=direction == "both"
            )
            for strategy in shown
            for direction in DIRECTIONS
        }
        instrument = market.instrument(symbol)
        known = {f: table[known_column(f)] for f in families if known_column(f) in table}
        instruments[symbol] = InstrumentSeries(
            symbol=symbol,
            description=instrument.description,
            close=frame["close"],
            stances=pd.DataFrame(stances, index=frame.index, columns=list(stances)),
            known=pd.DataFrame(known, index=frame.index),
        )
    return WatchSeries(
        end=end,
        days=days,
        signals=signal_table(frames, days),
        instruments=instruments,
        strategies=tuple(shown),
        params=params,
        families=families,
        reference_name=inputs.reference_name,
        catalysts=inputs.catalysts,
        notes=tuple(notes),
    )


def _own_params(strategy: Strategy, overrides: Mapping[str, Any]) -> dict[str, Number]:
    """The parameters ``strategy`` runs with: its defaults, updated by the overrides it has."""
    names = {p.name for p in strategy.params}
    return strategy.resolve({k: v for k, v in overrides.items() if k in names})

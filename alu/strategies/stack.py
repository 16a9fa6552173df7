"""Many variants of one strategy at once: stances as columns (days x variants).

Each signal family is computed once per distinct set of its parameters (a grid over the band
levels does not recompute the spread), joined once per instrument calendar with the same as-of
rules as a single backtest (:func:`alu.signals.align.asof_positions`, stocks lagged a day), and
gathered per chunk of variants into the arrays the rule reads
(:class:`~alu.strategies.columns.StackedColumns`). The rule is the same code a single backtest runs,
so each column equals the stance ``alu backtest`` computes for that variant.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from alu.signals.align import asof_positions, known
from alu.signals.catalysts import catalyst_signals, in_catalyst_window
from alu.signals.states import MISSING_CODE
from alu.strategies.base import (
    CATALYSTS,
    DATED,
    FAMILY_PARAMS,
    INVENTORY,
    Strategy,
    family_frames,
    family_kwargs,
    known_column,
)
from alu.strategies.columns import StackedColumns, state_codes
from alu.strategies.execution import STALE_PARAM
from alu.strategies.inputs import SignalInputs
from alu.strategies.params import Number
from alu.strategies.signal_columns import STATE_COLUMNS

#: Family frames kept per family, and joined columns kept per instrument and column (least
#: recently used first out): a chunk rarely needs more distinct settings than this.
FRAME_CACHE = 256
COLUMN_CACHE = 512


class StackedSignals:
    """The signal columns of ``variants`` (parameter dicts) of one strategy."""

    def __init__(
        self, strategy: Strategy, variants: Sequence[Mapping[str, Number]], inputs: SignalInputs
    ) -> None:
        self.strategy = strategy
        self.variants = list(variants)
        self.inputs = inputs
        self.params = {
            p.name: np.array([v[p.name] for v in self.variants]) for p in strategy.params
        }
        self._distinct: dict[str, list[dict[str, Number]]] = {}
        self._index: dict[str, np.ndarray] = {}
        for family in strategy.families:
            names = [p.name for p in FAMILY_PARAMS[family]]
            keys = [tuple(v[n] for n in names) for v in self.variants]
            order = {key: i for i, key in enumerate(dict.fromkeys(keys))}
            self._distinct[family] = [dict(zip(names, key, strict=True)) for key in order]
            self._index[family] = np.array([order[k] for k in keys], dtype=np.int64)
        # Bounded caches: memory follows the chunk, not the number of distinct settings.
        self._frames: dict[str, OrderedDict[int, pd.DataFrame]] = {}
        self._picked: dict[tuple[str, str], OrderedDict[int, np.ndarray]] = {}
        self._positions: dict[tuple[str, str, int, int], tuple[np.ndarray, np.ndarray]] = {}
        self._owner: dict[str, str] = {}

    # -- family frames on their own calendars -------------------------------------------------

    def _frame(self, family: str, d: int) -> pd.DataFrame:
        """The frame of distinct setting ``d`` of ``family`` (computed on demand, kept in a
        least-recently-used cache of :data:`FRAME_CACHE` frames)."""
        cache = self._frames.setdefault(family, OrderedDict())
        if d in cache:
            cache.move_to_end(d)
            return cache[d]
        frame = getattr(family_frames(self.inputs, (family,), self._distinct[family][d]), family)
        cache[d] = frame
        if len(cache) > FRAME_CACHE:
            cache.popitem(last=False)
        for column in frame.columns:
            self._owner.setdefault(column, family)
        return frame

    def _family_of(self, column: str) -> str:
        for family in DATED:
            if column == known_column(family):
                return family
        for family in self.strategy.families:
            if family != CATALYSTS and column not in self._owner:
                self._frame(family, 0)
        return self._owner.get(column, CATALYSTS)

    # -- joined to one instrument ----------------------------------------------------------------

    def _pick(self, key: str, days: pd.DatetimeIndex, column: str, family: str, d: int):
        """``column`` of distinct setting ``d`` on ``days``, as-of (codes, bools or floats)."""
        if family == CATALYSTS:
            kwargs = family_kwargs(CATALYSTS, self._distinct[CATALYSTS][d])
            if column == "in_catalyst_window":  # the flag alone: no event-name columns
                return in_catalyst_window(self.inputs.catalysts, days, **kwargs)
            return _encode(catalyst_signals(self.inputs.catalysts, days, **kwargs)[column])
        frame = self._frame(family, d)
        # Frames of one family share their calendar (the reference's, or the LME's), so the
        # positions and the freshness of each day's input depend on max_stale_days alone.
        stale_after = int(self._distinct[family][d][STALE_PARAM.name])
        pos_key = (key, family, len(frame.index), stale_after)
        if pos_key not in self._positions:
            lag = family == INVENTORY
            pos = asof_positions(frame.index, days, published_next_day=lag)
            dates = np.where(pos >= 0, frame.index.to_numpy()[pos.clip(0)], np.datetime64("NaT"))
            self._positions[pos_key] = (pos, known(dates, days, stale_after))
        pos, fresh = self._positions[pos_key]
        if column == known_column(family):
            return fresh.copy()
        values = _encode(frame[column])
        picked = values[pos.clip(0)]
        picked[~fresh] = _missing(values.dtype)
        return picked

    def _join(
        self, key: str, days: pd.DatetimeIndex, column: str, needed: np.ndarray
    ) -> np.ndarray:
        """``column`` on ``days`` for the distinct settings ``needed``: days x len(needed)."""
        family = self._family_of(column)
        cache = self._picked.setdefault((key, column), OrderedDict())
        parts = []
        for d in needed.tolist():
            if d in cache:
                cache.move_to_end(d)
            else:
                cache[d] = self._pick(key, days, column, family, d)
            parts.append(cache[d])
        while len(cache) > max(COLUMN_CACHE, len(needed)):
            cache.popitem(last=False)
        return np.column_stack(parts)

    def columns(self, key: str, days: pd.DatetimeIndex, chunk: np.ndarray) -> StackedColumns:
        """The signal columns of the variants ``chunk`` (indices) on ``days`` (instrument
        ``key``), as arrays days x len(chunk)."""

        def fetch(column: str) -> np.ndarray:
            settings = self._index[self._family_of(column)][chunk]
            needed, where = np.unique(settings, return_inverse=True)
            return self._join(key, days, column, needed)[:, where]

        return StackedColumns(fetch, len(days))

    def stances(
        self, key: str, days: pd.DatetimeIndex, chunk: np.ndarray, *, allow_short: bool
    ) -> np.ndarray:
        """The stance of each variant in ``chunk`` on each of ``days``: int8, days x chunk."""
        params: dict[str, Any] = {name: values[chunk] for name, values in self.params.items()}
        stance = self.strategy.stance_array(
            self.columns(key, days, chunk), params, allow_short=allow_short
        )
        if stance.ndim == 1:  # a rule that does not depend on its signals (buy_hold)
            stance = np.repeat(stance[:, None], len(chunk), axis=1)
        return stance

    def release(self) -> None:
        """Drop the cached frames and joined columns (memory)."""
        self._frames.clear()
        self._picked.clear()
        self._positions.clear()


def _encode(series: pd.Series) -> np.ndarray:
    """A signal column as an array the rules read: state codes, bools, or float64."""
    if series.name in STATE_COLUMNS:
        return state_codes(series.to_numpy(dtype=object))
    if series.dtype == bool:
        return series.to_numpy(dtype=bool)
    return series.to_numpy(dtype=np.float64)


def _missing(dtype: np.dtype) -> Any:
    if dtype == np.dtype(np.int8):
        return MISSING_CODE
    if dtype == np.dtype(bool):
        return False
    return np.nan

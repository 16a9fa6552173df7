"""Many variants of one strategy at once: stances as columns (days x variants).

Each signal family is computed once per distinct set of its parameters (a grid over the band
levels does not recompute the spread), joined once per instrument calendar with the same as-of
rules as a single backtest (:func:`signals.align.asof_positions`, stocks lagged a day), and
gathered per chunk of variants into the arrays the rule reads
(:class:`~strategies.columns.StackedColumns`). The rule is the same code a single backtest runs,
so each column equals the stance ``alu backtest`` computes for that variant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from signals.align import asof_positions
from signals.catalysts import catalyst_signals, in_catalyst_window
from signals.states import MISSING_CODE
from strategies.base import (
    CATALYSTS,
    FAMILY_PARAMS,
    INVENTORY,
    Strategy,
    family_frames,
    family_kwargs,
)
from strategies.columns import StackedColumns, state_codes
from strategies.inputs import SignalInputs
from strategies.params import Number

STATE_COLUMNS = frozenset({"band_state", "spread_regime", "inventory_trend"})


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
        self._frames: dict[str, list[pd.DataFrame]] = {}
        self._joined: dict[tuple[str, str], np.ndarray] = {}
        self._owner: dict[str, str] = {}

    def distinct_count(self, family: str) -> int:
        """How many distinct parameter sets of ``family`` the variants use."""
        return len(self._distinct[family])

    # -- family frames on their own calendars -------------------------------------------------

    def _family_frames(self, family: str) -> list[pd.DataFrame]:
        if family not in self._frames:
            frames = []
            for params in self._distinct[family]:
                computed = family_frames(self.inputs, (family,), params)
                frames.append(getattr(computed, family))
            self._frames[family] = frames
            for column in frames[0].columns:
                self._owner.setdefault(column, family)
        return self._frames[family]

    def _family_of(self, column: str) -> str:
        for family in self.strategy.families:
            if family == CATALYSTS:
                continue
            if column not in self._owner:
                self._family_frames(family)
        return self._owner.get(column, CATALYSTS)

    # -- joined to one instrument ----------------------------------------------------------------

    def _encoded(self, family: str, column: str) -> list[np.ndarray]:
        """``column`` of each distinct frame of ``family``, encoded once (codes, bools, floats)."""
        cache_key = (f"{family}:encoded", column)
        if cache_key not in self._joined:
            self._joined[cache_key] = [_encode(f[column]) for f in self._family_frames(family)]
        return self._joined[cache_key]  # type: ignore[return-value]

    def _join(self, key: str, days: pd.DatetimeIndex, column: str) -> np.ndarray:
        """``column`` for every distinct parameter set of its family: days x distinct."""
        cache_key = (key, column)
        if cache_key in self._joined:
            return self._joined[cache_key]
        family = self._family_of(column)
        if family == CATALYSTS:
            events = self.inputs.catalysts
            if column == "in_catalyst_window":  # the flag alone: no event-name columns
                parts = [
                    in_catalyst_window(events, days, **family_kwargs(CATALYSTS, p))
                    for p in self._distinct[CATALYSTS]
                ]
            else:
                parts = [
                    _encode(catalyst_signals(events, days, **family_kwargs(CATALYSTS, p))[column])
                    for p in self._distinct[CATALYSTS]
                ]
        else:
            parts = []
            lag = family == INVENTORY
            frames = self._family_frames(family)
            pos = asof_positions(frames[0].index, days, published_next_day=lag)
            for frame, values in zip(frames, self._encoded(family, column), strict=True):
                if frame.index is not frames[0].index and not frame.index.equals(frames[0].index):
                    pos = asof_positions(frame.index, days, published_next_day=lag)
                picked = values[pos.clip(0)]
                picked[pos < 0] = _missing(values.dtype)
                parts.append(picked)
        joined = np.column_stack(parts)
        self._joined[cache_key] = joined
        return joined

    def columns(self, key: str, days: pd.DatetimeIndex, chunk: np.ndarray) -> StackedColumns:
        """The signal columns of the variants ``chunk`` (indices) on ``days`` (instrument
        ``key``), as arrays days x len(chunk)."""

        def fetch(column: str) -> np.ndarray:
            family = self._family_of(column)
            return self._join(key, days, column)[:, self._index[family][chunk]]

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
        self._joined.clear()
        self._frames.clear()


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

"""Many variants of one strategy at once, from the signal families' sweep forms (a prototype).

A drop-in for :class:`alu.strategies.stack.StackedSignals` (same ``columns``/``stances``
interface, same columns) that builds no pandas object per setting: each family is computed once
for all its distinct settings as arrays (:func:`alu.signals.bands.band_sweep` and the others,
with the numba kernels by default), joined to an instrument's days through as-of positions
computed once per (family, instrument) (:func:`alu.signals.align.asof_positions`, stocks lagged a
day), and read a chunk of variants at a time straight onto the instrument's days
(:meth:`alu.signals.arrays.SignalArrays.take` with ``rows``). The catalyst windows are computed on
each instrument's own days, as in a single backtest.

Not wired into the sweep yet (phase 2 of issue 13); the tests hold its stances equal to
``StackedSignals``' for every built-in strategy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from alu.errors import AluError
from alu.signals.align import asof_positions, known
from alu.signals.arrays import SignalArrays
from alu.signals.bands import band_sweep
from alu.signals.catalysts import catalyst_sweep
from alu.signals.inventory import inventory_sweep
from alu.signals.kernels import Kernels
from alu.signals.spread import spread_sweep
from alu.strategies.base import (
    BANDS,
    CATALYSTS,
    FAMILY_PARAMS,
    INVENTORY,
    SPREAD,
    Strategy,
    known_column,
    missing_inputs,
)
from alu.strategies.columns import StackedColumns
from alu.strategies.execution import STALE_PARAM
from alu.strategies.inputs import SignalInputs
from alu.strategies.params import Number


class SweepSignals:
    """The signal columns of ``variants`` (parameter dicts) of one strategy, from arrays."""

    def __init__(
        self,
        strategy: Strategy,
        variants: Sequence[Mapping[str, Number]],
        inputs: SignalInputs,
        *,
        kernels: Kernels | None = None,
    ) -> None:
        if kernels is None:
            from alu.signals.nb import NUMBA  # the sweep path: numba is loaded anyway

            kernels = NUMBA
        self.strategy = strategy
        self.inputs = inputs
        self.kernels = kernels
        self.params = {p.name: np.array([v[p.name] for v in variants]) for p in strategy.params}
        missing = missing_inputs(inputs, strategy.families)
        if missing:
            raise AluError(f"this data lacks {' and '.join(missing)}")
        #: per family: the distinct settings (arrays) and each variant's distinct setting
        self.settings: dict[str, dict[str, np.ndarray]] = {}
        self.index: dict[str, np.ndarray] = {}
        for family in strategy.families:
            names = [p.name for p in FAMILY_PARAMS[family]]
            keys = [tuple(v[n] for n in names) for v in variants]
            order = {key: i for i, key in enumerate(dict.fromkeys(keys))}
            self.settings[family] = {
                name: np.array([key[j] for key in order]) for j, name in enumerate(names)
            }
            self.index[family] = np.array([order[k] for k in keys], dtype=np.int64)
        self._arrays: dict[str, SignalArrays] = {}
        self._catalysts: dict[str, SignalArrays] = {}
        self._rows: dict[tuple[str, str], np.ndarray] = {}
        for family in strategy.families:
            if family != CATALYSTS:
                self._arrays[family] = self._sweep(family)
        self._owner = {name: f for f, arrays in self._arrays.items() for name in arrays.names}
        self._owner.update({known_column(f): f for f in self._arrays})

    def _sweep(self, family: str) -> SignalArrays:
        settings = {k: v for k, v in self.settings[family].items() if k != STALE_PARAM.name}
        try:
            if family == BANDS:
                return band_sweep(self.inputs.reference, **settings, kernels=self.kernels)
            if family == SPREAD:
                return spread_sweep(self.inputs.lme, **settings, kernels=self.kernels)
            return inventory_sweep(self.inputs.lme, **settings, kernels=self.kernels)
        except ValueError as exc:  # a combination of parameters the signal cannot use
            raise AluError(str(exc)) from None

    def _rows_for(
        self, key: str, days: pd.DatetimeIndex, family: str, stale_after: int
    ) -> np.ndarray:
        """Each day's as-of row in the family's arrays, -1 where none is usable: no row yet, or
        one more than ``stale_after`` weekdays old (the family is UNKNOWN then)."""
        cache_key = (key, family, stale_after)
        if cache_key not in self._rows:
            source = pd.DatetimeIndex(self._arrays[family].days)
            lag = family == INVENTORY  # stock figures are used from the day after their date
            rows = asof_positions(source, days, published_next_day=lag)
            dates = np.where(rows >= 0, source.to_numpy()[rows.clip(0)], np.datetime64("NaT"))
            self._rows[cache_key] = np.where(known(dates, days, stale_after), rows, -1)
        return self._rows[cache_key]

    def columns(self, key: str, days: pd.DatetimeIndex, chunk: np.ndarray) -> StackedColumns:
        """The signal columns of the variants ``chunk`` (indices) on ``days`` (instrument
        ``key``), as arrays days x len(chunk)."""

        def fetch(column: str) -> np.ndarray:
            family = self._owner.get(column, CATALYSTS)
            if family == CATALYSTS:
                if key not in self._catalysts:
                    self._catalysts[key] = catalyst_sweep(
                        self.inputs.catalysts,
                        days,
                        **self.settings[CATALYSTS],
                        kernels=self.kernels,
                    )
                return self._catalysts[key].take(column, self.index[CATALYSTS][chunk], None)
            settings = self.index[family][chunk]
            stale_after = self.settings[family][STALE_PARAM.name][settings]
            out = None
            for limit in np.unique(stale_after).tolist():
                rows = self._rows_for(key, days, family, int(limit))
                where = np.flatnonzero(stale_after == limit)
                if column == known_column(family):
                    part = np.repeat((rows >= 0)[:, None], len(where), axis=1)
                else:
                    part = self._arrays[family].take(column, settings[where], rows)
                if out is None:
                    out = np.empty((len(days), len(chunk)), dtype=part.dtype)
                out[:, where] = part
            return out

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
        """Drop the joined positions and the catalyst windows (the family arrays stay)."""
        self._catalysts.clear()
        self._rows.clear()

"""Many variants of one strategy at once, from the signal families' sweep forms: the signal
columns and stances a sweep reads (:func:`alu.backtest.sweep.run_sweep`, a chunk of variants at
a time).

No pandas object is built per setting: each family is computed once for all the distinct
settings of the variants given, as arrays (:func:`alu.signals.bands.band_sweep` and the others,
with the numba kernels by default), joined to an instrument's days through as-of positions
computed once per (family, instrument, staleness limit) (:func:`alu.signals.align.
asof_positions`, stocks lagged a day; shareable between chunks through ``rows_cache``), and read
straight onto the instrument's days (:meth:`alu.signals.arrays.SignalArrays.take` with
``rows``). The catalyst windows are computed on each instrument's own days, as in a single
backtest. The tests hold every variant's stance equal to the single-setting signal table's
(:meth:`alu.strategies.base.Strategy.stance_from_table`), which a single backtest reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from alu.errors import AluError
from alu.signals.align import asof_positions, known
from alu.signals.arrays import UNKNOWN, SharedColumn, SignalArrays
from alu.signals.bands import band_sweep
from alu.signals.catalysts import catalyst_signals, catalyst_sweep
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

#: Family arrays (or catalyst windows) of earlier chunks kept for the next, per kind: enough for
#: the chunks in flight on a few threads, few enough that a sweep whose settings never repeat
#: (a bands grid: a chunk's run maxima are about 10-20 MB) holds little it will not read again.
SHARED_ENTRIES = 4

#: The catalyst columns that do not depend on the window parameters.
CATALYST_DISTANCES = ("days_to_next_event", "days_since_last_event")


class SweepSignals:
    """The signal columns of ``variants`` (parameter dicts) of one strategy, from arrays."""

    def __init__(
        self,
        strategy: Strategy,
        variants: Sequence[Mapping[str, Number]] | Mapping[str, np.ndarray],
        inputs: SignalInputs,
        *,
        kernels: Kernels | None = None,
        rows_cache: dict[tuple[Any, ...], Any] | None = None,
    ) -> None:
        """``variants``: parameter dicts, or every parameter as an array with one value per
        variant (:meth:`alu.strategies.variants.GridVariants.param_arrays`). ``rows_cache``:
        a dict shared by the chunks of a sweep, where the as-of rows, and the family arrays
        and catalyst windows of the latest settings, are kept for the next chunk."""
        if kernels is None:
            from alu.signals.nb import NUMBA  # the sweep path: numba is loaded anyway

            kernels = NUMBA
        self.strategy = strategy
        self.inputs = inputs
        self.kernels = kernels
        if isinstance(variants, Mapping):
            self.params = {p.name: np.asarray(variants[p.name]) for p in strategy.params}
        else:
            self.params = {p.name: np.array([v[p.name] for v in variants]) for p in strategy.params}
        missing = missing_inputs(inputs, strategy.families) if strategy.families else []
        if missing:
            raise AluError(f"this data lacks {' and '.join(missing)}")
        #: per family: the distinct settings (arrays) and each variant's distinct setting
        self.settings: dict[str, dict[str, np.ndarray]] = {}
        self.index: dict[str, np.ndarray] = {}
        for family in strategy.families:
            names = [p.name for p in FAMILY_PARAMS[family]]
            columns = [self.params[n] for n in names]
            stacked = np.column_stack([c.astype(np.float64) for c in columns])
            _, first, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
            self.settings[family] = {n: c[first] for n, c in zip(names, columns, strict=True)}
            self.index[family] = inverse.reshape(-1).astype(np.int64)
        self._arrays: dict[str, SignalArrays] = {}
        self._catalysts: dict[str, SignalArrays] = {}
        self._values: dict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = {}
        self._rows: dict[tuple[Any, ...], Any] = {} if rows_cache is None else rows_cache
        for family in strategy.families:
            if family != CATALYSTS:
                self._arrays[family] = self._shared(
                    ("family arrays", family, _settings_key(self.settings[family])),
                    lambda family=family: self._sweep(family),
                )
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
        source_days = self._arrays[family].days
        cache_key = (key, len(days), family, len(source_days), stale_after)
        if cache_key not in self._rows:
            source = pd.DatetimeIndex(source_days)
            lag = family == INVENTORY  # stock figures are used from the day after their date
            rows = asof_positions(source, days, published_next_day=lag)
            dates = np.where(rows >= 0, source.to_numpy()[rows.clip(0)], np.datetime64("NaT"))
            self._rows[cache_key] = np.where(known(dates, days, stale_after), rows, -1)
        return self._rows[cache_key]

    def _take(self, family: str, column: str, settings: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """``column`` of ``family`` for ``settings`` on the as-of ``rows``: days x settings.
        A shared column is gathered by the numba kernel when the kernels are numba's (the same
        values as :meth:`alu.signals.arrays.SharedColumn.take`, without its temporaries)."""
        arrays = self._arrays[family]
        stored = arrays.columns[column]
        if self.kernels.name == "numba" and isinstance(stored, SharedColumn):
            from alu.signals.nb import gather_rows

            values = stored.values
            if values.shape[1] > 0:
                which = stored.index[np.asarray(settings, dtype=np.int64)]
                return gather_rows(values, which, rows, UNKNOWN[stored.kind]).T
        return arrays.take(column, settings, rows)

    def _distance(self, key: str, days: pd.DatetimeIndex, column: str) -> np.ndarray:
        """``days_to_next_event`` or ``days_since_last_event`` on ``days``: the same for every
        setting (the windows do not move the events)."""
        cache_key = ("catalyst distances", key, len(days), column)
        if cache_key not in self._rows:
            table = catalyst_signals(self.inputs.catalysts, days)
            for name in CATALYST_DISTANCES:
                self._rows[(*cache_key[:3], name)] = table[name].to_numpy(dtype=np.float64)
        return self._rows[cache_key]

    def columns(self, key: str, days: pd.DatetimeIndex, chunk: np.ndarray) -> StackedColumns:
        """The signal columns of the variants ``chunk`` (indices) on ``days`` (instrument
        ``key``), as arrays days x len(chunk)."""

        def fetch(column: str) -> np.ndarray:
            family = self._owner.get(column, CATALYSTS)
            if column in CATALYST_DISTANCES:
                return np.broadcast_to(
                    self._distance(key, days, column)[:, None], (len(days), len(chunk))
                )
            if family == CATALYSTS:
                arrays = self._catalyst_arrays(key, days)
                return arrays.take(column, self.index[CATALYSTS][chunk], None)
            settings = self.index[family][chunk]
            stale_after = self.settings[family][STALE_PARAM.name][settings]
            limits = np.unique(stale_after)
            if len(limits) == 1:  # the usual case: one staleness limit, no copy
                rows = self._rows_for(key, days, family, int(limits[0]))
                if column == known_column(family):
                    return np.broadcast_to((rows >= 0)[:, None], (len(days), len(chunk)))
                return self._take(family, column, settings, rows)
            out = None
            for limit in limits.tolist():
                rows = self._rows_for(key, days, family, int(limit))
                where = np.flatnonzero(stale_after == limit)
                if column == known_column(family):
                    part = np.repeat((rows >= 0)[:, None], len(where), axis=1)
                else:
                    part = self._take(family, column, settings[where], rows)
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

    @property
    def twin(self) -> Any:
        """The numba twin of the strategy's rule (:mod:`alu.strategies.rules_nb`), or None (a
        user's rule: :meth:`stances` evaluates it on column arrays)."""
        from alu.strategies.rules_nb import TWINS

        twin = TWINS.get(self.strategy.rule)
        if twin is None or set(twin.families) != set(self.strategy.families):
            return None
        return twin

    def write_stances(
        self,
        key: str,
        days: pd.DatetimeIndex,
        chunk: np.ndarray,
        *,
        allow_short: bool,
        out: np.ndarray,
        at: int = 0,
        skip: int = 0,
    ) -> None:
        """The stances of the variants ``chunk`` on ``days`` (instrument ``key``) by the rule's
        twin, written into ``out`` (int8, variants x columns, C order): day ``skip + i`` of
        variant ``chunk[v]`` to ``out[v, at + i]``. The same values as :meth:`stances` (the
        tests hold them equal), in one pass per instrument."""
        twin = self.twin
        if twin is None:
            raise ValueError(f"strategy {self.strategy.name} has no rule twin")
        chunk = np.asarray(chunk, dtype=np.int64)
        args: list[Any] = []
        for family, names in twin.columns:
            rows_of = self.index[family][chunk]
            settings, setting = np.unique(rows_of, return_inverse=True)
            if family == CATALYSTS:  # on the instrument's own days: every row is its day
                arrays = self._catalyst_arrays(key, days)
                rows = np.arange(len(days), dtype=np.int64)[None, :]
                limit = np.zeros(len(chunk), dtype=np.int64)
            else:
                arrays = self._arrays[family]
                stale_after = self.settings[family][STALE_PARAM.name][rows_of]
                limits, limit = np.unique(stale_after, return_inverse=True)
                found = [self._rows_for(key, days, family, int(x)) for x in limits.tolist()]
                rows = np.stack(found) if found else np.full((1, len(days)), -1, np.int64)
            for name in names:  # settings x source days, one row per distinct setting
                args.append(self._twin_values(key, family, name, arrays, settings))
            width = max(1, rows.shape[0])
            pairs, pair_of = np.unique(
                setting.reshape(-1) * width + limit.reshape(-1), return_inverse=True
            )
            args += [pairs // width, pairs % width, np.ascontiguousarray(rows, dtype=np.int64)]
            args.append(pair_of.reshape(-1).astype(np.int64))
        for name in twin.own:
            args.append(np.ascontiguousarray(self.params[name][chunk], dtype=np.float64))
        short = bool(allow_short and not self.strategy.long_only)
        twin.kernel(*args, short, int(skip), out, int(at))

    def _twin_values(
        self, key: str, family: str, name: str, arrays: SignalArrays, settings: np.ndarray
    ) -> np.ndarray:
        """Column ``name`` of ``settings`` on the family's days (settings x days), kept for the
        next instrument of the same chunk (the values do not depend on it but the catalysts')."""
        cache_key = (family, name, key if family == CATALYSTS else None)
        kept = self._values.get(cache_key)
        if kept is not None and np.array_equal(kept[0], settings):
            return kept[1]
        values = np.ascontiguousarray(arrays.take(name, settings, None).T)
        self._values[cache_key] = (settings, values)
        return values

    def _catalyst_arrays(self, key: str, days: pd.DatetimeIndex) -> SignalArrays:
        """The catalyst windows of every distinct setting on the instrument ``key``'s days."""
        if key not in self._catalysts:
            settings = self.settings[CATALYSTS]
            self._catalysts[key] = self._shared(
                ("catalyst windows", key, len(days), _settings_key(settings)),
                lambda: catalyst_sweep(
                    self.inputs.catalysts, days, **settings, kernels=self.kernels
                ),
            )
        return self._catalysts[key]

    def _shared(self, cache_key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """``compute()``, kept in the cache the chunks of a sweep share (``rows_cache``) for
        the next chunk with the same settings; the oldest of more than
        :data:`SHARED_ENTRIES` entries of one kind are dropped."""
        found = self._rows.get(cache_key)
        if found is None:
            found = compute()
            kind = cache_key[0]
            same = [k for k in list(self._rows) if k[0] == kind]
            for old in same[: max(0, len(same) + 1 - SHARED_ENTRIES)]:
                self._rows.pop(old, None)
            self._rows[cache_key] = found
        return found

    def release(self) -> None:
        """Drop the joined positions and the catalyst windows (the family arrays stay)."""
        self._catalysts.clear()
        self._values.clear()
        self._rows.clear()


def _settings_key(settings: Mapping[str, np.ndarray]) -> tuple[Any, ...]:
    """A family's distinct settings as a hashable key."""
    return tuple((name, values.dtype.str, values.tobytes()) for name, values in settings.items())

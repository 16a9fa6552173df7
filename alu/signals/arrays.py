"""A signal family computed for many parameter settings at once: the sweep forms' result.

Each family's sweep form (``band_sweep``, ``spread_sweep``, ``inventory_sweep``,
``catalyst_sweep``) takes the family's source on its own calendar and parameter arrays, one value
per setting, and returns a :class:`SignalArrays`. A column is read as a days x settings array:

- states as int8 codes (:data:`alu.signals.states.STATE_CODES`; unknown as
  :data:`~alu.signals.states.MISSING_CODE`),
- flags as bool (unknown as False),
- numbers as float64 (unknown as NaN).

Work that several settings share is done once: a column that depends on some of the parameters
only is stored once per distinct value of those (:class:`SharedColumn`: ``values[index[s]]`` is
setting ``s``'s row), and a column that differs for every setting is computed when it is read,
for the settings asked (:class:`DerivedColumn`). So a sweep reads a chunk of settings at a time
and no days x settings array of the whole sweep needs to exist.

``take(name, settings, rows)`` reads a column for some settings on some rows of the family's
calendar: ``rows`` are positions in :attr:`SignalArrays.days` (-1 for "no row": the unknown value),
as :func:`alu.signals.align.asof_positions` gives them for an instrument's trading days.

Arrays are computed settings-major (one contiguous row of days per setting); ``take`` returns
their transpose, days x settings in Fortran order, so each setting's days are contiguous.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from alu.signals.states import MISSING_CODE, STATE_CODES

STATE, FLAG, NUMBER = "state", "flag", "number"
DTYPES = {STATE: np.dtype(np.int8), FLAG: np.dtype(bool), NUMBER: np.dtype(np.float64)}
UNKNOWN: dict[str, Any] = {STATE: MISSING_CODE, FLAG: False, NUMBER: np.nan}


class SharedColumn:
    """A column stored once per distinct value of the parameters it depends on.

    ``values`` is distinct values x days (settings-major); setting ``s`` reads row ``index[s]``.
    ``values`` may be given as a function that computes them: it is called on the first read
    (columns a sweep never reads, such as z-scores, cost nothing).
    """

    def __init__(
        self, kind: str, values: np.ndarray | Callable[[], np.ndarray], index: np.ndarray
    ) -> None:
        self.kind = kind
        self.index = index
        self._values = values

    @property
    def values(self) -> np.ndarray:
        if callable(self._values):
            self._values = self._values()
        return self._values

    def take(self, settings: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
        """Settings x rows (settings-major), unknown where ``rows`` is -1."""
        which = self.index[settings]
        if rows is None or self.values.shape[1] == 0:
            return pick_days(self.values[which], rows, UNKNOWN[self.kind])
        out = self.values[np.ix_(which, rows.clip(0))]  # one gather: settings and days at once
        out[:, rows < 0] = UNKNOWN[self.kind]
        return out


@dataclass(frozen=True, eq=False)
class DerivedColumn:
    """A column computed when read: ``compute(settings, rows)`` gives settings x rows."""

    kind: str
    compute: Callable[[np.ndarray, np.ndarray | None], np.ndarray]

    def take(self, settings: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
        return self.compute(settings, rows)


Column = SharedColumn | DerivedColumn


@dataclass(frozen=True, eq=False)
class SignalArrays:
    """The columns of one signal family for ``n_settings`` parameter settings, on ``days``.

    ``settings[name][s]`` is parameter ``name`` of setting ``s`` (as given to the sweep form).
    """

    days: pd.Index
    settings: Mapping[str, np.ndarray]
    columns: Mapping[str, Column]

    @property
    def n_settings(self) -> int:
        return len(next(iter(self.settings.values()))) if self.settings else 0

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.columns)

    def kind(self, name: str) -> str:
        """``state``, ``flag`` or ``number``."""
        return self.columns[name].kind

    def take(
        self,
        name: str,
        settings: np.ndarray | list[int] | None = None,
        rows: np.ndarray | None = None,
    ) -> np.ndarray:
        """Column ``name`` as days x settings (Fortran order).

        ``settings``: positions of the settings wanted (default all); ``rows``: positions in
        :attr:`days` to read (default all; -1 gives the unknown value: MISSING_CODE, False, NaN).
        """
        column = self.columns[name]
        which = (
            np.arange(self.n_settings)
            if settings is None
            else np.asarray(settings, dtype=np.int64).reshape(-1)
        )
        if rows is not None:
            rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        out = column.take(which, rows)
        expected = (len(which), len(self.days) if rows is None else len(rows))
        if out.shape != expected or out.dtype != DTYPES[column.kind]:  # a kernel broke its contract
            raise AssertionError(f"{name}: got {out.dtype} {out.shape}, expected {expected}")
        return out.T

    def __getitem__(self, name: str) -> np.ndarray:
        """Column ``name`` for every setting on every day: days x settings."""
        return self.take(name)

    def one(self, name: str, setting: int = 0) -> np.ndarray:
        """Column ``name`` of one setting on every day (1-D): the single-setting signals."""
        return self.take(name, [setting])[:, 0]

    def setting(self, s: int) -> dict[str, Any]:
        """The parameters of setting ``s``, as Python numbers."""
        return {name: values[s].item() for name, values in self.settings.items()}


def pick_days(values: np.ndarray, rows: np.ndarray | None, unknown: Any) -> np.ndarray:
    """``values[..., rows]`` (days on the last axis), ``unknown`` where ``rows`` is -1.

    ``values`` may have no days at all (then every row must be -1).
    """
    if rows is None:
        return values
    if values.shape[-1] == 0:
        if (rows >= 0).any():
            raise IndexError("rows point past the end of the days")
        return np.full((*values.shape[:-1], len(rows)), unknown, dtype=values.dtype)
    out = values[..., rows.clip(0)]
    out[..., rows < 0] = unknown
    return out


def parameter_arrays(**values: Any) -> dict[str, np.ndarray]:
    """Parameters given as scalars or 1-D arrays, broadcast to one common length (settings).

    Values keep their own dtype (ints stay ints) so that messages about them read as given.
    """
    arrays = {name: np.asarray(value) for name, value in values.items()}
    for name, array in arrays.items():
        if array.ndim > 1:
            raise ValueError(f"{name}: expected a number or a 1-D array, got shape {array.shape}")
        if array.dtype.kind not in "biuf":
            raise ValueError(f"{name}: expected numbers, got {array.dtype}")
    shaped = [a.reshape(-1) if a.ndim else a.reshape(1) for a in arrays.values()]
    lengths = {len(a) for a in shaped if len(a) != 1}
    if len(lengths) > 1:
        raise ValueError(f"parameter arrays of different lengths: {sorted(lengths)}")
    n = lengths.pop() if lengths else 1
    return {name: np.broadcast_to(a, (n,)).copy() for name, a in zip(arrays, shaped, strict=True)}


def first_bad(ok: np.ndarray) -> int | None:
    """Position of the first False in ``ok`` (None when all hold)."""
    bad = np.flatnonzero(~np.asarray(ok, dtype=bool))
    return int(bad[0]) if len(bad) else None


def check_whole(name: str, values: np.ndarray, minimum: int, *, unit: str = "") -> np.ndarray:
    """``values`` as int64, refused (ValueError naming the parameter) unless whole and >=
    ``minimum``."""
    values = np.asarray(values)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(values) & (values == np.round(values)) & (values >= minimum)
    bad = first_bad(ok)
    if bad is not None:
        raise ValueError(
            f"{name} must be a whole number{unit} >= {minimum}, got {values[bad].item()}"
        )
    return values.astype(np.int64)


def check_finite(name: str, values: np.ndarray) -> np.ndarray:
    """``values`` as float64, refused unless every value is a finite number."""
    bad = first_bad(np.isfinite(values))
    if bad is not None:
        raise ValueError(f"{name} must be a finite number, got {values[bad].item()}")
    return values.astype(np.float64)


def distinct(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The distinct combinations of ``columns`` (parallel arrays, one value per setting).

    Returns ``(keys, index)``: ``keys[j][d]`` is column ``j`` of distinct combination ``d`` (with
    the column's dtype; combinations in ascending order), and ``index[s]`` the combination of
    setting ``s``.
    """
    index = np.zeros(len(columns[0]), dtype=np.int64)
    first = np.zeros(min(len(index), 1), dtype=np.int64)
    for column in columns:  # number the combinations so far, column by column, in order
        values, codes = np.unique(column, return_inverse=True)
        key = index * len(values) + codes.reshape(-1)
        _, first, index = np.unique(key, return_index=True, return_inverse=True)
        index = index.reshape(-1).astype(np.int64)
    return [np.asarray(c)[first] for c in columns], index


def state_names(codes: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """State codes as an object array of their names (None where unknown).

    ``names`` are the states the column can take; each name's code is its STATE_CODES entry.
    """
    table = np.full(3, None, dtype=object)
    for name in names:
        table[STATE_CODES[name] + 1] = name
    codes = np.asarray(codes)
    out = np.full(codes.shape, None, dtype=object)
    known = codes != MISSING_CODE
    out[known] = table[codes[known] + 1]
    return out

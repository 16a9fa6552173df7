"""What a strategy rule reads: signal columns of one instrument, for one or many variants.

A rule asks for a column by name and gets an array: 1-D (one parameter set, ``alu backtest``)
or 2-D, days x variants (a sweep, ``alu compare``). Rules are written with array operations that
work on both shapes, so the backtest and the sweep run the same rule code.

- ``states(name, *values)``: bool, True where the state column is one of ``values``.
- ``flag(name)``: bool, missing read as False.
- ``number(name)``: float64, missing as NaN.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np
import pandas as pd

from alu.signals.states import MISSING_CODE, STATE_CODES


class Columns(Protocol):
    def states(self, name: str, *values: str) -> np.ndarray: ...

    def flag(self, name: str) -> np.ndarray: ...

    def number(self, name: str) -> np.ndarray: ...

    def __len__(self) -> int: ...


class TableColumns:
    """One instrument, one parameter set: a signal table (a DataFrame indexed by trading day)."""

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table

    def __len__(self) -> int:
        return len(self.table)

    def states(self, name: str, *values: str) -> np.ndarray:
        return self.table[name].isin(values).to_numpy(dtype=bool)

    def flag(self, name: str) -> np.ndarray:
        return self.table[name].fillna(False).to_numpy(dtype=bool)

    def number(self, name: str) -> np.ndarray:
        return self.table[name].to_numpy(dtype=np.float64)


class StackedColumns:
    """One instrument, many variants: arrays of shape (days, variants), fetched by name.

    ``fetch(name)`` returns the column: state columns as integer codes
    (:data:`alu.signals.states.STATE_CODES`, missing as :data:`~alu.signals.states.MISSING_CODE`),
    flags as bool, numbers as float64 with NaN. Columns are fetched on first use only.
    """

    def __init__(self, fetch: Callable[[str], np.ndarray], n_days: int) -> None:
        self._fetch = fetch
        self._cache: dict[str, np.ndarray] = {}
        self.n_days = n_days

    def __len__(self) -> int:
        return self.n_days

    def _get(self, name: str) -> np.ndarray:
        if name not in self._cache:
            self._cache[name] = self._fetch(name)
        return self._cache[name]

    def states(self, name: str, *values: str) -> np.ndarray:
        codes = self._get(name)
        out = codes == STATE_CODES[values[0]]
        for value in values[1:]:
            out |= codes == STATE_CODES[value]
        return out

    def flag(self, name: str) -> np.ndarray:
        return self._get(name)

    def number(self, name: str) -> np.ndarray:
        return self._get(name)


class ProbeColumns:
    """Two (or ``n_days``) days of missing values that record which columns a rule reads."""

    def __init__(self, n_days: int = 2) -> None:
        self.n_days = n_days
        self.read: dict[str, None] = {}

    def __len__(self) -> int:
        return self.n_days

    def states(self, name: str, *values: str) -> np.ndarray:
        self.read[name] = None
        return np.zeros(self.n_days, dtype=bool)

    def flag(self, name: str) -> np.ndarray:
        self.read[name] = None
        return np.zeros(self.n_days, dtype=bool)

    def number(self, name: str) -> np.ndarray:
        self.read[name] = None
        return np.full(self.n_days, np.nan)


def state_codes(values: pd.Series | np.ndarray) -> np.ndarray:
    """A state column (strings, missing as NaN/None) as int8 codes."""
    mapped = pd.Series(values, dtype=object).map(STATE_CODES)
    return mapped.fillna(MISSING_CODE).to_numpy(dtype=np.int8)

"""What a backtest or a sweep reads, as plain data: the engine never opens files.

The data layer builds a :class:`Universe` (:meth:`alu.data.market.Market.universe`); tests may
build one by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from alu.strategies.inputs import SignalInputs


@dataclass(frozen=True)
class Leg:
    """What an aluminium leg is, for the output: ``kind`` in words, a ``note`` every output
    shows, and for the rolled LME leg the raw 3-month price ($/t) its buy-and-hold is set
    beside (the difference is the cumulated roll yield)."""

    kind: str
    note: str
    raw_three_month: pd.Series | None = None


@dataclass(frozen=True)
class Universe:
    """Instruments and signal inputs up to the last day of a backtest.

    - ``bars``: per symbol, its daily bars on its own trading days (``open`` may be missing:
      the fill is then the close; ``close`` adjusted), its whole history up to the end.
    - ``inputs``: the signal families' inputs (None when nothing needs them).
    - ``legs``: what the aluminium legs among the symbols are (see :class:`Leg`).
    - ``excluded_lme_days``: suspect LME rows left out of the signals and the rolled leg.
    """

    bars: Mapping[str, pd.DataFrame]
    inputs: SignalInputs | None
    legs: Mapping[str, Leg] = field(default_factory=dict)
    excluded_lme_days: pd.DatetimeIndex = field(default_factory=lambda: pd.DatetimeIndex([]))

    @property
    def symbols(self) -> list[str]:
        return list(self.bars)

    def fill_price(self, symbol: str) -> pd.Series:
        """The price a next-open fill gets before slippage: Open, or Close where it is missing."""
        bars = self.bars[symbol]
        return bars["open"].fillna(bars["close"])

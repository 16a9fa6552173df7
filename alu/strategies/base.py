"""How a strategy turns signal inputs into a stance per trading day.

1. :func:`family_frames`: each signal family a strategy uses is computed on its own source's
   calendar (bands on the reference price's days, spread and inventory on LME days).
2. :func:`signal_table`: the family frames are joined as-of to an instrument's trading days
   (inventory with the next-day publication lag; catalysts evaluated on the days themselves).
3. The strategy's rule reads that table and returns the stance decided at each day's close:
   +1 long, 0 flat, -1 short. The engine fills the change at the next trading day's open.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alu.errors import AluError
from alu.signals.align import asof_join, known
from alu.signals.bands import band_signals
from alu.signals.catalysts import catalyst_signals
from alu.signals.inventory import inventory_signals
from alu.signals.latch import latch
from alu.signals.spread import spread_signals
from alu.strategies.columns import Columns, ProbeColumns, TableColumns
from alu.strategies.execution import EXECUTION_PARAMS, STALE_PARAM, check_execution
from alu.strategies.inputs import SignalInputs
from alu.strategies.params import Number, Param, resolve_params

BANDS, SPREAD, INVENTORY, CATALYSTS = "bands", "spread", "inventory", "catalysts"
FAMILIES = (BANDS, SPREAD, INVENTORY, CATALYSTS)

FAMILY_PARAMS: dict[str, tuple[Param, ...]] = {
    BANDS: (
        Param.of(band_signals, "upper", "upper band, $/t", minimum=1),
        Param.of(band_signals, "lower", "lower band, $/t", minimum=1),
        Param.of(
            band_signals,
            "buffer",
            "fraction a close must clear beyond a band",
            minimum=0,
            maximum=0.5,
        ),
        Param.of(
            band_signals, "confirm", "closes in a row beyond a band to enter BULL/BEAR", minimum=1
        ),
        STALE_PARAM,
    ),
    SPREAD: (
        Param.of(
            spread_signals, "deadband", "half-width of the FLAT spread regime, $/t", minimum=0
        ),
        Param.of(
            spread_signals, "spread_z_window", "LME days in the spread z-score window", minimum=2
        ),
        Param.of(spread_signals, "spread_change_days", "LME days in the spread change", minimum=1),
        Param.of(
            spread_signals,
            "narrowing_usd_t",
            "fall in $/t that flags a narrowing backwardation",
            minimum=0,
        ),
        STALE_PARAM,
    ),
    INVENTORY: (
        Param.of(
            inventory_signals,
            "pct_window",
            "stock figures in the trailing percentile window",
            minimum=2,
        ),
        Param.of(
            inventory_signals,
            "pct_min_periods",
            "stock figures needed before a percentile",
            minimum=1,
        ),
        Param.of(
            inventory_signals, "stock_short_days", "short stock-change horizon, LME days", minimum=1
        ),
        Param.of(
            inventory_signals,
            "stock_long_days",
            "long stock-change horizon (trend), LME days",
            minimum=1,
        ),
        Param.of(
            inventory_signals,
            "stock_z_window",
            "figures in the z-score window of the long % change",
            minimum=2,
        ),
        Param.of(
            inventory_signals,
            "trend_deadband",
            "long % change (fraction) that counts as falling/building",
            minimum=0,
        ),
        STALE_PARAM,
    ),
    CATALYSTS: (
        Param.of(
            catalyst_signals,
            "window_before",
            "calendar days before an event to stand aside",
            minimum=0,
        ),
        Param.of(
            catalyst_signals,
            "window_after",
            "calendar days after an event to stand aside",
            minimum=0,
        ),
    ),
}

_FAMILY_FUNCS: dict[str, Callable[..., Any]] = {
    BANDS: band_signals,
    SPREAD: spread_signals,
    INVENTORY: inventory_signals,
    CATALYSTS: catalyst_signals,
}


#: The families whose inputs are dated rows, joined as-of: each is UNKNOWN on a day its input
#: lags by more than ``max_stale_days`` weekdays. The catalyst calendar is always known.
DATED = {BANDS: "reference_date", SPREAD: "spread_date", INVENTORY: "stock_date"}


def family_kwargs(family: str, params: Mapping[str, Number]) -> dict[str, Number]:
    """The keyword arguments of a family's signal function taken from ``params``."""
    return {p.name: params[p.name] for p in FAMILY_PARAMS[family] if p is not STALE_PARAM}


def known_column(family: str) -> str:
    """The signal-table column that says whether ``family`` is known on each day."""
    return f"{family}_known"


@dataclass(frozen=True)
class FamilyFrames:
    """Each used family's signal frame on its own calendar (None when not used)."""

    bands: pd.DataFrame | None = None
    spread: pd.DataFrame | None = None
    inventory: pd.DataFrame | None = None
    events: pd.DataFrame | None = None
    catalyst_kwargs: Mapping[str, Number] | None = None
    max_stale_days: int = STALE_PARAM.default  # type: ignore[assignment]


def missing_inputs(inputs: SignalInputs, families: tuple[str, ...]) -> list[str]:
    """What the data lacks for ``families``, in words ("lme.csv (spread, inventory)")."""
    missing = []
    needs_lme = [f for f in (SPREAD, INVENTORY) if f in families]
    cut_away = inputs.lme is not None and inputs.lme.empty  # the file is there, not the days
    if needs_lme and (inputs.lme is None or cut_away):
        if cut_away:
            missing.append(
                f"LME rows in the period asked for (the {' and '.join(needs_lme)} signals): "
                "lme.csv has none up to the --end day (its record starts later)"
            )
        else:
            missing.append(f"lme.csv (the {' and '.join(needs_lme)} signals)")
    if BANDS in families and inputs.reference is None:
        if cut_away:
            missing.append(
                "a band reference price in the period asked for: lme.csv has no rows up to "
                "the --end day (its record starts later)"
            )
        elif inputs.lme is not None:
            missing.append(
                "a band reference price: lme.csv has no three_month value, and there is no "
                "prices/ALI=F.csv"
            )
        else:
            missing.append("a band reference price (lme.csv with three_month, or prices/ALI=F.csv)")
    return missing


def family_frames(
    inputs: SignalInputs, families: tuple[str, ...], params: Mapping[str, Number]
) -> FamilyFrames:
    """Compute the signal frames of ``families`` on their own calendars."""
    missing = missing_inputs(inputs, families)
    if missing:
        raise AluError(f"the signals need {' and '.join(missing)}")
    frames: dict[str, Any] = {}
    if BANDS in families:
        frames["bands"] = _call(band_signals, inputs.reference, family_kwargs(BANDS, params))
    for family in (SPREAD, INVENTORY):
        if family in families:
            frames[family] = _call(_FAMILY_FUNCS[family], inputs.lme, family_kwargs(family, params))
    if CATALYSTS in families:
        frames["events"] = inputs.catalysts
        frames["catalyst_kwargs"] = family_kwargs(CATALYSTS, params)
    if STALE_PARAM.name in params:
        frames["max_stale_days"] = int(params[STALE_PARAM.name])
    return FamilyFrames(**frames)


def _call(func: Callable[..., pd.DataFrame], data: Any, kwargs: Mapping[str, Number]):
    try:
        return func(data, **kwargs)
    except ValueError as exc:  # a combination of parameters the signal cannot use
        raise AluError(str(exc)) from None


def signal_table(frames: FamilyFrames, days: pd.DatetimeIndex) -> pd.DataFrame:
    """The family frames joined as-of to ``days`` (an instrument's trading days).

    Adds ``reference_date``, ``spread_date`` and ``stock_date``: the date of the row each day
    uses (stock figures are used from the first day after their date), and ``bands_known``,
    ``spread_known``, ``inventory_known``: False where the family has no input yet or its input
    lags the day by more than ``frames.max_stale_days`` weekdays; there the family's values are
    blanked (missing; flags False), so its states read as UNKNOWN.
    """
    parts = []
    for family, frame in ((BANDS, frames.bands), (SPREAD, frames.spread)):
        if frame is not None:
            parts.append(_dated_join(family, frame, days, frames.max_stale_days))
    if frames.inventory is not None:
        parts.append(_dated_join(INVENTORY, frames.inventory, days, frames.max_stale_days))
    if frames.events is not None:
        parts.append(catalyst_signals(frames.events, days, **(frames.catalyst_kwargs or {})))
    if not parts:
        return pd.DataFrame(index=days)
    return pd.concat(parts, axis=1)


def _dated_join(
    family: str, frame: pd.DataFrame, days: pd.DatetimeIndex, max_stale_days: int
) -> pd.DataFrame:
    date_column = DATED[family]
    joined = asof_join(frame, days, published_next_day=family == INVENTORY, date_column=date_column)
    fresh = known(joined[date_column].to_numpy(), days, max_stale_days)
    if not fresh.all():
        for column in frame.columns:
            if joined[column].dtype == bool:
                joined[column] = joined[column] & fresh
            else:
                joined[column] = joined[column].where(fresh)
    joined[known_column(family)] = fresh
    return joined


Rule = Callable[[Columns, Mapping[str, Any], bool], np.ndarray]


@dataclass(frozen=True)
class Strategy:
    """A named rule over some signal families, with its parameters declared once.

    ``rule(columns, params, allow_short)`` returns the stance (+1/0/-1, int8) decided at each
    day's close. ``columns`` gives the signal columns of one instrument as arrays, 1-D for one
    parameter set or days x variants for a sweep (then ``params`` values may be arrays with one
    value per variant); ``long_only`` strategies ignore ``allow_short``. ``file`` and ``line``
    say where a user's strategy was defined (None for the built-in ones).
    """

    name: str
    rule: Rule
    families: tuple[str, ...]
    own_params: tuple[Param, ...] = ()
    long_only: bool = False
    file: Path | None = None
    line: int | None = None

    @property
    def params(self) -> tuple[Param, ...]:
        """Signal parameters of its families, its own, then the execution parameters."""
        family = tuple(dict.fromkeys(p for f in self.families for p in FAMILY_PARAMS[f]))
        return family + self.own_params + EXECUTION_PARAMS

    @property
    def dated_families(self) -> tuple[str, ...]:
        """The families whose inputs can be missing or stale (all but the catalysts)."""
        return tuple(f for f in self.families if f in DATED)

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.rule.__doc__ or "")

    @property
    def description(self) -> str:
        """The first paragraph of the rule's docstring, on one line."""
        return " ".join(self.doc.split("\n\n")[0].split())

    def resolve(self, overrides: Mapping[str, Any], *, origin: str = "") -> dict[str, Number]:
        """Parameters with ``overrides`` applied and checked (unknown names refused)."""
        values = resolve_params(self.params, overrides, strategy=self.name, origin=origin)
        self.check(values, origin=origin)
        return values

    def check(self, values: Mapping[str, Number], *, origin: str = "") -> None:
        """Checks across parameters (each value was checked on its own by its Param)."""
        where = f" ({origin})" if origin else ""
        if BANDS in self.families and values["lower"] >= values["upper"]:
            raise AluError(
                f"parameter lower ({values['lower']}) must be below "
                f"upper ({values['upper']}){where}"
            )
        check_execution(values, where=where)

    def check_inputs(self, inputs: SignalInputs) -> None:
        """Refuses data that lacks what the strategy needs."""
        missing = missing_inputs(inputs, self.families)
        if missing:
            raise AluError(f"strategy {self.name} needs {' and '.join(missing)}")

    def frames(self, inputs: SignalInputs, params: Mapping[str, Number]) -> FamilyFrames:
        """The strategy's family frames; refuses data that lacks what the strategy needs."""
        self.check_inputs(inputs)
        return family_frames(inputs, self.families, params)

    def stance_from_table(
        self, table: pd.DataFrame, params: Mapping[str, Number], *, allow_short: bool
    ) -> pd.Series:
        """The stance per day of a signal table (one instrument, one parameter set)."""
        stance = self.stance_array(TableColumns(table), params, allow_short=allow_short)
        return pd.Series(stance, index=table.index, name="stance")

    def stance_array(
        self, columns: Columns, params: Mapping[str, Any], *, allow_short: bool
    ) -> np.ndarray:
        """The rule applied to signal columns (1-D, or days x variants), as int8; flat on every
        day on which a family the strategy uses is UNKNOWN (no input yet, or a stale one)."""
        stance = np.asarray(
            self.rule(columns, params, allow_short and not self.long_only), dtype=np.int8
        )
        for family in self.dated_families:
            name = known_column(family)
            if isinstance(columns, TableColumns) and name not in columns.table:
                continue  # a table made by hand, without freshness: every family known
            stance = stance * columns.flag(name)  # flat where unknown (np.where is slower)
        return stance

    def read_columns(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        """The signal columns the rule reads (found by running it on a two-day probe)."""
        probe = ProbeColumns(2)
        self.rule(probe, params, not self.long_only)
        return tuple(probe.read)

    def stance(
        self,
        inputs: SignalInputs,
        days: pd.DatetimeIndex,
        params: Mapping[str, Number],
        *,
        allow_short: bool = False,
    ) -> pd.Series:
        """The stance decided at the close of each of ``days``, from data usable then."""
        table = signal_table(self.frames(inputs, params), days)
        return self.stance_from_table(table, params, allow_short=allow_short)


def hold(entry: np.ndarray, exit: np.ndarray) -> np.ndarray:
    """A position held from an entry day until an exit day (exit wins when both fire).

    Works along the first axis: 1-D (days) or 2-D (days x variants).
    """
    return latch(entry, exit)


def combine(long: np.ndarray, short: np.ndarray) -> np.ndarray:
    """Stance from long and short holdings: +1, -1, or 0 (also when both would hold)."""
    return np.asarray(long, dtype=np.int8) - np.asarray(short, dtype=np.int8)

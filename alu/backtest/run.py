"""One backtest, end to end: market -> signals -> stance -> engine -> metrics.

The CLI builds a :class:`BacktestSpec`, calls :func:`run_backtest` and renders the
:class:`BacktestResult` (terminal table or JSON).

- Signals and the strategy's stance are computed on each instrument's whole history up to ``end``
  (indicators warm up before the window; a latched rule's state never depends on where the window
  starts, so the stance on a day is the same for every window that contains it, and the same as
  the watchlist's).
- The window: ``[start, end]``; without ``start``, from the first day on which every family the
  strategy uses is known (after the warm-up of every column its rule reads) and every symbol has
  a price (:func:`default_start`), so the strategy, buy-and-hold and every metric cover the same
  days. Each account starts flat with its own initial cash on its first day in the window and
  takes the held stance from the next fill.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from alu.backtest.engine import Account, Costs, Model, annual_volatility, simulate
from alu.backtest.metrics import (
    as_numbers,
    combine_equity,
    portfolio_segment_metrics,
    union_positions,
)
from alu.errors import AluError
from alu.strategies.base import (
    DATED,
    FamilyFrames,
    Strategy,
    known_column,
    signal_table,
)
from alu.strategies.params import Number
from alu.strategies.universe import Universe

#: Flags whose warm-up is that of the number they are computed from (a flag reads False, never
#: missing, before its inputs exist).
FLAG_BASIS = {"spread_narrowing": "spread_change_usd_t"}


@dataclass(frozen=True)
class BacktestSpec:
    """What to run: a strategy with resolved parameters over symbols and a window."""

    strategy: Strategy
    params: dict[str, Number]
    symbols: list[str]
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    costs: Costs = field(default_factory=Costs)
    direction: str = "long"

    @property
    def allow_short(self) -> bool:
        return self.direction == "both"

    @property
    def model(self) -> Model:
        return Model.from_params(self.params)


@dataclass(frozen=True)
class Window:
    """The days a backtest trades: ``start`` to ``end`` and why it starts there."""

    start: pd.Timestamp
    end: pd.Timestamp
    reason: str

    def to_json(self) -> dict[str, str]:
        start, end = f"{self.start:%Y-%m-%d}", f"{self.end:%Y-%m-%d}"
        return {"start": start, "end": end, "reason": self.reason}


@dataclass
class BacktestResult:
    spec: BacktestSpec
    data: dict[str, Any]
    accounts: dict[str, Account]
    portfolio_equity: pd.Series
    notes: list[str]
    window: Window | None = None
    legs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def symbol_metrics(self) -> dict[str, dict[str, float]]:
        return {s: a.metrics() for s, a in self.accounts.items()}

    def portfolio_metrics(self) -> dict[str, float]:
        return portfolio_metrics(self.accounts, self.portfolio_equity)

    def to_json(self) -> dict[str, Any]:
        spec = self.spec
        return {
            "strategy": spec.strategy.name,
            "strategy_file": None if spec.strategy.file is None else str(spec.strategy.file),
            "params": dict(spec.params),
            "direction": spec.direction,
            "fees": spec.costs.fees,
            "slippage": spec.costs.slippage,
            "initial_cash": spec.costs.init_cash,
            "window": None if self.window is None else self.window.to_json(),
            "data": self.data,
            "notes": self.notes,
            "symbols": {
                symbol: {
                    "start": f"{account.dates[0]:%Y-%m-%d}",
                    "end": f"{account.dates[-1]:%Y-%m-%d}",
                    "days": len(account.dates),
                    "leg": self.legs.get(symbol),
                    "ruined_on": _day(account.ruined_on),
                    "liquidations": [_day(t.exit_date) for t in account.liquidations],
                    "metrics": account.metrics(),
                    "trades": [t.to_json() for t in account.trades],
                }
                for symbol, account in self.accounts.items()
            },
            "portfolio": {
                "start": f"{self.portfolio_equity.index[0]:%Y-%m-%d}",
                "end": f"{self.portfolio_equity.index[-1]:%Y-%m-%d}",
                "metrics": self.portfolio_metrics(),
            },
        }


def _day(day: pd.Timestamp | None) -> str | None:
    return None if day is None else f"{day:%Y-%m-%d}"


def full_bars(universe: Universe, symbol: str, end: pd.Timestamp | None) -> pd.DataFrame:
    """The symbol's bars up to ``end``: the history its stance is computed on."""
    return universe.bars[symbol].loc[:end]


def window_bars(bars: pd.DataFrame, symbol: str, window: Window) -> pd.DataFrame:
    """The symbol's bars inside the window, refusing a window with fewer than two days."""
    inside = bars.loc[window.start : window.end]
    if len(inside) < 2:
        first, last = bars.index[[0, -1]] if len(bars) else (None, None)
        span = f"its data runs {first:%Y-%m-%d} to {last:%Y-%m-%d}" if first is not None else ""
        raise AluError(
            f"{symbol} has {len(inside)} trading day(s) in the window "
            f"{window.start:%Y-%m-%d} to {window.end:%Y-%m-%d}; {span}".rstrip("; ")
        )
    return inside


def stances(
    strategy: Strategy,
    params: dict[str, Number],
    frames: FamilyFrames,
    bars: dict[str, pd.DataFrame],
    *,
    allow_short: bool,
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.Series]]:
    """Each symbol's signal table and stance over its whole history."""
    tables = {s: signal_table(frames, b.index) for s, b in bars.items()}
    out = {
        s: strategy.stance_from_table(t, params, allow_short=allow_short) for s, t in tables.items()
    }
    return tables, out


def first_known_day(
    strategy: Strategy, params: dict[str, Number], table: pd.DataFrame
) -> pd.Timestamp | None:
    """The first day of ``table`` on which every dated family the strategy uses is known and
    every column its rule reads has a value (flags: the number they come from)."""
    ok = np.ones(len(table), dtype=bool)
    for family in strategy.dated_families:
        ok &= table[known_column(family)].to_numpy(dtype=bool)
    for column in strategy.read_columns(params):
        basis = FLAG_BASIS.get(column, column)
        if basis in table and table[basis].dtype != bool:
            ok &= table[basis].notna().to_numpy()
    where = np.flatnonzero(ok)
    return None if len(where) == 0 else table.index[where[0]]


def default_start(
    strategy: Strategy,
    params: dict[str, Number],
    tables: dict[str, pd.DataFrame],
    bars: dict[str, pd.DataFrame],
) -> tuple[pd.Timestamp, str]:
    """The first day on which every symbol has a price and, for a strategy with signals, every
    family it uses is known after its warm-up; and that reason in words."""
    first_price = max(b.index[0] for b in bars.values())
    if not strategy.families:
        return first_price, "the first day every symbol has a price"
    known = [first_known_day(strategy, params, t) for t in tables.values()]
    if any(day is None for day in known):
        raise AluError(
            f"the {strategy.name} signals are never known in this data (every family it uses "
            "needs a usable, fresh input after its warm-up)"
        )
    first_signal = max(known)  # type: ignore[type-var]
    if first_signal >= first_price:
        return first_signal, (
            f"the first day every family {strategy.name} uses is known after its warm-up"
        )
    return first_price, "the first day every symbol has a price"


def run_backtest(
    universe: Universe,
    spec: BacktestSpec,
    notes: list[str] | None = None,
    *,
    data: dict[str, Any] | None = None,
) -> BacktestResult:
    """Backtest ``spec`` on ``universe`` (its data cut at ``spec.end``); ``data`` is the
    description of where the data came from, carried into the result for its outputs."""
    notes = list(notes or [])
    strategy = spec.strategy
    if strategy.families and universe.inputs is None:
        raise ValueError("a strategy with signal families needs the universe's signal inputs")
    frames = (
        strategy.frames(universe.inputs, spec.params)  # type: ignore[arg-type]
        if strategy.families
        else FamilyFrames()
    )
    if spec.allow_short and strategy.long_only:
        notes.append(f"{strategy.name} is long-only: --direction both changes nothing")
    bars = {s: full_bars(universe, s, spec.end) for s in spec.symbols}
    for symbol, b in bars.items():
        if b.empty:
            raise AluError(f"{symbol} has no prices up to {spec.end:%Y-%m-%d}")
    tables, stance = stances(strategy, spec.params, frames, bars, allow_short=spec.allow_short)
    window = resolve_window(strategy, spec, tables, bars)
    model = spec.model
    accounts: dict[str, Account] = {}
    for symbol in spec.symbols:
        inside = window_bars(bars[symbol], symbol, window)
        volatility = None
        if model.vol_target > 0:
            sigma = annual_volatility(bars[symbol]["close"].to_numpy(), model.vol_window)
            volatility = {model.vol_window: sigma[-len(inside) :]}
        accounts[symbol] = simulate(
            symbol,
            inside["close"],
            inside["open"].fillna(inside["close"]),
            stance[symbol].loc[inside.index],
            spec.costs,
            model,
            volatility=volatility,
        )
    notes += stale_notes(strategy, tables[spec.symbols[0]].loc[window.start : window.end])
    notes += suspect_notes(universe, strategy, spec.symbols)
    legs = {s: leg_info(universe, s, accounts[s]) for s in spec.symbols}
    notes += [leg["note"] for leg in legs.values() if leg is not None]
    notes += account_notes(accounts, model)
    equity = combine_accounts(accounts, spec.costs.init_cash)
    notes += portfolio_notes(equity)
    return BacktestResult(
        spec,
        dict(data or {}),
        accounts,
        equity,
        notes,
        window,
        {s: leg for s, leg in legs.items() if leg is not None},
    )


def resolve_window(
    strategy: Strategy,
    spec: BacktestSpec,
    tables: dict[str, pd.DataFrame],
    bars: dict[str, pd.DataFrame],
) -> Window:
    """``[--start, --end]``, the start defaulting to :func:`default_start`."""
    end = spec.end if spec.end is not None else max(b.index[-1] for b in bars.values())
    if spec.start is not None:
        return Window(spec.start, end, "--start")
    start, reason = default_start(strategy, spec.params, tables, bars)
    if start > end:
        raise AluError(
            f"the window would start on {start:%Y-%m-%d} ({reason}), after its end {end:%Y-%m-%d}"
        )
    return Window(start, end, reason)


def stale_notes(strategy: Strategy, table: pd.DataFrame) -> list[str]:
    """Where a family the strategy uses was UNKNOWN inside the window (no position then)."""
    out = []
    for family in strategy.dated_families:
        unknown = ~table[known_column(family)].to_numpy(dtype=bool)
        if not unknown.any():
            continue
        days = table.index[unknown]
        runs = _runs(days, table.index)
        shown = "; ".join(f"{a:%Y-%m-%d} to {b:%Y-%m-%d}" for a, b in runs[:3])
        more = f" and {len(runs) - 3} more" if len(runs) > 3 else ""
        out.append(
            f"{family} UNKNOWN on {unknown.sum()} day(s) in the window (no fresh input: "
            f"{DATED[family]} lags more than max_stale_days weekdays): {shown}{more}; "
            f"{strategy.name} holds no position then"
        )
    return out


def _runs(days: pd.DatetimeIndex, calendar: pd.DatetimeIndex) -> list[tuple[Any, Any]]:
    """Consecutive stretches of ``days`` on ``calendar``."""
    pos = calendar.get_indexer(days)
    breaks = np.flatnonzero(np.diff(pos) != 1)
    starts = np.r_[0, breaks + 1]
    ends = np.r_[breaks, len(pos) - 1]
    return [(days[a], days[b]) for a, b in zip(starts, ends, strict=True)]


def suspect_notes(universe: Universe, strategy: Strategy, symbols: list[str]) -> list[str]:
    """The suspect LME rows left out of the signals and the rolled leg."""
    excluded = universe.excluded_lme_days
    rolled = any(universe.legs.get(s) and universe.legs[s].raw_three_month is not None
                 for s in symbols)  # fmt: skip
    if not len(excluded) or not (strategy.dated_families or rolled):
        return []
    shown = ", ".join(f"{d:%Y-%m-%d}" for d in excluded[:4])
    more = f" and {len(excluded) - 4} more" if len(excluded) > 4 else ""
    return [
        f"left out {len(excluded)} suspect LME row(s) ({shown}{more}: spread out of range, "
        "3-month far from cash, or a weekend date): --keep-suspect keeps them"
    ]


def leg_info(universe: Universe, symbol: str, account: Account) -> dict[str, Any] | None:
    """What the aluminium leg is, and for the rolled LME leg its buy-and-hold against the raw
    3-month price over the window (the difference is the cumulated roll yield)."""
    leg = universe.legs.get(symbol)
    if leg is None:
        return None
    if leg.raw_three_month is None:
        return {"kind": leg.kind, "note": leg.note}
    raw = leg.raw_three_month.reindex(account.dates)
    held = float(account.close[-1] / account.close[0] - 1.0)
    raw_change = float(raw.iloc[-1] / raw.iloc[0] - 1.0)
    roll = (1 + held) / (1 + raw_change) - 1.0
    return {
        "kind": leg.kind,
        "buy_hold_return": held,
        "raw_three_month_change": raw_change,
        "roll_yield": roll,
        "note": f"{symbol} is the LME 3-month forward rolled daily at constant maturity: "
        f"buy-and-hold {held:+.1%} over the window against {raw_change:+.1%} for the raw "
        f"3-month price (cumulated roll yield {roll:+.1%})",
    }


def account_notes(accounts: dict[str, Account], model: Model) -> list[str]:
    """Liquidated and ruined accounts, by name and day."""
    out = []
    for symbol, account in accounts.items():
        liquidated = account.liquidations
        if liquidated:
            days = ", ".join(f"{t.exit_date:%Y-%m-%d}" for t in liquidated[:4])
            more = f" and {len(liquidated) - 4} more" if len(liquidated) > 4 else ""
            out.append(
                f"{symbol}: liquidated on {days}{more} (equity at or below "
                f"{model.maintenance_margin:.0%} of the position's gross value at the close "
                "before)"
            )
        if account.ruined_on is not None:
            out.append(
                f"{symbol}: RUINED on {account.ruined_on:%Y-%m-%d} (equity at or below zero "
                "after the fill): it trades no more; its ratios are null"
            )
        elif np.min(account.equity) <= 0:
            day = account.dates[int(np.argmax(account.equity <= 0))]
            out.append(
                f"{symbol}: equity fell to or below zero on {day:%Y-%m-%d}: its ratios are null"
            )
    return out


def portfolio_notes(equity: pd.Series) -> list[str]:
    if np.min(equity.to_numpy()) > 0:
        return []
    day = equity.index[int(np.argmax(equity.to_numpy() <= 0))]
    return [f"portfolio: equity reached zero on {day:%Y-%m-%d}: its ratios are null"]


def combine_accounts(accounts: dict[str, Account], init_cash: float) -> pd.Series:
    """The equal-weight portfolio (:func:`alu.backtest.metrics.combine_equity`): the sum of the
    accounts' equity on the union of their days, each carried forward over days its market is
    closed and counted as its initial cash before its first day."""
    days = pd.DatetimeIndex(sorted(set().union(*(a.dates for a in accounts.values()))))
    calendars = [a.dates.to_numpy() for a in accounts.values()]
    total = combine_equity(
        [a.equity[:, None] for a in accounts.values()],
        union_positions(calendars, days.to_numpy()),
        init_cash,
    )
    return pd.Series(total[:, 0], index=days, name="portfolio_equity")


def portfolio_metrics(accounts: dict[str, Account], equity: pd.Series) -> dict[str, float]:
    """Every metric of the combined line (:func:`alu.backtest.metrics.portfolio_segment_metrics`:
    equity metrics of the line; trades pooled; exposure and buy-and-hold averaged)."""
    initial = sum(a.costs.init_cash for a in accounts.values())
    segments = [a.segment() for a in accounts.values()]
    pooled = (
        np.sum([closed for _, (closed, _) in segments], axis=0),
        np.sum([wins for _, (_, wins) in segments], axis=0),
    )
    values = portfolio_segment_metrics(
        equity.to_numpy()[:, None], initial, [m for m, _ in segments], pooled
    )
    return as_numbers(values)

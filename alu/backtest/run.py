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
from alu.backtest.metrics import equity_metrics, win_rate
from alu.data.market import ALUMINIUM_FUTURES, LME_LEG, Market
from alu.errors import AluError
from alu.strategies.base import (
    DATED,
    FamilyFrames,
    Strategy,
    known_column,
    signal_table,
)
from alu.strategies.params import Number

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


def full_bars(market: Market, symbol: str, end: pd.Timestamp | None) -> pd.DataFrame:
    """The symbol's bars up to ``end``: the history its stance is computed on."""
    return market.instrument(symbol).bars.loc[:end]


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
    market: Market, spec: BacktestSpec, notes: list[str] | None = None
) -> BacktestResult:
    """Backtest ``spec`` on ``market`` (whose data must already be cut at ``spec.end``)."""
    notes = list(notes or [])
    strategy = spec.strategy
    frames = (
        strategy.frames(market.signal_inputs(), spec.params)
        if strategy.families
        else FamilyFrames()
    )
    if spec.allow_short and strategy.long_only:
        notes.append(f"{strategy.name} is long-only: --direction both changes nothing")
    bars = {s: full_bars(market, s, spec.end) for s in spec.symbols}
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
    notes += suspect_notes(market, strategy, spec.symbols)
    legs = {s: leg_info(market, s, accounts[s]) for s in spec.symbols}
    notes += [leg["note"] for leg in legs.values() if leg is not None]
    notes += account_notes(accounts, model)
    equity = combine_accounts(accounts, spec.costs.init_cash)
    notes += portfolio_notes(equity)
    return BacktestResult(
        spec,
        describe_data(market, spec),
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


def suspect_notes(market: Market, strategy: Strategy, symbols: list[str]) -> list[str]:
    """The suspect LME rows left out of the signals and the rolled leg."""
    excluded = market.excluded_lme_days()
    if not len(excluded) or not (strategy.dated_families or LME_LEG in symbols):
        return []
    shown = ", ".join(f"{d:%Y-%m-%d}" for d in excluded[:4])
    more = f" and {len(excluded) - 4} more" if len(excluded) > 4 else ""
    return [
        f"left out {len(excluded)} suspect LME row(s) ({shown}{more}: spread out of range, "
        "3-month far from cash, or a weekend date): --keep-suspect keeps them"
    ]


def leg_info(market: Market, symbol: str, account: Account) -> dict[str, Any] | None:
    """What the aluminium leg is, and for ``LME3M`` its buy-and-hold against the raw 3-month
    price over the window (the difference is the cumulated roll yield)."""
    if symbol == ALUMINIUM_FUTURES:
        return {
            "kind": "front-month futures",
            "note": f"{ALUMINIUM_FUTURES} is Yahoo's continuous front-month series, not "
            "roll-adjusted: its returns include roll jumps",
        }
    if symbol != LME_LEG:
        return None
    lme = market.trusted_lme()
    raw = lme["three_month"].reindex(account.dates)
    held = float(account.close[-1] / account.close[0] - 1.0)
    raw_change = float(raw.iloc[-1] / raw.iloc[0] - 1.0)
    roll = (1 + held) / (1 + raw_change) - 1.0
    return {
        "kind": "rolled LME 3-month forward (constant maturity)",
        "buy_hold_return": held,
        "raw_three_month_change": raw_change,
        "roll_yield": roll,
        "note": f"{LME_LEG} is the LME 3-month forward rolled daily at constant maturity: "
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
    """The equal-weight portfolio: the sum of the accounts' equity on the union of their days.

    Each account's equity is carried forward over days its market is closed and counts as its
    initial cash before its first day; the portfolio starts with ``init_cash`` per account.
    """
    days = pd.DatetimeIndex(sorted(set().union(*(a.dates for a in accounts.values()))))
    total = np.zeros(len(days))
    for account in accounts.values():
        pos = account.dates.searchsorted(days, side="right") - 1
        total += np.where(pos >= 0, account.equity[pos.clip(0)], init_cash)
    return pd.Series(total, index=days, name="portfolio_equity")


def portfolio_metrics(accounts: dict[str, Account], equity: pd.Series) -> dict[str, float]:
    """Equity metrics of the combined line; trades pooled; exposure and buy-and-hold averaged."""
    initial = sum(a.costs.init_cash for a in accounts.values())
    out = equity_metrics(equity.to_numpy(), initial)
    per_symbol = [a.metrics() for a in accounts.values()]
    closed = np.array(
        [t.trade_return for a in accounts.values() for t in a.trades if not t.is_open]
    )
    out["trades"] = sum(m["trades"] for m in per_symbol)
    out["win_rate"] = win_rate(closed)
    out["exposure"] = float(np.mean([m["exposure"] for m in per_symbol]))
    out["buy_hold_return"] = float(np.mean([m["buy_hold_return"] for m in per_symbol]))
    return out


def describe_data(market: Market, spec: BacktestSpec) -> dict[str, Any]:
    """The ``data`` block of outputs: where every series came from and what it covers."""
    source = market.source
    out: dict[str, Any] = {
        "source": source.label,
        "kind": source.kind,
        "path": str(source.path),
        "synthetic": source.synthetic,
        "symbols": {},
    }
    for symbol in spec.symbols:
        inst = market.instrument(symbol)
        out["symbols"][symbol] = {
            "description": inst.description,
            "file": str(inst.file),
            "first": f"{inst.bars.index[0]:%Y-%m-%d}",
            "last": f"{inst.bars.index[-1]:%Y-%m-%d}",
        }
    if spec.strategy.families:
        inputs = market.signal_inputs()
        out["band_reference"] = inputs.reference_name
        lme = market.lme()
        if lme is not None:
            out["lme"] = {
                "file": str(market.lme_path),
                "first": f"{lme.index[0]:%Y-%m-%d}",
                "last": f"{lme.index[-1]:%Y-%m-%d}",
            }
        out["catalysts"] = len(market.catalysts())
    excluded = market.excluded_lme_days()
    if market.lme() is not None:
        out["suspect_lme_rows_left_out"] = [f"{d:%Y-%m-%d}" for d in excluded]
    out["warnings"] = list(dict.fromkeys(market.warnings))
    return out

"""One backtest, end to end: market -> signals -> stance -> engine -> metrics.

The CLI builds a :class:`BacktestSpec`, calls :func:`run_backtest` and renders the
:class:`BacktestResult` (terminal table or JSON). Signals are computed on the full history up to
``end`` (so indicators are warmed up before ``start``); each account trades only inside
``[start, end]``, starting flat with its own initial cash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from alu.backtest.engine import Account, Costs, simulate
from alu.backtest.metrics import equity_metrics, win_rate
from alu.data.market import Market
from alu.errors import AluError
from alu.strategies.base import BANDS, INVENTORY, SPREAD, FamilyFrames, Strategy, signal_table
from alu.strategies.params import Number


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


@dataclass
class BacktestResult:
    spec: BacktestSpec
    data: dict[str, Any]
    accounts: dict[str, Account]
    portfolio_equity: pd.Series
    notes: list[str]

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
            "data": self.data,
            "notes": self.notes,
            "symbols": {
                symbol: {
                    "start": f"{account.dates[0]:%Y-%m-%d}",
                    "end": f"{account.dates[-1]:%Y-%m-%d}",
                    "days": len(account.dates),
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


def window_bars(market: Market, symbol: str, spec: BacktestSpec) -> pd.DataFrame:
    """The symbol's bars inside ``[start, end]``, refusing a window with fewer than two days."""
    bars = market.instrument(symbol).bars.loc[spec.start : spec.end]
    if len(bars) < 2:
        first, last = market.instrument(symbol).bars.index[[0, -1]]
        raise AluError(
            f"{symbol} has {len(bars)} trading day(s) in the requested window; "
            f"its data runs {first:%Y-%m-%d} to {last:%Y-%m-%d}"
        )
    return bars


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
    accounts: dict[str, Account] = {}
    for symbol in spec.symbols:
        bars = window_bars(market, symbol, spec)
        table = signal_table(frames, bars.index)
        stance = strategy.stance_from_table(table, spec.params, allow_short=spec.allow_short)
        fill = bars["open"].fillna(bars["close"])
        accounts[symbol] = simulate(symbol, bars["close"], fill, stance, spec.costs)
    if strategy.families:
        signals_start = _signals_start(market, strategy)
        early = [s for s, a in accounts.items() if a.dates[0] < signals_start]
        if early:
            notes.append(
                f"the {strategy.name} signals start on {signals_start:%Y-%m-%d} (the first day "
                f"its inputs cover): {', '.join(early)} stay flat before that"
            )
    for symbol, account in accounts.items():
        broke = np.flatnonzero(account.equity <= 0)
        if len(broke):
            notes.append(
                f"{symbol}: equity fell to or below zero on {account.dates[broke[0]]:%Y-%m-%d} "
                "(a short lost more than the account); its ratios are not meaningful"
            )
    equity = combine_accounts(accounts, spec.costs.init_cash)
    return BacktestResult(spec, describe_data(market, spec), accounts, equity, notes)


def _signals_start(market: Market, strategy: Strategy) -> pd.Timestamp:
    """The first day every input the strategy's signals read has a value."""
    inputs = market.signal_inputs()
    firsts = []
    if BANDS in strategy.families and inputs.reference is not None:
        firsts.append(inputs.reference.index[0])
    if {SPREAD, INVENTORY} & set(strategy.families) and inputs.lme is not None:
        firsts.append(inputs.lme.index[0])
    return max(firsts) if firsts else pd.Timestamp.min


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
    out["warnings"] = list(dict.fromkeys(market.warnings))
    return out

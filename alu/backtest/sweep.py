"""Sweeps: many strategy variants through the one engine, in chunks, bounded in memory.

For each strategy in the sweep, its variants' stances are computed as columns
(:class:`alu.strategies.stack.StackedSignals`), a chunk of columns at a time; each chunk goes
through :func:`alu.backtest.engine.simulate_many` (the same function a single backtest uses) per
symbol, and the metrics are computed on the arrays (:mod:`alu.backtest.metrics` works per column),
so no pandas object is built per variant. Per variant the result equals ``alu backtest`` with the
same parameters. The portfolio line of each variant is built as in a single backtest (the symbols'
accounts summed on the union of their calendars) and its daily returns are kept for the overfitting
statistics.

With a split date, metrics are also given in-sample (days up to and including the split) and
out-of-sample (the days after it, the same accounts continuing: the first out-of-sample return
is relative to the equity at the split).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from alu.backtest.engine import MODEL_FIELDS, Costs, annual_volatility, simulate_many
from alu.backtest.metrics import (
    NAMES,
    combine_equity,
    portfolio_segment_metrics,
    segment_metrics,
    union_positions,
)
from alu.backtest.run import (
    BacktestSpec,
    Window,
    full_bars,
    resolve_window,
    stances,
    window_bars,
)
from alu.errors import UNSET, AluError
from alu.strategies.stack import StackedSignals
from alu.strategies.universe import Universe
from alu.strategies.variants import Variant

METRICS = NAMES  # every metric of the registry, per symbol and for the portfolio
FULL, IN_SAMPLE, OUT_OF_SAMPLE = "full", "in_sample", "out_of_sample"
PORTFOLIO = "portfolio"
DEFAULT_CHUNK = 250


@dataclass
class SweepSpec:
    variants: list[Variant]
    symbols: list[str]
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    costs: Costs = field(default_factory=Costs)
    direction: str = "long"
    split: pd.Timestamp | float | None = None  # a date, or a fraction of the trading days
    chunk_size: int = DEFAULT_CHUNK
    keep_returns: bool = True


@dataclass
class SweepResult:
    """Metrics of every variant: ``metrics[scope][symbol or "portfolio"][metric]`` is an array
    with one value per variant; ``returns`` holds each variant's portfolio daily returns
    (days x variants) on ``dates``."""

    spec: SweepSpec
    dates: pd.DatetimeIndex
    metrics: dict[str, dict[str, dict[str, np.ndarray]]]
    returns: np.ndarray | None
    split_index: int | None  # number of portfolio days in-sample
    split: pd.Timestamp | None = None  # the split date (a fractional split resolved)
    window: Window | None = None

    @property
    def scopes(self) -> list[str]:
        return list(self.metrics)


def run_sweep(
    universe: Universe,
    spec: SweepSpec,
    *,
    progress: Callable[[int], None] | None = None,
) -> SweepResult:
    """Backtest every variant of ``spec`` on ``universe`` (its data cut at ``spec.end``)."""
    n = len(spec.variants)
    history = {s: full_bars(universe, s, spec.end) for s in spec.symbols}
    window = sweep_window(universe, spec, history)
    bars = {s: window_bars(b, s, window) for s, b in history.items()}
    # Stances are computed on each symbol's whole history, then cut to the window.
    offset = {s: len(history[s]) - len(bars[s]) for s in spec.symbols}
    dates = pd.DatetimeIndex(sorted(set().union(*(b.index for b in bars.values()))))
    union_pos = union_positions([b.index.to_numpy() for b in bars.values()], dates.to_numpy())
    split = _split_date(spec.split, dates)
    split_at = _split_positions(split, bars, dates)
    scopes = [FULL] if split_at is None else [FULL, IN_SAMPLE, OUT_OF_SAMPLE]
    inputs = universe.inputs
    stacks = [
        (members, StackedSignals(strategy, [spec.variants[i].params for i in members], inputs))
        for strategy, members in _by_strategy(spec.variants)
    ]
    tasks = [
        (members, stack, np.arange(s, min(s + spec.chunk_size, len(members))))
        for members, stack in stacks
        for s in range(0, len(members), spec.chunk_size)
    ]
    metrics = {
        scope: {
            name: {m: np.full(n, np.nan) for m in METRICS} for name in [*spec.symbols, PORTFOLIO]
        }
        for scope in scopes
    }
    pooled = {scope: (np.zeros(n), np.zeros(n)) for scope in scopes}  # closed trades, wins
    returns = np.empty((len(dates), n)) if spec.keep_returns else None
    allow_short = spec.direction == "both"
    initial_total = spec.costs.init_cash * len(spec.symbols)
    prices = {
        s: (b["close"].to_numpy(), b["open"].fillna(b["close"]).to_numpy()) for s, b in bars.items()
    }
    vol_windows = sorted(
        {
            int(v.params.get("vol_window", 0))
            for v in spec.variants
            if v.params.get("vol_target", 0) > 0
        }
    )
    volatility = {
        s: {w: annual_volatility(h["close"].to_numpy(), w)[offset[s] :] for w in vol_windows}
        for s, h in history.items()
    }

    def run_chunk(task) -> None:
        members, stack, local = task
        columns = members[local]
        model = {f: stack.params[f][local] for f in MODEL_FIELDS}
        equities = []
        for symbol in bars:
            stance = stack.stances(symbol, history[symbol].index, local, allow_short=allow_short)
            close, fill = prices[symbol]
            accounts = simulate_many(
                close,
                fill,
                stance[offset[symbol] :],
                spec.costs,
                model,
                volatility=volatility[symbol],
            )
            cut = None if split_at is None else split_at[symbol]
            _store(metrics, pooled, symbol, columns, accounts, close, spec.costs.init_cash, cut)
            equities.append(accounts.equity)
        total = combine_equity(equities, union_pos, spec.costs.init_cash)
        cut = None if split_at is None else split_at[PORTFOLIO]
        _store_portfolio(metrics, pooled, spec.symbols, columns, total, initial_total, cut)
        if returns is not None:
            previous = np.vstack([np.full((1, len(local)), initial_total), total[:-1]])
            returns[:, columns] = total / previous - 1.0

    for task in tasks:
        run_chunk(task)
        if progress is not None:
            progress(len(task[2]))
    split_index = None if split_at is None else split_at[PORTFOLIO]
    return SweepResult(spec, dates, metrics, returns, split_index, split, window)


def sweep_window(universe: Universe, spec: SweepSpec, history: dict[str, pd.DataFrame]) -> Window:
    """The window every variant trades: ``[start, end]``; without a start, the latest of the
    default windows (:func:`alu.backtest.run.default_start`) of the sweep's strategies, each
    computed with the parameters of its first variant."""
    latest: Window | None = None
    for strategy, members in _by_strategy(spec.variants):
        params = spec.variants[int(members[0])].params
        one = BacktestSpec(strategy, params, spec.symbols, spec.start, spec.end)
        frames = strategy.frames(universe.inputs, params) if strategy.families else None
        tables = (
            stances(strategy, params, frames, history, allow_short=False)[0]
            if frames is not None
            else {s: pd.DataFrame(index=h.index) for s, h in history.items()}
        )
        window = resolve_window(strategy, one, tables, history)
        if latest is None or window.start > latest.start:
            latest = window
        if spec.start is not None:
            break
    assert latest is not None
    return latest


def _by_strategy(variants: list[Variant]) -> list[tuple[Any, np.ndarray]]:
    groups: dict[str, list[int]] = {}
    strategies = {}
    for i, variant in enumerate(variants):
        groups.setdefault(variant.strategy.name, []).append(i)
        strategies[variant.strategy.name] = variant.strategy
    return [(strategies[name], np.array(idx)) for name, idx in groups.items()]


def _split_date(split: pd.Timestamp | float | None, dates: pd.DatetimeIndex):
    """The split as a date: a fraction ``f`` of the period is the trading day at that fraction
    of the union calendar ``dates`` (kept at least two days from either end)."""
    if split is None or isinstance(split, pd.Timestamp):
        return split
    if len(dates) < 4:
        raise AluError(
            "{split} needs at least four trading days in the window", params={"split": UNSET}
        )
    return dates[max(1, min(len(dates) - 3, int(len(dates) * split) - 1))]


def _split_positions(
    split: pd.Timestamp | None, bars: dict[str, pd.DataFrame], dates: pd.DatetimeIndex
) -> dict[str, int] | None:
    """Days in-sample per symbol and for the portfolio (days dated on or before the split)."""
    if split is None:
        return None
    out = {s: int(b.index.searchsorted(split, side="right")) for s, b in bars.items()}
    out[PORTFOLIO] = int(dates.searchsorted(split, side="right"))
    for name, k in out.items():
        length = len(dates) if name == PORTFOLIO else len(bars[name])
        if k < 2 or length - k < 2:
            raise AluError(
                f"{{split}} leaves fewer than two days on one side for {name}",
                params={"split": split},
            )
    return out


def _segments(cut: int | None, n_days: int) -> list[tuple[str, int, int]]:
    """(scope, first row, end row) of each scope; out-of-sample starts from the split day's
    close (row ``cut - 1``), which is its base."""
    if cut is None:
        return [(FULL, 0, n_days)]
    return [(FULL, 0, n_days), (IN_SAMPLE, 0, cut), (OUT_OF_SAMPLE, cut, n_days)]


def _store(metrics, pooled, symbol, columns, accounts, close, init_cash, cut) -> None:
    """Per-symbol metrics of one chunk (:func:`alu.backtest.metrics.segment_metrics`); closed
    trades and winners also pooled for the portfolio."""
    for scope, first, end in _segments(cut, len(close)):
        values, (n_closed, wins) = segment_metrics(
            accounts.equity, accounts.position, accounts.trades, close, init_cash, first, end
        )
        for name, value in values.items():
            metrics[scope][symbol][name][columns] = value
        pooled[scope][0][columns] += n_closed
        pooled[scope][1][columns] += wins


def _store_portfolio(metrics, pooled, symbols, columns, total, initial, cut) -> None:
    """Portfolio metrics of one chunk (:func:`alu.backtest.metrics.portfolio_segment_metrics`,
    as a single backtest computes them)."""
    for scope, first, end in _segments(cut, len(total)):
        per_symbol = [{m: metrics[scope][s][m][columns] for m in METRICS} for s in symbols]
        pool = (pooled[scope][0][columns], pooled[scope][1][columns])
        values = portfolio_segment_metrics(total, initial, per_symbol, pool, first, end)
        for name, value in values.items():
            metrics[scope][PORTFOLIO][name][columns] = value

"""Performance metrics: one registry (:data:`METRICS`) and pure functions on arrays.

The registry is the one place that says, for each metric, its name, label, unit, display format,
which way is better and its definition: the engine, the sweep, the ranking, the terminal, the
reports and the docs' table (``docs/metrics.md``, checked by a test) all read it. The functions
below define them (numpy, one formula each); the one implementation that computes them for
accounts is :mod:`alu.backtest.reduce_nb` (numba), called here by :func:`segment_metrics`,
:func:`portfolio_segment_metrics` and :func:`equity_metrics` on arrays (a single backtest, one
column) and by the sweep kernel on each variant's accounts (:func:`alu.backtest.engine.
sweep_chunk_nb`), so the two cannot differ; the tests hold it to the numpy definitions.
:func:`combine_equity` is the one place that combines accounts into the portfolio (the sweep
kernel sums the accounts in the same order).

Conventions (also in the README):

- ``equity`` is the account value at each day's close; ``initial`` the cash it started with.
- Daily returns: ``r[0] = equity[0] / initial - 1`` and ``r[t] = equity[t] / equity[t-1] - 1``.
- ``total_return = equity[-1] / initial - 1``.
- ``cagr = (equity[-1] / initial) ** (252 / n) - 1`` for ``n`` daily returns (252 trading days a
  year, as empyrical's ``annual_return``).
- ``sharpe = mean(r) / std(r, ddof=1) * sqrt(252)``, risk-free rate 0.
- ``sortino = mean(r) / sqrt(mean(min(r, 0) ** 2)) * sqrt(252)`` (downside deviation over all
  days against a 0 target, as empyrical).
- ``max_drawdown = max_t (1 - equity[t] / peak[t])`` with ``peak[t]`` the running maximum of
  ``initial, equity[0..t]``: a positive fraction (0 when the account never fell below a peak).
- ``exposure``: fraction of days that end with a position open.
- ``win_rate``: fraction of closed trades with a positive return.

Undefined values (a zero standard deviation, no closed trades) are NaN, reported as null. So are
the ratios (``cagr``, ``sharpe``, ``sortino``) of an equity line that reaches zero or below at any
close: returns through a wiped-out account mean nothing.

Every function works along the first axis: a 1-D array (one account) gives a float, a 2-D array
(days x variants) gives one value per column, so a sweep and a single backtest share one
implementation of each formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PERIODS_PER_YEAR = 252


@dataclass(frozen=True)
class Metric:
    """One metric: ``format`` is how it is shown (``pct`` a fraction as %, ``num`` a number,
    ``int`` a count), ``unit`` what it is, ``higher_is_better`` the ranking direction."""

    name: str
    label: str
    unit: str
    format: str
    higher_is_better: bool
    definition: str
    rankable: bool = True


METRICS: tuple[Metric, ...] = (
    Metric("total_return", "total return", "fraction", "pct", True, "`equity[-1] / initial - 1`"),
    Metric(
        "cagr",
        "CAGR",
        "fraction per year",
        "pct",
        True,
        "`(equity[-1] / initial) ** (252 / n) - 1` over n daily returns; null when equity "
        "reaches zero",
    ),
    Metric(
        "sharpe",
        "Sharpe",
        "ratio (annualised)",
        "num",
        True,
        "`mean(r) / std(r, ddof=1) * sqrt(252)`, risk-free rate 0; null when equity reaches zero",
    ),
    Metric(
        "sortino",
        "Sortino",
        "ratio (annualised)",
        "num",
        True,
        "`mean(r) / sqrt(mean(min(r, 0)^2)) * sqrt(252)` (downside deviation over all days, "
        "target 0); null when equity reaches zero",
    ),
    Metric(
        "max_drawdown",
        "max drawdown",
        "fraction",
        "pct",
        False,
        "`max over days of (1 - equity / running peak)`, the running peak including the "
        "initial cash; a positive fraction",
    ),
    Metric(
        "trades",
        "trades",
        "count",
        "int",
        True,
        "round trips entered in the window, including one still open",
    ),
    Metric(
        "win_rate",
        "win rate",
        "fraction",
        "pct",
        True,
        "fraction of closed trades with a positive return (trade return = P&L after every "
        "fill's fees / entry value)",
    ),
    Metric(
        "exposure",
        "exposure",
        "fraction",
        "pct",
        True,
        "fraction of days that end with a position open",
    ),
    Metric(
        "buy_hold_return",
        "buy & hold return",
        "fraction",
        "pct",
        True,
        "the symbol's last close / first close - 1 over the window (portfolio: their mean)",
        rankable=False,
    ),
)
BY_NAME: dict[str, Metric] = {m.name: m for m in METRICS}


def metrics_table() -> str:
    """The registry as the Markdown table of docs/metrics.md (a test keeps the two equal)."""
    lines = ["| metric | label | unit | better | definition |", "|---|---|---|---|---|"]
    for m in METRICS:
        better = "higher" if m.higher_is_better else "lower"
        if not m.rankable:
            better = "(not ranked)"
        lines.append(f"| `{m.name}` | {m.label} | {m.unit} | {better} | {m.definition} |")
    return "\n".join(lines)


NAMES: tuple[str, ...] = tuple(BY_NAME)


def _scalar(value: np.ndarray) -> float | np.ndarray:
    return float(value) if np.ndim(value) == 0 else value


def daily_returns(equity: np.ndarray, initial: float) -> np.ndarray:
    """Day-over-day returns of ``equity``, the first relative to ``initial``."""
    equity = np.asarray(equity, dtype=np.float64)
    previous = np.empty_like(equity)
    previous[0] = initial
    previous[1:] = equity[:-1]
    return equity / previous - 1.0


def total_return(equity: np.ndarray, initial: float) -> float | np.ndarray:
    """Final equity over the initial cash, minus one."""
    return _scalar(np.asarray(equity)[-1] / initial - 1.0)


def cagr(
    equity: np.ndarray, initial: float, periods_per_year: int = PERIODS_PER_YEAR
) -> float | np.ndarray:
    """Compound annual growth rate over ``len(equity)`` trading days (-1 when wiped out)."""
    growth = np.asarray(np.asarray(equity)[-1] / initial, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        rate = np.where(growth > 0, np.abs(growth) ** (periods_per_year / len(equity)) - 1.0, -1.0)
    return _scalar(rate)


def sharpe(returns: np.ndarray, periods_per_year: int = PERIODS_PER_YEAR) -> float | np.ndarray:
    """Annualised Sharpe ratio (risk-free 0): ``mean / std(ddof=1) * sqrt(periods)``."""
    returns = np.asarray(returns, dtype=np.float64)
    if returns.shape[0] < 2:
        return _scalar(np.full(returns.shape[1:], np.nan))
    std = returns.std(axis=0, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(std > 0, returns.mean(axis=0) / std * np.sqrt(periods_per_year), np.nan)
    return _scalar(ratio)


def sortino(returns: np.ndarray, periods_per_year: int = PERIODS_PER_YEAR) -> float | np.ndarray:
    """Annualised Sortino ratio against a 0 target: ``mean / downside_dev * sqrt(periods)``."""
    returns = np.asarray(returns, dtype=np.float64)
    if returns.shape[0] == 0:
        return _scalar(np.full(returns.shape[1:], np.nan))
    downside = np.sqrt(np.mean(np.minimum(returns, 0.0) ** 2, axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(
            downside > 0, returns.mean(axis=0) / downside * np.sqrt(periods_per_year), np.nan
        )
    return _scalar(ratio)


def drawdown(equity: np.ndarray, initial: float) -> np.ndarray:
    """The drawdown of each day, ``1 - equity / running peak`` (the initial cash a peak)."""
    equity = np.asarray(equity, dtype=np.float64)
    peak = np.maximum(np.maximum.accumulate(equity, axis=0), initial)
    return 1.0 - equity / peak


def max_drawdown(equity: np.ndarray, initial: float) -> float | np.ndarray:
    """Largest fall from a running peak (the initial cash included), as a positive fraction.

    Equal to ``max(drawdown(equity, initial))``, computed in place (one days x variants array).
    """
    equity = np.asarray(equity, dtype=np.float64)
    ratio = np.maximum.accumulate(equity, axis=0)
    np.maximum(ratio, initial, out=ratio)
    np.divide(equity, ratio, out=ratio)
    return _scalar(1.0 - np.min(ratio, axis=0))


def exposure(position: np.ndarray) -> float | np.ndarray:
    """Fraction of days that end with a position open."""
    position = np.asarray(position, dtype=np.float64)
    if position.shape[0] == 0:
        return _scalar(np.full(position.shape[1:], np.nan))
    return _scalar(np.mean(position != 0, axis=0))


def win_rate(closed_trade_returns: np.ndarray) -> float:
    """Fraction of closed trades with a return above zero (NaN with no closed trades)."""
    closed_trade_returns = np.asarray(closed_trade_returns, dtype=np.float64)
    if len(closed_trade_returns) == 0:
        return float("nan")
    return float(np.mean(closed_trade_returns > 0))


EQUITY_METRICS = ("total_return", "cagr", "sharpe", "sortino", "max_drawdown")

#: The ratios that are null for an equity line that reaches zero.
RATIOS = ("cagr", "sharpe", "sortino")


def _rows_to_dict(rows: np.ndarray, names: Sequence[str], scalar: bool) -> dict[str, np.ndarray]:
    """Columns x metrics rows as ``{metric: one value per column}`` (floats for one 1-D input)."""
    at = {name: k for k, name in enumerate(NAMES)}
    return {
        name: (float(rows[0, at[name]]) if scalar else rows[:, at[name]].copy()) for name in names
    }


def equity_metrics(equity: np.ndarray, initial: float) -> dict[str, float | np.ndarray]:
    """The metrics that depend only on the equity curve (floats, or arrays per column).

    Computed by :func:`alu.backtest.reduce_nb.equity_metrics_nb`, the one implementation of the
    formulas above that the sweep runs too."""
    from alu.backtest.reduce_nb import equity_columns_nb

    equity = np.asarray(equity, dtype=np.float64)
    scalar = equity.ndim == 1
    columns = np.ascontiguousarray(equity.reshape(len(equity), -1))
    rows = np.full((columns.shape[1], len(NAMES)), np.nan)
    equity_columns_nb(columns, float(initial), rows)
    return _rows_to_dict(rows, EQUITY_METRICS, scalar)


def segment_metrics(
    equity: np.ndarray,
    position: np.ndarray,
    trades: np.ndarray,
    close: np.ndarray,
    initial: float,
    first: int = 0,
    end: int | None = None,
) -> tuple[dict[str, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Every metric of accounts over the days ``[first, end)``: ``equity`` and ``position`` are
    days x columns, ``trades`` the engine's trade records (with ``col``), ``close`` the symbol's
    closes. A segment after the first day is based on the equity at the close before it. Its
    trades are those it entered; closed means closed inside it (so a segment ending at a split
    equals a backtest that ends there). Also returns, per column, the closed trades and the
    winners among them (for the portfolio's pooled win rate).

    Computed by :func:`alu.backtest.reduce_nb.symbol_segment_nb` for each column: the function
    the sweep kernel runs on each variant's accounts."""
    from alu.backtest.reduce_nb import segment_columns_nb

    end = len(close) if end is None else end
    equity = np.ascontiguousarray(equity, dtype=np.float64)
    n_cols = equity.shape[1]
    order = np.argsort(trades["col"], kind="stable")
    records = np.ascontiguousarray(trades[order])
    starts = np.searchsorted(records["col"], np.arange(n_cols + 1)).astype(np.int64)
    rows = np.full((n_cols, len(NAMES)), np.nan)
    closed, wins = segment_columns_nb(
        equity,
        np.ascontiguousarray(position, dtype=np.float64),
        np.ascontiguousarray(close, dtype=np.float64),
        records,
        starts,
        int(first),
        int(end),
        float(initial),
        rows,
    )
    return _rows_to_dict(rows, NAMES, False), (closed, wins)


def portfolio_segment_metrics(
    total: np.ndarray,
    initial: float,
    per_symbol: Sequence[dict[str, np.ndarray]],
    pooled: tuple[np.ndarray, np.ndarray],
    first: int = 0,
    end: int | None = None,
) -> dict[str, np.ndarray]:
    """Every metric of the portfolio line ``total`` (days x columns) over ``[first, end)``:
    equity metrics of the line itself; trades summed, exposure and buy-and-hold averaged over
    the symbols (``per_symbol``: their :func:`segment_metrics` of the same segment); the win
    rate of the pooled closed trades (``pooled``: closed counts and winners, summed).

    Computed by :func:`alu.backtest.reduce_nb.portfolio_segment_nb` for each column."""
    from alu.backtest.reduce_nb import portfolio_columns_nb

    end = len(total) if end is None else end
    total = np.ascontiguousarray(total, dtype=np.float64)
    n_cols = total.shape[1]
    symbols = np.full((len(per_symbol), n_cols, len(NAMES)), np.nan)
    for s, values in enumerate(per_symbol):
        for k, name in enumerate(NAMES):
            symbols[s, :, k] = values[name]
    rows = np.full((n_cols, len(NAMES)), np.nan)
    n_closed, wins = pooled
    portfolio_columns_nb(
        total,
        int(first),
        int(end),
        float(initial),
        symbols,
        np.asarray(n_closed, dtype=np.int64).reshape(n_cols),
        np.asarray(wins, dtype=np.int64).reshape(n_cols),
        rows,
    )
    return _rows_to_dict(rows, NAMES, False)


def as_numbers(values: dict[str, np.ndarray], k: int = 0) -> dict[str, float | int]:
    """Column ``k`` of per-column metrics as plain numbers (counts as ints), in the registry's
    order."""
    out: dict[str, float | int] = {}
    for name in sorted(values, key=lambda n: NAMES.index(n) if n in BY_NAME else len(NAMES)):
        number = float(np.asarray(values[name]).reshape(-1)[k])
        out[name] = int(number) if BY_NAME[name].format == "int" and number == number else number
    return out


def combine_equity(
    equity: Sequence[np.ndarray], positions: Sequence[np.ndarray], initial: float
) -> np.ndarray:
    """The equal-weight portfolio: the sum of the accounts' equity (each days_s x columns) on the
    union calendar, ``positions[k][d]`` being account ``k``'s row on union day ``d`` (its last
    day on or before it; -1 before its first day, where it counts its initial cash)."""
    n_days = len(positions[0])
    n_cols = equity[0].shape[1]
    total = np.zeros((n_days, n_cols))
    for values, pos in zip(equity, positions, strict=True):
        total += np.where((pos >= 0)[:, None], values[pos.clip(0)], initial)
    return total


def union_positions(calendars: Sequence[np.ndarray], days: np.ndarray) -> list[np.ndarray]:
    """For each calendar, its row on or before each of ``days`` (-1 before its first day)."""
    return [np.searchsorted(c, days, side="right") - 1 for c in calendars]

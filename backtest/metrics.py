"""Performance metrics: pure functions on arrays, with exact definitions.

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

Undefined values (a zero standard deviation, no closed trades) are NaN, reported as null.
"""

from __future__ import annotations

import numpy as np

PERIODS_PER_YEAR = 252


def daily_returns(equity: np.ndarray, initial: float) -> np.ndarray:
    """Day-over-day returns of ``equity``, the first relative to ``initial``."""
    equity = np.asarray(equity, dtype=np.float64)
    previous = np.concatenate(([initial], equity[:-1]))
    return equity / previous - 1.0


def total_return(equity: np.ndarray, initial: float) -> float:
    """Final equity over the initial cash, minus one."""
    return float(equity[-1] / initial - 1.0)


def cagr(equity: np.ndarray, initial: float, periods_per_year: int = PERIODS_PER_YEAR) -> float:
    """Compound annual growth rate over ``len(equity)`` trading days."""
    growth = equity[-1] / initial
    if growth <= 0:
        return -1.0
    return float(growth ** (periods_per_year / len(equity)) - 1.0)


def sharpe(returns: np.ndarray, periods_per_year: int = PERIODS_PER_YEAR) -> float:
    """Annualised Sharpe ratio (risk-free 0): ``mean / std(ddof=1) * sqrt(periods)``."""
    returns = np.asarray(returns, dtype=np.float64)
    if len(returns) < 2:
        return float("nan")
    std = returns.std(ddof=1)
    if not std > 0:
        return float("nan")
    return float(returns.mean() / std * np.sqrt(periods_per_year))


def sortino(returns: np.ndarray, periods_per_year: int = PERIODS_PER_YEAR) -> float:
    """Annualised Sortino ratio against a 0 target: ``mean / downside_dev * sqrt(periods)``."""
    returns = np.asarray(returns, dtype=np.float64)
    if len(returns) == 0:
        return float("nan")
    downside = np.sqrt(np.mean(np.minimum(returns, 0.0) ** 2))
    if not downside > 0:
        return float("nan")
    return float(returns.mean() / downside * np.sqrt(periods_per_year))


def max_drawdown(equity: np.ndarray, initial: float) -> float:
    """Largest fall from a running peak (the initial cash included), as a positive fraction."""
    equity = np.asarray(equity, dtype=np.float64)
    peak = np.maximum.accumulate(np.concatenate(([initial], equity)))[1:]
    return float(np.max(1.0 - equity / peak))


def drawdown(equity: np.ndarray, initial: float) -> np.ndarray:
    """The drawdown of each day, ``1 - equity / running peak`` (for charts)."""
    equity = np.asarray(equity, dtype=np.float64)
    peak = np.maximum.accumulate(np.concatenate(([initial], equity)))[1:]
    return 1.0 - equity / peak


def exposure(position: np.ndarray) -> float:
    """Fraction of days that end with a position open."""
    position = np.asarray(position, dtype=np.float64)
    return float(np.mean(position != 0)) if len(position) else float("nan")


def win_rate(closed_trade_returns: np.ndarray) -> float:
    """Fraction of closed trades with a return above zero (NaN with no closed trades)."""
    closed_trade_returns = np.asarray(closed_trade_returns, dtype=np.float64)
    if len(closed_trade_returns) == 0:
        return float("nan")
    return float(np.mean(closed_trade_returns > 0))


def equity_metrics(equity: np.ndarray, initial: float) -> dict[str, float]:
    """The metrics that depend only on the equity curve."""
    returns = daily_returns(equity, initial)
    return {
        "total_return": total_return(equity, initial),
        "cagr": cagr(equity, initial),
        "sharpe": sharpe(returns),
        "sortino": sortino(returns),
        "max_drawdown": max_drawdown(equity, initial),
    }

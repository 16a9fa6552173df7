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

Undefined values (a zero standard deviation, no closed trades) are NaN, reported as null. So are
the ratios (``cagr``, ``sharpe``, ``sortino``) of an equity line that reaches zero or below at any
close: returns through a wiped-out account mean nothing.

Every function works along the first axis: a 1-D array (one account) gives a float, a 2-D array
(days x variants) gives one value per column, so a sweep and a single backtest share one
implementation of each formula.
"""

from __future__ import annotations

import numpy as np

PERIODS_PER_YEAR = 252


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


def equity_metrics(equity: np.ndarray, initial: float) -> dict[str, float | np.ndarray]:
    """The metrics that depend only on the equity curve (floats, or arrays per column)."""
    equity = np.asarray(equity, dtype=np.float64)
    returns = daily_returns(equity, initial)
    out = {
        "total_return": total_return(equity, initial),
        "cagr": cagr(equity, initial),
        "sharpe": sharpe(returns),
        "sortino": sortino(returns),
        "max_drawdown": max_drawdown(equity, initial),
    }
    wiped = np.min(equity, axis=0) <= 0
    if np.any(wiped):
        for name in RATIOS:
            out[name] = _scalar(np.where(wiped, np.nan, out[name]))
    return out


#: The ratios that are null for an equity line that reaches zero.
RATIOS = ("cagr", "sharpe", "sortino")

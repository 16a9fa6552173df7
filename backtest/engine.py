"""The execution model, run by vectorbt. The only module that imports vectorbt.

Exact model (tests hold the engine to a plain-Python loop of it):

- The stance (+1 long, 0 flat, -1 short) is decided at the close of day ``t``; the account holds
  it from the next trading day: any change is filled at day ``t+1``'s fill price (its Open, or its
  Close when the series has no Open). The account starts flat on the first day of the window.
- Slippage moves every fill against the trade: buys at ``price * (1 + slippage)``, sells at
  ``price * (1 - slippage)``. Fees are a fraction of traded value charged on each fill.
- All in: an entry (long or short) uses all the cash, ``shares = cash / (fill * (1 + fees))``.
  An exit closes the whole position. A reversal closes and re-opens at the same fill.
- Equity at each close is ``cash + shares * close``; a short sale adds its proceeds to cash.
  A trade still open at the end stays open, valued at the last close (no exit fee).

vectorbt is driven through ``Portfolio.from_orders`` (its simulation kernel is cached on disk by
numba, unlike ``from_signals``'s), with an order only on days where the held stance changes: an
entry is an order of infinite size in the trade's direction (all in, fees included), an exit a
target amount of zero. Reversals are a single infinite order, which vectorbt fills as close plus
all-in open at one price.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from backtest.metrics import equity_metrics, exposure, win_rate

INITIAL_CASH = 100_000.0


@dataclass(frozen=True)
class Costs:
    """Trading costs and account size: fractions of traded value / price, cash in US$."""

    fees: float = 0.001
    slippage: float = 0.0005
    init_cash: float = INITIAL_CASH


@dataclass(frozen=True)
class Trade:
    """One round trip. Prices are fill prices (slippage included); ``return`` is net of fees.

    ``trade_return = pnl / (size * entry_price)``, with ``pnl`` after both fills' fees. An open
    trade has no exit date or price; its return is marked at the last close without an exit fee.
    """

    entry_date: pd.Timestamp
    exit_date: pd.Timestamp | None
    entry_price: float
    exit_price: float | None
    direction: str
    size: float
    pnl: float
    trade_return: float

    @property
    def is_open(self) -> bool:
        return self.exit_date is None

    def to_json(self) -> dict:
        return {
            "entry_date": f"{self.entry_date:%Y-%m-%d}",
            "exit_date": None if self.exit_date is None else f"{self.exit_date:%Y-%m-%d}",
            "entry_price": self.entry_price,
            "exit_price": self.exit_price,
            "direction": self.direction,
            "return": self.trade_return,
        }


@dataclass
class Account:
    """One symbol's account over the window: daily close, held stance, shares and equity."""

    symbol: str
    dates: pd.DatetimeIndex
    close: np.ndarray
    fill_price: np.ndarray
    stance: np.ndarray  # decided at each close
    position: np.ndarray  # shares held at each close (negative short)
    equity: np.ndarray
    trades: list[Trade]
    costs: Costs

    def metrics(self) -> dict[str, float]:
        """Equity metrics plus trades, win rate, exposure and the symbol's buy-and-hold return."""
        closed = np.array([t.trade_return for t in self.trades if not t.is_open])
        out = equity_metrics(self.equity, self.costs.init_cash)
        out["trades"] = len(self.trades)
        out["win_rate"] = win_rate(closed)
        out["exposure"] = exposure(self.position)
        out["buy_hold_return"] = float(self.close[-1] / self.close[0] - 1.0)
        return out


def held_stance(stance: np.ndarray) -> np.ndarray:
    """The stance held during each day: yesterday's decision (flat on the first day)."""
    stance = np.asarray(stance, dtype=np.int8)
    return np.concatenate((np.zeros(1, dtype=np.int8), stance[:-1]))


def stance_orders(stance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order sizes and vectorbt size types for a stance series (NaN size: no order that day)."""
    from vectorbt.portfolio.enums import SizeType

    held = held_stance(stance)
    previous = np.concatenate((np.zeros(1, dtype=np.int8), held[:-1]))
    change = held != previous
    size = np.full(len(held), np.nan)
    size[change & (held == 1)] = np.inf
    size[change & (held == -1)] = -np.inf
    size[change & (held == 0)] = 0.0
    size_type = np.where(
        change & (held == 0), int(SizeType.TargetAmount), int(SizeType.Amount)
    ).astype(np.int64)
    return size, size_type


def simulate(
    symbol: str,
    close: pd.Series,
    fill_price: pd.Series,
    stance: pd.Series,
    costs: Costs,
) -> Account:
    """Run the execution model for one symbol over the days of ``close``."""
    import vectorbt as vbt

    if not (close.index.equals(fill_price.index) and close.index.equals(stance.index)):
        raise ValueError("close, fill_price and stance must share one index")
    size, size_type = stance_orders(stance.to_numpy())
    portfolio = vbt.Portfolio.from_orders(
        close.to_numpy(dtype=np.float64),
        size=size,
        size_type=size_type,
        price=fill_price.to_numpy(dtype=np.float64),
        fees=costs.fees,
        slippage=costs.slippage,
        init_cash=costs.init_cash,
        direction="both",
        freq="1D",
    )
    dates = pd.DatetimeIndex(close.index)
    return Account(
        symbol=symbol,
        dates=dates,
        close=close.to_numpy(dtype=np.float64),
        fill_price=fill_price.to_numpy(dtype=np.float64),
        stance=stance.to_numpy(dtype=np.int8),
        position=np.asarray(portfolio.assets(), dtype=np.float64).ravel(),
        equity=np.asarray(portfolio.value(), dtype=np.float64).ravel(),
        trades=_trades(portfolio.exit_trades.values, dates),
        costs=costs,
    )


def _trades(records: np.ndarray, dates: pd.DatetimeIndex) -> list[Trade]:
    trades = []
    for rec in records:
        is_open = int(rec["status"]) == 0
        trades.append(
            Trade(
                entry_date=dates[int(rec["entry_idx"])],
                exit_date=None if is_open else dates[int(rec["exit_idx"])],
                entry_price=float(rec["entry_price"]),
                exit_price=None if is_open else float(rec["exit_price"]),
                direction="long" if int(rec["direction"]) == 0 else "short",
                size=float(rec["size"]),
                pnl=float(rec["pnl"]),
                trade_return=float(rec["return"]),
            )
        )
    return trades

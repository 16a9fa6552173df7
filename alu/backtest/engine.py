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

vectorbt is driven through its order-simulation kernel ``simulate_from_orders_nb`` (cached on disk
by numba, unlike ``from_signals``'s), with an order only on days where the held stance changes:
an entry is an order of infinite size in the trade's direction (all in, fees included), an exit
a target amount of zero. Reversals are a single infinite order, which vectorbt fills as close
plus all-in open at one price. One function, :func:`simulate_many`, runs every simulation: a
single backtest is its one-column case, so ``alu backtest`` and ``alu compare`` cannot differ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alu.backtest.metrics import equity_metrics, exposure, win_rate

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
    """The stance held during each day: yesterday's decision (flat on the first day).

    Works along the first axis (days, or days x variants).
    """
    stance = np.asarray(stance, dtype=np.int8)
    held = np.zeros_like(stance)
    held[1:] = stance[:-1]
    return held


def stance_orders(stance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order sizes and vectorbt size types for a stance array (NaN size: no order that day)."""
    from vectorbt.portfolio.enums import SizeType

    held = held_stance(stance)
    previous = held_stance(held)
    change = held != previous
    size = np.full(held.shape, np.nan)
    size[change & (held == 1)] = np.inf
    size[change & (held == -1)] = -np.inf
    size[change & (held == 0)] = 0.0
    size_type = np.where(
        change & (held == 0), int(SizeType.TargetAmount), int(SizeType.Amount)
    ).astype(np.int64)
    return size, size_type


@dataclass
class ManyAccounts:
    """The accounts of one symbol under many stances: arrays of days x variants, and vectorbt's
    exit-trade records (``col``, ``entry_idx``, ``exit_idx``, ``entry_price``, ``exit_price``,
    ``size``, ``pnl``, ``return``, ``direction``, ``status``: 1 closed, 0 open; an open trade's
    ``exit_idx`` is the last day)."""

    equity: np.ndarray
    position: np.ndarray
    trades: np.ndarray


def order_events(
    size: np.ndarray, size_type: np.ndarray, fill_price: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each column's orders packed to the top: row k holds the column's k-th order.

    Returns the packed sizes (NaN padding), size types, fill prices and the day of each event.
    Between its orders an account only holds (sizes are all-in amounts or a target of zero, none
    depends on the account's value), so simulating the events alone fills every order exactly as
    simulating every day would, at a fraction of the work.
    """
    n_cols = size.shape[1]
    has = ~np.isnan(size)
    count = has.sum(axis=0)
    depth = max(1, int(count.max(initial=0)))
    cols, days = np.nonzero(has.T)  # column by column, days ascending
    rank = np.arange(len(cols)) - np.repeat(np.cumsum(count) - count, count)
    packed_size = np.full((depth, n_cols), np.nan)
    packed_type = np.zeros((depth, n_cols), dtype=size_type.dtype)
    packed_price = np.ones((depth, n_cols))
    day_of = np.zeros((depth, n_cols), dtype=np.int64)
    packed_size[rank, cols] = size[days, cols]
    packed_type[rank, cols] = size_type[days, cols]
    packed_price[rank, cols] = fill_price[days]
    day_of[rank, cols] = days
    return packed_size, packed_type, packed_price, day_of


def simulate_many(
    close: np.ndarray, fill_price: np.ndarray, stance: np.ndarray, costs: Costs
) -> ManyAccounts:
    """Run the execution model for one symbol and a stance per column (days x variants).

    vectorbt's numba kernels do the work: ``simulate_from_orders_nb`` fills the orders (given
    as packed events, see :func:`order_events`), then, on the real calendar,
    ``asset_flow_nb``/``assets_nb`` and ``cash_flow_nb``/``cash_nb`` give the holdings, so
    equity = cash + shares x close exactly as ``Portfolio.value`` computes it, and
    ``get_exit_trades_nb`` the trades.
    """
    from vectorbt.portfolio import nb
    from vectorbt.portfolio.enums import Direction
    from vectorbt.records.nb import col_map_nb

    close = np.ascontiguousarray(close, dtype=np.float64)
    fill_price = np.ascontiguousarray(fill_price, dtype=np.float64)
    stance = np.asarray(stance, dtype=np.int8)
    if stance.ndim == 1:
        stance = stance[:, None]
    n_days, n_cols = stance.shape
    size, size_type, price, day_of = order_events(*stance_orders(stance), fill_price)
    init_cash = np.full(n_cols, costs.init_cash)
    orders, _ = nb.simulate_from_orders_nb(
        target_shape=size.shape,
        group_lens=np.ones(n_cols, dtype=np.int64),
        init_cash=init_cash,
        call_seq=np.zeros(size.shape, dtype=np.int64),
        size=size,
        price=price,
        size_type=size_type,
        direction=np.asarray(int(Direction.Both)),
        fees=np.asarray(float(costs.fees)),
        # Every argument is passed, even at its default: an omitted array default enters
        # numba's signature by identity, which would defeat the on-disk cache in every process.
        fixed_fees=np.asarray(0.0),
        slippage=np.asarray(float(costs.slippage)),
        min_size=np.asarray(0.0),
        max_size=np.asarray(np.inf),
        size_granularity=np.asarray(np.nan),
        reject_prob=np.asarray(0.0),
        lock_cash=np.asarray(False),
        allow_partial=np.asarray(True),
        raise_reject=np.asarray(False),
        log=np.asarray(False),
        val_price=np.asarray(np.inf),
        close=price,
        auto_call_seq=False,
        ffill_val_price=True,
        update_value=False,
        max_orders=max(1, int(np.count_nonzero(~np.isnan(size)))),
        max_logs=0,
        init_temp_records=False,
        flex_2d=True,
    )
    orders["idx"] = day_of[orders["idx"], orders["col"]]
    col_map = col_map_nb(orders["col"], n_cols)
    position = nb.assets_nb(
        nb.asset_flow_nb((n_days, n_cols), orders, col_map, int(Direction.Both))
    )
    cash = nb.cash_nb(nb.cash_flow_nb((n_days, n_cols), orders, col_map, False), init_cash)
    equity = cash + close[:, None] * position
    close_2d = np.broadcast_to(close[:, None], (n_days, n_cols))
    trades = nb.get_exit_trades_nb(orders, close_2d, col_map)
    return ManyAccounts(equity=equity, position=position, trades=trades)


def simulate(
    symbol: str,
    close: pd.Series,
    fill_price: pd.Series,
    stance: pd.Series,
    costs: Costs,
) -> Account:
    """Run the execution model for one symbol over the days of ``close``."""
    if not (close.index.equals(fill_price.index) and close.index.equals(stance.index)):
        raise ValueError("close, fill_price and stance must share one index")
    many = simulate_many(
        close.to_numpy(dtype=np.float64),
        fill_price.to_numpy(dtype=np.float64),
        stance.to_numpy(dtype=np.int8),
        costs,
    )
    dates = pd.DatetimeIndex(close.index)
    return Account(
        symbol=symbol,
        dates=dates,
        close=close.to_numpy(dtype=np.float64),
        fill_price=fill_price.to_numpy(dtype=np.float64),
        stance=stance.to_numpy(dtype=np.int8),
        position=many.position[:, 0],
        equity=many.equity[:, 0],
        trades=_trades(many.trades, dates),
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

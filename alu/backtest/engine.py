"""The execution model, run with vectorbt's order execution. The only module that imports vectorbt.

Exact model (the tests hold the engine to a plain-Python loop of it, rule by rule):

- **Decisions and fills.** The stance (+1 long, 0 flat, -1 short) is decided at the close of day
  ``t`` from data usable then; any order it causes is filled at day ``t+1``'s fill price ``p``
  (its Open, or its Close when the series has no Open). The account starts flat on the first day
  of the window. A decision at the last close is never filled.
- **Costs.** Slippage moves every fill against the order: buys at ``p * (1 + slippage)``, sells at
  ``p * (1 - slippage)``. Fees are a fraction of traded value, charged on every fill.
- **Whole exits.** An exit always closes the whole position, whatever the cash (covering a short
  may take cash below zero; equity is what counts). A reversal closes and re-opens at one fill.
- **Sizing** (``fraction``, ``vol_target``, ``max_leverage``): an entry buys or sells
  ``shares = L * E / (p_entry * (1 + fees))`` where ``E`` is the account's equity at the fill
  (its cash, the account being flat), ``p_entry`` the entry-side fill price and the leverage
  ``L = fraction`` [1: all in]; with ``vol_target > 0``, ``L = min(max_leverage, vol_target /
  sigma)``, ``sigma`` the annualised standard deviation (ddof 1, x sqrt(252)) of the
  instrument's daily close-to-close returns over the ``vol_window`` days up to the decision
  close (no entry while sigma is undefined; ``L = max_leverage`` when it is zero), and the
  position is resized to the same formula (``E = cash + shares * p``) at the fill of every
  ``rebalance_days``-th trading day after the entry while the stance holds.
- **Margin** (``maintenance_margin``): when at a close the equity ``cash + shares * close`` is at
  or below ``maintenance_margin * |shares| * close`` (within a relative 1e-9, so that rounding
  never decides an account held exactly at the limit), the position is closed at the next fill as
  a trade marked ``liquidation``.
- **Stops** (``stop_loss``, ``trailing_stop``; 0 = off): at each close a long is stopped when the
  close is at or below ``entry_fill * (1 - stop_loss)`` or ``best_close * (1 - trailing_stop)``
  (``best_close`` the highest close since the entry fill), a short when the close is at or above
  ``entry_fill * (1 + stop_loss)`` or ``best_close * (1 + trailing_stop)`` (the lowest close);
  the position is closed at the next fill as a trade marked ``stop``. Liquidation is checked
  before the stops.
- **After a stop or a liquidation** the rule must go flat or reverse before the account enters
  that direction again: while the decided stance stays the stopped direction, the account stays
  flat; a reversal decided at the same close is entered at the same fill.
- **Ruin.** An account whose equity is at or below zero after a fill, with no position left,
  is ruined: it trades no more.
- **Equity** at each close is ``cash + shares * close``; a short sale adds its proceeds to cash.
  A trade still open at the end stays open (exit reason ``end``), valued at the last close.

Every fill goes through vectorbt's order execution (``execute_order_nb``: fill price with
slippage, fees, the resulting position), inside one numba kernel, :func:`simulate_nb`, that
decides the orders day by day (sizing, stops, margin, blocks) and keeps the cash, which vectorbt's
own cash model would not let go below zero. The kernel is cached on disk by numba. One function,
:func:`simulate_many`, runs every simulation: a single backtest is its one-column case, so
``alu backtest`` and ``alu compare`` cannot differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
from numba import njit
from vectorbt.portfolio.enums import Direction, OrderStatus, ProcessOrderState, SizeType
from vectorbt.portfolio.nb import execute_order_nb, order_nb

from alu.backtest.metrics import PERIODS_PER_YEAR, as_numbers, segment_metrics
from alu.backtest.reduce_nb import (
    add_unit_nb,
    daily_returns_nb,
    portfolio_segment_nb,
    return_stats_nb,
    symbol_segment_nb,
    walk_forward_metric_nb,
)

INITIAL_CASH = 100_000.0

#: Why a trade ended, as stored in the trade records (``reason``) and named in outputs.
SIGNAL, STOP, LIQUIDATION, END = 0, 1, 2, 3
#: "At or below the margin" within a relative 1e-9: an account held exactly at the limit (say
#: twice levered with a 50 % maintenance margin) is liquidated whatever the last bit of rounding.
MARGIN_SLACK = 1.0 + 1e-9
EXIT_REASONS = ("signal", "stop", "liquidation", "end")

TRADE_DTYPE = np.dtype(
    [
        ("col", np.int64),
        ("entry_idx", np.int64),
        ("exit_idx", np.int64),  # the last day for a trade still open
        ("entry_price", np.float64),
        ("exit_price", np.float64),  # NaN while open
        ("size", np.float64),  # shares at the entry fill
        ("pnl", np.float64),
        ("return", np.float64),
        ("direction", np.int64),  # +1 long, -1 short
        ("status", np.int64),  # 1 closed, 0 open
        ("reason", np.int64),  # SIGNAL, STOP, LIQUIDATION or END
    ]
)


@dataclass(frozen=True)
class Costs:
    """Trading costs and account size: fractions of traded value / price, cash in US$."""

    fees: float = 0.001
    slippage: float = 0.0005
    init_cash: float = INITIAL_CASH


@dataclass(frozen=True)
class Model:
    """Sizing, stops and margin of the execution model (fractions; see the module docstring).

    The defaults are today's all-in model with a 25 % maintenance margin and no stops. The values
    are declared, with their bounds and help, as parameters every strategy carries
    (:mod:`alu.strategies.execution`), so they are set and swept like any other parameter.
    """

    fraction: float = 1.0
    vol_target: float = 0.0
    max_leverage: float = 1.0
    vol_window: int = 60
    rebalance_days: int = 20
    stop_loss: float = 0.0
    trailing_stop: float = 0.0
    maintenance_margin: float = 0.25

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Model:
        """The model fields found in ``params`` (a strategy variant's resolved parameters)."""
        return cls(**{f.name: params[f.name] for f in fields(cls) if f.name in params})


MODEL_FIELDS = tuple(f.name for f in fields(Model))


@dataclass(frozen=True)
class Trade:
    """One round trip. Prices are fill prices (slippage included); ``return`` is net of fees.

    ``trade_return = pnl / (size * entry_price)``, with ``pnl`` the change in cash from just
    before the entry fill to just after the exit fill (every fill's fees included; a resized
    position's resizing fills too) and ``size`` the shares bought or sold at the entry. An open
    trade has no exit date or price; its return is marked at the last close without an exit fee.
    ``exit_reason``: ``signal``, ``stop``, ``liquidation``, or ``end`` (still open).
    """

    entry_date: pd.Timestamp
    exit_date: pd.Timestamp | None
    entry_price: float
    exit_price: float | None
    direction: str
    size: float
    pnl: float
    trade_return: float
    exit_reason: str = "signal"

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
            "exit_reason": self.exit_reason,
        }


@dataclass
class Account:
    """One symbol's account over the window: daily close, decided stance, shares and equity."""

    symbol: str
    dates: pd.DatetimeIndex
    close: np.ndarray
    fill_price: np.ndarray
    stance: np.ndarray  # decided at each close
    position: np.ndarray  # shares held at each close (negative short)
    equity: np.ndarray
    records: np.ndarray  # the trade records (TRADE_DTYPE) behind ``trades``
    costs: Costs
    model: Model = Model()
    ruined_on: pd.Timestamp | None = None

    @property
    def trades(self) -> list[Trade]:
        return trades_of(self.records, self.dates)

    @property
    def liquidations(self) -> list[Trade]:
        return [t for t in self.trades if t.exit_reason == "liquidation"]

    def segment(self) -> tuple[dict[str, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """:func:`alu.backtest.metrics.segment_metrics` of this account (one column)."""
        return segment_metrics(
            self.equity[:, None],
            self.position[:, None],
            self.records,
            self.close,
            self.costs.init_cash,
        )

    def metrics(self) -> dict[str, float]:
        """Every metric of the registry, as plain numbers (the one-column case of a sweep's)."""
        return as_numbers(self.segment()[0])


def held_stance(stance: np.ndarray) -> np.ndarray:
    """The stance the rule wants held during each day: yesterday's decision (flat on the first
    day). Works along the first axis (days, or days x variants)."""
    stance = np.asarray(stance, dtype=np.int8)
    held = np.zeros_like(stance)
    held[1:] = stance[:-1]
    return held


def annual_volatility(close: np.ndarray, window: int) -> np.ndarray:
    """``sigma[t]``: the annualised standard deviation (ddof 1, x sqrt(252)) of the daily
    close-to-close returns over the ``window`` days up to and including ``t`` (NaN before
    ``window`` returns exist)."""
    close = np.asarray(close, dtype=np.float64)
    returns = pd.Series(close).pct_change()
    std = returns.rolling(int(window), min_periods=int(window)).std(ddof=1)
    return std.to_numpy() * np.sqrt(PERIODS_PER_YEAR)


@dataclass
class ManyAccounts:
    """The accounts of one symbol under many stances: arrays of days x variants, the trade
    records (:data:`TRADE_DTYPE`) and, per variant, the day it was ruined (-1: never)."""

    equity: np.ndarray
    position: np.ndarray
    trades: np.ndarray
    ruined: np.ndarray


def _model_columns(model: Model | Mapping[str, Any], n_cols: int) -> dict[str, np.ndarray]:
    """Each model field as one value per column (a Model, or a mapping of scalars/arrays)."""
    values = {f: getattr(model, f) for f in MODEL_FIELDS} if isinstance(model, Model) else model
    out = {}
    for name in MODEL_FIELDS:
        kind = np.int64 if name in ("vol_window", "rebalance_days") else np.float64
        out[name] = np.broadcast_to(np.asarray(values[name], dtype=kind), (n_cols,)).copy()
    return out


def simulate_many(
    close: np.ndarray,
    fill_price: np.ndarray,
    stance: np.ndarray,
    costs: Costs,
    model: Model | Mapping[str, Any] = Model(),
    *,
    volatility: Mapping[int, np.ndarray] | None = None,
) -> ManyAccounts:
    """Run the execution model for one symbol and a stance per column (days x variants).

    ``model`` gives the sizing, stop and margin values (a :class:`Model`, or a mapping of field
    name to a scalar or one value per column). ``volatility`` maps a ``vol_window`` to its
    :func:`annual_volatility` series on these days (computed here from ``close`` when absent;
    pass it computed on the instrument's longer history so the window's first days are sized).
    """
    close = np.ascontiguousarray(close, dtype=np.float64)
    fill_price = np.ascontiguousarray(fill_price, dtype=np.float64)
    stance = np.asarray(stance, dtype=np.int8)
    if stance.ndim == 1:
        stance = stance[:, None]
    stance = np.ascontiguousarray(stance)
    n_days, n_cols = stance.shape
    cols = _model_columns(model, n_cols)
    windows = np.unique(cols["vol_window"][cols["vol_target"] > 0])
    sigma = np.full((n_days, max(1, len(windows))), np.nan)
    for k, window in enumerate(windows.tolist()):
        given = None if volatility is None else volatility.get(window)
        sigma[:, k] = annual_volatility(close, window) if given is None else given
    sigma_col = np.searchsorted(windows, cols["vol_window"]).clip(0, max(0, len(windows) - 1))
    previous = np.vstack([np.zeros((1, n_cols), dtype=np.int8), stance[:-1]])
    entries = int(np.count_nonzero((stance != 0) & (stance != previous))) + n_cols
    records = np.empty(entries, dtype=TRADE_DTYPE)
    equity, position, ruined, n_trades = simulate_nb(
        close,
        fill_price,
        stance,
        np.ascontiguousarray(sigma),
        sigma_col.astype(np.int64),
        np.full(n_cols, float(costs.fees)),
        np.full(n_cols, float(costs.slippage)),
        np.full(n_cols, float(costs.init_cash)),
        cols["fraction"],
        cols["vol_target"],
        cols["max_leverage"],
        cols["rebalance_days"],
        cols["stop_loss"],
        cols["trailing_stop"],
        cols["maintenance_margin"],
        records,
    )
    return ManyAccounts(equity=equity, position=position, trades=records[:n_trades], ruined=ruined)


@njit(cache=True, nogil=True)
def _execute_nb(position, price, size, size_type, fees, slippage):
    """One fill through vectorbt's order execution: returns (filled, shares traded signed, fill
    price, fees paid, new position). The cash handed to vectorbt is unbounded: the account's
    cash is kept by the caller (it may go below zero), so vectorbt never shrinks the order."""
    state = ProcessOrderState(np.inf, position, 0.0, np.inf, price, np.nan, 0, 0)
    order = order_nb(
        size,
        price,
        size_type,
        Direction.Both,
        fees,
        0.0,
        slippage,
        0.0,
        np.inf,
        np.nan,
        0.0,
        False,
        False,
        False,
        False,
    )
    new_state, result = execute_order_nb(state, order)
    if result.status != OrderStatus.Filled:
        return False, 0.0, np.nan, 0.0, position
    signed = result.size if result.side == 0 else -result.size
    return True, signed, result.price, result.fees, new_state.position


@njit(cache=True, nogil=True)
def simulate_nb(
    close,
    fill,
    stance,
    sigma,
    sigma_col,
    fees,
    slippage,
    init_cash,
    fraction,
    vol_target,
    max_leverage,
    rebalance_days,
    stop_loss,
    trailing_stop,
    margin,
    records,
):
    """The execution model of the module docstring, column by column
    (:func:`simulate_column_nb`).

    Returns equity and position (days x columns), the day each column was ruined (-1: never)
    and the number of trade records written to ``records``.
    """
    n_days, n_cols = stance.shape
    equity = np.empty((n_days, n_cols))
    position = np.empty((n_days, n_cols))
    ruined_at = np.full(n_cols, -1, dtype=np.int64)
    eq = np.empty(n_days)
    pos = np.empty(n_days)
    k = 0
    for j in range(n_cols):
        k, ruined_at[j] = simulate_column_nb(
            close,
            fill,
            stance[:, j],
            sigma,
            sigma_col[j],
            fees[j],
            slippage[j],
            init_cash[j],
            fraction[j],
            vol_target[j],
            max_leverage[j],
            rebalance_days[j],
            stop_loss[j],
            trailing_stop[j],
            margin[j],
            eq,
            pos,
            records,
            k,
            j,
        )
        equity[:, j] = eq
        position[:, j] = pos
    return equity, position, ruined_at, k


@njit(cache=True, nogil=True)
def simulate_column_nb(
    close,
    fill,
    stance,
    sigma,
    sigma_col,
    fees,
    slippage,
    init_cash,
    fraction,
    vol_target,
    max_leverage,
    rebalance_days,
    stop_loss,
    trailing_stop,
    margin,
    equity,
    position,
    records,
    k,
    col,
):
    """The execution model of the module docstring for one account, day by day: the stance
    decided at each close (1-D), the fill and close prices, column ``sigma_col`` of ``sigma``
    (the volatility per day, for vol-target sizing) and the model's values for this account.

    Writes the equity and the position at each close into ``equity`` and ``position`` and the
    trades into ``records`` from row ``k`` (marked ``col``); returns the next free row and the
    day the account was ruined (-1: never). The one simulation of the engine: a single backtest,
    :func:`simulate_nb` and the sweep kernel (:func:`sweep_chunk_nb`) all run it.
    """
    n_days = stance.shape[0]
    trailing = trailing_stop > 0
    stops = stop_loss > 0 or trailing
    resizing = vol_target > 0 and rebalance_days > 0
    ruined_at = -1
    cash = init_cash
    pos = 0.0
    side = 0  # the account's direction: +1, -1 or 0
    entry_idx = -1
    entry_price = np.nan
    entry_size = 0.0
    cash_before = 0.0
    best = np.nan
    forced = -1  # STOP or LIQUIDATION decided at the last close, else -1
    blocked = 0  # a direction the rule must leave before it is entered again
    ruined = False
    t = -1
    while t + 1 < n_days:
        t += 1
        if t > 0 and not ruined:
            p = fill[t]
            want = stance[t - 1]
            if forced >= 0 and side != 0:
                ok, traded, px, fee, pos = _execute_nb(
                    pos, p, 0.0, SizeType.TargetAmount, fees, slippage
                )
                cash -= traded * px + fee
                _close_trade(records, k, col, entry_idx, t, entry_price, px, entry_size)
                _finish(records, k, cash - cash_before, side, 1, forced)
                k += 1
                if want == side:
                    blocked = side
                side = 0
            forced = -1
            if want == blocked:
                want = 0
            if want != side:
                if side != 0:
                    ok, traded, px, fee, pos = _execute_nb(
                        pos, p, 0.0, SizeType.TargetAmount, fees, slippage
                    )
                    cash -= traded * px + fee
                    _close_trade(records, k, col, entry_idx, t, entry_price, px, entry_size)
                    _finish(records, k, cash - cash_before, side, 1, 0)
                    k += 1
                    side = 0
                if want != 0 and cash > 0:
                    shares = _target_shares(
                        want,
                        cash,
                        p,
                        sigma[t - 1, sigma_col],
                        fees,
                        slippage,
                        fraction,
                        vol_target,
                        max_leverage,
                    )
                    if shares > 0:
                        before = cash
                        ok, traded, px, fee, pos = _execute_nb(
                            pos, p, want * shares, SizeType.Amount, fees, slippage
                        )
                        if ok:
                            cash -= traded * px + fee
                            cash_before = before
                            side = want
                            entry_idx = t
                            entry_price = px
                            entry_size = abs(traded)
                            best = np.nan
            elif side != 0 and _rebalance_due(t, entry_idx, vol_target, rebalance_days):
                value = cash + pos * p
                shares = 0.0
                if value > 0:
                    shares = _target_shares(
                        side,
                        value,
                        p,
                        sigma[t - 1, sigma_col],
                        fees,
                        slippage,
                        fraction,
                        vol_target,
                        max_leverage,
                    )
                if shares > 0:
                    ok, traded, px, fee, pos = _execute_nb(
                        pos, p, side * shares, SizeType.TargetAmount, fees, slippage
                    )
                    if ok:
                        cash -= traded * px + fee
            if side == 0 and cash <= 0:
                ruined = True
                ruined_at = t
        value = cash + pos * close[t]
        equity[t] = value
        position[t] = pos
        if side != 0:
            c = close[t]
            # the best close matters to a trailing stop only; the stops are off at 0
            if trailing and (np.isnan(best) or (side > 0 and c > best) or (side < 0 and c < best)):
                best = c
            if value <= margin * abs(pos) * c * MARGIN_SLACK:
                forced = LIQUIDATION
            elif stops and (
                _against(side, c, entry_price, stop_loss) or _against(side, c, best, trailing_stop)
            ):
                forced = STOP
        if blocked != 0 and stance[t] != blocked:
            blocked = 0
        # Holding, with no stop, no resizing and nothing forced, while the rule keeps the
        # side: the days that follow are marked and checked for margin (the loop above would
        # do just this).
        if side != 0 and forced < 0 and not stops and not resizing:
            if blocked == 0:  # the usual case, as one run
                u = _run_until(stance, t, side)
                held, liquidated = _hold_nb(
                    equity[t + 1 : u + 1],
                    position[t + 1 : u + 1],
                    close[t + 1 : u + 1],
                    cash,
                    pos,
                    margin,
                )
                t += held
                if liquidated:
                    forced = LIQUIDATION
            else:
                while t + 1 < n_days:
                    want = stance[t]
                    if want != side or want == blocked:
                        break
                    t += 1
                    c = close[t]
                    value = cash + pos * c
                    equity[t] = value
                    position[t] = pos
                    if value <= margin * abs(pos) * c * MARGIN_SLACK:
                        forced = LIQUIDATION
                    if blocked != 0 and stance[t] != blocked:
                        blocked = 0
                    if forced >= 0:
                        break
        # Flat, and the rule flat (or blocked) for the next day, or ruined: nothing happens on
        # the days that follow but the marking (the loop above would do just this).
        if side == 0:
            if blocked == 0 and not ruined:  # the usual case, as one run
                u = _run_until(stance, t, 0)
                _mark_nb(
                    equity[t + 1 : u + 1], position[t + 1 : u + 1], close[t + 1 : u + 1], cash, pos
                )
                t = u
            else:
                while t + 1 < n_days:
                    want = stance[t]
                    if want != 0 and want != blocked and not ruined:
                        break
                    t += 1
                    equity[t] = cash + pos * close[t]
                    position[t] = pos
                    if blocked != 0 and stance[t] != blocked:
                        blocked = 0
    if side != 0:
        _close_trade(records, k, col, entry_idx, n_days - 1, entry_price, np.nan, entry_size)
        _finish(records, k, cash + pos * close[n_days - 1] - cash_before, side, 0, END)
        k += 1
    return k, ruined_at


@njit(cache=True, nogil=True)
def _run_until(stance, t, value):
    """The last day ``u >= t`` such that the stance is ``value`` on every day ``t..u-1`` (the
    days ``t+1..u`` on which an account keeps what it holds), at most the last day."""
    ahead = stance[t:]
    u = 0
    for i in range(ahead.shape[0] - 1):  # (loops from 0: numba drops its negative-index checks)
        if ahead[i] != value:
            break
        u = i + 1
    return t + u


@njit(cache=True, nogil=True)
def _hold_nb(equity, position, close, cash, pos, margin):
    """Marks days on which a position is held (no stop, no resizing): the equity and the
    position, until a close at or below the maintenance margin. Returns the days marked and
    whether the last of them is that close."""
    for i in range(close.shape[0]):
        c = close[i]
        value = cash + pos * c
        equity[i] = value
        position[i] = pos
        if value <= margin * abs(pos) * c * MARGIN_SLACK:
            return i + 1, True
    return close.shape[0], False


@njit(cache=True, nogil=True)
def _mark_nb(equity, position, close, cash, pos):
    """Marks days on which nothing trades: the equity ``cash + pos x close`` and the position."""
    for i in range(close.shape[0]):
        equity[i] = cash + pos * close[i]
        position[i] = pos


@njit(cache=True, nogil=True, error_model="numpy")
def sweep_chunk_nb(
    close,
    fill,
    bounds,
    stance,
    sigma,
    sigma_col,
    fees,
    slippage,
    init_cash,
    fraction,
    vol_target,
    max_leverage,
    rebalance_days,
    stop_loss,
    trailing_stop,
    margin,
    upos,
    cuts,
    rank_rows,
    w_rank,
    w_all,
    n_blocks,
    block_length,
    wf_bounds,
    wf_key,
    wf_sign,
    half,
    records,
    metrics,
    moments,
    fingerprints,
    trial_sum,
    first_seen,
    dispersed,
    cscv_center,
    cscv_sums,
    cscv_sumsq,
    cscv_counts,
    wf_values,
    halves,
    returns_out,
):
    """A chunk of variants through the execution model on every symbol, reduced as it goes.

    Per variant (row ``j`` of ``stance``): each symbol's account (:func:`simulate_column_nb`
    on the symbol's rows ``bounds[s]:bounds[s + 1]`` of the concatenated ``close``, ``fill``,
    ``stance`` and ``sigma``) and its metrics per scope (full; in-sample and out-of-sample when
    ``cuts`` holds the in-sample days of each symbol and, last, of the portfolio, else -1);
    then the portfolio line on the union calendar (account ``s`` on union day ``d`` at its row
    ``upos[s, d]``, its initial cash before its first day, summed in symbol order as
    :func:`alu.backtest.metrics.combine_equity` does), its metrics per scope, and the
    statistics' reductions of its daily returns (:mod:`alu.backtest.reduce_nb`):

    - ``moments[j]``: Sharpe ratio, skew, kurtosis and count over the first ``rank_rows``;
    - ``fingerprints[j]``: over the ranking rows (weights ``w_rank``) and over every row;
    - ``first_seen[j]``: no earlier row of this chunk has the same ranking fingerprint;
      ``dispersed[j]``: its ranking returns vary; the first-seen dispersed streams' unit
      vectors are added to ``trial_sum`` (:class:`alu.stats.trials.TrialCounter`);
    - CSCV's per-block centred aggregates (``n_blocks`` blocks of ``block_length`` rows);
    - ``wf_values[j, w]``: the selection metric ``wf_key`` (a metrics-row position) times
      ``wf_sign`` over walk-forward window ``w``'s in-sample rows ``wf_bounds[w]``;
    - ``halves[j]``: the annualised Sharpe ratios of the returns before and from row ``half``
      (when ``half > 0``);
    - the daily returns themselves into ``returns_out[j]`` when it has rows (a few variants).

    Nothing days x variants is allocated: each variant's accounts live in buffers as long as
    the concatenated days, reused for the next.
    """
    n_cols = stance.shape[0]
    k_sym = bounds.shape[0] - 1
    n_union = upos.shape[1]
    n_scopes = metrics.shape[1]
    total_days = close.shape[0]
    n_windows = wf_bounds.shape[0]
    initial_total = init_cash * k_sym
    eq = np.empty(total_days)
    rs = np.empty(total_days)
    pos = np.empty(total_days)
    total = np.empty(n_union)
    r = np.empty(n_union)
    scratch = np.empty(n_union)
    scratch_r = np.empty(n_union)
    row = np.empty(metrics.shape[3])
    closed = np.zeros(n_scopes, dtype=np.int64)
    wins = np.zeros(n_scopes, dtype=np.int64)
    keep = returns_out.shape[0] > 0
    for j in range(n_cols):
        closed[:] = 0
        wins[:] = 0
        for s in range(k_sym):
            a = bounds[s]
            b = bounds[s + 1]
            n_rec, _ = simulate_column_nb(
                close[a:b],
                fill[a:b],
                stance[j, a:b],
                sigma[a:b],
                sigma_col[j],
                fees,
                slippage,
                init_cash,
                fraction[j],
                vol_target[j],
                max_leverage[j],
                rebalance_days[j],
                stop_loss[j],
                trailing_stop[j],
                margin[j],
                eq[a:b],
                pos[a:b],
                records,
                0,
                j,
            )
            daily_returns_nb(eq[a:b], init_cash, rs[a:b])
            for scope in range(n_scopes):
                first, end = _scope_rows(scope, cuts[s], b - a)
                c, w = symbol_segment_nb(
                    eq[a:b],
                    rs[a:b],
                    pos[a:b],
                    close[a:b],
                    records,
                    0,
                    n_rec,
                    first,
                    end,
                    init_cash,
                    metrics[j, scope, s],
                )
                closed[scope] += c
                wins[scope] += w
        # summed in symbol order for each day (a symbol at a time: the days run side by side)
        total[:] = 0.0
        for s in range(k_sym):
            account = eq[bounds[s] : bounds[s + 1]]
            rows = upos[s]
            for d in range(n_union):
                at = rows[d]
                total[d] += account[at] if at >= 0 else init_cash
        daily_returns_nb(total, initial_total, r)
        for scope in range(n_scopes):
            first, end = _scope_rows(scope, cuts[k_sym], n_union)
            portfolio_segment_nb(
                total,
                r,
                first,
                end,
                initial_total,
                metrics[j, scope, :k_sym],
                closed[scope],
                wins[scope],
                metrics[j, scope, k_sym],
            )
        mean, scale, center, half_a, half_b = return_stats_nb(
            r,
            rank_rows,
            w_rank,
            w_all,
            n_blocks if block_length > 0 else 0,
            block_length,
            half,
            moments[j],
            fingerprints[j],
            cscv_sums[j],
            cscv_sumsq[j],
            cscv_counts[j],
        )
        cscv_center[j] = center
        halves[j, 0] = half_a
        halves[j, 1] = half_b
        seen = False
        for i in range(j):
            if fingerprints[i, 0] == fingerprints[j, 0]:
                seen = True
                break
        first_seen[j] = not seen
        dispersed[j] = scale > 0
        if not seen and scale > 0:
            add_unit_nb(r, rank_rows, mean, scale, trial_sum)
        for w in range(n_windows):
            wf_values[j, w] = walk_forward_metric_nb(
                r, wf_bounds[w, 0], wf_bounds[w, 1], wf_key, wf_sign, scratch, scratch_r, row
            )
        if keep:
            returns_out[j, :] = r


@njit(cache=True, nogil=True)
def _scope_rows(scope, cut, n_days):
    """Rows ``[first, end)`` of scope 0 (full), 1 (in-sample: up to the cut) or 2 (out of
    sample: from the cut)."""
    if scope == 0:
        return 0, n_days
    if scope == 1:
        return 0, cut
    return cut, n_days


@njit(cache=True, nogil=True)
def _rebalance_due(t, entry_idx, vol_target, rebalance_days):
    """A vol-targeted position is resized every ``rebalance_days``-th day after its entry."""
    return vol_target > 0 and rebalance_days > 0 and (t - entry_idx) % rebalance_days == 0


@njit(cache=True, nogil=True)
def _against(side, close, reference, fraction):
    """The close has moved ``fraction`` (> 0) against a position from ``reference``."""
    if fraction <= 0:
        return False
    if side > 0:
        return close <= reference * (1 - fraction)
    return close >= reference * (1 + fraction)


@njit(cache=True, nogil=True)
def _target_shares(direction, equity, price, sigma, fees, slippage, fraction, vol_target, cap):
    """Shares of a position worth the model's leverage times ``equity`` (0: cannot size)."""
    if vol_target > 0:
        if np.isnan(sigma):
            return 0.0
        leverage = cap if sigma == 0 else min(cap, vol_target / sigma)
    else:
        leverage = fraction
    side_price = price * (1 + slippage) if direction > 0 else price * (1 - slippage)
    return leverage * equity / (side_price * (1 + fees))


@njit(cache=True, nogil=True)
def _close_trade(records, k, col, entry_idx, exit_idx, entry_price, exit_price, size):
    records[k]["col"] = col
    records[k]["entry_idx"] = entry_idx
    records[k]["exit_idx"] = exit_idx
    records[k]["entry_price"] = entry_price
    records[k]["exit_price"] = exit_price
    records[k]["size"] = size


@njit(cache=True, nogil=True)
def _finish(records, k, pnl, direction, status, reason):
    records[k]["pnl"] = pnl
    records[k]["return"] = pnl / (records[k]["size"] * records[k]["entry_price"])
    records[k]["direction"] = direction
    records[k]["status"] = status
    records[k]["reason"] = reason


def simulate(
    symbol: str,
    close: pd.Series,
    fill_price: pd.Series,
    stance: pd.Series,
    costs: Costs,
    model: Model = Model(),
    *,
    volatility: Mapping[int, np.ndarray] | None = None,
) -> Account:
    """Run the execution model for one symbol over the days of ``close``."""
    if not (close.index.equals(fill_price.index) and close.index.equals(stance.index)):
        raise ValueError("close, fill_price and stance must share one index")
    many = simulate_many(
        close.to_numpy(dtype=np.float64),
        fill_price.to_numpy(dtype=np.float64),
        stance.to_numpy(dtype=np.int8),
        costs,
        model,
        volatility=volatility,
    )
    dates = pd.DatetimeIndex(close.index)
    ruined = int(many.ruined[0])
    return Account(
        symbol=symbol,
        dates=dates,
        close=close.to_numpy(dtype=np.float64),
        fill_price=fill_price.to_numpy(dtype=np.float64),
        stance=stance.to_numpy(dtype=np.int8),
        position=many.position[:, 0],
        equity=many.equity[:, 0],
        records=many.trades,
        costs=costs,
        model=model,
        ruined_on=None if ruined < 0 else dates[ruined],
    )


def trade_records(trades: list[Trade], dates: pd.DatetimeIndex) -> np.ndarray:
    """:class:`Trade` objects of one account as trade records (the inverse of
    :func:`trades_of`), for accounts built by hand."""
    records = np.zeros(len(trades), dtype=TRADE_DTYPE)
    for k, t in enumerate(trades):
        records[k] = (
            0,
            dates.get_loc(t.entry_date),
            len(dates) - 1 if t.exit_date is None else dates.get_loc(t.exit_date),
            t.entry_price,
            np.nan if t.exit_price is None else t.exit_price,
            t.size,
            t.pnl,
            t.trade_return,
            1 if t.direction == "long" else -1,
            0 if t.is_open else 1,
            EXIT_REASONS.index(t.exit_reason) if not t.is_open else END,
        )
    return records


def trades_of(records: np.ndarray, dates: pd.DatetimeIndex) -> list[Trade]:
    """Trade records (:data:`TRADE_DTYPE`) of one column as :class:`Trade` objects."""
    trades = []
    for rec in records:
        is_open = int(rec["status"]) == 0
        trades.append(
            Trade(
                entry_date=dates[int(rec["entry_idx"])],
                exit_date=None if is_open else dates[int(rec["exit_idx"])],
                entry_price=float(rec["entry_price"]),
                exit_price=None if is_open else float(rec["exit_price"]),
                direction="long" if int(rec["direction"]) > 0 else "short",
                size=float(rec["size"]),
                pnl=float(rec["pnl"]),
                trade_return=float(rec["return"]),
                exit_reason=EXIT_REASONS[int(rec["reason"])],
            )
        )
    return trades

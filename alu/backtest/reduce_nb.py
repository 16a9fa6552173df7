"""numba reductions of accounts: every metric of the registry, and what the sweep statistics need.

The one implementation of the metric formulas of :mod:`alu.backtest.metrics` (whose numpy
functions ``sharpe``, ``sortino``, ``max_drawdown``... state the definitions; the tests hold these
kernels equal to them). :func:`alu.backtest.metrics.segment_metrics`,
:func:`~alu.backtest.metrics.portfolio_segment_metrics` and
:func:`~alu.backtest.metrics.equity_metrics` (a single backtest, a hand-built account) call them
on arrays; the sweep kernel (:func:`alu.backtest.engine.sweep_chunk_nb`) calls the same functions
on each variant's accounts while they are in cache, so ``alu backtest`` and ``alu compare`` run
the same arithmetic, in the same order, and agree to the last bit.

Also here, for the overfitting statistics of a sweep (:mod:`alu.stats`), reduced per variant from
its portfolio daily returns and never kept as a days x variants matrix:

- :func:`moments_nb`: count, Sharpe ratio, skew and kurtosis as
  :func:`alu.stats.dsr.return_moments` computes them (two passes, the mean first);
- :func:`cscv_blocks_nb`: the per-block centred sums, sums of squares and counts of
  :func:`alu.stats.pbo.cscv_blocks`;
- :func:`fingerprint_nb` and :func:`add_unit_nb`: the stream fingerprint and the unit-length
  centred vector of :mod:`alu.stats.trials`;
- :func:`walk_forward_metric_nb`: a walk-forward window's selection metric, as
  :func:`alu.backtest.compare.returns_metric` computes it.

Nothing here imports vectorbt. No ``fastmath``: sums run in index order, so a result depends on
the values alone, never on the chunk or the worker that computed it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from alu.stats.dsr import ZERO_VARIANCE_RTOL

PERIODS_PER_YEAR = 252
SQRT_YEAR = np.sqrt(PERIODS_PER_YEAR)
RTOL = ZERO_VARIANCE_RTOL

#: Positions of the metrics in a metrics row: the order of the registry
#: (:data:`alu.backtest.metrics.NAMES`, checked by a test).
TOTAL_RETURN, CAGR, SHARPE, SORTINO, MAX_DRAWDOWN = 0, 1, 2, 3, 4
TRADES, WIN_RATE, EXPOSURE, BUY_HOLD = 5, 6, 7, 8
N_METRICS = 9


@njit(cache=True, nogil=True, error_model="numpy")
def equity_metrics_nb(equity, first, end, base, out):
    """The equity metrics of ``equity[first:end]`` based on ``base`` (the initial cash, or the
    equity at the close before the segment) into ``out[0:5]``: total return, CAGR, Sharpe,
    Sortino and max drawdown, with the ratios NaN when the equity reaches zero."""
    n = end - first
    last = equity[end - 1]
    growth = last / base
    out[TOTAL_RETURN] = last / base - 1.0
    out[CAGR] = abs(growth) ** (PERIODS_PER_YEAR / n) - 1.0 if growth > 0 else -1.0
    # daily returns r[0] = e[first] / base - 1, r[t] = e[t] / e[t-1] - 1: two passes (mean first)
    total = 0.0
    low = np.inf
    nan = False
    prev = base
    for t in range(first, end):
        value = equity[t]
        total += value / prev - 1.0
        if value != value:
            nan = True
        elif value < low:
            low = value
        prev = value
    mean = total / n
    squares = 0.0
    downside = 0.0
    prev = base
    peak = base
    worst = np.inf
    for t in range(first, end):
        value = equity[t]
        r = value / prev - 1.0
        d = r - mean
        squares += d * d
        if r < 0.0:
            downside += r * r
        prev = value
        if value > peak:
            peak = value
        ratio = value / peak
        if ratio < worst or ratio != ratio:
            worst = ratio
    if n < 2:
        out[SHARPE] = np.nan
    else:
        std = np.sqrt(squares / (n - 1))
        out[SHARPE] = mean / std * SQRT_YEAR if std > 0 else np.nan
    deviation = np.sqrt(downside / n)
    out[SORTINO] = mean / deviation * SQRT_YEAR if deviation > 0 else np.nan
    out[MAX_DRAWDOWN] = 1.0 - worst
    if not nan and low <= 0.0:  # wiped out: returns through it mean nothing
        out[CAGR] = np.nan
        out[SHARPE] = np.nan
        out[SORTINO] = np.nan


@njit(cache=True, nogil=True, error_model="numpy")
def exposure_nb(position, first, end):
    """Fraction of the days ``[first, end)`` that end with a position open."""
    held = 0
    for t in range(first, end):
        if position[t] != 0:
            held += 1
    return held / (end - first)


@njit(cache=True, nogil=True, error_model="numpy")
def trades_nb(records, lo, hi, first, end):
    """Among the trade records ``records[lo:hi]`` (the engine's ``TRADE_DTYPE``): the trades
    entered in ``[first, end)``, those of them closed inside it, and the winners among the
    closed (a positive trade return)."""
    count = 0
    closed = 0
    wins = 0
    for k in range(lo, hi):
        entry = records[k]["entry_idx"]
        if entry >= first and entry < end:
            count += 1
            if records[k]["status"] == 1 and records[k]["exit_idx"] < end:
                closed += 1
                if records[k]["return"] > 0:
                    wins += 1
    return count, closed, wins


@njit(cache=True, nogil=True, error_model="numpy")
def symbol_segment_nb(equity, position, close, records, lo, hi, first, end, initial, out):
    """Every metric of one account over ``[first, end)`` into ``out`` (a metrics row), its
    trades being ``records[lo:hi]``; returns the closed trades and the winners among them
    (pooled for the portfolio's win rate)."""
    base = initial if first == 0 else equity[first - 1]
    equity_metrics_nb(equity, first, end, base, out)
    out[EXPOSURE] = exposure_nb(position, first, end)
    count, closed, wins = trades_nb(records, lo, hi, first, end)
    out[TRADES] = count
    out[WIN_RATE] = wins / closed if closed > 0 else np.nan
    start_close = close[0] if first == 0 else close[first - 1]
    out[BUY_HOLD] = close[end - 1] / start_close - 1.0
    return closed, wins


@njit(cache=True, nogil=True, error_model="numpy")
def portfolio_segment_nb(total, first, end, initial, symbols, closed, wins, out):
    """Every metric of the portfolio line over ``[first, end)`` into ``out``: equity metrics of
    the line; trades summed, exposure and buy-and-hold averaged over the rows of ``symbols``
    (their metrics rows for the same segment, in order); the win rate of the pooled closed
    trades."""
    base = initial if first == 0 else total[first - 1]
    equity_metrics_nb(total, first, end, base, out)
    k = symbols.shape[0]
    trades = 0.0
    exposure = 0.0
    buy_hold = 0.0
    for s in range(k):
        trades += symbols[s, TRADES]
        exposure += symbols[s, EXPOSURE]
        buy_hold += symbols[s, BUY_HOLD]
    out[TRADES] = trades
    out[EXPOSURE] = exposure / k
    out[BUY_HOLD] = buy_hold / k
    out[WIN_RATE] = wins / closed if closed > 0 else np.nan


# -- the array drivers behind alu.backtest.metrics ------------------------------------------------


@njit(cache=True, nogil=True, error_model="numpy")
def segment_columns_nb(equity, position, close, records, starts, first, end, initial, out):
    """:func:`symbol_segment_nb` of every column of ``equity``/``position`` (days x columns);
    ``records`` sorted by column, column ``j``'s being ``records[starts[j]:starts[j + 1]]``.
    Returns the closed trades and winners per column."""
    n_cols = equity.shape[1]
    closed = np.zeros(n_cols, dtype=np.int64)
    wins = np.zeros(n_cols, dtype=np.int64)
    e = np.empty(equity.shape[0])
    p = np.empty(equity.shape[0])
    for j in range(n_cols):
        for t in range(equity.shape[0]):
            e[t] = equity[t, j]
            p[t] = position[t, j]
        closed[j], wins[j] = symbol_segment_nb(
            e, p, close, records, starts[j], starts[j + 1], first, end, initial, out[j]
        )
    return closed, wins


@njit(cache=True, nogil=True, error_model="numpy")
def portfolio_columns_nb(total, first, end, initial, symbols, closed, wins, out):
    """:func:`portfolio_segment_nb` of every column of ``total`` (days x columns); ``symbols``
    is symbols x columns x metrics."""
    e = np.empty(total.shape[0])
    for j in range(total.shape[1]):
        for t in range(total.shape[0]):
            e[t] = total[t, j]
        rows = np.ascontiguousarray(symbols[:, j, :])
        portfolio_segment_nb(e, first, end, initial, rows, closed[j], wins[j], out[j])


@njit(cache=True, nogil=True, error_model="numpy")
def equity_columns_nb(equity, initial, out):
    """:func:`equity_metrics_nb` of every column of ``equity`` (days x columns), whole."""
    e = np.empty(equity.shape[0])
    for j in range(equity.shape[1]):
        for t in range(equity.shape[0]):
            e[t] = equity[t, j]
        equity_metrics_nb(e, 0, equity.shape[0], initial, out[j])


# -- the statistics' reductions of one variant's portfolio daily returns --------------------------


@njit(cache=True, nogil=True, error_model="numpy")
def moments_nb(r, n_rows, out):
    """``out[0:4]`` = Sharpe ratio (per period), skew, kurtosis (non-excess) and count of the
    non-NaN values of ``r[:n_rows]``, as :func:`alu.stats.dsr.return_moments`; returns the mean
    and ``m2`` (used for the stream's dispersion)."""
    n = 0
    total = 0.0
    for t in range(n_rows):
        x = r[t]
        if x == x:
            n += 1
            total += x
    mean = total / n if n > 0 else np.nan
    m2 = 0.0
    m3 = 0.0
    m4 = 0.0
    for t in range(n_rows):
        x = r[t]
        if x == x:
            d = x - mean
            d2 = d * d
            m2 += d2
            m3 += d2 * d
            m4 += d2 * d2
    if n > 0:
        m2 /= n
        m3 /= n
        m4 /= n
    else:
        m2 = np.nan
    dispersed = n >= 2 and m2 > RTOL * (m2 + mean * mean)
    if dispersed:
        out[0] = mean / np.sqrt(m2 * n / (n - 1))
        out[1] = m3 / m2**1.5
        out[2] = m4 / (m2 * m2)
    else:
        out[0] = np.nan
        out[1] = np.nan
        out[2] = np.nan
    out[3] = n
    return mean, m2


@njit(cache=True, nogil=True, error_model="numpy")
def fingerprint_nb(r, n_rows, weights):
    """``sum_t r[t] * weights[t]`` over ``r[:n_rows]``, NaN read as 0: identical streams have
    identical fingerprints (:func:`alu.stats.trials.fingerprints`)."""
    total = 0.0
    for t in range(n_rows):
        x = r[t]
        if x == x:
            total += x * weights[t]
    return total


@njit(cache=True, nogil=True, error_model="numpy")
def unit_scale_nb(r, n_rows):
    """The mean of ``r[:n_rows]`` (NaN skipped) and ``1 / ||r - mean||`` for a stream with
    dispersion (0 without: a stream that never varied), as :func:`alu.stats.trials.unit_sum`."""
    n = 0
    total = 0.0
    for t in range(n_rows):
        x = r[t]
        if x == x:
            n += 1
            total += x
    n = max(n, 1)
    mean = total / n
    squares = 0.0
    for t in range(n_rows):
        x = r[t]
        if x == x:
            d = x - mean
            squares += d * d
    variance = squares / n
    if variance > RTOL * (variance + mean * mean):
        return mean, 1.0 / np.sqrt(squares)
    return mean, 0.0


@njit(cache=True, nogil=True, error_model="numpy")
def add_unit_nb(r, n_rows, mean, scale, into):
    """``into += (r - mean) * scale`` over ``r[:n_rows]`` (NaN adds nothing)."""
    for t in range(n_rows):
        x = r[t]
        if x == x:
            into[t] += (x - mean) * scale


@njit(cache=True, nogil=True, error_model="numpy")
def unit_sum_nb(returns, into):
    """``into += sum_j z_j`` over the rows of ``returns`` (streams x days): each stream centred
    and scaled to unit length (those without dispersion add nothing). Returns how many had
    dispersion."""
    dispersed = 0
    for j in range(returns.shape[0]):
        r = returns[j]
        mean, scale = unit_scale_nb(r, r.shape[0])
        if scale > 0:
            dispersed += 1
            add_unit_nb(r, r.shape[0], mean, scale, into)
    return dispersed


@njit(cache=True, nogil=True, error_model="numpy")
def cscv_blocks_nb(r, n_blocks, block_length, sums, sumsq, counts):
    """Per-block centred sums, sums of squares and counts of ``r`` over its first
    ``n_blocks * block_length`` values (NaN skipped), as :func:`alu.stats.pbo.cscv_blocks`;
    returns the centre (the mean of those values, 0 when there are none)."""
    used = n_blocks * block_length
    n = 0
    total = 0.0
    for t in range(used):
        x = r[t]
        if x == x:
            n += 1
            total += x
    mu = total / n if n > 0 else 0.0
    for b in range(n_blocks):
        s = 0.0
        q = 0.0
        c = 0
        for t in range(b * block_length, (b + 1) * block_length):
            x = r[t]
            if x == x:
                d = x - mu
                s += d
                q += d * d
                c += 1
        sums[b] = s
        sumsq[b] = q
        counts[b] = c
    return mu


@njit(cache=True, nogil=True, error_model="numpy")
def sharpe_rows_nb(r, first, end):
    """Annualised Sharpe ratio of the returns ``r[first:end]`` (:func:`alu.backtest.metrics.
    sharpe`): NaN with fewer than two, or a zero standard deviation."""
    n = end - first
    if n < 2:
        return np.nan
    total = 0.0
    for t in range(first, end):
        total += r[t]
    mean = total / n
    squares = 0.0
    for t in range(first, end):
        d = r[t] - mean
        squares += d * d
    std = np.sqrt(squares / (n - 1))
    return mean / std * SQRT_YEAR if std > 0 else np.nan


@njit(cache=True, nogil=True, error_model="numpy")
def walk_forward_metric_nb(r, first, end, key, sign, scratch, row):
    """A walk-forward window's selection value: metric ``key`` (a position in a metrics row) of
    the equity line ``cumprod(1 + r[first:end])`` from 1, times ``sign`` (higher is better);
    :func:`alu.backtest.compare.returns_metric`."""
    n = end - first
    value = 1.0
    for t in range(n):
        value *= 1.0 + r[first + t]
        scratch[t] = value
    equity_metrics_nb(scratch, 0, n, 1.0, row)
    return sign * row[key]

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
#: Fixed-point steps per unit of the trial count's unit vectors (:func:`add_unit_nb`).
UNIT_STEPS = float(2**40)


# Sums run over four interleaved partial sums, combined as ((s0 + s1) + (s2 + s3)) + tail: a
# fixed order (so a result depends on the values alone) that the compiler can keep in vector
# registers, where one running sum would wait on each addition. Loops run from 0 over a sliced
# view: numba checks for a negative index on every access of a loop that starts elsewhere.


@njit(cache=True, nogil=True, error_model="numpy")
def _sum(x, a, b):
    """``sum(x[a:b])`` (NaN propagates)."""
    s0 = s1 = s2 = s3 = 0.0
    y = x[a:b]
    for k in range(y.shape[0] // 4):
        t = 4 * k
        s0 += y[t]
        s1 += y[t + 1]
        s2 += y[t + 2]
        s3 += y[t + 3]
    tail = 0.0
    for t in range(y.shape[0] - y.shape[0] % 4, y.shape[0]):
        tail += y[t]
    return ((s0 + s1) + (s2 + s3)) + tail


@njit(cache=True, nogil=True, error_model="numpy")
def _squares(x, a, b, mean):
    """``sum((x[a:b] - mean) ** 2)`` (NaN propagates)."""
    s0 = s1 = s2 = s3 = 0.0
    y = x[a:b]
    for k in range(y.shape[0] // 4):
        t = 4 * k
        d0 = y[t] - mean
        d1 = y[t + 1] - mean
        d2 = y[t + 2] - mean
        d3 = y[t + 3] - mean
        s0 += d0 * d0
        s1 += d1 * d1
        s2 += d2 * d2
        s3 += d3 * d3
    tail = 0.0
    for t in range(y.shape[0] - y.shape[0] % 4, y.shape[0]):
        d = y[t] - mean
        tail += d * d
    return ((s0 + s1) + (s2 + s3)) + tail


@njit(cache=True, nogil=True, error_model="numpy")
def _sum_downside(x, a, b):
    """``sum(x[a:b])`` (NaN propagates) and ``sum(min(x[a:b], 0) ** 2)`` (NaN adds nothing), in
    one pass, each over its own four partial sums (:func:`_sum`'s order)."""
    s0 = s1 = s2 = s3 = 0.0
    q0 = q1 = q2 = q3 = 0.0
    y = x[a:b]
    for k in range(y.shape[0] // 4):
        t = 4 * k
        x0 = y[t]
        x1 = y[t + 1]
        x2 = y[t + 2]
        x3 = y[t + 3]
        s0 += x0
        s1 += x1
        s2 += x2
        s3 += x3
        v0 = min(x0, 0.0)
        v1 = min(x1, 0.0)
        v2 = min(x2, 0.0)
        v3 = min(x3, 0.0)
        q0 += v0 * v0 if v0 < 0.0 else 0.0
        q1 += v1 * v1 if v1 < 0.0 else 0.0
        q2 += v2 * v2 if v2 < 0.0 else 0.0
        q3 += v3 * v3 if v3 < 0.0 else 0.0
    tail = 0.0
    down = 0.0
    for t in range(y.shape[0] - y.shape[0] % 4, y.shape[0]):
        v = y[t]
        tail += v
        down += v * v if v < 0.0 else 0.0
    return ((s0 + s1) + (s2 + s3)) + tail, ((q0 + q1) + (q2 + q3)) + down


@njit(cache=True, nogil=True, error_model="numpy")
def _nansum(x, a, b):
    """``(sum, count)`` of the non-NaN values of ``x[a:b]``."""
    s0 = s1 = s2 = s3 = 0.0
    n = 0
    y = x[a:b]
    for k in range(y.shape[0] // 4):
        t = 4 * k
        v0 = y[t]
        v1 = y[t + 1]
        v2 = y[t + 2]
        v3 = y[t + 3]
        s0 += v0 if v0 == v0 else 0.0
        s1 += v1 if v1 == v1 else 0.0
        s2 += v2 if v2 == v2 else 0.0
        s3 += v3 if v3 == v3 else 0.0
        n += (v0 == v0) + (v1 == v1) + (v2 == v2) + (v3 == v3)
    tail = 0.0
    for t in range(y.shape[0] - y.shape[0] % 4, y.shape[0]):
        v = y[t]
        tail += v if v == v else 0.0
        n += v == v
    return ((s0 + s1) + (s2 + s3)) + tail, n


@njit(cache=True, nogil=True, error_model="numpy")
def _nandot(x, w, a, b):
    """``sum(x[a:b] * w[a:b])`` with NaN in ``x`` read as 0."""
    s0 = s1 = s2 = s3 = 0.0
    y = x[a:b]
    z = w[a:b]
    for k in range(y.shape[0] // 4):
        t = 4 * k
        v0 = y[t]
        v1 = y[t + 1]
        v2 = y[t + 2]
        v3 = y[t + 3]
        s0 += v0 * z[t] if v0 == v0 else 0.0
        s1 += v1 * z[t + 1] if v1 == v1 else 0.0
        s2 += v2 * z[t + 2] if v2 == v2 else 0.0
        s3 += v3 * z[t + 3] if v3 == v3 else 0.0
    tail = 0.0
    for t in range(y.shape[0] - y.shape[0] % 4, y.shape[0]):
        v = y[t]
        tail += v * z[t] if v == v else 0.0
    return ((s0 + s1) + (s2 + s3)) + tail


@njit(cache=True, nogil=True, error_model="numpy")
def _nanmoments(x, a, b, mean):
    """Sums of ``d**2``, ``d**3`` and ``d**4`` with ``d = x - mean`` over the non-NaN values
    of ``x[a:b]`` (``d**3 = d**2 * d``, ``d**4 = d**2 * d**2``)."""
    p0 = p1 = q0 = q1 = r0 = r1 = 0.0
    y = x[a:b]
    for k in range(y.shape[0] // 2):
        t = 2 * k
        v0 = y[t]
        v1 = y[t + 1]
        d0 = v0 - mean if v0 == v0 else 0.0
        d1 = v1 - mean if v1 == v1 else 0.0
        e0 = d0 * d0
        e1 = d1 * d1
        p0 += e0
        p1 += e1
        q0 += e0 * d0
        q1 += e1 * d1
        r0 += e0 * e0
        r1 += e1 * e1
    if y.shape[0] % 2:
        t = y.shape[0] - 1
        v = y[t]
        d = v - mean if v == v else 0.0
        e = d * d
        p0 += e
        q0 += e * d
        r0 += e * e
    return p0 + p1, q0 + q1, r0 + r1


@njit(cache=True, nogil=True, error_model="numpy")
def _dot(x, w, a, b):
    """``sum(x[a:b] * w[a:b])``: :func:`_nandot` for values without NaN (same order)."""
    s0 = s1 = s2 = s3 = 0.0
    y = x[a:b]
    z = w[a:b]
    for k in range(y.shape[0] // 4):
        t = 4 * k
        s0 += y[t] * z[t]
        s1 += y[t + 1] * z[t + 1]
        s2 += y[t + 2] * z[t + 2]
        s3 += y[t + 3] * z[t + 3]
    tail = 0.0
    for t in range(y.shape[0] - y.shape[0] % 4, y.shape[0]):
        tail += y[t] * z[t]
    return ((s0 + s1) + (s2 + s3)) + tail


@njit(cache=True, nogil=True, error_model="numpy")
def _moments(x, a, b, mean):
    """:func:`_nanmoments` for values without NaN (same order)."""
    p0 = p1 = q0 = q1 = r0 = r1 = 0.0
    y = x[a:b]
    for k in range(y.shape[0] // 2):
        t = 2 * k
        d0 = y[t] - mean
        d1 = y[t + 1] - mean
        e0 = d0 * d0
        e1 = d1 * d1
        p0 += e0
        p1 += e1
        q0 += e0 * d0
        q1 += e1 * d1
        r0 += e0 * e0
        r1 += e1 * e1
    if y.shape[0] % 2:
        t = y.shape[0] - 1
        d = y[t] - mean
        e = d * d
        p0 += e
        q0 += e * d
        r0 += e * e
    return p0 + p1, q0 + q1, r0 + r1


@njit(cache=True, nogil=True, error_model="numpy")
def _nansquares(x, a, b, mean):
    """``sum((x[a:b] - mean) ** 2)`` over the non-NaN values: :func:`_squares`' order."""
    s0 = s1 = s2 = s3 = 0.0
    y = x[a:b]
    for k in range(y.shape[0] // 4):
        t = 4 * k
        d0 = y[t] - mean if y[t] == y[t] else 0.0
        d1 = y[t + 1] - mean if y[t + 1] == y[t + 1] else 0.0
        d2 = y[t + 2] - mean if y[t + 2] == y[t + 2] else 0.0
        d3 = y[t + 3] - mean if y[t + 3] == y[t + 3] else 0.0
        s0 += d0 * d0
        s1 += d1 * d1
        s2 += d2 * d2
        s3 += d3 * d3
    tail = 0.0
    for t in range(y.shape[0] - y.shape[0] % 4, y.shape[0]):
        d = y[t] - mean if y[t] == y[t] else 0.0
        tail += d * d
    return ((s0 + s1) + (s2 + s3)) + tail


@njit(cache=True, nogil=True, error_model="numpy")
def daily_returns_nb(equity, initial, out):
    """``out[0] = equity[0] / initial - 1``, ``out[t] = equity[t] / equity[t-1] - 1``: the
    daily returns every metric reads (a segment's returns are these rows: its first return is
    relative to the close before it)."""
    prev = initial
    for t in range(equity.shape[0]):
        value = equity[t]
        out[t] = value / prev - 1.0
        prev = value


@njit(cache=True, nogil=True, error_model="numpy")
def equity_metrics_nb(equity, returns, first, end, base, out):
    """The equity metrics of ``equity[first:end]`` based on ``base`` (the initial cash, or the
    equity at the close before the segment) into ``out[0:5]``: total return, CAGR, Sharpe,
    Sortino and max drawdown, with the ratios NaN when the equity reaches zero. ``returns`` are
    the daily returns (:func:`daily_returns_nb`); the mean comes first, then the squares."""
    n = end - first
    last = equity[end - 1]
    growth = last / base
    out[TOTAL_RETURN] = last / base - 1.0
    out[CAGR] = abs(growth) ** (PERIODS_PER_YEAR / n) - 1.0 if growth > 0 else -1.0
    low = np.inf
    nan = False
    # Drawdown: min over days of equity / running peak. While the peak stays put (and is
    # positive) the smallest ratio is the smallest equity over it, divided once: a correctly
    # rounded division is monotonic in its numerator.
    peak = base
    run_low = np.inf
    worst = np.inf
    segment = equity[first:end]
    for t in range(n):  # (loops from 0: numba drops its negative-index checks)
        value = segment[t]
        nan |= value != value
        if value < low:
            low = value
        if value > peak:
            if peak > 0 and run_low < np.inf:
                worst = min(worst, run_low / peak)
            peak = value
            run_low = np.inf
        if peak > 0:
            if value < run_low:
                run_low = value
        else:
            ratio = value / peak
            if ratio < worst or ratio != ratio:
                worst = ratio
    if peak > 0 and run_low < np.inf:
        worst = min(worst, run_low / peak)
    total, downside = _sum_downside(returns, first, end)
    mean = total / n
    if n < 2:
        out[SHARPE] = np.nan
    else:
        std = np.sqrt(_squares(returns, first, end, mean) / (n - 1))
        out[SHARPE] = mean / std * SQRT_YEAR if std > 0 else np.nan
    deviation = np.sqrt(downside / n)
    out[SORTINO] = mean / deviation * SQRT_YEAR if deviation > 0 else np.nan
    out[MAX_DRAWDOWN] = np.nan if nan else 1.0 - worst
    if not nan and low <= 0.0:  # wiped out: returns through it mean nothing
        out[CAGR] = np.nan
        out[SHARPE] = np.nan
        out[SORTINO] = np.nan


@njit(cache=True, nogil=True, error_model="numpy")
def exposure_nb(position, first, end):
    """Fraction of the days ``[first, end)`` that end with a position open."""
    held = 0
    segment = position[first:end]
    for t in range(end - first):
        held += segment[t] != 0
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
def symbol_segment_nb(equity, returns, position, close, records, lo, hi, first, end, initial, out):
    """Every metric of one account over ``[first, end)`` into ``out`` (a metrics row), its
    daily returns being ``returns`` and its trades ``records[lo:hi]``; returns the closed
    trades and the winners among them (pooled for the portfolio's win rate)."""
    base = initial if first == 0 else equity[first - 1]
    equity_metrics_nb(equity, returns, first, end, base, out)
    out[EXPOSURE] = exposure_nb(position, first, end)
    count, closed, wins = trades_nb(records, lo, hi, first, end)
    out[TRADES] = count
    out[WIN_RATE] = wins / closed if closed > 0 else np.nan
    start_close = close[0] if first == 0 else close[first - 1]
    out[BUY_HOLD] = close[end - 1] / start_close - 1.0
    return closed, wins


@njit(cache=True, nogil=True, error_model="numpy")
def portfolio_segment_nb(total, returns, first, end, initial, symbols, closed, wins, out):
    """Every metric of the portfolio line over ``[first, end)`` into ``out``: equity metrics of
    the line (``returns`` its daily returns); trades summed, exposure and buy-and-hold averaged
    over the rows of ``symbols`` (their metrics rows for the same segment, in order); the win
    rate of the pooled closed trades."""
    base = initial if first == 0 else total[first - 1]
    equity_metrics_nb(total, returns, first, end, base, out)
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
    r = np.empty(equity.shape[0])
    p = np.empty(equity.shape[0])
    for j in range(n_cols):
        for t in range(equity.shape[0]):
            e[t] = equity[t, j]
            p[t] = position[t, j]
        daily_returns_nb(e, initial, r)
        closed[j], wins[j] = symbol_segment_nb(
            e, r, p, close, records, starts[j], starts[j + 1], first, end, initial, out[j]
        )
    return closed, wins


@njit(cache=True, nogil=True, error_model="numpy")
def portfolio_columns_nb(total, first, end, initial, symbols, closed, wins, out):
    """:func:`portfolio_segment_nb` of every column of ``total`` (days x columns); ``symbols``
    is symbols x columns x metrics."""
    e = np.empty(total.shape[0])
    r = np.empty(total.shape[0])
    for j in range(total.shape[1]):
        for t in range(total.shape[0]):
            e[t] = total[t, j]
        daily_returns_nb(e, initial, r)
        rows = np.ascontiguousarray(symbols[:, j, :])
        portfolio_segment_nb(e, r, first, end, initial, rows, closed[j], wins[j], out[j])


@njit(cache=True, nogil=True, error_model="numpy")
def equity_columns_nb(equity, initial, out):
    """:func:`equity_metrics_nb` of every column of ``equity`` (days x columns), whole."""
    e = np.empty(equity.shape[0])
    r = np.empty(equity.shape[0])
    for j in range(equity.shape[1]):
        for t in range(equity.shape[0]):
            e[t] = equity[t, j]
        daily_returns_nb(e, initial, r)
        equity_metrics_nb(e, r, 0, equity.shape[0], initial, out[j])


# -- the statistics' reductions of one variant's portfolio daily returns --------------------------


@njit(cache=True, nogil=True, error_model="numpy")
def return_stats_nb(
    r,
    rank_rows,
    w_rank,
    w_all,
    n_blocks,
    block_length,
    half,
    moments,
    fingerprints,
    sums,
    sumsq,
    counts,
):
    """Every per-variant reduction the statistics need from the portfolio daily returns ``r``
    (the means first, then the centred sums). Into ``moments``: the Sharpe ratio (per period),
    skew, kurtosis (non-excess) and count of the non-NaN values of ``r[:rank_rows]``, as
    :func:`alu.stats.dsr.return_moments`. Into ``fingerprints``: ``sum r[t] w_rank[t]`` over
    the ranking rows and ``sum r[t] w_all[t]`` over every row, NaN read as 0
    (:func:`alu.stats.trials.fingerprints`: identical streams, identical fingerprints). Into
    ``sums``/``sumsq``/``counts``: CSCV's per-block centred aggregates of the first
    ``n_blocks * block_length`` rows (:func:`alu.stats.pbo.cscv_blocks`).

    Returns the ranking mean, the unit-vector scale ``1 / ||r - mean||`` of a stream with
    dispersion (0 without, :func:`alu.stats.trials.unit_sum`), CSCV's centre, and the
    annualised Sharpe ratios of ``r[:half]`` and ``r[half:]`` (:func:`alu.backtest.metrics.
    sharpe`; NaN when ``half <= 0``)."""
    n_all = r.shape[0]
    # Without NaN (the usual case) the NaN-skipping sums equal the plain ones, in the same
    # order: the plain ones are used, faster. A NaN anywhere makes the fingerprint over every
    # row NaN (NaN x w is NaN); so may an infinity, and then the NaN-skipping sums give the
    # plain ones' values anyway.
    every = _dot(r, w_all, 0, n_all)
    clean = every == every
    if clean:
        fingerprints[0] = _dot(r, w_rank, 0, rank_rows)
        fingerprints[1] = every
        total = _sum(r, 0, rank_rows)
        n_rank = rank_rows
    else:
        fingerprints[0] = _nandot(r, w_rank, 0, rank_rows)
        fingerprints[1] = _nandot(r, w_all, 0, n_all)
        total, n_rank = _nansum(r, 0, rank_rows)
    mean = total / n_rank if n_rank > 0 else np.nan
    if clean:
        squares, m3, m4 = _moments(r, 0, rank_rows, mean)
    else:
        squares, m3, m4 = _nanmoments(r, 0, rank_rows, mean)
    m2 = squares
    if n_rank > 0:
        m2 /= n_rank
        m3 /= n_rank
        m4 /= n_rank
    else:
        m2 = np.nan
    if n_rank >= 2 and m2 > RTOL * (m2 + mean * mean):
        moments[0] = mean / np.sqrt(m2 * n_rank / (n_rank - 1))
        moments[1] = m3 / m2**1.5
        moments[2] = m4 / (m2 * m2)
        scale = 1.0 / np.sqrt(squares)
    else:
        moments[0] = np.nan
        moments[1] = np.nan
        moments[2] = np.nan
        scale = 0.0
    moments[3] = n_rank
    mu = 0.0
    used = n_blocks * block_length
    if used > 0:
        if clean:
            total, n_used = _sum(r, 0, used), used
        else:
            total, n_used = _nansum(r, 0, used)
        mu = total / n_used if n_used > 0 else 0.0
        for blk in range(n_blocks):
            a = blk * block_length
            b = a + block_length
            if clean:
                sums[blk] = _centred_sum(r, a, b, mu)
                sumsq[blk] = _squares(r, a, b, mu)
                counts[blk] = block_length
            else:
                sums[blk] = _centred_sum(r, a, b, mu)
                sumsq[blk] = _nansquares(r, a, b, mu)
                counts[blk] = _nansum(r, a, b)[1]
    half_a = np.nan
    half_b = np.nan
    if half > 0:
        mean_a = _sum(r, 0, half) / half
        mean_b = _sum(r, half, n_all) / (n_all - half)
        half_a = _sharpe_of(mean_a, _squares(r, 0, half, mean_a), half)
        half_b = _sharpe_of(mean_b, _squares(r, half, n_all, mean_b), n_all - half)
    return mean, scale, mu, half_a, half_b


@njit(cache=True, nogil=True, error_model="numpy")
def _centred_sum(x, a, b, mean):
    """``sum(x[a:b] - mean)`` over the non-NaN values."""
    s0 = s1 = s2 = s3 = 0.0
    y = x[a:b]
    for k in range(y.shape[0] // 4):
        t = 4 * k
        v0 = y[t]
        v1 = y[t + 1]
        v2 = y[t + 2]
        v3 = y[t + 3]
        s0 += v0 - mean if v0 == v0 else 0.0
        s1 += v1 - mean if v1 == v1 else 0.0
        s2 += v2 - mean if v2 == v2 else 0.0
        s3 += v3 - mean if v3 == v3 else 0.0
    tail = 0.0
    for t in range(y.shape[0] - y.shape[0] % 4, y.shape[0]):
        v = y[t]
        tail += v - mean if v == v else 0.0
    return ((s0 + s1) + (s2 + s3)) + tail


@njit(cache=True, nogil=True, error_model="numpy")
def _sharpe_of(mean, squares, n):
    """Annualised Sharpe ratio from a mean and centred sum of squares of ``n`` returns."""
    if n < 2:
        return np.nan
    std = np.sqrt(squares / (n - 1))
    return mean / std * SQRT_YEAR if std > 0 else np.nan


@njit(cache=True, nogil=True, error_model="numpy")
def add_unit_nb(r, n_rows, mean, scale, into):
    """``into += q((r - mean) * scale)`` over ``r[:n_rows]`` (NaN adds nothing), where ``q``
    rounds to a multiple of ``1 / UNIT_STEPS`` and ``into`` counts those steps (int64): integer
    sums are exact, so the trial count's sum of unit vectors is the same bit for bit however
    the variants are chunked, ordered or distributed. A unit vector's elements are at most 1 in
    size, so the sum of 2**23 streams fits; the rounding (1e-12) is far below what the mean
    correlation is read to."""
    for t in range(n_rows):
        x = r[t]
        if x == x:
            into[t] += np.int64(np.rint((x - mean) * scale * UNIT_STEPS))


@njit(cache=True, nogil=True, error_model="numpy")
def unit_vectors_nb(returns, rank_rows, out):
    """Each row of ``returns`` (streams x days) as its unit vector over the first
    ``rank_rows`` days, in :func:`add_unit_nb`'s fixed-point steps (``out`` int64;
    :func:`return_stats_nb`'s mean and scale: zeros for a stream without dispersion; NaN days
    0)."""
    moments = np.empty(4)
    fingerprints = np.empty(2)
    none = np.empty(0)
    nothing = np.empty(0, dtype=np.int64)
    for j in range(returns.shape[0]):
        r = returns[j]
        mean, scale, _, _, _ = return_stats_nb(
            r, rank_rows, r, r, 0, 0, -1, moments, fingerprints, none, none, nothing
        )
        for t in range(rank_rows):
            out[j, t] = 0
        if scale > 0:
            add_unit_nb(r, rank_rows, mean, scale, out[j])


@njit(cache=True, nogil=True, error_model="numpy")
def walk_forward_metric_nb(r, first, end, key, sign, equity, returns, row):
    """A walk-forward window's selection value: metric ``key`` (a position in a metrics row) of
    the equity line ``cumprod(1 + r[first:end])`` from 1, times ``sign`` (higher is better);
    :func:`alu.backtest.compare.returns_metric`. ``equity`` and ``returns`` are scratch."""
    n = end - first
    value = 1.0
    window = r[first:end]
    for t in range(n):
        value *= 1.0 + window[t]
        equity[t] = value
    daily_returns_nb(equity[:n], 1.0, returns)
    equity_metrics_nb(equity, returns, 0, n, 1.0, row)
    return sign * row[key]

"""Probability of backtest overfitting by combinatorially symmetric cross-validation (CSCV).

Bailey, D. H., Borwein, J. M., López de Prado, M. and Zhu, Q. J. (2017), "The Probability of
Backtest Overfitting", Journal of Computational Finance 20(4), 39-69: the CSCV procedure and
the definition of PBO.

The procedure, on a performance matrix ``M`` of ``T`` rows (periods, e.g. daily returns) by
``N`` columns (variants):

1. Split the rows into ``S`` (even) contiguous blocks of ``L = T // S`` rows; the last
   ``T - S*L`` rows are dropped.
2. For each of the ``C(S, S/2)`` ways to choose ``S/2`` blocks: the chosen blocks (kept in time
   order) are the in-sample set ``J``, the other ``S/2`` the out-of-sample set ``J_bar``. Every
   split appears together with its mirror image (``J`` and ``J_bar`` swapped).
3. Compute the performance metric of every variant on ``J`` and on ``J_bar`` (default the
   per-period Sharpe ratio ``mean / std(ddof=1)``) and select ``n* = argmax`` in-sample
   (the first on ties).
4. ``omega = r / (N + 1)`` with ``r`` the rank of ``n*`` among the ``N`` out-of-sample values in
   ascending order (1 = worst, ``N`` = best, ties get their average rank), and the logit
   ``lambda = ln(omega / (1 - omega))``.
5. ``PBO = #{lambda <= 0} / #splits``: the fraction of splits in which the in-sample winner ends
   at or below the out-of-sample median. The paper writes ``PBO = integral of f(lambda) from
   -inf to 0`` with ``f`` the logits' distribution; as ``f`` is a sum of point masses here, a
   logit of exactly 0 (``omega = 1/2``, possible for odd ``N``) must fall on one side: it
   counts as overfit (``<=``), as in the R package ``pbo`` and in ``pypbo``.

Undefined metric values (NaN, e.g. a zero standard deviation) rank below every defined value:
such a variant is never selected while another has a defined in-sample value, and ranks at the
bottom out of sample. A split in which no variant has a defined in-sample value has a NaN logit
and is left out of PBO.

The default Sharpe metric is computed from per-block aggregates: for every block and variant the
count, the sum and the sum of squares of the values (NaN skipped), after subtracting each
column's mean (which leaves the variance unchanged and avoids cancellation). A half's Sharpe
ratio is then a sum of ``S/2`` block aggregates: ``mean = sum/n + column mean``,
``var = (sumsq - sum**2/n) / (n - 1)``. The splits are visited in revolving-door order (each
differs from the previous one by one block in, one block out), so a split's in-sample sums are
the previous split's plus one block minus another; the out-of-sample sums are the column totals
minus the in-sample ones. Splits are processed in batches (the first split of each batch summed
afresh), so memory stays at a few arrays of ``batch x N`` numbers whatever ``C(S, S/2)``; the
per-split results are reported in lexicographic order of the in-sample block sets.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from math import comb

import numpy as np

from alu.stats.dsr import ZERO_VARIANCE_RTOL, _column_chunks

Metric = Callable[[np.ndarray], np.ndarray]

# Splits per batch are chosen so that one batch holds about this many (split, variant) values.
_BATCH_ELEMENTS = 1 << 19
# ... and at most this many, which also bounds the running sums' rounding (see pbo_from_blocks).
_MAX_BATCH_SPLITS = 1024


@dataclass(frozen=True)
class CSCVBlocks:
    """Per-block aggregates of a performance matrix: all the Sharpe-ratio CSCV needs.

    ``sums``, ``sumsq`` and ``counts`` have shape ``(S, N)``: the sum, the sum of squares and
    the number of non-NaN values of block ``s`` of variant ``n``, after subtracting ``center[n]``
    (the variant's mean over the rows used). Build with :func:`cscv_blocks`; blocks of different
    column chunks of the same rows join with :meth:`concat`.
    """

    sums: np.ndarray
    sumsq: np.ndarray
    counts: np.ndarray
    center: np.ndarray
    block_length: int
    n_rows_dropped: int

    @property
    def n_splits(self) -> int:
        return self.sums.shape[0]

    @property
    def n_variants(self) -> int:
        return self.sums.shape[1]

    @classmethod
    def concat(cls, parts: Sequence[CSCVBlocks]) -> CSCVBlocks:
        """Join the blocks of column chunks (same rows, same ``n_splits``) side by side."""
        if not parts:
            raise ValueError("nothing to concatenate")
        first = parts[0]
        if any(
            (p.n_splits, p.block_length, p.n_rows_dropped)
            != (first.n_splits, first.block_length, first.n_rows_dropped)
            for p in parts
        ):
            raise ValueError("blocks to concatenate must come from the same rows and n_splits")
        return cls(
            sums=np.concatenate([p.sums for p in parts], axis=1),
            sumsq=np.concatenate([p.sumsq for p in parts], axis=1),
            counts=np.concatenate([p.counts for p in parts], axis=1),
            center=np.concatenate([p.center for p in parts]),
            block_length=first.block_length,
            n_rows_dropped=first.n_rows_dropped,
        )


@dataclass(frozen=True)
class PBOResult:
    """The outcome of CSCV. Per-split arrays have one entry per split, in ``splits`` order."""

    pbo: float
    """Fraction of splits with ``logit <= 0``, in [0, 1]; NaN when undefined."""
    logits: np.ndarray
    """``lambda = ln(omega / (1 - omega))`` per split."""
    relative_rank: np.ndarray
    """``omega = r / (N + 1)`` of the in-sample winner out of sample, per split."""
    selected: np.ndarray
    """Column index of the in-sample winner per split (-1 when no in-sample value is defined)."""
    is_performance: np.ndarray
    """The winner's in-sample metric per split (x of a performance-degradation plot)."""
    oos_performance: np.ndarray
    """The winner's out-of-sample metric per split (y of the degradation plot)."""
    splits: np.ndarray
    """``(C, S/2)`` block indices forming each split's in-sample set."""
    n_splits: int
    """``S``."""
    block_length: int
    """``L = T // S`` rows per block."""
    n_rows_dropped: int
    """``T - S * L`` rows at the end, left out."""


def _check_n_splits(n_splits: int) -> None:
    if n_splits < 2 or n_splits % 2:
        raise ValueError(f"n_splits must be an even number >= 2, got {n_splits}")


def _undefined(n_splits: int, block_length: int, dropped: int) -> PBOResult:
    empty = np.empty(0)
    return PBOResult(
        pbo=float("nan"),
        logits=empty,
        relative_rank=empty,
        selected=np.empty(0, dtype=np.int64),
        is_performance=empty,
        oos_performance=empty,
        splits=np.empty((0, n_splits // 2), dtype=np.int64),
        n_splits=n_splits,
        block_length=block_length,
        n_rows_dropped=dropped,
    )


def cscv_splits(n_splits: int) -> np.ndarray:
    """All ``C(S, S/2)`` in-sample block sets, shape ``(C, S/2)``, in lexicographic order."""
    _check_n_splits(n_splits)
    return np.array(list(combinations(range(n_splits), n_splits // 2)), dtype=np.int64)


@lru_cache(maxsize=8)
def _revolving_door(n: int, t: int) -> tuple[tuple[int, ...], ...]:
    """All ``t``-subsets of ``range(n)`` such that consecutive ones differ by one element swapped.

    The revolving-door Gray code (Knuth, TAOCP 4A, 7.2.1.3): ``R(n, t)`` is ``R(n-1, t)``
    followed by ``R(n-1, t-1)`` in reverse order, each with ``n-1`` added.
    """
    if t == 0:
        return ((),)
    if t == n:
        return (tuple(range(n)),)
    tail = tuple((*c, n - 1) for c in reversed(_revolving_door(n - 1, t - 1)))
    return _revolving_door(n - 1, t) + tail


@lru_cache(maxsize=8)
def _door_walk(n_splits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The splits in revolving-door order, the block entering and leaving at each step (entry 0
    unused) and each split's position in the lexicographic order of :func:`cscv_splits`."""
    door = _revolving_door(n_splits, n_splits // 2)
    entering = np.zeros(len(door), dtype=np.int64)
    leaving = np.zeros(len(door), dtype=np.int64)
    for k in range(1, len(door)):
        (entering[k],) = set(door[k]) - set(door[k - 1])
        (leaving[k],) = set(door[k - 1]) - set(door[k])
    lexicographic = {c: i for i, c in enumerate(combinations(range(n_splits), n_splits // 2))}
    position = np.array([lexicographic[c] for c in door], dtype=np.int64)
    arrays = (np.array(door, dtype=np.int64), entering, leaving, position)
    for a in arrays:
        a.flags.writeable = False  # cached and shared between calls
    return arrays


def cscv_blocks(
    performance: np.ndarray, *, n_splits: int = 16, chunk_columns: int | None = None
) -> CSCVBlocks:
    """Per-block count, sum and sum of squares of every column (step 1 of CSCV).

    Parameters
    ----------
    performance : array_like, shape (T, N)
        Per-period returns (or any per-period performance), one column per variant; NaN for a
        missing value. float32 input is accumulated in float64.
    n_splits : int, default 16
        ``S``, even. Blocks have ``L = T // S`` rows; the last ``T - S*L`` rows are dropped.
    chunk_columns : int, optional
        Columns processed per step (memory only; default ~1 M elements per step).

    Returns
    -------
    CSCVBlocks
    """
    _check_n_splits(n_splits)
    arr = np.asarray(performance)
    if arr.ndim != 2:
        raise ValueError(f"performance must be 2-D (T x N), got {arr.ndim}-D")
    n_rows, n_cols = arr.shape
    length = n_rows // n_splits
    used = n_splits * length
    sums = np.zeros((n_splits, n_cols))
    sumsq = np.zeros((n_splits, n_cols))
    counts = np.zeros((n_splits, n_cols), dtype=np.int64)
    center = np.zeros(n_cols)
    chunks = _column_chunks(max(used, 1), n_cols if length else 0, chunk_columns)
    for j in chunks:
        x = arr[:used, j : j + chunks.step].astype(np.float64, copy=False)
        sl = slice(j, j + x.shape[1])
        valid = ~np.isnan(x)
        n = valid.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mu = np.where(n > 0, np.where(valid, x, 0.0).sum(axis=0) / n, 0.0)
        by_block = (n_splits, length, x.shape[1])
        d = np.where(valid, x - mu, 0.0).reshape(by_block)
        sums[:, sl] = d.sum(axis=1)
        sumsq[:, sl] = (d * d).sum(axis=1)
        counts[:, sl] = valid.reshape(by_block).sum(axis=1)
        center[sl] = mu
    return CSCVBlocks(sums, sumsq, counts, center, length, n_rows - used)


def _sharpe_from_aggregates(
    s: np.ndarray, q: np.ndarray, n: np.ndarray, center: np.ndarray
) -> np.ndarray:
    """Per-period Sharpe ratio from centred count/sum/sum of squares; -inf where undefined.

    ``s`` and ``q`` (splits x variants) are consumed: the arithmetic runs in place on them.
    ``n`` is splits x variants, or splits x 1 when every variant has the same count.
    Undefined (fewer than 2 values, or a variance at most ``ZERO_VARIANCE_RTOL`` of the mean
    square) is -inf, which ranks below every defined value and ties with itself.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        sharpe = s / n  # the centred mean, for now
        s *= sharpe
        np.subtract(q, s, out=s)  # (n - 1) * variance = sumsq - sum**2 / n
        q *= ZERO_VARIANCE_RTOL * (n - 1) / n
        undefined = s <= q
        if not np.all(n >= 2):
            undefined |= n < 2
        s /= n - 1
        np.sqrt(s, out=s)
        sharpe += center
        sharpe /= s
    np.copyto(sharpe, -np.inf, where=undefined)
    return sharpe


def _rank_winners(r_is: np.ndarray, r_oos: np.ndarray) -> tuple[np.ndarray, ...]:
    """Steps 3-4 for a batch of splits: rows are splits, columns variants, -inf = undefined.

    Returns the winner's column (-1 if none is defined), its in- and out-of-sample values (NaN
    when undefined) and its relative rank ``omega`` (NaN if no winner). Ties get their average
    rank; -inf values tie with each other below every defined value.
    """
    n_variants = r_is.shape[1]
    best = np.argmax(r_is, axis=1)
    rows = np.arange(len(best))
    is_best = r_is[rows, best]
    oos_best = r_oos[rows, best]
    has_winner = np.isfinite(is_best)
    below = np.count_nonzero(r_oos < oos_best[:, None], axis=1)
    ties = np.count_nonzero(r_oos == oos_best[:, None], axis=1)
    omega = np.where(has_winner, (below + (ties + 1) / 2.0) / (n_variants + 1.0), np.nan)
    return (
        np.where(has_winner, best, -1),
        np.where(has_winner, is_best, np.nan),
        np.where(has_winner & np.isfinite(oos_best), oos_best, np.nan),
        omega,
    )


def _result(
    parts: list[tuple[np.ndarray, ...]],
    splits: np.ndarray,
    blocks_info: tuple[int, int, int],
    *,
    reorder: np.ndarray | None = None,
) -> PBOResult:
    """Assemble the per-split arrays (taken in ``reorder`` order if given) and PBO."""
    selected, is_perf, oos_perf, omega = (
        np.concatenate(p) if reorder is None else np.concatenate(p)[reorder]
        for p in zip(*parts, strict=True)
    )
    logits = np.log(omega / (1.0 - omega))
    defined = ~np.isnan(logits)
    pbo = float(np.mean(logits[defined] <= 0.0)) if defined.any() else float("nan")
    n_splits, length, dropped = blocks_info
    return PBOResult(
        pbo=pbo,
        logits=logits,
        relative_rank=omega,
        selected=selected.astype(np.int64),
        is_performance=is_perf,
        oos_performance=oos_perf,
        splits=splits,
        n_splits=n_splits,
        block_length=length,
        n_rows_dropped=dropped,
    )


def pbo_from_blocks(blocks: CSCVBlocks, *, batch_size: int | None = None) -> PBOResult:
    """PBO with the per-period Sharpe ratio as the metric, from per-block aggregates.

    Parameters
    ----------
    blocks : CSCVBlocks
        From :func:`cscv_blocks` (possibly joined over column chunks with
        :meth:`CSCVBlocks.concat`).
    batch_size : int, optional
        Splits evaluated together; default ``2**19 / N``, at most 1024 (memory only; the
        in-sample sums are re-added from scratch at the start of every batch).

    Returns
    -------
    PBOResult
        ``pbo`` is NaN (and the arrays empty) with fewer than 2 variants or with blocks of 0
        rows (``T < S``).
    """
    info = (blocks.n_splits, blocks.block_length, blocks.n_rows_dropped)
    n_variants = blocks.n_variants
    if n_variants < 2 or blocks.block_length == 0:
        return _undefined(*info)
    # Walk the splits in revolving-door order: each differs from the previous one by one block
    # in and one block out, so within a batch the in-sample aggregates are the first split's
    # (summed afresh) plus a running sum of (entering block - leaving block), one row at a time
    # (the block rows stay in cache). Out-of-sample = column totals - in-sample. Elementwise
    # numpy only: no BLAS, so no thread contention.
    door, entering, leaving, position = _door_walk(blocks.n_splits)
    same_counts = bool((blocks.counts == blocks.counts[:, :1]).all())
    stacked = [blocks.sums, blocks.sumsq]
    if not same_counts:
        stacked.append(blocks.counts.astype(np.float64))
    stacked = np.concatenate(stacked, axis=1)
    totals = stacked.sum(axis=0)
    n_is = n_oos = None  # counts per split and variant: columns 2N.. of the aggregates
    if same_counts:  # one count per block, shared by every column: per split only
        block_counts = blocks.counts[:, 0].astype(np.float64)
        n_is = block_counts[door].sum(axis=1)[:, None]
        n_oos = block_counts.sum() - n_is
    step = batch_size or min(_MAX_BATCH_SPLITS, max(1, _BATCH_ELEMENTS // n_variants))

    def batch(start: int) -> tuple[np.ndarray, ...]:
        stop = min(start + step, len(door))
        agg_is = np.empty((stop - start, stacked.shape[1]))
        np.sum(stacked[door[start]], axis=0, out=agg_is[0])
        for i, k in enumerate(range(start + 1, stop), start=1):
            np.add(agg_is[i - 1], stacked[entering[k]], out=agg_is[i])
            agg_is[i] -= stacked[leaving[k]]
        agg_oos = totals - agg_is
        halves = []
        for agg, n in ((agg_is, n_is), (agg_oos, n_oos)):
            counts = agg[:, 2 * n_variants :] if n is None else n[start:stop]
            sums, sumsq = agg[:, :n_variants], agg[:, n_variants : 2 * n_variants]
            halves.append(_sharpe_from_aggregates(sums, sumsq, counts, blocks.center))
        return _rank_winners(*halves)

    # Batches are independent and numpy releases the GIL inside its loops: two threads (the
    # machine's cores) evaluate them side by side; map keeps them in order.
    starts = range(0, len(door), step)
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        parts = list(pool.map(batch, starts))
    by_split = np.empty(len(door), dtype=np.int64)
    by_split[position] = np.arange(len(door))  # revolving-door index of each lexicographic split
    return _result(parts, cscv_splits(blocks.n_splits), info, reorder=by_split)


def pbo_from_streams(
    blocks: CSCVBlocks, weight: np.ndarray, first: np.ndarray | None = None
) -> PBOResult:
    """PBO with the per-period Sharpe ratio as the metric, from the aggregates of the distinct
    return streams of a sweep.

    Parameters
    ----------
    blocks : CSCVBlocks
        One column per **distinct** stream (:func:`cscv_blocks` of one variant of each), in the
        order of the streams' first variants.
    weight : array_like of int, shape (D,)
        How many variants have each stream (the sweep has ``sum(weight)`` variants).
    first : array_like of int, shape (D,), optional
        Each stream's first variant (the ``selected`` column reported); default the stream's
        position.

    Returns
    -------
    PBOResult
        What :func:`pbo_from_blocks` gives on the blocks of every variant: identical variants
        have identical Sharpe ratios in every half, so the in-sample winner is the first variant
        of the winning stream and ranks are weighted counts. Computed by
        :func:`alu.stats.nb.cscv_splits_nb` (numba, parallel over groups of splits): its cost
        follows the distinct streams, with no temporaries of splits x variants.
    """
    from alu.stats.nb import cscv_splits_nb

    info = (blocks.n_splits, blocks.block_length, blocks.n_rows_dropped)
    weight = np.asarray(weight, dtype=np.int64)
    n_variants = int(weight.sum())
    if n_variants < 2 or blocks.block_length == 0 or blocks.n_variants == 0:
        return _undefined(*info)
    first = np.arange(blocks.n_variants) if first is None else np.asarray(first, np.int64)
    door, entering, leaving, position = _door_walk(blocks.n_splits)
    n = len(door)
    best = np.empty(n, dtype=np.int64)
    best_is = np.empty(n)
    best_oos = np.empty(n)
    below = np.empty(n, dtype=np.int64)
    ties = np.empty(n, dtype=np.int64)
    undefined = np.empty(n, dtype=bool)
    cscv_splits_nb(
        np.ascontiguousarray(blocks.sums, dtype=np.float64),
        np.ascontiguousarray(blocks.sumsq, dtype=np.float64),
        np.ascontiguousarray(blocks.counts, dtype=np.float64),
        np.ascontiguousarray(blocks.center, dtype=np.float64),
        weight,
        np.ascontiguousarray(door),
        np.ascontiguousarray(entering),
        np.ascontiguousarray(leaving),
        best,
        best_is,
        best_oos,
        below,
        ties,
        undefined,
    )
    winner = (best >= 0) & ~undefined & np.isfinite(best_is)
    omega = np.where(winner, (below + (ties + 1) / 2.0) / (n_variants + 1.0), np.nan)
    parts = [
        (
            np.where(winner, first[best.clip(0)], -1),
            np.where(winner, best_is, np.nan),
            np.where(winner & np.isfinite(best_oos), best_oos, np.nan),
            omega,
        )
    ]
    by_split = np.empty(n, dtype=np.int64)
    by_split[position] = np.arange(n)
    return _result(parts, cscv_splits(blocks.n_splits), info, reorder=by_split)


def pbo_cscv(
    performance: np.ndarray,
    *,
    n_splits: int = 16,
    metric: Metric | None = None,
    batch_size: int | None = None,
) -> PBOResult:
    """Probability of backtest overfitting of a sweep, by CSCV (Bailey et al. 2017).

    Parameters
    ----------
    performance : array_like, shape (T, N)
        Rows are periods (e.g. daily returns), columns are variants; NaN for a missing value
        (e.g. before a variant starts).
    n_splits : int, default 16
        ``S``, even: the number of contiguous row blocks (the paper uses 16). The last
        ``T mod S`` rows are dropped.
    metric : callable, optional
        ``metric(sub) -> values``: ``sub`` is a 2-D array of the rows of one half (its blocks in
        time order) and all columns; it returns one value per column, higher is better, NaN when
        undefined. Default ``None``: the per-period Sharpe ratio ``mean / std(ddof=1)`` (NaN
        values skipped), computed from block aggregates; that fast path gives the same result as
        ``metric=alu.stats.dsr.per_period_sharpe`` to rounding. A callable costs two calls
        per split (25,740 for ``S = 16``), each on a ``T/2 x N`` copy.
    batch_size : int, optional
        Splits evaluated together in the fast path (memory only).

    Returns
    -------
    PBOResult
        ``pbo`` in [0, 1] plus the per-split logits, relative ranks, the winner and its in- and
        out-of-sample performance. ``pbo`` is NaN (arrays empty) with fewer than 2 variants or
        fewer rows than blocks (``T < S``); the caller reports NaN as null.

    Raises
    ------
    ValueError
        If ``n_splits`` is not an even number >= 2, or ``performance`` is not 2-D.
    """
    if metric is None:
        return pbo_from_blocks(cscv_blocks(performance, n_splits=n_splits), batch_size=batch_size)
    _check_n_splits(n_splits)
    arr = np.asarray(performance)
    if arr.ndim != 2:
        raise ValueError(f"performance must be 2-D (T x N), got {arr.ndim}-D")
    n_rows, n_variants = arr.shape
    length = n_rows // n_splits
    info = (n_splits, length, n_rows - n_splits * length)
    if n_variants < 2 or length == 0:
        return _undefined(*info)
    splits = cscv_splits(n_splits)
    block_rows = np.arange(n_splits * length).reshape(n_splits, length)
    parts = []
    for chosen in splits:
        mask = np.zeros(n_splits, dtype=bool)
        mask[chosen] = True
        r = []
        for half in (mask, ~mask):
            values = np.array(metric(arr[block_rows[half].ravel()]), dtype=np.float64)
            if values.shape != (n_variants,):
                raise ValueError(f"metric returned shape {values.shape}, expected ({n_variants},)")
            values[np.isnan(values)] = -np.inf
            r.append(values[None, :])
        parts.append(_rank_winners(*r))
    return _result(parts, splits, info)


def n_cscv_splits(n_splits: int) -> int:
    """``C(S, S/2)``: the number of in-sample/out-of-sample splits CSCV evaluates."""
    _check_n_splits(n_splits)
    return comb(n_splits, n_splits // 2)

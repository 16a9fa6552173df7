"""Probability of backtest overfitting by combinatorially symmetric cross-validation (CSCV).

Bailey, D. H., Borwein, J. M., López de Prado, M. and Zhu, Q. J. (2017), "The Probability of
Backtest Overfitting", Journal of Computational Finance 20(4), 39-69; section 2 (the CSCV
procedure, steps 1-5) and the definition of PBO that follows it.

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
   at or below the out-of-sample median. The paper writes it as the integral of the logits'
   distribution over ``(-inf, 0]``, so a logit of exactly 0 (``omega = 1/2``, possible for odd
   ``N``) counts as overfit; the R package ``pbo`` and ``pypbo`` also use ``<=``.

Undefined metric values (NaN, e.g. a zero standard deviation) rank below every defined value:
such a variant is never selected while another has a defined in-sample value, and ranks at the
bottom out of sample. A split in which no variant has a defined in-sample value has a NaN logit
and is left out of PBO.

The default Sharpe metric is computed from per-block aggregates: for every block and variant the
count, the sum and the sum of squares of the values (NaN skipped), after subtracting each
column's mean (which leaves the variance unchanged and avoids cancellation). A half's Sharpe
ratio is then a sum of ``S/2`` block aggregates: ``mean = sum/n``,
``var = (sumsq - sum**2/n) / (n - 1)``. Splits are processed in batches, so memory is bounded by
roughly ``batch x N`` numbers whatever ``C(S, S/2)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from math import comb

import numpy as np

from backtest.stats_dsr import ZERO_VARIANCE_RTOL, _column_chunks

Metric = Callable[[np.ndarray], np.ndarray]

# Splits per batch are chosen so that one batch holds about this many (split, variant) values.
_BATCH_ELEMENTS = 1 << 20


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
        Columns processed per step (memory only; default ~4 M elements per step).

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
    """Per-period Sharpe ratio from centred count/sum/sum of squares; NaN where undefined."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_c = s / n
        var = (q - s * mean_c) / (n - 1)
        dispersed = (n >= 2) & (var > ZERO_VARIANCE_RTOL * (q / n))
        sharpe = (mean_c + center) / np.sqrt(var)
    return np.where(dispersed, sharpe, np.nan)


def _rank_winners(r_is: np.ndarray, r_oos: np.ndarray) -> tuple[np.ndarray, ...]:
    """Steps 3-4 for a batch of splits: rows are splits, columns variants.

    Returns the winner's column (-1 if none defined), its in- and out-of-sample values and its
    relative rank ``omega`` (NaN if no winner).
    """
    n_variants = r_is.shape[1]
    is_ = np.where(np.isnan(r_is), -np.inf, r_is)
    oos = np.where(np.isnan(r_oos), -np.inf, r_oos)
    best = np.argmax(is_, axis=1)
    rows = np.arange(len(best))
    has_winner = np.isfinite(is_[rows, best])
    sel_oos = oos[rows, best][:, None]
    rank = (oos < sel_oos).sum(axis=1) + ((oos == sel_oos).sum(axis=1) + 1) / 2.0
    omega = np.where(has_winner, rank / (n_variants + 1.0), np.nan)
    return (
        np.where(has_winner, best, -1),
        np.where(has_winner, r_is[rows, best], np.nan),
        np.where(has_winner, r_oos[rows, best], np.nan),
        omega,
    )


def _result(
    parts: list[tuple[np.ndarray, ...]], splits: np.ndarray, blocks_info: tuple[int, int, int]
) -> PBOResult:
    selected, is_perf, oos_perf, omega = (np.concatenate(p) for p in zip(*parts, strict=True))
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
        Splits evaluated together; default about ``2**20 / N`` (memory only).

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
    splits = cscv_splits(blocks.n_splits)
    in_sample = np.zeros((len(splits), blocks.n_splits))
    np.put_along_axis(in_sample, splits, 1.0, axis=1)
    counts = blocks.counts.astype(np.float64)
    step = batch_size or max(1, _BATCH_ELEMENTS // n_variants)
    parts = []
    for start in range(0, len(splits), step):
        a_is = in_sample[start : start + step]
        a_oos = 1.0 - a_is
        r_is = _sharpe_from_aggregates(
            a_is @ blocks.sums, a_is @ blocks.sumsq, a_is @ counts, blocks.center
        )
        r_oos = _sharpe_from_aggregates(
            a_oos @ blocks.sums, a_oos @ blocks.sumsq, a_oos @ counts, blocks.center
        )
        parts.append(_rank_winners(r_is, r_oos))
    return _result(parts, splits, info)


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
        ``metric=backtest.stats_dsr.per_period_sharpe`` to rounding. A callable costs two calls
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
            values = np.asarray(metric(arr[block_rows[half].ravel()]), dtype=np.float64)
            if values.shape != (n_variants,):
                raise ValueError(f"metric returned shape {values.shape}, expected ({n_variants},)")
            r.append(values[None, :])
        parts.append(_rank_winners(*r))
    return _result(parts, splits, info)


def n_cscv_splits(n_splits: int) -> int:
    """``C(S, S/2)``: the number of in-sample/out-of-sample splits CSCV evaluates."""
    _check_n_splits(n_splits)
    return comb(n_splits, n_splits // 2)

"""How many trials a sweep really made: raw, distinct and effective counts, and the minimum
backtest length they imply. Computed from per-chunk reductions, never from an N x N matrix.

**Distinct return streams.** Variants whose daily returns are identical (parameters that never
changed a trade) are one stream. Each column is fingerprinted by its dot product with one fixed
random vector (identical columns, identical fingerprints); a column whose fingerprint was seen
before is a repeat.

**Effective number of trials.** Correlated streams are not independent trials. After Bailey and
López de Prado (2014, "The Deflated Sharpe Ratio", Journal of Portfolio Management 40(5)), the
number of independent trials implied by ``M`` trials with average pairwise correlation
``rho`` is ``N = rho + (1 - rho) M``: ``M`` when they are uncorrelated, 1 when they are perfectly
correlated. It is clipped to ``[1, M]`` (a negative average correlation does not add trials).

The average pairwise correlation needs no ``M x M`` matrix: with ``z_i`` the return vector of
stream ``i`` centred and scaled to unit length (so ``z_i . z_j`` is their Pearson correlation),
and ``S = sum_i z_i`` (one vector as long as the sample),

    ||S||^2 = sum_i sum_j z_i . z_j = M + sum_{i != j} rho_ij,
    rho = (||S||^2 - M) / (M (M - 1)).

So a sweep processed in chunks of columns keeps one days-long vector ``S``, a count ``M`` and
the fingerprints seen (:class:`TrialCounter`). Columns without dispersion (a variant that never
traded) have no correlation with anything: they count as trials in the raw count but not in
``M``. Missing values (NaN) are set to the column mean before centring (they add nothing).

**Minimum backtest length** (Bailey, Borwein, López de Prado and Zhu 2014, "Pseudo-Mathematics
and Financial Charlatanism", Notices of the AMS 61(5), 458-471): the years of data needed so that
the best of ``N`` independent unskilled trials is not expected to show an annualised Sharpe
ratio of ``SR`` by luck alone,

    MinBTL = ((1 - gamma) Z^-1(1 - 1/N) + gamma Z^-1(1 - 1/(N e)))^2 / SR^2,

i.e. ``expected_max_sharpe(N, 1)^2 / SR^2`` (:func:`alu.stats.dsr.expected_max_sharpe` with unit
variance: annualised Sharpe ratios of unskilled strategies over ``y`` years have variance about
``1 / y``). The paper's examples: 45 trials and ``SR = 1`` need about 5 years; 7 trials about 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from alu.stats.dsr import ZERO_VARIANCE_RTOL, expected_max_sharpe


class TrialCount(NamedTuple):
    """``raw`` variants tried; ``distinct`` distinct return streams among them; ``dispersed``
    of those with returns that varied (``M``); their average pairwise correlation
    ``mean_correlation`` (NaN with fewer than 2); ``effective`` independent trials (see the
    module docstring; equal to ``max(1, dispersed)`` when the correlation is undefined)."""

    raw: int
    distinct: int
    dispersed: int
    mean_correlation: float
    effective: float


def fingerprints(block: np.ndarray) -> np.ndarray:
    """One number per column of a (T x k) block: its dot product with a fixed random vector
    (NaN read as 0). Identical columns give identical fingerprints."""
    x = np.asarray(block, dtype=np.float64)
    if np.isnan(x).any():
        x = np.nan_to_num(x, nan=0.0)
    weights = np.random.default_rng(0).standard_normal(x.shape[0])
    return x.T @ weights


def unit_sum(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sum_i z_i`` over the columns of a (T x k) block with dispersion, each centred and
    scaled to unit length (NaN set to the column mean), and the mask of those columns.

    Computed as ``X s - (mean . s)`` with ``s_i = 1 / ||x_i - mean_i||``: one matrix-vector
    product, no centred copy of the block kept."""
    x = np.asarray(block, dtype=np.float64)
    missing = np.isnan(x)
    if missing.any():
        n = np.maximum((~missing).sum(axis=0), 1)
        mean = np.where(missing, 0.0, x).sum(axis=0) / n
        x = np.where(missing, mean, x)
    else:
        n = np.full(x.shape[1], max(x.shape[0], 1))
        mean = x.mean(axis=0) if x.shape[0] else np.zeros(x.shape[1])
    sumsq = np.einsum("ij,ij->j", x, x) - x.shape[0] * mean * mean
    sumsq = np.maximum(sumsq, 0.0)
    dispersed = sumsq / n > ZERO_VARIANCE_RTOL * (sumsq / n + mean * mean)
    scale = np.zeros(x.shape[1])
    scale[dispersed] = 1.0 / np.sqrt(sumsq[dispersed])
    return x @ scale - float(mean @ scale), dispersed


def unit_columns(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The columns of a (T x k) block centred and scaled to unit length, and the mask of those
    with dispersion (the others are returned as zeros); a direct form of :func:`unit_sum`."""
    x = np.asarray(block, dtype=np.float64)
    valid = ~np.isnan(x)
    n = np.maximum(valid.sum(axis=0), 1)
    mean = np.where(valid, x, 0.0).sum(axis=0) / n
    d = np.where(valid, x - mean, 0.0)
    sumsq = (d * d).sum(axis=0)
    dispersed = sumsq / n > ZERO_VARIANCE_RTOL * (sumsq / n + mean * mean)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(dispersed, d / np.sqrt(sumsq), 0.0)
    return z, dispersed


def mean_pairwise_correlation(sum_z: np.ndarray, m: int) -> float:
    """Average of the ``M (M - 1)`` pairwise correlations of ``M`` unit columns summing to
    ``sum_z``: ``(||sum_z||^2 - M) / (M (M - 1))`` (NaN for ``M < 2``)."""
    if m < 2:
        return float("nan")
    return float((sum_z @ sum_z - m) / (m * (m - 1)))


def effective_trials(m: int, mean_correlation: float) -> float:
    """``rho + (1 - rho) M`` clipped to ``[1, M]`` (``max(1, M)`` when ``rho`` is NaN)."""
    if m < 1:
        return 1.0
    if not np.isfinite(mean_correlation):
        return float(max(1, m))
    return float(np.clip(mean_correlation + (1.0 - mean_correlation) * m, 1.0, m))


@dataclass
class TrialCounter:
    """Accumulates :class:`TrialCount` over chunks of columns of one (T x N) returns array:
    ``add(block)`` for each chunk in column order, then ``result()``. Holds one T-long vector and
    one fingerprint per distinct stream."""

    n_rows: int
    raw: int = 0
    dispersed: int = 0
    sum_z: np.ndarray = field(init=False)
    seen: set[float] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.sum_z = np.zeros(self.n_rows)

    def add(self, block: np.ndarray) -> np.ndarray:
        """Count a chunk of columns; returns the mask of its columns that are new distinct
        streams (first occurrences)."""
        block = np.asarray(block, dtype=np.float64).reshape(self.n_rows, -1)
        self.raw += block.shape[1]
        new = np.zeros(block.shape[1], dtype=bool)
        for j, key in enumerate(fingerprints(block).tolist()):
            if key not in self.seen:
                self.seen.add(key)
                new[j] = True
        fresh = block if new.all() else block[:, new]
        total, dispersed = unit_sum(fresh)
        self.sum_z += total
        self.dispersed += int(dispersed.sum())
        return new

    def result(self) -> TrialCount:
        rho = mean_pairwise_correlation(self.sum_z, self.dispersed)
        return TrialCount(
            raw=self.raw,
            distinct=len(self.seen),
            dispersed=self.dispersed,
            mean_correlation=rho,
            effective=effective_trials(self.dispersed, rho),
        )


def trial_count(raw: int, distinct: int, dispersed: int, sum_z: np.ndarray) -> TrialCount:
    """:class:`TrialCount` from reductions made elsewhere (a sweep's chunks): ``raw`` variants,
    ``distinct`` streams, ``dispersed`` of them with returns that varied, and the sum of their
    unit vectors ``sum_z``."""
    rho = mean_pairwise_correlation(np.asarray(sum_z, dtype=np.float64), dispersed)
    return TrialCount(
        raw=int(raw),
        distinct=int(distinct),
        dispersed=int(dispersed),
        mean_correlation=rho,
        effective=effective_trials(dispersed, rho),
    )


def count_trials(
    returns: np.ndarray, *, chunk_columns: int = 1000
) -> tuple[TrialCount, np.ndarray]:
    """:class:`TrialCount` of a (T x N) returns array, processed ``chunk_columns`` at a time,
    and the mask of columns that are first occurrences of their stream."""
    arr = np.asarray(returns, dtype=np.float64)
    arr = arr.reshape(len(arr), -1)
    counter = TrialCounter(arr.shape[0])
    first = np.concatenate(
        [counter.add(arr[:, j : j + chunk_columns]) for j in range(0, arr.shape[1], chunk_columns)]
        or [np.zeros(0, dtype=bool)]
    )
    return counter.result(), first


def min_backtest_length(n_trials: float, sharpe_annual: float) -> float:
    """Minimum backtest length in years (Bailey, Borwein, López de Prado and Zhu 2014) for the
    best of ``n_trials`` independent trials with annualised Sharpe ratio ``sharpe_annual`` not to
    be expected from luck alone; 0 for one trial, NaN for a Sharpe ratio that is not positive."""
    if not np.isfinite(sharpe_annual) or sharpe_annual <= 0:
        return float("nan")
    expected = float(expected_max_sharpe(max(float(n_trials), 1.0), 1.0))
    return expected**2 / sharpe_annual**2

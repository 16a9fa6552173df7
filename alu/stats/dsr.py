"""Probabilistic and deflated Sharpe ratios (Bailey and López de Prado), on plain arrays.

Every Sharpe ratio here is **per period** (per day for daily returns), risk-free 0, *not*
annualised: ``SR = mean(r) / std(r, ddof=1)``. ``alu.backtest.metrics.sharpe`` is this times
``sqrt(252)``. Convert an annualised figure with ``SR_annual / sqrt(periods_per_year)`` and an
annualised variance of Sharpe ratios with ``V_annual / periods_per_year``.

Moments of a return series ``r_1..r_T`` (the NaN-free part of a column):

- ``m_k = mean((r - mean(r)) ** k)`` (central moments, divisor ``T``);
- ``skew = m_3 / m_2 ** 1.5`` and ``kurtosis = m_4 / m_2 ** 2``, **non-excess** (3 for normal
  returns): the moment estimators of ``scipy.stats.skew`` / ``scipy.stats.kurtosis(fisher=False)``
  with their default ``bias=True``.

References
----------
Bailey, D. H. and López de Prado, M. (2012), "The Sharpe Ratio Efficient Frontier", Journal of
Risk 15(2): the probabilistic Sharpe ratio (PSR).
Bailey, D. H. and López de Prado, M. (2014), "The Deflated Sharpe Ratio: Correcting for Selection
Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio Management 40(5), 94-107:
the expected maximum Sharpe ratio and the deflated Sharpe ratio (DSR).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import ndtr, ndtri

EULER_GAMMA = float(np.euler_gamma)  # 0.5772156649...

# A variance at or below this fraction of the mean square about the reference point is rounding
# noise (e.g. a constant column), not dispersion: the standard deviation counts as zero.
ZERO_VARIANCE_RTOL = 1e-10

# Columns handled per step by the column-wise helpers: bounds the temporaries to ~8 MB of
# float64 whatever the width of the input.
_CHUNK_ELEMENTS = 1 << 20


class ReturnMoments(NamedTuple):
    """Per-column moments of a returns array (each field has the input's column shape)."""

    sharpe: np.ndarray
    """Per-period Sharpe ratio, ``mean / std(ddof=1)``; NaN with fewer than 2 values or zero std."""
    skew: np.ndarray
    """``m_3 / m_2 ** 1.5``; NaN with zero std."""
    kurtosis: np.ndarray
    """Non-excess kurtosis ``m_4 / m_2 ** 2`` (3 for normal returns); NaN with zero std."""
    n_obs: np.ndarray
    """Number of non-NaN values ``T`` (int64)."""


def _column_chunks(n_rows: int, n_cols: int, chunk_columns: int | None) -> range:
    step = chunk_columns or max(1, _CHUNK_ELEMENTS // max(n_rows, 1))
    return range(0, n_cols, step)


def _as_2d(returns: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
    arr = np.asarray(returns)
    if arr.ndim not in (1, 2):
        raise ValueError(f"returns must be 1-D or 2-D (T x N), got {arr.ndim}-D")
    return (arr[:, None] if arr.ndim == 1 else arr), arr.shape[1:]


def _centred(block: np.ndarray) -> tuple[np.ndarray, ...]:
    """Count, mean, deviations (0 where NaN), ``m_2`` and the has-dispersion mask per column."""
    x = np.asarray(block).astype(np.float64, copy=False)
    valid = ~np.isnan(x)
    n = valid.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(valid, x, 0.0).sum(axis=0) / n
        d = np.where(valid, x - mean, 0.0)
        m2 = (d * d).sum(axis=0) / n
        dispersed = (n >= 2) & (m2 > ZERO_VARIANCE_RTOL * (m2 + mean * mean))
    return n, mean, d, m2, dispersed


def return_moments(returns: np.ndarray, *, chunk_columns: int | None = None) -> ReturnMoments:
    """Per-period Sharpe ratio, skew, non-excess kurtosis and length of every column.

    Parameters
    ----------
    returns : array_like, shape (T,) or (T, N)
        Per-period (daily) returns, one column per variant. NaN marks a missing value (e.g. the
        days before a variant starts); each column's moments use its non-NaN values only.
    chunk_columns : int, optional
        Columns processed per step (default: enough for ~1 M elements). Only memory and speed
        depend on it; the loop is over blocks of columns, the arithmetic is vectorised.

    Returns
    -------
    ReturnMoments
        ``sharpe = mean / std(ddof=1)``, ``skew = m_3 / m_2**1.5``,
        ``kurtosis = m_4 / m_2**2`` (non-excess) and ``n_obs = T``, each of shape ``(N,)`` (or
        0-d for 1-D input). Central moments are computed in two passes (mean first).
        A column whose variance is at most ``1e-10`` of its mean square (a constant column, up
        to rounding) has zero std: its Sharpe ratio, skew and kurtosis are NaN, as is the Sharpe
        ratio of a column with fewer than 2 values.

    Notes
    -----
    Chunked by columns, the results concatenate: ``return_moments(R[:, a:b])`` equals the
    ``a:b`` slice of ``return_moments(R)``; a sweep processed in chunks can collect them.
    """
    arr, shape = _as_2d(returns)
    n_rows, n_cols = arr.shape
    out = {k: np.full(n_cols, np.nan) for k in ("sharpe", "skew", "kurtosis")}
    n_obs = np.zeros(n_cols, dtype=np.int64)
    chunks = _column_chunks(n_rows, n_cols, chunk_columns)
    for j in chunks:
        n, mean, d, m2, dispersed = _centred(arr[:, j : j + chunks.step])
        sl = slice(j, j + len(n))
        with np.errstate(invalid="ignore", divide="ignore"):
            d2 = d * d
            m3 = (d2 * d).sum(axis=0) / n
            m4 = (d2 * d2).sum(axis=0) / n
            out["sharpe"][sl] = np.where(dispersed, mean / np.sqrt(m2 * n / (n - 1)), np.nan)
            out["skew"][sl] = np.where(dispersed, m3 / m2**1.5, np.nan)
            out["kurtosis"][sl] = np.where(dispersed, m4 / (m2 * m2), np.nan)
        n_obs[sl] = n
    return ReturnMoments(
        sharpe=out["sharpe"].reshape(shape),
        skew=out["skew"].reshape(shape),
        kurtosis=out["kurtosis"].reshape(shape),
        n_obs=n_obs.reshape(shape),
    )


def per_period_sharpe(returns: np.ndarray, *, chunk_columns: int | None = None) -> np.ndarray:
    """Per-period Sharpe ratio of every column, ``mean / std(ddof=1)``, NaN values skipped.

    The same definition (and zero-std rule) as ``return_moments(returns).sharpe``, without the
    higher moments; usable as the ``metric`` of :func:`alu.stats.pbo.pbo_cscv`.

    Parameters
    ----------
    returns : array_like, shape (T,) or (T, N)
        Per-period returns, one column per variant, NaN for missing values.
    chunk_columns : int, optional
        Columns processed per step (memory only).

    Returns
    -------
    numpy.ndarray, shape (N,) (0-d for 1-D input)
        NaN for a column with fewer than 2 values or zero standard deviation.
    """
    arr, shape = _as_2d(returns)
    n_rows, n_cols = arr.shape
    out = np.full(n_cols, np.nan)
    chunks = _column_chunks(n_rows, n_cols, chunk_columns)
    for j in chunks:
        n, mean, _, m2, dispersed = _centred(arr[:, j : j + chunks.step])
        with np.errstate(invalid="ignore", divide="ignore"):
            sharpe = mean / np.sqrt(m2 * n / (n - 1))
        out[j : j + len(n)] = np.where(dispersed, sharpe, np.nan)
    return out.reshape(shape)


def _scalar_or_array(values: np.ndarray) -> float | np.ndarray:
    return float(values) if values.ndim == 0 else values


def probabilistic_sharpe_ratio(
    sharpe: float | np.ndarray,
    benchmark: float | np.ndarray,
    n_obs: int | np.ndarray,
    skew: float | np.ndarray = 0.0,
    kurtosis: float | np.ndarray = 3.0,
) -> float | np.ndarray:
    """Probability that the true Sharpe ratio exceeds ``benchmark`` (PSR).

    ``PSR = Phi( (SR - SR*) * sqrt(T - 1) / sqrt(1 - g3 * SR + (g4 - 1) / 4 * SR**2) )``

    with ``Phi`` the standard normal CDF: the probabilistic Sharpe ratio of Bailey and López de
    Prado (2012), as restated in their 2014 DSR paper (where ``SR* = SR_0``). The square root in
    the denominator is ``sqrt(T - 1)`` times the standard error of the estimated Sharpe ratio
    under non-normal IID returns. Vectorised: the arguments broadcast.

    Parameters
    ----------
    sharpe : float or array_like
        Observed **per-period** Sharpe ratio ``SR`` (not annualised).
    benchmark : float or array_like
        Benchmark per-period Sharpe ratio ``SR*``.
    n_obs : int or array_like
        Number of returns ``T`` the Sharpe ratio was estimated from.
    skew : float or array_like, default 0.0
        Skewness ``g3`` of the returns (0 for normal returns).
    kurtosis : float or array_like, default 3.0
        **Non-excess** kurtosis ``g4`` of the returns (3 for normal returns).

    Returns
    -------
    float or numpy.ndarray
        In ``[0, 1]``; exactly 0.5 when ``SR == SR*``. NaN where any input is NaN, where
        ``T < 2``, or where the variance term ``1 - g3*SR + (g4-1)/4*SR**2`` is not positive
        (impossible for moments of real data, since ``g4 >= 1 + g3**2``).
    """
    sr, sr_star, t, g3, g4 = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (sharpe, benchmark, n_obs, skew, kurtosis))
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        var_term = 1.0 - g3 * sr + (g4 - 1.0) / 4.0 * sr * sr
        z = (sr - sr_star) * np.sqrt(t - 1.0) / np.sqrt(var_term)
    defined = (t >= 2) & (var_term > 0) & ~np.isnan(z)
    return _scalar_or_array(np.where(defined, ndtr(np.where(defined, z, 0.0)), np.nan))


def expected_max_sharpe(
    n_trials: float | np.ndarray, variance: float | np.ndarray
) -> float | np.ndarray:
    """Expected maximum Sharpe ratio of ``N`` unskilled trials (the DSR benchmark ``SR_0``).

    ``E[max SR] ~= sqrt(V) * ((1 - gamma) * Phi^-1(1 - 1/N) + gamma * Phi^-1(1 - 1/(N e)))``

    with ``gamma`` the Euler-Mascheroni constant and ``e`` Euler's number: the benchmark ``SR_0``
    of Bailey and López de Prado (2014), from the expected maximum of ``N`` independent normal
    draws (the trials' true Sharpe ratios are 0 and their estimates are normal with variance
    ``V``). Vectorised over both arguments.

    Parameters
    ----------
    n_trials : float or array_like
        Number of (independent) trials ``N >= 1``.
    variance : float or array_like
        Variance ``V >= 0`` of the trials' Sharpe ratios, in the units of the result (per-period
        Sharpe ratios give a per-period benchmark).

    Returns
    -------
    float or numpy.ndarray
        ``SR_0``. For ``N == 1`` it is 0, whatever ``V``: one trial involves no selection, and an
        unskilled trial's Sharpe ratio has expectation 0 (the formula itself diverges to
        ``-inf`` there). NaN where ``V`` is NaN and ``N > 1``.

    Raises
    ------
    ValueError
        If any ``N < 1`` or any ``V < 0``.
    """
    n, v = np.broadcast_arrays(np.asarray(n_trials, np.float64), np.asarray(variance, np.float64))
    if np.any(n < 1):
        raise ValueError("n_trials must be at least 1")
    if np.any(v < 0):
        raise ValueError("the variance of the trials' Sharpe ratios cannot be negative")
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (1.0 - EULER_GAMMA) * ndtri(1.0 - 1.0 / n) + EULER_GAMMA * ndtri(1.0 - 1.0 / (n * np.e))
        sr0 = np.sqrt(v) * z
    return _scalar_or_array(np.where(n == 1, 0.0, sr0))


def deflated_sharpe_ratio(
    sharpe: np.ndarray,
    n_obs: np.ndarray,
    skew: np.ndarray,
    kurtosis: np.ndarray,
    *,
    n_trials: float | None = None,
    sharpe_variance: float | None = None,
) -> np.ndarray:
    """Deflated Sharpe ratio of every variant of a sweep (Bailey and López de Prado 2014).

    ``DSR_i = PSR(SR_i; SR* = SR_0, T_i, skew_i, kurtosis_i)`` with
    ``SR_0 = expected_max_sharpe(N, V)``: the probability that variant ``i``'s true Sharpe ratio
    exceeds the highest Sharpe ratio ``N`` unskilled variants would show by luck.

    Parameters
    ----------
    sharpe, n_obs, skew, kurtosis : array_like, shape (N,)
        Per variant: **per-period** Sharpe ratio, number of returns ``T``, skew and non-excess
        kurtosis of its returns, e.g. the fields of :func:`return_moments`. Scalars broadcast.
    n_trials : float, optional
        Number of trials ``N``; default ``len(sharpe)``: every variant passed counts as tried,
        including those whose Sharpe ratio is undefined.
    sharpe_variance : float, optional
        ``V``; default the sample variance (``ddof=1``) of the finite entries of ``sharpe``.

    Returns
    -------
    numpy.ndarray, shape (N,)
        In ``[0, 1]``. Degenerate cases:

        - a single trial (``N == 1``): ``SR_0 = 0``, so ``DSR = PSR(0)``: nothing to deflate;
        - zero variance across the trials: ``SR_0 = 0``, ``DSR = PSR(0)``;
        - ``V`` undefined (``N > 1`` but fewer than 2 finite Sharpe ratios): NaN for all;
        - a variant with NaN Sharpe ratio (zero std) or ``T < 2``: NaN for that variant.
    """
    sr = np.atleast_1d(np.asarray(sharpe, dtype=np.float64))
    if sr.ndim != 1:
        raise ValueError("sharpe must be 1-D: one value per variant")
    n = float(len(sr)) if n_trials is None else float(n_trials)
    if sharpe_variance is None:
        finite = sr[np.isfinite(sr)]
        sharpe_variance = float(np.var(finite, ddof=1)) if len(finite) >= 2 else float("nan")
    sr0 = expected_max_sharpe(n, sharpe_variance)
    return np.asarray(probabilistic_sharpe_ratio(sr, sr0, n_obs, skew, kurtosis))


def deflated_sharpe_ratio_from_returns(
    returns: np.ndarray, *, n_trials: float | None = None, sharpe_variance: float | None = None
) -> np.ndarray:
    """:func:`deflated_sharpe_ratio` of every column of a (T x N) per-period returns array.

    Shorthand for ``m = return_moments(returns)`` then
    ``deflated_sharpe_ratio(m.sharpe, m.n_obs, m.skew, m.kurtosis, ...)``; with the variants in
    chunks, collect :func:`return_moments` per chunk and call :func:`deflated_sharpe_ratio` once.
    """
    m = return_moments(np.asarray(returns).reshape(len(returns), -1))
    return deflated_sharpe_ratio(
        m.sharpe, m.n_obs, m.skew, m.kurtosis, n_trials=n_trials, sharpe_variance=sharpe_variance
    )

"""Newey-West (HAC) statistics through statsmodels, for overlapping forward returns.

Forward returns over ``h`` days sampled every day overlap by ``h - 1`` days, so consecutive
observations are correlated even when daily returns are not. The Newey-West (1987) covariance
with ``h - 1`` lags (Bartlett kernel) is the standard correction (Hansen and Hodrick 1980 for
the lag choice). Both statistics are fitted with ``statsmodels.OLS(...).fit(cov_type="HAC",
cov_kwds={"maxlags": h - 1})`` with statsmodels' defaults for HAC: Bartlett weights
``1 - l / (L + 1)`` and no small-sample correction, so for a mean
``Var = (sum e_t^2 + 2 sum_l w_l sum_t e_t e_{t-l}) / n^2`` with ``e`` the deviations from it.

- :func:`hac_mean`: the mean of a series and its t-statistic (OLS on a constant).
- :func:`rank_ic`: the rank information coefficient of a signal with forward returns (Spearman's
  correlation) and its t-statistic: the OLS slope of the standardised ranks of the returns on the
  standardised ranks of the signal equals Spearman's correlation, and its HAC standard error
  accounts for the overlap. Under the null of no predictability the products of the signal and
  the regression error are autocorrelated only through the overlap, so ``h - 1`` lags suffice
  even for a persistent signal.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.stats import rankdata


class MeanTest(NamedTuple):
    """``mean`` of ``n`` values, its HAC standard error ``se`` and ``t = mean / se`` (NaN when
    undefined: fewer than two values or no variation)."""

    mean: float
    se: float
    t: float
    n: int


class RankIC(NamedTuple):
    """Spearman correlation ``ic`` of ``n`` pairs and the HAC t-statistic of the rank slope."""

    ic: float
    t: float
    n: int


def _fit(y: np.ndarray, exog: np.ndarray, lags: int):
    import statsmodels.api as sm

    return sm.OLS(y, exog).fit(cov_type="HAC", cov_kwds={"maxlags": int(lags)})


def hac_mean(values: np.ndarray, lags: int) -> MeanTest:
    """Mean of ``values`` (in time order, NaN dropped) with its Newey-West t-statistic."""
    y = np.asarray(values, dtype=np.float64)
    y = y[np.isfinite(y)]
    n = len(y)
    if n == 0:
        return MeanTest(float("nan"), float("nan"), float("nan"), 0)
    mean = float(y.mean())
    if n < 2 or np.ptp(y) <= 1e-12 * max(1.0, abs(mean)):
        return MeanTest(mean, float("nan"), float("nan"), n)
    fit = _fit(y, np.ones((n, 1)), min(lags, n - 1))
    se = float(fit.bse[0])
    return MeanTest(mean, se, mean / se if se > 0 else float("nan"), n)


def rank_ic(signal: np.ndarray, forward: np.ndarray, lags: int) -> RankIC:
    """Spearman correlation of ``signal`` and ``forward`` (pairs in time order, any NaN
    dropped) with the Newey-West t-statistic of the slope of standardised ranks."""
    x = np.asarray(signal, dtype=np.float64)
    y = np.asarray(forward, dtype=np.float64)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    n = len(x)
    if n < 3:
        return RankIC(float("nan"), float("nan"), n)
    rx, ry = rankdata(x), rankdata(y)
    sx, sy = rx.std(), ry.std()
    if sx == 0 or sy == 0:
        return RankIC(float("nan"), float("nan"), n)
    zx, zy = (rx - rx.mean()) / sx, (ry - ry.mean()) / sy
    fit = _fit(zy, np.column_stack([np.ones(n), zx]), min(lags, n - 2))
    return RankIC(float(fit.params[1]), float(fit.tvalues[1]), n)

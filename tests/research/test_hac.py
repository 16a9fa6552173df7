"""Newey-West statistics: against statsmodels on the same series and against a hand-worked
case; the rank IC against scipy's Spearman correlation."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy.stats import spearmanr

from alu.research.hac import hac_mean, rank_ic


def test_hac_mean_by_hand():
    # y = 1,3,2,5,4,6: mean 3.5, e = -2.5,-0.5,-1.5,1.5,0.5,2.5; sum e^2 = 17.5;
    # lag-1 sum e_t e_{t-1} = 1.25+0.75-2.25+0.75+1.25 = 1.75; Bartlett w_1 = 1/2.
    # Var(mean) = (17.5 + 2 * 0.5 * 1.75) / 36 = 19.25 / 36.
    test = hac_mean(np.array([1.0, 3, 2, 5, 4, 6]), lags=1)
    assert test.mean == 3.5 and test.n == 6
    assert test.se == pytest.approx(np.sqrt(19.25 / 36), rel=1e-12)
    assert test.t == pytest.approx(3.5 / np.sqrt(19.25 / 36), rel=1e-12)


@pytest.mark.parametrize("lags", [0, 4, 19, 59])
def test_hac_mean_equals_statsmodels_on_overlapping_returns(lags):
    rng = np.random.default_rng(lags)
    daily = rng.normal(0.0005, 0.02, 800)
    h = lags + 1
    forward = np.convolve(daily, np.ones(h), mode="valid")  # overlapping h-day sums
    fit = sm.OLS(forward, np.ones((len(forward), 1))).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags}
    )
    test = hac_mean(forward, lags)
    assert test.t == pytest.approx(fit.tvalues[0], rel=1e-10)
    assert test.se == pytest.approx(fit.bse[0], rel=1e-10)


def test_hac_mean_undefined_cases():
    assert np.isnan(hac_mean(np.array([0.01]), 0).t)
    constant = hac_mean(np.zeros(10), 3)
    assert constant.mean == 0 and np.isnan(constant.t)
    assert hac_mean(np.array([np.nan, np.nan]), 1).n == 0


def test_rank_ic_is_spearman_with_a_statsmodels_t():
    rng = np.random.default_rng(3)
    x = rng.normal(size=500).cumsum()  # a persistent signal
    y = 0.05 * x + rng.normal(size=500)
    y[10] = np.nan
    test = rank_ic(x, y, 4)
    keep = np.isfinite(y)
    assert test.n == keep.sum()
    assert test.ic == pytest.approx(spearmanr(x[keep], y[keep]).statistic, rel=1e-12)

    def standard_ranks(values):  # no ties in continuous data: ranks 1..n
        ranks = np.argsort(np.argsort(values)) + 1.0
        return (ranks - ranks.mean()) / ranks.std()

    rx, ry = standard_ranks(x[keep]), standard_ranks(y[keep])
    fit = sm.OLS(ry, sm.add_constant(rx)).fit(cov_type="HAC", cov_kwds={"maxlags": 4})
    assert test.t == pytest.approx(fit.tvalues[1], rel=1e-10)


def test_rank_ic_undefined_without_variation():
    assert np.isnan(rank_ic(np.ones(10), np.arange(10.0), 1).ic)

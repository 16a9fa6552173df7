"""Overfitting-aware statistics for a sweep of strategy variants: one flat namespace.

numpy and scipy on plain arrays (rows = periods, columns = variants, NaN = no value), and numba
kernels for sweeps too large for numpy's temporaries (:mod:`alu.stats.nb`, loaded only when
used); no pandas, no vectorbt. The definitions live with the code:

- :mod:`alu.stats.dsr`: per-column moments, the probabilistic Sharpe ratio (PSR), the
  expected maximum Sharpe ratio of unskilled trials and the deflated Sharpe ratio (DSR), after
  Bailey and López de Prado (2012, 2014). All Sharpe ratios are **per period**, not annualised.
- :mod:`alu.stats.pbo`: the probability of backtest overfitting (PBO) by combinatorially
  symmetric cross-validation, after Bailey, Borwein, López de Prado and Zhu (2017).
- :mod:`alu.stats.walkforward`: walk-forward windows, in-sample selection and the stitched
  out-of-sample series.

Typical use on a ``T x N`` array of daily returns::

    m = return_moments(returns)                       # or per chunk of columns, concatenated
    dsr = deflated_sharpe_ratio(m.sharpe, m.n_obs, m.skew, m.kurtosis)
    pbo = pbo_cscv(returns, n_splits=16).pbo          # NaN -> null
    windows = walk_forward_windows(len(returns), 4)
    oos = stitch_out_of_sample(returns, walk_forward_select(returns, windows), windows)
"""

from __future__ import annotations

from alu.stats.dsr import (
    EULER_GAMMA,
    ReturnMoments,
    deflated_sharpe_ratio,
    deflated_sharpe_ratio_from_returns,
    expected_max_sharpe,
    per_period_sharpe,
    probabilistic_sharpe_ratio,
    return_moments,
)
from alu.stats.pbo import (
    CSCVBlocks,
    PBOResult,
    cscv_blocks,
    cscv_splits,
    n_cscv_splits,
    pbo_cscv,
    pbo_from_blocks,
    pbo_from_streams,
)
from alu.stats.walkforward import (
    stitch_out_of_sample,
    walk_forward_select,
    walk_forward_windows,
)

__all__ = [
    "EULER_GAMMA",
    "CSCVBlocks",
    "PBOResult",
    "ReturnMoments",
    "cscv_blocks",
    "cscv_splits",
    "deflated_sharpe_ratio",
    "deflated_sharpe_ratio_from_returns",
    "expected_max_sharpe",
    "n_cscv_splits",
    "pbo_cscv",
    "pbo_from_blocks",
    "pbo_from_streams",
    "per_period_sharpe",
    "probabilistic_sharpe_ratio",
    "return_moments",
    "stitch_out_of_sample",
    "walk_forward_select",
    "walk_forward_windows",
]

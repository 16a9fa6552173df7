"""numba kernels of the statistics, for sweeps too large for the numpy forms' temporaries.

:func:`cscv_splits_nb` evaluates CSCV (:mod:`alu.stats.pbo`) for every split from the per-block
aggregates of the **distinct** return streams of a sweep, each weighted by how many variants
share it: variants with identical returns have identical Sharpe ratios in every half, so the
in-sample winner (the first variant with the best in-sample value) is the first variant of the
winning stream, and a rank among all variants is a weighted count over the streams. The result
equals :func:`alu.stats.pbo.pbo_from_blocks` on the blocks of every variant (the tests hold them
equal); it costs the number of distinct streams, not of variants, and no temporaries.

The arithmetic of a half's Sharpe ratio is that of ``pbo_from_blocks`` step for step
(:func:`_half_sharpe_nb`), and the in-sample sums walk the splits in the same revolving-door
order, summed afresh at the start of every group of :data:`GROUP` splits.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from alu.stats.dsr import ZERO_VARIANCE_RTOL

#: Splits per group: the in-sample sums are summed afresh at the start of each group (bounding
#: the running sums' rounding); groups run in parallel.
GROUP = 64
#: Streams whose aggregates are walked together through a group's splits (they stay in cache).
BLOCK = 1024


@njit(cache=True, nogil=True, error_model="numpy")
def _half_sharpe_nb(s, q, n, center, out, m):
    """:func:`sharpe_from_aggregates_nb` over the first ``m`` entries, branch-free (vectorised):
    the same arithmetic, -inf where undefined."""
    for v in range(m):
        sv = s[v]
        qv = q[v]
        nv = n[v]
        sharpe = sv / nv
        spread = qv - sv * sharpe
        threshold = qv * (ZERO_VARIANCE_RTOL * (nv - 1) / nv)
        value = (sharpe + center[v]) / np.sqrt(spread / (nv - 1))
        out[v] = -np.inf if (spread <= threshold or nv < 2) else value


@njit(cache=True, nogil=True, parallel=True, error_model="numpy")
def cscv_splits_nb(
    sums,
    sumsq,
    counts,
    center,
    weight,
    door,
    entering,
    leaving,
    best,
    best_is,
    best_oos,
    below,
    ties,
    undefined,
):
    """Every CSCV split in revolving-door order (``door[k]``: its in-sample blocks; split ``k``
    differs from ``k - 1`` by block ``entering[k]`` in and ``leaving[k]`` out).

    ``sums``, ``sumsq`` and ``counts`` (float) are blocks x streams (centred,
    :func:`alu.stats.pbo.cscv_blocks`), ``center`` each stream's mean, ``weight`` its variants.
    Per split: ``best`` the in-sample winning stream (-1: none defined), its in- and
    out-of-sample Sharpe ratios, the weight of the streams below and equal to its
    out-of-sample value, and ``undefined`` when an in-sample value is NaN (numpy's argmax
    would pick it: no winner then).
    """
    n_blocks, n_streams = sums.shape
    n_total = door.shape[0]
    n_groups = (n_total + GROUP - 1) // GROUP
    for g in prange(n_groups):
        g0 = g * GROUP
        g1 = min(g0 + GROUP, n_total)
        for k in range(g0, g1):
            best[k] = -1
            best_is[k] = -np.inf
            best_oos[k] = np.nan
            below[k] = 0
            ties[k] = 0
            undefined[k] = False
        is_s = np.empty(BLOCK)
        is_q = np.empty(BLOCK)
        is_n = np.empty(BLOCK)
        tot_s = np.empty(BLOCK)
        tot_q = np.empty(BLOCK)
        tot_n = np.empty(BLOCK)
        oos_s = np.empty(BLOCK)
        oos_q = np.empty(BLOCK)
        oos_n = np.empty(BLOCK)
        values = np.empty(BLOCK)
        for counting in range(2):  # 0: find the winners; 1: rank them out of sample
            for v0 in range(0, n_streams, BLOCK):
                m = min(BLOCK, n_streams - v0)
                mu = center[v0 : v0 + m]
                for v in range(m):
                    tot_s[v] = 0.0
                    tot_q[v] = 0.0
                    tot_n[v] = 0.0
                for blk in range(n_blocks):
                    for v in range(m):
                        tot_s[v] += sums[blk, v0 + v]
                        tot_q[v] += sumsq[blk, v0 + v]
                        tot_n[v] += counts[blk, v0 + v]
                for k in range(g0, g1):
                    if k == g0:
                        for v in range(m):
                            is_s[v] = 0.0
                            is_q[v] = 0.0
                            is_n[v] = 0.0
                        for i in range(door.shape[1]):
                            blk = door[k, i]
                            for v in range(m):
                                is_s[v] += sums[blk, v0 + v]
                                is_q[v] += sumsq[blk, v0 + v]
                                is_n[v] += counts[blk, v0 + v]
                    else:
                        enter = entering[k]
                        leave = leaving[k]
                        for v in range(m):
                            is_s[v] = (is_s[v] + sums[enter, v0 + v]) - sums[leave, v0 + v]
                            is_q[v] = (is_q[v] + sumsq[enter, v0 + v]) - sumsq[leave, v0 + v]
                            is_n[v] = (is_n[v] + counts[enter, v0 + v]) - counts[leave, v0 + v]
                    if counting == 1 and (best[k] < 0 or undefined[k]):
                        continue
                    for v in range(m):
                        oos_s[v] = tot_s[v] - is_s[v]
                        oos_q[v] = tot_q[v] - is_q[v]
                        oos_n[v] = tot_n[v] - is_n[v]
                    if counting == 0:
                        _half_sharpe_nb(is_s, is_q, is_n, mu, values, m)
                        top = best_is[k]
                        at = -1
                        for v in range(m):
                            value = values[v]
                            if value != value:
                                undefined[k] = True
                            elif value > top:
                                top = value
                                at = v
                        if at >= 0:
                            best_is[k] = top
                            best[k] = v0 + at
                            _half_sharpe_nb(oos_s[at:], oos_q[at:], oos_n[at:], mu[at:], values, 1)
                            best_oos[k] = values[0]
                    else:
                        _half_sharpe_nb(oos_s, oos_q, oos_n, mu, values, m)
                        target = best_oos[k]
                        low = 0
                        same = 0
                        for v in range(m):
                            w = weight[v0 + v]
                            low += w if values[v] < target else 0
                            same += w if values[v] == target else 0
                        below[k] += low
                        ties[k] += same

"""PBO by CSCV: a case worked by hand, an independent oracle, properties and edge cases."""

from __future__ import annotations

import math
from itertools import combinations, pairwise

import numpy as np
import pytest
import scipy.stats as ss
from hypothesis import given, settings
from hypothesis import strategies as st

from alu.stats import (
    CSCVBlocks,
    cscv_blocks,
    cscv_splits,
    n_cscv_splits,
    pbo_cscv,
    pbo_from_blocks,
    per_period_sharpe,
)
from alu.stats.pbo import _revolving_door

# --- worked by hand -------------------------------------------------------------------------

# S = 4 blocks of L = 2 equal rows, N = 3 variants A, B, C; the 9th row is the remainder
# (T mod S = 1) and must be dropped: its 100 would change C's numbers if it were used.
BLOCK_VALUES = np.array(
    [  #  A  B  C
        [3, 1, 0],  # block 0
        [1, 2, 0],  # block 1
        [2, 0, 1],  # block 2
        [0, 1, 3],  # block 3
    ],
    dtype=float,
)
HAND = np.vstack([np.repeat(BLOCK_VALUES, 2, axis=0), [[0.0, 0.0, 100.0]]])


def column_mean(x: np.ndarray) -> np.ndarray:
    return x.mean(axis=0)


def test_hand_worked_case_with_the_mean_as_metric():
    # A half's mean is the average of its two blocks. omega = OOS rank / (N + 1) = rank / 4.
    # IS blocks | IS means A,B,C   | winner     | OOS means A,B,C | winner's OOS rank | logit
    # {0,1}     | 2,   1.5, 0      | A          | 1,   0.5, 2     | 2                 | ln(1)   = 0
    # {0,2}     | 2.5, 0.5, 0.5    | A          | 0.5, 1.5, 1.5   | 1                 | ln(1/3)
    # {0,3}     | 1.5, 1,   1.5    | A (1st tie)| 1.5, 1,   0.5   | 3                 | ln(3)
    # {1,2}     | 1.5, 1,   0.5    | A          | 1.5, 1,   1.5   | 2.5 (tie with C)  | ln(5/3)
    # {1,3}     | 0.5, 1.5, 1.5    | B (1st tie)| 2.5, 0.5, 0.5   | 1.5 (tie with C)  | ln(3/5)
    # {2,3}     | 1,   0.5, 2      | C          | 2,   1.5, 0     | 1                 | ln(1/3)
    # logit <= 0 in splits 1, 2, 5 and 6 (split 1 is exactly at the median): PBO = 4/6.
    res = pbo_cscv(HAND, n_splits=4, metric=column_mean)
    assert res.pbo == pytest.approx(4 / 6)
    np.testing.assert_array_equal(res.splits, [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]])
    np.testing.assert_array_equal(res.selected, [0, 0, 0, 0, 1, 2])
    np.testing.assert_allclose(res.relative_rank, [2 / 4, 1 / 4, 3 / 4, 2.5 / 4, 1.5 / 4, 1 / 4])
    expected_logits = [
        0.0,
        math.log(1 / 3),
        math.log(3),
        math.log(5 / 3),
        math.log(3 / 5),
        math.log(1 / 3),
    ]
    np.testing.assert_allclose(res.logits, expected_logits, atol=1e-15)
    np.testing.assert_allclose(res.is_performance, [2, 2.5, 1.5, 1.5, 1.5, 2])
    np.testing.assert_allclose(res.oos_performance, [1, 0.5, 1.5, 1.5, 0.5, 0])
    assert (res.n_splits, res.block_length, res.n_rows_dropped) == (4, 2, 1)


def test_hand_worked_case_with_the_sharpe_ratio():
    # S = 2 (one split and its mirror), N = 2, blocks of 2 rows:
    #   A: block 0 = [1, 3] (SR 2/sqrt(2) = 1.414), block 1 = [-1, 1] (SR 0)
    #   B: block 0 = [0, 2] (SR 1/sqrt(2) = 0.707), block 1 = [ 1, 3] (SR 1.414)
    # IS block 0 -> A wins (1.414 > 0.707); OOS A 0 < B 1.414: rank 1, omega 1/3, logit ln(1/2)
    # IS block 1 -> B wins (1.414 > 0);     OOS B 0.707 < A 1.414: rank 1, logit ln(1/2)
    m = np.array([[1.0, 0.0], [3.0, 2.0], [-1.0, 1.0], [1.0, 3.0]])
    res = pbo_cscv(m, n_splits=2)
    assert res.pbo == 1.0
    np.testing.assert_array_equal(res.selected, [0, 1])
    np.testing.assert_allclose(res.logits, [math.log(0.5)] * 2)
    np.testing.assert_allclose(res.is_performance, [math.sqrt(2), math.sqrt(2)])
    np.testing.assert_allclose(res.oos_performance, [0.0, 1 / math.sqrt(2)], atol=1e-15)


# --- against an independent transcription of the paper's steps ------------------------------


def naive_pbo(m: np.ndarray, s: int) -> tuple[float, np.ndarray]:
    """Steps 1-5 of the paper, literally: concatenate blocks, Sharpe by np.std, rank by scipy."""
    t, n = m.shape
    blocks = np.split(m[: s * (t // s)], s)
    logits = []
    for chosen in combinations(range(s), s // 2):
        j = np.vstack([blocks[i] for i in chosen])
        j_bar = np.vstack([blocks[i] for i in range(s) if i not in chosen])
        r = j.mean(axis=0) / j.std(axis=0, ddof=1)
        r_bar = j_bar.mean(axis=0) / j_bar.std(axis=0, ddof=1)
        w = ss.rankdata(r_bar)[int(np.argmax(r))] / (n + 1)
        logits.append(math.log(w / (1 - w)))
    logits = np.array(logits)
    return float(np.mean(logits <= 0)), logits


@pytest.mark.parametrize(("t", "n", "s"), [(203, 7, 4), (640, 12, 8), (170, 4, 10)])
def test_fast_path_equals_the_literal_procedure(t, n, s):
    rng = np.random.default_rng(t * n + s)
    m = rng.normal(0.0002, 0.01, size=(t, n)) + rng.normal(0.0, 0.002, size=(1, n))
    expected_pbo, expected_logits = naive_pbo(m, s)
    res = pbo_cscv(m, n_splits=s, batch_size=5)  # small batches: several per run
    assert res.pbo == expected_pbo
    np.testing.assert_allclose(res.logits, expected_logits, rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    s=st.sampled_from([2, 4, 6, 8]),
    n=st.integers(2, 7),
    extra_rows=st.integers(0, 40),
    seed=st.integers(0, 2**32 - 1),
)
def test_fast_path_equals_the_literal_procedure_on_random_shapes(s, n, extra_rows, seed):
    # At least 2 rows per block, so every half has a defined Sharpe ratio.
    rng = np.random.default_rng(seed)
    m = rng.standard_t(3, size=(2 * s + extra_rows, n)) * 0.01
    expected_pbo, expected_logits = naive_pbo(m, s)
    res = pbo_cscv(m, n_splits=s)
    assert res.pbo == expected_pbo
    np.testing.assert_allclose(res.logits, expected_logits, rtol=1e-12)


def test_fast_path_equals_a_callable_metric_with_missing_values():
    rng = np.random.default_rng(42)
    m = rng.normal(0.0, 0.01, size=(333, 9))
    m[:60, 2] = np.nan  # starts late
    m[:200, 4] = np.nan  # starts very late: undefined in some halves
    m[:, 6] = 0.0005  # constant: std 0, never a winner
    fast = pbo_cscv(m, n_splits=6)
    slow = pbo_cscv(m, n_splits=6, metric=per_period_sharpe)
    assert fast.pbo == slow.pbo
    np.testing.assert_array_equal(fast.selected, slow.selected)
    np.testing.assert_allclose(fast.logits, slow.logits, rtol=1e-12)
    np.testing.assert_allclose(fast.is_performance, slow.is_performance, rtol=1e-10)
    np.testing.assert_allclose(fast.oos_performance, slow.oos_performance, rtol=1e-10)
    assert 6 not in fast.selected


def test_blocks_of_column_chunks_concatenate():
    rng = np.random.default_rng(8)
    m = rng.normal(0.0, 0.01, size=(500, 30)).astype(np.float32)
    whole = pbo_from_blocks(cscv_blocks(m, n_splits=8))
    parts = [cscv_blocks(m[:, a : a + 7], n_splits=8) for a in range(0, 30, 7)]
    joined = pbo_from_blocks(CSCVBlocks.concat(parts))
    assert joined.pbo == whole.pbo
    np.testing.assert_allclose(joined.logits, whole.logits)
    assert cscv_blocks(m, n_splits=8, chunk_columns=3).sums == pytest.approx(
        cscv_blocks(m, n_splits=8).sums, abs=1e-12
    )


# --- properties -----------------------------------------------------------------------------


def test_unskilled_variants_give_pbo_near_one_half():
    # For N exchangeable unskilled variants the winner's OOS rank is uniform on 1..N, so with N
    # even E[PBO] = P(rank <= N/2) = 1/2 exactly. One matrix's PBO is noisy (its splits share
    # data; its standard deviation is about 0.2 here), so average 200 seeded matrices: the
    # standard error is about 0.015 and the tolerance, 0.06, is four of them.
    pbos = []
    for seed in range(200):
        rng = np.random.default_rng(seed)
        pbos.append(pbo_cscv(rng.normal(0.0, 0.01, size=(400, 20)), n_splits=8).pbo)
    assert np.mean(pbos) == pytest.approx(0.5, abs=0.06)


def test_a_variant_that_dominates_every_block_gives_pbo_zero():
    rng = np.random.default_rng(1)
    m = rng.normal(0.0, 0.01, size=(1600, 25))
    m[:, 11] += 0.05  # 5 standard deviations a day: the best in every block and every half
    res = pbo_cscv(m, n_splits=16)
    assert res.pbo == 0.0
    assert (res.selected == 11).all()
    np.testing.assert_allclose(res.logits, math.log(25))  # omega = 25/26 in every split


def test_skill_that_reverses_out_of_sample_gives_pbo_near_one():
    # The construction of the R package pbo's vignette (N = 100, T = 2400, S = 8 there, reported
    # p_bo = 1.0): noise columns re-centred and re-scaled to the same full-sample mean and std.
    # A column's IS and OOS sums then add up to the same total for every column, so the best
    # in-sample is the worst out-of-sample up to the small differences in each half's std.
    rng = np.random.default_rng(765)
    m = rng.normal(size=(2400, 100))
    m = (m - m.mean(axis=0)) / m.std(axis=0, ddof=1) / math.sqrt(252)
    res = pbo_cscv(m, n_splits=8)
    assert res.pbo > 0.95
    assert np.median(res.oos_performance) < 0 < np.median(res.is_performance)


def test_splits_are_symmetric_and_counted():
    splits = cscv_splits(6)
    assert len(splits) == n_cscv_splits(6) == 20
    as_sets = {frozenset(c) for c in splits.tolist()}
    assert all(frozenset(range(6)) - c in as_sets for c in as_sets)  # each mirror is there
    assert n_cscv_splits(16) == 12870


@pytest.mark.parametrize("s", [2, 4, 8, 16])
def test_the_revolving_door_visits_every_split_once_one_swap_at_a_time(s):
    # The fast path walks the splits in this order; results are reported in lexicographic order.
    door = _revolving_door(s, s // 2)
    assert sorted(door) == [tuple(c) for c in cscv_splits(s).tolist()]
    for a, b in pairwise(door):
        assert len(set(a) ^ set(b)) == 2


def test_pbo_invariances():
    rng = np.random.default_rng(12)
    m = rng.normal(0.0003, 0.01, size=(480, 10))
    base = pbo_cscv(m, n_splits=8)
    assert 0.0 <= base.pbo <= 1.0 and len(base.logits) == 70
    scaled = pbo_cscv(4.2 * m, n_splits=8)  # leverage changes no Sharpe ratio
    np.testing.assert_allclose(scaled.logits, base.logits)
    perm = rng.permutation(10)
    permuted = pbo_cscv(m[:, perm], n_splits=8)  # the order of the variants is irrelevant
    assert permuted.pbo == base.pbo
    np.testing.assert_array_equal(perm[permuted.selected], base.selected)


# --- edge cases -----------------------------------------------------------------------------


def test_fewer_than_two_variants_or_too_few_rows_is_undefined():
    one = pbo_cscv(np.random.default_rng(0).normal(size=(100, 1)))
    assert math.isnan(one.pbo) and len(one.logits) == 0
    none = pbo_cscv(np.empty((100, 0)))
    assert math.isnan(none.pbo)
    short = pbo_cscv(np.random.default_rng(0).normal(size=(15, 4)), n_splits=16)
    assert math.isnan(short.pbo) and short.n_rows_dropped == 15
    assert math.isnan(pbo_cscv(np.ones((40, 1)), n_splits=4, metric=column_mean).pbo)


def test_splits_where_no_variant_is_defined_are_left_out():
    # Both variants exist only in blocks 2 and 3: a split whose in-sample half is {0, 1} has no
    # defined Sharpe ratio, so its logit is NaN and PBO counts the other 5 splits.
    rng = np.random.default_rng(4)
    m = rng.normal(0.0, 0.01, size=(40, 2))
    m[:20] = np.nan
    res = pbo_cscv(m, n_splits=4)
    assert res.selected[0] == -1 and math.isnan(res.logits[0])
    assert np.isfinite(res.logits[1:]).all()
    assert res.pbo == np.mean(res.logits[1:] <= 0)


def test_bad_arguments_are_refused():
    m = np.zeros((32, 3))
    for s in (0, 3, 7):
        with pytest.raises(ValueError, match="even"):
            pbo_cscv(m, n_splits=s)
    with pytest.raises(ValueError, match="2-D"):
        pbo_cscv(np.zeros(32))
    with pytest.raises(ValueError, match="shape"):
        pbo_cscv(m, n_splits=4, metric=lambda x: x.mean())

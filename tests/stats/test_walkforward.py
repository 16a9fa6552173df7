"""Walk-forward windows, in-sample selection and the stitched out-of-sample series, by hand."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from alu.stats import stitch_out_of_sample, walk_forward_select, walk_forward_windows


def pairs(windows):
    return [((i.start, i.stop), (o.start, o.stop)) for i, o in windows]


def test_windows_by_hand():
    # T = 10, W = 4: five parts, boundaries floor(k * 10 / 5) = 0, 2, 4, 6, 8, 10
    assert pairs(walk_forward_windows(10, 4)) == [
        ((0, 2), (2, 4)),
        ((2, 4), (4, 6)),
        ((4, 6), (6, 8)),
        ((6, 8), (8, 10)),
    ]
    assert pairs(walk_forward_windows(10, 4, scheme="expanding")) == [
        ((0, 2), (2, 4)),
        ((0, 4), (4, 6)),
        ((0, 6), (6, 8)),
        ((0, 8), (8, 10)),
    ]
    # T = 11, W = 2: boundaries floor(k * 11 / 3) = 0, 3, 7, 11 (parts of 3, 4 and 4 days)
    assert pairs(walk_forward_windows(11, 2)) == [((0, 3), (3, 7)), ((3, 7), (7, 11))]
    assert pairs(walk_forward_windows(11, 2, scheme="expanding")) == [
        ((0, 3), (3, 7)),
        ((0, 7), (7, 11)),
    ]
    # the smallest case: one window, one period in each part
    assert pairs(walk_forward_windows(2, 1)) == [((0, 1), (1, 2))]


def test_out_of_sample_windows_tile_the_period_after_the_first_part():
    for n_obs, n_windows in [(5000, 7), (1234, 12), (100, 99)]:
        windows = walk_forward_windows(n_obs, n_windows)
        assert windows[0][1].start == windows[0][0].stop
        assert windows[-1][1].stop == n_obs
        for (_, a), (_, b) in pairwise(windows):
            assert a.stop == b.start  # consecutive, no gap, no overlap
        lengths = [o.stop - o.start for _, o in windows] + [windows[0][0].stop]
        assert max(lengths) - min(lengths) <= 1  # equal parts up to one period
        for i, o in windows:
            assert i.stop == o.start  # in-sample ends where its window begins


# Two variants over T = 9 days, W = 2 windows: parts are rows 0-2, 3-5 and 6-8.
RETURNS = np.array(
    [  #  A      B
        [0.01, 0.00],
        [0.02, -0.01],
        [0.03, 0.01],
        [-0.01, 0.02],
        [-0.02, 0.01],
        [-0.01, 0.03],
        [0.05, -0.02],
        [0.04, -0.03],
        [0.06, -0.01],
    ]
)


def test_selection_and_stitching_by_hand_rolling():
    # Window 1: in-sample rows 0-2. A: mean 0.02, std 0.01 -> SR 2; B: mean 0 -> SR 0. Pick A,
    #   trade rows 3-5 of A: -0.01, -0.02, -0.01.
    # Window 2: in-sample rows 3-5. A: mean -0.0133 (SR < 0); B: mean 0.02, std 0.01 -> SR 2.
    #   Pick B, trade rows 6-8 of B: -0.02, -0.03, -0.01. (Chasing last period's winner loses.)
    windows = walk_forward_windows(9, 2)
    choices = walk_forward_select(RETURNS, windows)
    assert choices.tolist() == [0, 1]
    stitched = stitch_out_of_sample(RETURNS, choices, windows)
    np.testing.assert_array_equal(stitched, [-0.01, -0.02, -0.01, -0.02, -0.03, -0.01])


def test_selection_by_hand_expanding():
    # Window 2 in-sample is rows 0-5. A: mean 0.02/6 = 0.0033, std 0.0197 -> SR 0.17;
    # B: mean 0.06/6 = 0.01, deviations -1,-2,0,1,0,2 (x0.01): var 10e-4/5 -> std 0.0141, SR 0.71.
    windows = walk_forward_windows(9, 2, scheme="expanding")
    assert walk_forward_select(RETURNS, windows).tolist() == [0, 1]
    # a metric of one's own, the total in-sample return: window 1 A 0.06 vs B 0.00 -> A;
    # window 2 (rows 0-5) A 0.02 vs B 0.06 -> B
    by_sum = walk_forward_select(RETURNS, windows, metric=lambda x: x.sum(axis=0))
    assert by_sum.tolist() == [0, 1]
    # the worst in-sample variant by the negated metric
    assert walk_forward_select(RETURNS, windows, metric=lambda x: -x.sum(axis=0)).tolist() == [1, 0]


def test_no_variant_defined_in_sample_means_flat():
    returns = RETURNS.copy()
    returns[:3] = np.nan  # nobody has data in the first in-sample part
    windows = walk_forward_windows(9, 2)
    choices = walk_forward_select(returns, windows)
    assert choices.tolist() == [-1, 1]
    stitched = stitch_out_of_sample(returns, choices, windows)
    np.testing.assert_array_equal(stitched, [0.0, 0.0, 0.0, -0.02, -0.03, -0.01])


def test_choices_never_look_ahead():
    # Scrambling everything from the start of window k on leaves choices 0..k unchanged.
    rng = np.random.default_rng(21)
    returns = rng.normal(0.0, 0.01, size=(600, 15))
    for scheme in ("rolling", "expanding"):
        windows = walk_forward_windows(600, 5, scheme=scheme)
        base = walk_forward_select(returns, windows)
        for k, (_, oos) in enumerate(windows):
            scrambled = returns.copy()
            scrambled[oos.start :] = rng.normal(0.0, 0.05, size=scrambled[oos.start :].shape)
            assert (walk_forward_select(scrambled, windows)[: k + 1] == base[: k + 1]).all()


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="at least one window"):
        walk_forward_windows(100, 0)
    with pytest.raises(ValueError, match="need at least 6 periods"):
        walk_forward_windows(5, 5)
    with pytest.raises(ValueError, match="scheme"):
        walk_forward_windows(100, 3, scheme="anchored")
    windows = walk_forward_windows(9, 2)
    with pytest.raises(ValueError, match="2 windows"):
        stitch_out_of_sample(RETURNS, [0], windows)
    with pytest.raises(ValueError, match="not a column"):
        stitch_out_of_sample(RETURNS, [0, 2], windows)
    with pytest.raises(ValueError, match="2-D"):
        walk_forward_select(RETURNS[:, 0], windows)

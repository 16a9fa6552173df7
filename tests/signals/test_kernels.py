"""The signal kernels: each numba twin equals its numpy reference (random inputs with NaNs and
ties, random settings, rows with gaps, more settings than a block), the references equal the
rules written as plain loops, and the arrays a sweep form returns behave as documented."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alu.signals import kernels
from alu.signals.arrays import (
    NUMBER,
    STATE,
    SharedColumn,
    SignalArrays,
    distinct,
    parameter_arrays,
    state_names,
)
from alu.signals.bands import band_sweep
from alu.signals.catalysts import catalyst_sweep
from alu.signals.inventory import inventory_sweep
from alu.signals.kernels import REFERENCE
from alu.signals.nb import NUMBA
from alu.signals.spread import spread_sweep
from alu.signals.states import MISSING_CODE

RANDOM = settings(max_examples=80, deadline=None)


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """Blocks of 3 settings, so that every test crosses block boundaries."""
    monkeypatch.setattr(kernels, "CHUNK", 3)


@st.composite
def problems(draw, *, nan=True, distinct_rows=4):
    """Per-distinct-value rows of numbers (ties, NaNs), settings reading them, and rows to pick."""
    n = draw(st.integers(0, 40))
    k = draw(st.integers(1, distinct_rows))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    values = np.round(rng.normal(0, 3, (k, n)))
    if nan:
        values[rng.random((k, n)) < 0.15] = np.nan
    n_settings = draw(st.integers(0, 11))
    row = rng.integers(0, k, n_settings)
    rows = None
    if draw(st.booleans()):
        rows = rng.integers(-1, max(n, 1), draw(st.integers(0, 30))) if n else np.full(3, -1)
    return values, row, rows, rng


def same(a: np.ndarray, b: np.ndarray) -> None:
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


def loop_run_maxima(close, level, buffer, side):
    out = []
    for lvl, buf in zip(level, buffer, strict=True):
        enter, leave = (
            (lvl * (1 + buf), lvl * (1 - buf)) if side > 0 else (lvl * (1 - buf), lvl * (1 + buf))
        )
        run = best = 0
        row = []
        for x in close:
            entering = x > enter if side > 0 else x < enter
            leaving = x < leave if side > 0 else x > leave
            run = run + 1 if entering else 0
            best = 0 if leaving else max(best, run)
            row.append(best)
        out.append(row)
    return np.array(out, dtype=kernels.run_dtype(len(close))).reshape(len(level), len(close))


@RANDOM
@given(data=st.data(), side=st.sampled_from([1, -1]))
def test_band_run_maxima(data, side):
    n = data.draw(st.integers(0, 50))
    k = data.draw(st.integers(0, 8))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    close = np.round(3000 + rng.normal(0, 150, n).cumsum(), -1)
    level = rng.choice([2900.0, 3000.0, 3100.0], k)
    buffer = rng.choice([0.0, 0.01, 0.03], k)
    expected = loop_run_maxima(close, level, buffer, side)
    same(REFERENCE.band_run_maxima(close, level, buffer, side), expected)
    same(NUMBA.band_run_maxima(close, level, buffer, side), expected)


@RANDOM
@given(problem=problems(nan=False))
def test_band_state(problem):
    values, row, rows, rng = problem
    maxima = np.abs(values).astype(kernels.run_dtype(values.shape[1]))
    other = np.roll(maxima, 1, axis=1)
    bear_row = rng.permutation(row)
    confirm = rng.integers(1, 4, len(row))
    expected = REFERENCE.band_state(maxima, other, row, bear_row, confirm, rows)
    same(NUMBA.band_state(maxima, other, row, bear_row, confirm, rows), expected)
    picked = np.arange(maxima.shape[1]) if rows is None else rows
    for s in range(len(row)):
        for j, t in enumerate(picked):
            want = (
                MISSING_CODE
                if t < 0
                else int(maxima[row[s], t] >= confirm[s]) - int(other[bear_row[s], t] >= confirm[s])
            )
            assert expected[s, j] == want


@RANDOM
@given(problem=problems())
def test_threshold_codes(problem):
    values, row, rows, rng = problem
    deadband = rng.choice([0.0, 1.0, 2.5], len(row))
    expected = REFERENCE.threshold_codes(values, row, deadband, rows)
    same(NUMBA.threshold_codes(values, row, deadband, rows), expected)
    picked = np.arange(values.shape[1]) if rows is None else rows
    for s in range(len(row)):
        for j, t in enumerate(picked):
            x = values[row[s], t] if t >= 0 else np.nan
            want = (
                MISSING_CODE
                if np.isnan(x)
                else (1 if x > deadband[s] else -1 if x < -deadband[s] else 0)
            )
            assert expected[s, j] == want


@RANDOM
@given(problem=problems())
def test_narrowing(problem):
    values, row, rows, rng = problem
    change = np.roll(values, 2, axis=1)
    deadband = rng.choice([0.0, 1.0, 2.5], len(row))
    fall = rng.choice([0.0, 1.0, 3.0], len(row))
    expected = REFERENCE.narrowing(values, change, row, deadband, fall, rows)
    same(NUMBA.narrowing(values, change, row, deadband, fall, rows), expected)
    picked = np.arange(values.shape[1]) if rows is None else rows
    for s in range(len(row)):
        for j, t in enumerate(picked):
            want = t >= 0 and values[row[s], t] > deadband[s] and change[row[s], t] <= -fall[s]
            assert expected[s, j] == want


@RANDOM
@given(data=st.data())
def test_trailing_percentile(data):
    n = data.draw(st.integers(0, 60))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    values = np.round(rng.normal(0, 2, n))  # many ties
    windows = np.array(
        data.draw(st.lists(st.integers(2, 70), min_size=0, max_size=6)), dtype=np.int64
    )
    expected = REFERENCE.trailing_percentile(values, windows)
    same(NUMBA.trailing_percentile(values, windows), expected)
    for i, w in enumerate(windows):
        for t in range(n):
            trailing = values[max(0, t - w + 1) : t + 1]
            assert expected[i, t] == (trailing <= values[t]).sum() / len(trailing)


@RANDOM
@given(data=st.data())
def test_window_flags(data):
    n = data.draw(st.integers(0, 40))
    n_events = data.draw(st.integers(0, 5))
    k = data.draw(st.integers(1, 4))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    start = rng.integers(0, n + 1, (k, n_events))
    end = np.maximum(start, rng.integers(0, n + 1, (k, n_events)))
    row = rng.integers(0, k, data.draw(st.integers(0, 9)))
    rows = rng.integers(-1, max(n, 1), 12) if data.draw(st.booleans()) and n else None
    expected = REFERENCE.window_flags(start, end, row, n, rows)
    same(NUMBA.window_flags(start, end, row, n, rows), expected)
    full = np.zeros((len(row), n), dtype=bool)
    for s, r in enumerate(row):
        for a, b in zip(start[r], end[r], strict=True):
            full[s, a:b] = True
    if rows is None:
        same(expected, full)
    else:
        same(expected, np.where(rows >= 0, full[:, rows.clip(0)], False))


# -- the arrays a sweep form returns -------------------------------------------------------------


def test_take_picks_settings_and_rows_with_unknown_for_minus_one(sample_market):
    inputs = sample_market.signal_inputs()
    sweeps = [
        band_sweep(inputs.reference, confirm=[1, 3, 3, 8], buffer=[0.0, 0.005, 0.01, 0.005]),
        spread_sweep(inputs.lme, deadband=[0.0, 5.0, 5.0], spread_change_days=[1, 10, 20]),
        inventory_sweep(inputs.lme, pct_window=[300, 1260], stock_long_days=[5, 20]),
        catalyst_sweep(inputs.catalysts, inputs.lme.index, window_before=[0, 5], window_after=3),
    ]
    rng = np.random.default_rng(7)
    for arrays in sweeps:
        rows = rng.integers(-1, len(arrays.days), 300)
        chosen = rng.integers(0, arrays.n_settings, 5)
        for name in arrays.names:
            full = arrays[name]
            assert full.shape == (len(arrays.days), arrays.n_settings)
            assert full.flags.f_contiguous
            got = arrays.take(name, chosen, rows)
            want = full[rows.clip(0)][:, chosen]
            unknown = {"state": MISSING_CODE, "flag": False, "number": np.nan}[arrays.kind(name)]
            want[rows < 0] = unknown
            np.testing.assert_array_equal(got, want, err_msg=name)


def test_numba_kernels_plugged_into_every_sweep_form_give_the_same_arrays(sample_market):
    inputs = sample_market.signal_inputs()
    rng = np.random.default_rng(3)
    rows = rng.integers(-1, 500, 400)
    cases = [
        (band_sweep, inputs.reference, dict(confirm=np.arange(1, 9), upper=3100.0, lower=2800.0)),
        (spread_sweep, inputs.lme, dict(deadband=[0, 2, 9.5], narrowing_usd_t=[0, 5, 10])),
        (inventory_sweep, inputs.lme, dict(pct_window=[30, 300, 3000], pct_min_periods=20)),
    ]
    for sweep, source, p in cases:
        slow, fast = sweep(source, **p), sweep(source, **p, kernels=NUMBA)
        for name in slow.names:
            np.testing.assert_array_equal(fast[name], slow[name], err_msg=name)
            np.testing.assert_array_equal(fast.take(name, rows=rows), slow.take(name, rows=rows))


def test_shared_columns_are_stored_once_per_distinct_value(sample_market):
    lme = sample_market.signal_inputs().lme
    arrays = spread_sweep(
        lme, spread_z_window=[20, 250, 20, 250], spread_change_days=[5, 5, 10, 10], deadband=1.0
    )
    z = arrays.columns["spread_z"]
    assert isinstance(z, SharedColumn) and z.values.shape == (2, len(arrays.days))
    assert z.index.tolist() == [0, 1, 0, 1]
    assert arrays.columns["spread_change_usd_t"].values.shape == (2, len(arrays.days))
    assert arrays.setting(2) == {
        "deadband": 1.0,
        "spread_z_window": 20,
        "spread_change_days": 10,
        "narrowing_usd_t": 10.0,
    }


def test_distinct_numbers_the_combinations_in_order():
    a = np.array([3, 1, 3, 1, 2])
    b = np.array([0.5, 0.5, 0.5, 0.1, 0.5])
    (ka, kb), index = distinct(a, b)
    assert list(zip(ka.tolist(), kb.tolist(), strict=True)) == [
        (1, 0.1),
        (1, 0.5),
        (2, 0.5),
        (3, 0.5),
    ]
    assert index.tolist() == [3, 1, 3, 0, 2]
    assert ka.dtype == a.dtype
    (empty,), none = distinct(np.array([], dtype=np.int64))
    assert len(empty) == 0 and len(none) == 0


def test_parameter_arrays_broadcast_and_refuse():
    p = parameter_arrays(a=1, b=[1.5, 2.5, 3.5], c=np.array([7]))
    assert {k: v.tolist() for k, v in p.items()} == {
        "a": [1, 1, 1],
        "b": [1.5, 2.5, 3.5],
        "c": [7, 7, 7],
    }
    with pytest.raises(ValueError, match="different lengths"):
        parameter_arrays(a=[1, 2], b=[1, 2, 3])
    with pytest.raises(ValueError, match="1-D"):
        parameter_arrays(a=[[1, 2]])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r, m: band_sweep(r, confirm=[3, 0]), "confirm must be a whole number >= 1, got 0"),
        (lambda r, m: band_sweep(r, confirm=[2.5]), "confirm must be a whole number >= 1, got 2.5"),
        (
            lambda r, m: band_sweep(r, upper=[3200, 2900]),
            "need 0 < lower < upper, got lower=3000.0, upper=2900",
        ),
        (
            lambda r, m: band_sweep(r, buffer=[0.1, 1.0]),
            r"buffer must be a fraction in \[0, 1\), got 1.0",
        ),
        (lambda r, m: spread_sweep(m, deadband=[1, -1]), "deadband must be >= 0 \\$/t, got -1"),
        (
            lambda r, m: spread_sweep(m, spread_z_window=[1]),
            "a z-score window must be a whole number >= 2, got 1",
        ),
        (
            lambda r, m: spread_sweep(m, narrowing_usd_t=[-2.0]),
            "narrowing_usd_t must be >= 0, got -2.0",
        ),
        (
            lambda r, m: inventory_sweep(m, pct_window=[10], pct_min_periods=[11]),
            "pct_min_periods must not exceed pct_window",
        ),
        (
            lambda r, m: inventory_sweep(m, stock_long_days=[0]),
            "stock_long_days must be a whole number >= 1, got 0",
        ),
        (
            lambda r, m: catalyst_sweep(m.iloc[:0], m.index, window_after=[-1]),
            "window_after must be a whole number of days >= 0, got -1",
        ),
    ],
)
def test_bad_parameters_are_refused_naming_the_parameter(sample_market, call, message):
    inputs = sample_market.signal_inputs()
    with pytest.raises(ValueError, match=message):
        call(inputs.reference, inputs.lme)


def test_state_names_decode_codes_and_unknown():
    names = state_names(
        np.array([1, -1, 0, MISSING_CODE], dtype=np.int8), ("BEAR", "NEUTRAL", "BULL")
    )
    assert names.tolist() == ["BULL", "BEAR", "NEUTRAL", None]


def test_a_kernel_breaking_its_contract_is_caught():
    from alu.signals.arrays import DerivedColumn

    broken = SignalArrays(
        pd.date_range("2024-01-01", periods=3),
        {"x": np.array([1.0])},
        {
            "s": DerivedColumn(STATE, lambda s, rows: np.zeros((len(s), 3), dtype=np.int64)),
            "n": SharedColumn(NUMBER, np.zeros((1, 3)), np.zeros(1, dtype=np.int64)),
        },
    )
    assert broken["n"].shape == (3, 1)
    with pytest.raises(AssertionError, match="int64"):
        broken["s"]


def test_the_single_setting_signals_never_import_numba(sample_market):
    """The watchlist and a single backtest run the numpy kernels; numba stays unloaded."""
    script = (
        "import sys\n"
        "from alu.data.market import Market\n"
        "from alu.data.source import DataSource, sample_dir\n"
        "from alu.strategies.base import family_frames\n"
        "inputs = Market(DataSource('sample', sample_dir())).signal_inputs()\n"
        "params = {'upper': 3200.0, 'lower': 3000.0, 'buffer': 0.005, 'confirm': 3,\n"
        "  'deadband': 5.0, 'spread_z_window': 250, 'spread_change_days': 10,\n"
        "  'narrowing_usd_t': 10.0, 'pct_window': 1260, 'pct_min_periods': 252,\n"
        "  'stock_short_days': 5, 'stock_long_days': 20, 'stock_z_window': 250,\n"
        "  'trend_deadband': 0.01, 'window_before': 5, 'window_after': 5}\n"
        "family_frames(inputs, ('bands', 'spread', 'inventory', 'catalysts'), params)\n"
        "from alu.signals.catalysts import in_catalyst_window\n"
        "in_catalyst_window(inputs.catalysts, inputs.lme.index)\n"
        "sys.stderr.write(repr(sorted(m for m in sys.modules if m.split('.')[0] == 'numba')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "[]"


def test_band_run_maxima_beyond_the_int16_range():
    close = np.full(40_000, 3300.0)  # one run longer than int16 holds
    close[::7919] = 2900.0
    level, buffer = np.array([3200.0]), np.array([0.005])
    got = REFERENCE.band_run_maxima(close, level, buffer, 1)
    assert got.dtype == np.int32 and got.max() == 7918
    same(NUMBA.band_run_maxima(close, level, buffer, 1), got)
    np.testing.assert_array_equal(got[:, -5:], loop_run_maxima(close, level, buffer, 1)[:, -5:])

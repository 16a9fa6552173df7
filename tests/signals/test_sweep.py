"""The sweep forms of the four signal families against the single-setting signals, and those
against the signals as they were written before the sweep forms (the ``legacy_*`` functions
below: pandas rolling windows, the latch form of the band machine, the events x days grid of the
catalyst windows), on random series with gaps and missing values and random parameter arrays.

Every column of every setting of a sweep, with the numpy kernels and with the numba kernels,
equals the single-setting signal for that setting; the single-setting signals equal the legacy
ones; and no value up to a day changes when the data after it is removed or altered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alu.signals.bands import band_signals, band_sweep
from alu.signals.catalysts import catalyst_signals, catalyst_sweep, in_catalyst_window
from alu.signals.inventory import inventory_signals, inventory_sweep
from alu.signals.kernels import REFERENCE
from alu.signals.latch import latch
from alu.signals.nb import NUMBA
from alu.signals.spread import spread_signals, spread_sweep
from alu.signals.states import MISSING_CODE, STATE_CODES

KERNELS = [REFERENCE, NUMBA]
RANDOM = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- the signals as they were before the sweep forms (the independent reference) ---------------


def legacy_run_length(flags):
    counts = np.arange(1, len(flags) + 1)
    last_false = np.maximum.accumulate(np.where(flags, 0, counts))
    return np.where(flags, counts - last_false, 0)


def legacy_band_signals(reference, *, upper, lower, buffer, confirm):
    reference = reference.dropna()
    close = reference.to_numpy(dtype=np.float64)
    bull_entry = legacy_run_length(close > upper * (1 + buffer)) >= confirm
    bear_entry = legacy_run_length(close < lower * (1 - buffer)) >= confirm
    bull = latch(bull_entry, close < upper * (1 - buffer))
    bear = latch(bear_entry, close > lower * (1 + buffer))
    codes = bull.astype(np.int8) - bear.astype(np.int8)
    zone_code = np.where(close > upper, 2, np.where(close < lower, 0, 1))
    changed = np.r_[True, zone_code[1:] != zone_code[:-1]]
    return pd.DataFrame(
        {
            "reference_price": close,
            "band_state": np.array(["BEAR", "NEUTRAL", "BULL"], dtype=object)[codes + 1],
            "to_upper_usd_t": close - upper,
            "to_lower_usd_t": close - lower,
            "to_upper_pct": close / upper - 1.0,
            "to_lower_pct": close / lower - 1.0,
            "zone": np.array(["BELOW_LOWER", "BETWEEN", "ABOVE_UPPER"], dtype=object)[zone_code],
            "zone_run": legacy_run_length(~changed) + 1,
        },
        index=reference.index,
    )


def legacy_zscore(values, window):
    roll = values.rolling(window, min_periods=window)
    std = roll.std(ddof=1)
    return (values - roll.mean()) / std.where(std > 0)


def legacy_spread_signals(lme, *, deadband, spread_z_window, spread_change_days, narrowing_usd_t):
    spread = (lme["cash_settlement"] - lme["three_month"]).dropna().rename("spread_usd_t")
    earlier = spread.shift(int(spread_change_days))
    change = spread - earlier
    narrowing = (earlier > deadband) & (change <= -narrowing_usd_t)
    values = spread.to_numpy(dtype=np.float64)
    regime = np.where(
        values > deadband, "BACKWARDATION", np.where(values < -deadband, "CONTANGO", "FLAT")
    )
    return pd.DataFrame(
        {
            "spread_usd_t": spread,
            "spread_regime": pd.Series(regime.astype(object), index=spread.index),
            "spread_z": legacy_zscore(spread, spread_z_window),
            "spread_change_usd_t": change,
            "spread_narrowing": narrowing.to_numpy(dtype=bool),
        },
        index=spread.index,
    )


def legacy_inventory_signals(
    lme,
    *,
    pct_window,
    pct_min_periods,
    stock_short_days,
    stock_long_days,
    stock_z_window,
    trend_deadband,
):
    stock = lme["lme_stock"].dropna().astype(np.float64)
    pct_change = stock / stock.shift(stock_long_days).where(lambda s: s > 0) - 1.0
    values = pct_change.to_numpy()
    trend = np.where(
        values < -trend_deadband,
        "FALLING",
        np.where(values > trend_deadband, "BUILDING", "FLAT"),
    )
    trend = np.where(np.isnan(values), None, trend).astype(object)
    percentile = stock.rolling(pct_window, min_periods=pct_min_periods).rank(method="max", pct=True)
    return pd.DataFrame(
        {
            "stock_t": stock,
            "stock_percentile": percentile,
            "stock_change_short_t": stock - stock.shift(stock_short_days),
            "stock_change_long_t": stock - stock.shift(stock_long_days),
            "stock_pct_change_long": pct_change,
            "stock_change_z": legacy_zscore(pct_change, stock_z_window),
            "inventory_trend": trend,
        },
        index=stock.index,
    )


def legacy_in_catalyst_window(events, days, *, window_before, window_after):
    days = pd.DatetimeIndex(days)
    if events.empty or len(days) == 0:
        return np.zeros(len(days), dtype=bool), np.full(len(days), -1)
    events = events.sort_index(kind="stable")
    day_ns = days.to_numpy(dtype="datetime64[D]").astype(np.int64)[None, :]
    date = events.index.to_numpy(dtype="datetime64[D]").astype(np.int64)[:, None]
    announced = events["announced"].to_numpy(dtype="datetime64[D]").astype(np.int64)[:, None]

    def per_event(column, default):
        if column not in events:
            return np.full((len(events), 1), default, dtype=np.int64)
        values = events[column].to_numpy(dtype=np.float64)
        return np.where(np.isnan(values), default, values).astype(np.int64)[:, None]

    before = per_event("window_before", window_before)
    after = per_event("window_after", window_after)
    inside = (announced < day_ns) & (day_ns >= date - before) & (day_ns <= date + after)
    first = np.where(inside.any(axis=0), inside.argmax(axis=0), -1)
    return inside.any(axis=0), first


# -- random data ----------------------------------------------------------------------------


def calendar(draw, n: int) -> pd.DatetimeIndex:
    """``n`` business days from a random start, with random gaps."""
    start = pd.Timestamp("2015-01-01") + pd.Timedelta(days=draw(st.integers(0, 2000)))
    days = pd.bdate_range(start, periods=n + n // 3)
    keep = np.sort(np.array(draw(st.permutations(range(len(days))))[:n], dtype=np.int64))
    return days[keep]


def with_gaps(draw, values: np.ndarray) -> np.ndarray:
    """Some values missing (NaN)."""
    share = draw(st.sampled_from([0.0, 0.05, 0.3]))
    seed = draw(st.integers(0, 2**32 - 1))
    missing = np.random.default_rng(seed).random(len(values)) < share
    return np.where(missing, np.nan, values)


@st.composite
def references(draw):
    n = draw(st.integers(0, 90))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    start = draw(st.floats(2700, 3500))
    closes = start * np.exp(np.cumsum(rng.uniform(-0.04, 0.04, n)))
    closes = np.round(closes / 5) * 5  # ties with band levels and with each other
    return pd.Series(with_gaps(draw, closes), index=calendar(draw, n), name="reference")


@st.composite
def lme_frames(draw):
    n = draw(st.integers(0, 80))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    three = 2500 + np.cumsum(rng.normal(0, 20, n))
    spread = np.round(rng.normal(0, 1, n).cumsum() * 4)  # whole $/t: ties with the deadbands
    stock = np.round(800_000 + np.cumsum(rng.normal(0, 20_000, n)), -4).clip(0)  # ties, zeros
    if n and draw(st.booleans()):
        stock[rng.integers(0, n, max(1, n // 10))] = 0.0
    return pd.DataFrame(
        {
            "cash_settlement": with_gaps(draw, three + spread),
            "three_month": with_gaps(draw, three),
            "lme_stock": with_gaps(draw, stock),
        },
        index=calendar(draw, n),
    )


def band_settings(draw, k: int) -> dict[str, np.ndarray]:
    upper = np.array(
        draw(st.lists(st.sampled_from([3100.0, 3200.0, 3300.0]), min_size=k, max_size=k))
    )
    below = np.array(draw(st.lists(st.sampled_from([50.0, 200.0, 400.0]), min_size=k, max_size=k)))
    return {
        "upper": upper,
        "lower": upper - below,
        "buffer": np.array(
            draw(st.lists(st.sampled_from([0.0, 0.002, 0.005, 0.02]), min_size=k, max_size=k))
        ),
        "confirm": np.array(draw(st.lists(st.integers(1, 5), min_size=k, max_size=k))),
    }


def spread_settings(draw, k: int) -> dict[str, np.ndarray]:
    def pick(values):
        return np.array(draw(st.lists(st.sampled_from(values), min_size=k, max_size=k)))

    return {
        "deadband": pick([0.0, 2.0, 5.0, 7.5]),
        "spread_z_window": pick([2, 3, 10, 30]),
        "spread_change_days": pick([1, 2, 5, 40]),
        "narrowing_usd_t": pick([0.0, 4.0, 10.0]),
    }


def inventory_settings(draw, k: int) -> dict[str, np.ndarray]:
    def pick(values):
        return np.array(draw(st.lists(st.sampled_from(values), min_size=k, max_size=k)))

    window = pick([2, 3, 10, 50])
    return {
        "pct_window": window,
        "pct_min_periods": np.minimum(pick([1, 2, 5, 20]), window),
        "stock_short_days": pick([1, 3, 30]),
        "stock_long_days": pick([1, 2, 10]),
        "stock_z_window": pick([2, 5, 20]),
        "trend_deadband": pick([0.0, 0.01, 0.05]),
    }


# -- comparing a sweep column with a single-setting frame column ---------------------------------


def codes_of(column: pd.Series) -> np.ndarray:
    return np.array(
        [MISSING_CODE if v is None or v != v else STATE_CODES[v] for v in column], dtype=np.int8
    )


def assert_setting_equals_frame(arrays, s: int, frame: pd.DataFrame) -> None:
    """Every column of setting ``s`` of ``arrays`` equals the single-setting ``frame``."""
    assert list(arrays.days) == list(frame.index)
    for name in arrays.names:
        got = arrays.take(name, [s])[:, 0]
        if arrays.kind(name) == "state":
            np.testing.assert_array_equal(got, codes_of(frame[name]), err_msg=name)
        elif arrays.kind(name) == "flag":
            np.testing.assert_array_equal(got, frame[name].to_numpy(dtype=bool), err_msg=name)
        else:
            np.testing.assert_array_equal(got, frame[name].to_numpy(dtype=float), err_msg=name)


def assert_frames_equal(new: pd.DataFrame, old: pd.DataFrame) -> None:
    assert list(new.columns) == list(old.columns)
    assert list(new.index) == list(old.index)
    for name in new.columns:
        a, b = new[name].to_numpy(), old[name].to_numpy()
        if a.dtype == object or b.dtype == object:
            assert [None if v != v else v for v in a] == [None if v != v else v for v in b], name
        else:
            np.testing.assert_array_equal(a, b, err_msg=name)
            assert a.dtype == b.dtype, name


def assert_unchanged_up_to(full, cut_arrays, n_before: int) -> None:
    """The first ``n_before`` days of every column are equal in both sweeps."""
    assert list(cut_arrays.days[:n_before]) == list(full.days[:n_before])
    for name in full.names:
        np.testing.assert_array_equal(
            cut_arrays[name][:n_before], full[name][:n_before], err_msg=name
        )


# -- bands ------------------------------------------------------------------------------------


@RANDOM
@given(reference=references(), data=st.data())
@pytest.mark.parametrize("kernels", KERNELS, ids=lambda k: k.name)
def test_band_sweep_columns_equal_the_single_setting(kernels, reference, data):
    p = band_settings(data.draw, data.draw(st.integers(1, 6)))
    arrays = band_sweep(reference, **p, kernels=kernels)
    assert arrays.n_settings == len(p["upper"])
    for s in range(arrays.n_settings):
        setting = arrays.setting(s)
        frame = band_signals(reference, **setting)
        assert_setting_equals_frame(arrays, s, frame)
        assert_frames_equal(frame, legacy_band_signals(reference, **setting))


@RANDOM
@given(reference=references(), data=st.data())
def test_band_sweep_has_no_look_ahead(reference, data):
    p = band_settings(data.draw, 4)
    cut = data.draw(st.integers(0, len(reference)))
    full = band_sweep(reference, **p, kernels=NUMBA)
    n_before = int(reference.iloc[:cut].notna().sum())
    truncated = band_sweep(reference.iloc[:cut], **p, kernels=NUMBA)
    assert_unchanged_up_to(full, truncated, n_before)
    altered = reference.copy()
    altered.iloc[cut:] = np.random.default_rng(cut).uniform(2500, 3700, len(reference) - cut)
    assert_unchanged_up_to(full, band_sweep(altered, **p, kernels=NUMBA), n_before)


# -- spread -----------------------------------------------------------------------------------


@RANDOM
@given(lme=lme_frames(), data=st.data())
@pytest.mark.parametrize("kernels", KERNELS, ids=lambda k: k.name)
def test_spread_sweep_columns_equal_the_single_setting(kernels, lme, data):
    p = spread_settings(data.draw, data.draw(st.integers(1, 6)))
    arrays = spread_sweep(lme, **p, kernels=kernels)
    for s in range(arrays.n_settings):
        setting = arrays.setting(s)
        frame = spread_signals(lme, **setting)
        assert_setting_equals_frame(arrays, s, frame)
        assert_frames_equal(frame, legacy_spread_signals(lme, **setting))


@RANDOM
@given(lme=lme_frames(), data=st.data())
def test_spread_sweep_has_no_look_ahead(lme, data):
    p = spread_settings(data.draw, 4)
    cut = data.draw(st.integers(0, len(lme)))
    full = spread_sweep(lme, **p, kernels=NUMBA)
    n_before = int((full.days < lme.index[cut]).sum()) if cut < len(lme) else len(full.days)
    assert_unchanged_up_to(full, spread_sweep(lme.iloc[:cut], **p, kernels=NUMBA), n_before)
    altered = lme.copy()
    altered.iloc[cut:, 0] = altered.iloc[cut:, 0] + 37.0
    assert_unchanged_up_to(full, spread_sweep(altered, **p, kernels=NUMBA), n_before)


# -- inventory --------------------------------------------------------------------------------


@RANDOM
@given(lme=lme_frames(), data=st.data())
@pytest.mark.parametrize("kernels", KERNELS, ids=lambda k: k.name)
def test_inventory_sweep_columns_equal_the_single_setting(kernels, lme, data):
    p = inventory_settings(data.draw, data.draw(st.integers(1, 6)))
    arrays = inventory_sweep(lme, **p, kernels=kernels)
    for s in range(arrays.n_settings):
        setting = arrays.setting(s)
        frame = inventory_signals(lme, **setting)
        assert_setting_equals_frame(arrays, s, frame)
        assert_frames_equal(frame, legacy_inventory_signals(lme, **setting))


@RANDOM
@given(lme=lme_frames(), data=st.data())
def test_inventory_sweep_has_no_look_ahead(lme, data):
    p = inventory_settings(data.draw, 4)
    cut = data.draw(st.integers(0, len(lme)))
    full = inventory_sweep(lme, **p, kernels=NUMBA)
    n_before = int((full.days < lme.index[cut]).sum()) if cut < len(lme) else len(full.days)
    assert_unchanged_up_to(full, inventory_sweep(lme.iloc[:cut], **p, kernels=NUMBA), n_before)
    altered = lme.copy()
    altered.iloc[cut:, 2] = altered.iloc[cut:, 2] * 0.5 + 1000.0
    assert_unchanged_up_to(full, inventory_sweep(altered, **p, kernels=NUMBA), n_before)


# -- catalysts --------------------------------------------------------------------------------


@st.composite
def event_calendars(draw):
    days = calendar(draw, draw(st.integers(0, 60)))
    origin = days[0] if len(days) else pd.Timestamp("2020-01-01")
    n = draw(st.integers(0, 6))
    offsets = np.array(draw(st.lists(st.integers(-15, 100), min_size=n, max_size=n)))
    dates = origin + pd.to_timedelta(offsets, unit="D")
    lead = np.array(draw(st.lists(st.integers(-3, 40), min_size=n, max_size=n)))
    own = [draw(st.one_of(st.just(np.nan), st.integers(0, 9).map(float))) for _ in range(2 * n)]
    events = pd.DataFrame(
        {
            "name": [f"E{i}" for i in range(n)],
            "kind": ["tariff"] * n,
            "announced": dates - pd.to_timedelta(lead, unit="D"),
            "window_before": own[:n],
            "window_after": own[n:],
        },
        index=pd.DatetimeIndex(dates),
    )
    return events, days


@RANDOM
@given(calendars=event_calendars(), data=st.data())
@pytest.mark.parametrize("kernels", KERNELS, ids=lambda k: k.name)
def test_catalyst_sweep_equals_the_single_setting(kernels, calendars, data):
    events, days = calendars
    k = data.draw(st.integers(1, 6))
    before = np.array(data.draw(st.lists(st.integers(0, 12), min_size=k, max_size=k)))
    after = np.array(data.draw(st.lists(st.integers(0, 12), min_size=k, max_size=k)))
    arrays = catalyst_sweep(events, days, window_before=before, window_after=after, kernels=kernels)
    for s in range(k):
        setting = arrays.setting(s)
        flag = in_catalyst_window(events, days, **setting)
        np.testing.assert_array_equal(arrays.take("in_catalyst_window", [s])[:, 0], flag)
        frame = catalyst_signals(events, days, **setting)
        expected, first = legacy_in_catalyst_window(events, days, **setting)
        np.testing.assert_array_equal(frame["in_catalyst_window"].to_numpy(), expected)
        np.testing.assert_array_equal(flag, expected)
        if len(events) and len(days):
            names = events.sort_index(kind="stable")["name"].to_numpy(dtype=object)
            got = [None if v != v else v for v in frame["window_event"].tolist()]
            assert got == [names[i] if i >= 0 else None for i in first]


@RANDOM
@given(calendars=event_calendars(), data=st.data())
def test_catalyst_sweep_on_unsorted_days(calendars, data):
    events, days = calendars
    shuffled = days[np.array(data.draw(st.permutations(range(len(days)))), dtype=np.int64)]
    before, after = np.array([0, 3, 9]), np.array([5, 0, 2])
    arrays = catalyst_sweep(events, shuffled, window_before=before, window_after=after)
    fast = catalyst_sweep(events, shuffled, window_before=before, window_after=after, kernels=NUMBA)
    for s in range(3):
        expected, _ = legacy_in_catalyst_window(
            events, shuffled, window_before=before[s], window_after=after[s]
        )
        np.testing.assert_array_equal(arrays["in_catalyst_window"][:, s], expected)
        np.testing.assert_array_equal(fast["in_catalyst_window"][:, s], expected)


@RANDOM
@given(calendars=event_calendars(), data=st.data())
def test_catalyst_sweep_has_no_look_ahead(calendars, data):
    """Events announced on or after a day cannot change its flags (nor can later days)."""
    events, days = calendars
    if len(days) == 0:
        return
    cut = days[data.draw(st.integers(0, len(days) - 1))]
    before, after = np.array([0, 4, 10]), np.array([0, 6, 3])
    full = catalyst_sweep(events, days, window_before=before, window_after=after, kernels=NUMBA)
    late = pd.DataFrame(
        {"name": ["late"], "kind": ["tariff"], "announced": [cut], "window_before": [np.nan]},
        index=pd.DatetimeIndex([cut + pd.Timedelta(days=1)]),
    )
    more = pd.concat([events, late])
    n_before = int((days <= cut).sum())
    for changed in (
        catalyst_sweep(more, days, window_before=before, window_after=after, kernels=NUMBA),
        catalyst_sweep(events, days[:n_before], window_before=before, window_after=after),
    ):
        np.testing.assert_array_equal(
            changed["in_catalyst_window"][:n_before], full["in_catalyst_window"][:n_before]
        )


# -- the real LME file ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_lme(real_dir):
    from alu.data.schemas import read_lme

    return read_lme(real_dir / "LME_aluminium_daily_westmetall.csv").frame


def test_real_lme_sweeps_numba_equal_numpy_and_the_single_setting(real_lme):
    rng = np.random.default_rng(13)
    grids = {
        band_sweep: (
            real_lme["three_month"],
            {
                "confirm": np.repeat(np.arange(1, 21), 10),
                "buffer": np.tile(np.arange(10) * 0.002, 20),
                "upper": 2600.0,
                "lower": 2000.0,
            },
            band_signals,
        ),
        spread_sweep: (
            real_lme,
            {
                "deadband": rng.choice([0.0, 5.0, 10.0, 20.0], 200),
                "spread_change_days": rng.integers(1, 30, 200),
                "narrowing_usd_t": rng.choice([0.0, 5.0, 10.0, 25.0], 200),
                "spread_z_window": rng.choice([20, 250], 200),
            },
            spread_signals,
        ),
        inventory_sweep: (
            real_lme,
            {
                "pct_window": rng.choice([250, 500, 1260, 2520], 200),
                "stock_long_days": rng.integers(1, 60, 200),
                "pct_min_periods": 100,
                "trend_deadband": rng.choice([0.0, 0.01, 0.05], 200),
            },
            inventory_signals,
        ),
    }
    for sweep, (source, p, single) in grids.items():
        slow, fast = sweep(source, **p), sweep(source, **p, kernels=NUMBA)
        for name in slow.names:
            np.testing.assert_array_equal(
                fast[name], slow[name], err_msg=f"{sweep.__name__} {name}"
            )
        for s in rng.choice(slow.n_settings, 3, replace=False):
            assert_setting_equals_frame(fast, int(s), single(source, **fast.setting(int(s))))


def test_real_lme_band_state_against_the_legacy_machine(real_lme):
    reference = real_lme["three_month"]
    for confirm in (1, 3, 10):
        for buffer in (0.0, 0.005):
            setting = dict(upper=2600.0, lower=2000.0, buffer=buffer, confirm=confirm)
            assert_frames_equal(
                band_signals(reference, **setting), legacy_band_signals(reference, **setting)
            )

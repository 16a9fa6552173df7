"""The event study: MacKinlay's CAR and its variance on hand-built examples, BMP on a small
table computed here, a planted abnormal return recovered, overlaps flagged, no look-ahead."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from alu.data.market import Market
from alu.data.source import DataSource
from alu.errors import AluError
from alu.research.events import (
    CONSTANT_MEAN,
    MARKET_MODEL,
    abnormal_returns,
    cross_section,
    event_study,
    parse_event_window,
)
from tests.conftest import write_prices
from tests.research.conftest import CUT


def test_constant_mean_car_by_hand():
    # estimation returns 1,2,3 % (mean 2 %, sigma^2 = (1+0+1)/2 %^2 = 1e-4); window 4, 0 %.
    r = np.array([np.nan, 0.01, 0.02, 0.03, 0.04, 0.00])
    fit = abnormal_returns(r, slice(1, 4), slice(4, 6))
    assert fit.ar == pytest.approx([0.02, -0.02])
    assert fit.car == pytest.approx(0.0, abs=1e-15)
    # Var(CAR) = sigma^2 (L2 + L2^2 / L1) = 1e-4 * (2 + 4/3)
    assert fit.var_car == pytest.approx(1e-4 * (2 + 4 / 3))
    assert fit.sigma == pytest.approx(0.01)


def test_market_model_against_statsmodels():
    rng = np.random.default_rng(5)
    m = rng.normal(0, 0.01, 300)
    r = 0.0002 + 1.3 * m + rng.normal(0, 0.005, 300)
    est, win = slice(10, 260), slice(270, 281)
    fit = abnormal_returns(r, est, win, m)
    ols = sm.OLS(r[est], sm.add_constant(m[est])).fit()
    assert (fit.alpha, fit.beta) == pytest.approx(tuple(ols.params), rel=1e-10)
    assert fit.sigma**2 == pytest.approx(ols.scale, rel=1e-10)
    x_win = sm.add_constant(m[win])
    prediction = ols.get_prediction(x_win)
    # MacKinlay's V = sigma^2 I + X* Var(theta) X*': the prediction-error covariance
    v = ols.scale * np.eye(11) + x_win @ ols.cov_params() @ x_win.T
    assert fit.ar == pytest.approx(r[win] - prediction.predicted_mean, rel=1e-10)
    assert fit.var_car == pytest.approx(v.sum(), rel=1e-10)


def test_bmp_and_cross_sectional_t_on_a_small_table():
    # four events: CAR and its standard deviation sqrt(Var(CAR))
    car = np.array([0.05, 0.02, -0.01, 0.04])
    sd = np.array([0.02, 0.01, 0.02, 0.04])
    scar = car / sd  # 2.5, 2.0, -0.5, 1.0
    caar, t_cs, t_bmp = cross_section(car, scar)
    assert caar == pytest.approx(0.025)
    # sd(CAR) = sqrt(((.025)^2 + (.005)^2 + (.035)^2 + (.015)^2) / 3) = sqrt(0.0021/3)
    assert t_cs == pytest.approx(0.025 / (np.sqrt(0.0021 / 3) / 2))
    # mean(SCAR) = 1.25; deviations 1.25, .75, -1.75, -.25: sum of squares 5.25
    assert t_bmp == pytest.approx(1.25 / (np.sqrt(5.25 / 3) / 2))
    assert np.isnan(cross_section(car[:1], scar[:1])[1])


def test_window_parsing():
    assert parse_event_window("-5:5") == (-5, 5)
    assert parse_event_window("0:10") == (0, 10)
    for bad in ("5:-5", "a:b", "-5"):
        with pytest.raises(AluError):
            parse_event_window(bad)


def planted_dir(root: Path, effect: float) -> tuple[Path, list[pd.Timestamp]]:
    """AA = 0.0003 + 1.2 SPY + noise, plus ``effect`` on each event day (day 0) of a calendar
    of three events of kind ``test`` (two of them close enough for their windows to overlap)."""
    rng = np.random.default_rng(11)
    days = pd.bdate_range("2015-01-01", periods=1500)
    m = rng.normal(0.0003, 0.01, len(days))
    r = 0.0003 + 1.2 * m + rng.normal(0, 0.004, len(days))
    events = [days[600], days[900], days[905]]
    for day in events:
        r[days.get_loc(day)] += effect
    for symbol, ret in (("SPY", m), ("AA", r)):
        close = 50 * np.cumprod(1 + ret)
        frame = pd.DataFrame(
            {"Open": close, "High": close, "Low": close, "Close": close}, index=days
        )
        write_prices(root / "prices" / f"{symbol}.csv", frame)
    lines = ["date,name,kind,announced,window_before,window_after"]
    lines += [f"{d:%Y-%m-%d},Event {k},test,{d:%Y-%m-%d},," for k, d in enumerate(events)]
    (root / "catalysts.csv").write_text("\n".join(lines) + "\n")
    return root, events


def test_planted_abnormal_return_is_recovered(tmp_path):
    root, _ = planted_dir(tmp_path, 0.05)
    market = Market(DataSource("data-dir", root))
    study = event_study(market, symbols=["AA"], kinds=["test"], benchmark="SPY")
    assert study.model == MARKET_MODEL
    rows = study.events.set_index("name")
    assert len(rows) == 3
    # Event 0 stands alone: its CAR is the effect. Events 1 and 2 are 5 days apart, so each
    # window holds both day 0s: their CARs are twice the effect, and they are flagged.
    expected = {"Event 0": 0.05, "Event 1": 0.10, "Event 2": 0.10}
    for name in rows.index:
        assert rows.loc[name, "car"] == pytest.approx(expected[name], abs=0.03)
        assert rows.loc[name, "beta"] == pytest.approx(1.2, abs=0.1)
        assert rows.loc[name, "t"] > 2
    # day 0's abnormal return carries the effect
    assert study.ar[0].to_numpy() == pytest.approx([0.05] * 3, abs=0.015)
    kind = study.by_kind.set_index("kind").loc["test"]
    assert kind["n"] == 3 and kind["caar"] == pytest.approx(0.25 / 3, abs=0.02)
    assert kind["n_overlapping"] == 2
    assert rows.loc["Event 1", "overlaps"] == ["Event 2"] and rows.loc["Event 0", "overlaps"] == []
    assert study.caar_path.iloc[0].iloc[-1] == pytest.approx(kind["caar"])
    # Without the effect nothing is found; without a benchmark the constant-mean model runs.
    null = event_study(
        Market(DataSource("data-dir", planted_dir(tmp_path / "n", 0.0)[0])),
        symbols=["AA"],
        kinds=["test"],
        benchmark="SPY",
    )
    assert (null.events["car"].abs() < 0.03).all()
    assert event_study(market, symbols=["AA"], kinds=["test"]).model == CONSTANT_MEAN


def test_missing_benchmark_and_unknown_kind_are_refused(tmp_path):
    root, _ = planted_dir(tmp_path, 0.0)
    market = Market(DataSource("data-dir", root))
    with pytest.raises(AluError, match=r"no prices/QQQ.csv.*alu data fetch --symbols QQQ"):
        event_study(market, symbols=["AA"], benchmark="QQQ")
    with pytest.raises(AluError, match="did you mean 'tariff'"):
        event_study(market, symbols=["AA"], kinds=["tarif"])


def test_shuffling_the_future_leaves_finished_event_windows(
    market_of, sample_dir_copy, shuffled_dir
):
    a = event_study(market_of(sample_dir_copy))
    b = event_study(market_of(shuffled_dir))
    # window ends 5 trading days after day 0: finished by the cut when day 0 + 5 days <= cut
    done = a.events["day0"] + pd.offsets.BDay(5) <= CUT
    assert done.sum() >= 10
    cols = ["date", "name", "symbol", "day0", "car", "t", "alpha", "sigma"]
    pd.testing.assert_frame_equal(
        a.events.loc[done, cols].reset_index(drop=True),
        b.events.loc[b.events["day0"] + pd.offsets.BDay(5) <= CUT, cols].reset_index(drop=True),
    )
    assert not a.events.loc[~done, "car"].equals(b.events.loc[~done, "car"])

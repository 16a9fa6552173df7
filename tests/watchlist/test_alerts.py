"""Alerts fall on the exact flip days, and the history agrees with the single-day watchlist."""

from __future__ import annotations

import pandas as pd
import pytest

from alu.data.market import Market
from alu.data.source import DataSource
from alu.watchlist.build import history, watch

D = pd.Timestamp


@pytest.fixture
def market(watch_dir):
    return Market(DataSource("data-dir", watch_dir))


def signal_flips(alerts):
    return [
        (f"{a.date:%m-%d}", a.kind, a.previous, a.current) for a in alerts if a.kind != "stance"
    ]


def stance_flips(alerts, symbol):
    return [
        (f"{a.date:%m-%d}", a.strategy, a.direction, a.previous, a.current)
        for a in alerts
        if a.kind == "stance" and a.subject == symbol
    ]


def test_signal_alerts_on_the_exact_flip_days(watch_params, market):
    hist = history(market, start=D("2024-01-02"), params=watch_params)
    assert hist.end == D("2024-01-26") and hist.days == 19
    assert signal_flips(hist.alerts) == [
        ("01-03", "spread_regime", "CONTANGO", "FLAT"),
        ("01-04", "spread_regime", "FLAT", "BACKWARDATION"),
        ("01-08", "catalyst_window", "out", "in"),  # Test sanctions, known from 01-06
        ("01-09", "band_state", "NEUTRAL", "BULL"),  # third close above 3,216
        ("01-09", "catalyst_window", "in", "out"),
        ("01-11", "band_state", "BULL", "NEUTRAL"),  # 3,180 < 3,184
        ("01-11", "spread_narrowing", "off", "on"),  # +20 after +30 three days before
        ("01-15", "spread_regime", "BACKWARDATION", "FLAT"),
        ("01-16", "spread_regime", "FLAT", "CONTANGO"),
        # The stock dated 01-16 turns the trend; published the next morning: alert on 01-17.
        ("01-17", "inventory_trend", "FALLING", "BUILDING"),
        ("01-18", "spread_narrowing", "on", "off"),
        ("01-19", "band_state", "NEUTRAL", "BEAR"),
        ("01-24", "catalyst_window", "out", "in"),  # Test tariff (01-29), 5 days before
        ("01-26", "spread_regime", "CONTANGO", "FLAT"),
    ]


def test_stance_alerts_on_the_instruments_own_days(watch_params, market):
    alerts = history(market, start=D("2024-01-02"), params=watch_params).alerts
    assert stance_flips(alerts, "AA") == [
        ("01-03", "spread", "both", "short", "flat"),
        ("01-04", "spread", "long", "flat", "long"),
        ("01-04", "spread", "both", "flat", "long"),
        ("01-09", "bands", "long", "flat", "long"),
        ("01-09", "bands", "both", "flat", "long"),
        ("01-10", "squeeze", "long", "flat", "long"),
        ("01-10", "squeeze", "both", "flat", "long"),
        ("01-10", "inventory", "long", "flat", "long"),
        ("01-10", "inventory", "both", "flat", "long"),
        ("01-11", "squeeze", "long", "long", "flat"),
        ("01-11", "squeeze", "both", "long", "flat"),
        ("01-11", "bands", "long", "long", "flat"),
        ("01-11", "bands", "both", "long", "flat"),
        ("01-11", "spread", "long", "long", "flat"),
        ("01-11", "spread", "both", "long", "flat"),
        ("01-16", "spread", "both", "flat", "short"),
        ("01-17", "inventory", "long", "long", "flat"),
        ("01-17", "inventory", "both", "long", "flat"),
        ("01-18", "inventory", "both", "flat", "short"),
        ("01-19", "squeeze", "both", "flat", "short"),
        ("01-19", "bands", "both", "flat", "short"),
        ("01-24", "squeeze", "both", "short", "flat"),
        ("01-26", "spread", "both", "short", "flat"),
    ]
    # CENX has no prices after 01-17: nothing of its own can flip later.
    assert max(a.date for a in alerts if a.subject == "CENX") == D("2024-01-17")
    # buy_hold is long from the first day: never an alert (the first day has no day before).
    assert not [a for a in alerts if a.strategy == "buy_hold"]
    assert not [a for a in alerts if a.date == D("2024-01-02")]


def test_alert_texts(watch_params, market):
    alerts = watch(market, day=D("2024-01-17"), params=watch_params).alerts
    texts = [a.text for a in alerts]
    assert "inventory trend FALLING -> BUILDING (stocks +1.1 % in 5 LME days)" in texts
    assert "AA inventory (long-only): long -> flat, exit at the next open" in texts
    window = watch(market, day=D("2024-01-24"), params=watch_params).alerts[0]
    assert window.text == "entering the catalyst window: Test tariff"
    leaving = watch(market, day=D("2024-01-09"), params=watch_params).alerts
    assert "leaving the catalyst window: Test sanctions" in [a.text for a in leaving]


def test_history_agrees_with_the_single_day_alerts_every_day(watch_params, market, watch_dir):
    hist = history(market, start=D("2024-01-02"), end=D("2024-01-26"), params=watch_params)
    for day in pd.bdate_range("2024-01-02", "2024-01-26"):
        fresh = Market(DataSource("data-dir", watch_dir))
        snap = watch(fresh, day=day, params=watch_params)
        if snap.as_of != day:
            continue
        assert snap.alerts == [a for a in hist.alerts if a.date == day], day


def test_history_agrees_with_the_single_day_alerts_on_the_sample(sample_market):
    start, end = D("2024-03-01"), D("2024-04-30")
    hist = history(sample_market, start=start, end=end)
    assert len(hist.alerts) > 10
    seen = 0
    for day in pd.bdate_range(start, end):
        snap = watch(sample_market, day=day)
        if snap.as_of != day:
            continue
        seen += 1
        assert snap.alerts == [a for a in hist.alerts if a.date == day], day
    assert seen == hist.days


def test_history_window_defaults(watch_params, market, sample_market):
    hist = history(sample_market)
    assert (hist.start, hist.end) == (D("2026-10-21"), D("2026-11-20"))  # 30 days to the last
    assert all(hist.start <= a.date <= hist.end for a in hist.alerts)
    # 30 days before the end of the hand-made data is before its first day: it starts there.
    hist = history(market, params=watch_params)
    assert (hist.start, hist.end) == (D("2024-01-02"), D("2024-01-26"))
    assert hist.alerts[0].date == D("2024-01-03")
    short = history(market, start=D("2024-01-20"), end=D("2024-01-25"), params=watch_params)
    assert {a.date for a in short.alerts} == {D("2024-01-24")}
    assert short.days == 4

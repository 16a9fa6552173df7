"""Every field of the watchlist on the hand-made data dir (see conftest.py for the numbers)."""

from __future__ import annotations

import re
import statistics

import pandas as pd
import pytest

from alu.data.market import Market
from alu.data.source import DataSource
from alu.errors import AluError
from alu.watchlist.alerts import order_name
from alu.watchlist.build import watch
from alu.watchlist.snapshot import Event, trading_days_between

D = pd.Timestamp
LAST = D("2024-01-26")  # the last day of the hand-made data dir


def test_band_fields(at):
    band = at().band
    assert band.state == "BEAR" and band.previous_state == "BEAR"
    assert band.reference_price == 2920.0 and band.date == LAST
    assert band.reference_name.startswith("LME 3-month")
    assert (band.upper, band.lower) == (3200.0, 3000.0)
    assert band.to_upper_usd_t == -280.0 and band.to_lower_usd_t == -80.0
    assert band.to_upper_pct == pytest.approx(2920 / 3200 - 1)
    assert band.to_lower_pct == pytest.approx(-80 / 3000)
    # 2,980 on 01-17 was the first close below 3,000: eight closes below, up to 01-26.
    assert band.zone == "BELOW_LOWER" and band.closes_in_zone == 8


def test_band_state_turns_on_the_third_close_beyond_the_band(at):
    assert at("2024-01-08").band.state == "NEUTRAL"
    bull = at("2024-01-09").band
    assert bull.state == "BULL" and bull.previous_state == "NEUTRAL"
    # The zone has no buffer: 3,210 on 01-04 was already above 3,200, four closes in a row.
    assert bull.zone == "ABOVE_UPPER" and bull.closes_in_zone == 4


def test_spread_fields(at):
    spread = at().spread
    assert spread.value == 5.0 and spread.date == LAST
    assert spread.regime == "FLAT" and spread.previous_regime == "CONTANGO"
    assert spread.change_days == 3 and spread.change_usd_t == 25.0  # +5 - (-20)
    assert spread.narrowing is False
    last_five = [-20, -20, -20, -10, 5]
    expected_z = (5 - statistics.mean(last_five)) / statistics.stdev(last_five)
    assert spread.z == pytest.approx(expected_z)


def test_spread_narrowing_flag(at):
    spread = at("2024-01-11").spread
    assert spread.narrowing is True and spread.change_usd_t == -10.0  # +20 after +30
    assert spread.z is not None


def test_inventory_fields_use_the_figure_of_the_day_before(at):
    inv = at().inventory
    assert inv.date == D("2024-01-25") and inv.stock == 1030.0  # not 01-26's 1,040
    assert inv.change_short_t == 20.0 and inv.short_days == 2  # 1,030 - 1,010
    assert inv.change_long_t == 50.0 and inv.long_days == 5  # 1,030 - 980
    assert inv.pct_change_long == pytest.approx(1030 / 980 - 1)
    assert inv.percentile == 1.0  # the highest of the last ten figures
    assert inv.trend == "BUILDING" and inv.previous_trend == "BUILDING"
    stocks = [940, 950, 960, 970, 980, 990, 1000, 1010, 1020, 1030]
    changes = [stocks[i] / stocks[i - 5] - 1 for i in range(5, 10)]
    expected_z = (changes[-1] - statistics.mean(changes)) / statistics.stdev(changes)
    assert inv.z == pytest.approx(expected_z)


def test_publication_lag_a_stock_dated_d_is_shown_from_the_next_trading_day(at):
    # The figure dated 01-16 (960 t, the first rise over five figures) is not usable on 01-16.
    on_the_day = at("2024-01-16").inventory
    assert on_the_day.date == D("2024-01-15") and on_the_day.stock == 950.0
    assert on_the_day.trend == "FALLING"
    next_day = at("2024-01-17").inventory
    assert next_day.date == D("2024-01-16") and next_day.stock == 960.0
    assert next_day.trend == "BUILDING" and next_day.previous_trend == "FALLING"
    # Over a weekend: Friday's figure is first usable on Monday.
    monday = at("2024-01-22").inventory
    assert monday.date == D("2024-01-19") and monday.stock == 990.0


def test_percentile_before_its_minimum_history_is_unknown(at):
    # On 01-08 the usable figures are 01-02..01-05: four, below pct_min_periods (5).
    inv = at("2024-01-08").inventory
    assert inv.percentile is None and inv.trend is None and inv.z is None
    # On 01-09, five figures: 960 is the lowest, percentile 1/5.
    assert at("2024-01-09").inventory.percentile == pytest.approx(0.2)


def test_catalysts_on_the_last_day(at):
    cat = at().catalysts
    assert cat.next_event == Event(D("2024-01-29"), "Test tariff", "tariff")
    assert cat.days_to_next == 3
    assert cat.in_window is True and cat.previous_in_window is True
    assert cat.window_event == "Test tariff"
    assert cat.recent == (Event(D("2024-01-05"), "Test sanctions", "sanctions"),)
    assert (cat.window_before, cat.window_after, cat.recent_days) == (5, 5, 30)


def test_catalysts_are_known_only_after_their_announcement(at):
    # The next event known in January 2024 in the bundled calendar (announced in 2023).
    cbam = Event(D("2026-01-01"), "EU CBAM definitive period begins (aluminium covered)", "tariff")
    # Test sanctions is dated and announced 01-05: unknown on that day, so no window yet.
    day_of = at("2024-01-05").catalysts
    assert day_of.in_window is False and day_of.next_event == cbam
    monday = at("2024-01-08").catalysts
    assert monday.in_window is True and monday.window_event == "Test sanctions"
    assert monday.previous_in_window is False
    # Test tariff is announced on 01-10: still unknown that day, 18 days ahead on 01-11.
    assert at("2024-01-10").catalysts.next_event == cbam
    known = at("2024-01-11").catalysts
    assert known.next_event.name == "Test tariff" and known.days_to_next == 18
    assert known.recent == (Event(D("2024-01-05"), "Test sanctions", "sanctions"),)


def test_instruments_closes_and_stances(at):
    snap = at()
    assert list(snap.instruments) == ["AA", "CENX", "ALI=F"]
    aa = snap.instruments["AA"]
    assert aa.close == pytest.approx(30.0 + 0.25 * 17) and aa.date == LAST
    assert aa.description == "Alcoa, US$/share"
    assert snap.instruments["ALI=F"].close == pytest.approx(3170.0)
    assert set(aa.stances) == {"squeeze", "bands", "spread", "inventory", "buy_hold"}
    view = {
        (s, d): (v.stance, v.held, v.order) for s, by in aa.stances.items() for d, v in by.items()
    }
    assert view == {
        ("squeeze", "long"): ("flat", "flat", None),
        ("squeeze", "both"): ("flat", "flat", None),  # covered on 01-24 (catalyst window)
        ("bands", "long"): ("flat", "flat", None),
        ("bands", "both"): ("short", "short", None),  # BEAR since 01-19
        ("spread", "long"): ("flat", "flat", None),
        ("spread", "both"): ("flat", "short", "exit"),  # contango ended on 01-26
        ("inventory", "long"): ("flat", "flat", None),
        ("inventory", "both"): ("short", "short", None),  # top percentile, BUILDING
        ("buy_hold", "long"): ("long", "long", None),
        ("buy_hold", "both"): ("long", "long", None),
    }


def test_an_instrument_that_stopped_shows_its_last_day_and_pending_order(at):
    cenx = at().instruments["CENX"]
    assert cenx.date == D("2024-01-17") and cenx.close == pytest.approx(20.0 - 0.5 * 10)
    # Decided at the close of 01-17: the inventory trend turned BUILDING, exit at the next open.
    inventory = cenx.stances["inventory"]["long"]
    assert (inventory.stance, inventory.held, inventory.order) == ("flat", "long", "exit")


def test_entry_on_the_decision_day(at):
    aa = at("2024-01-10").instruments["AA"]
    squeeze = aa.stances["squeeze"]["long"]
    assert (squeeze.stance, squeeze.held, squeeze.order) == ("long", "flat", "entry")
    first = at("2024-01-02").instruments["AA"].stances["buy_hold"]["long"]
    assert (first.stance, first.held, first.order) == ("long", "flat", "entry")


def test_order_names():
    assert order_name(0, 1) == "entry" and order_name(0, -1) == "entry"
    assert order_name(1, 0) == "exit" and order_name(-1, 0) == "exit"
    assert order_name(1, -1) == "reversal" and order_name(-1, 1) == "reversal"
    assert order_name(1, 1) is None


def test_freshness_and_stale_flags(at):
    fresh = {f.input: (f.last, f.lag_days, f.stale) for f in at().freshness}
    assert fresh == {
        "AA": (LAST, 0, False),
        "CENX": (D("2024-01-17"), 7, True),
        "ALI=F": (LAST, 0, False),
        "band reference": (LAST, 0, False),
        "LME spread": (LAST, 0, False),
        "LME stock": (D("2024-01-25"), 1, False),
    }
    # Five weekdays behind is still fresh; six is stale.
    cenx = {f.input: f for f in at("2024-01-24").freshness}["CENX"]
    assert (cenx.lag_days, cenx.stale) == (5, False)
    cenx = {f.input: f for f in at("2024-01-25").freshness}["CENX"]
    assert (cenx.lag_days, cenx.stale) == (6, True)


def test_trading_days_are_weekdays():
    assert trading_days_between(D("2024-01-19"), D("2024-01-22")) == 1  # Friday to Monday
    assert trading_days_between(D("2024-01-22"), D("2024-01-29")) == 5
    assert trading_days_between(D("2024-01-22"), D("2024-01-22")) == 0


def test_default_day_is_the_last_in_the_data(at):
    snap = at()
    assert snap.as_of == LAST and snap.previous_day == D("2024-01-25")


def test_a_day_without_data_shows_the_last_day_before_it(at):
    snap = at("2024-01-13")  # a Saturday
    assert snap.as_of == D("2024-01-12") and snap.previous_day == D("2024-01-11")
    assert any("2024-01-13" in note and "2024-01-12" in note for note in snap.notes)


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (
            "2024-01-01",
            "--date 2024-01-01 is before the first date in the data; the data runs 2024-01-02 to 2024-01-26",
        ),
        ("2024-01-27", "--date 2024-01-27 is after the last date in the data"),
    ],
)
def test_days_outside_the_data_are_refused(at, day, message):
    with pytest.raises(AluError) as caught:
        at(day)
    # The domain names the keyword (date=...); the command line shows --date.
    assert re.search(message, caught.value.for_cli())
    assert re.search(message.replace("--date ", "date="), str(caught.value))


def test_the_lme_leg_stands_in_for_missing_futures(tmp_path, at, build_dir):
    root = build_dir(tmp_path / "nofutures", futures=False)
    snap = at(root=root)
    assert list(snap.instruments) == ["AA", "CENX", "LME3M"]
    assert any("LME3M" in note for note in snap.notes)
    lme3m = snap.instruments["LME3M"]
    # LME3M trades the rolled 3-month index: its last value is the index, not the raw price
    rolled = Market(DataSource("data-dir", root)).instrument("LME3M").bars["close"]
    assert lme3m.close == pytest.approx(rolled.loc[LAST]) and lme3m.date == LAST
    # The LME leg trades on 01-15 (no US prices that day): its stance alerts fall on LME days.
    jan15 = at("2024-01-15", root=root)
    assert jan15.as_of == D("2024-01-15")
    assert jan15.instruments["LME3M"].date == D("2024-01-15")
    assert jan15.instruments["AA"].date == D("2024-01-12")


def test_data_without_lme_shows_what_it_can(tmp_path, make_data_dir):
    root = make_data_dir(symbols=("AA", "CENX", "ALI=F"), lme=False)
    snap = watch(Market(DataSource("data-dir", root)), day=D("2020-06-01"))
    assert snap.spread is None and snap.inventory is None
    assert snap.band is not None and snap.band.reference_name.startswith("ALI=F")
    assert set(snap.instruments["AA"].stances) == {"bands", "buy_hold"}
    assert any("strategy squeeze needs lme.csv" in note for note in snap.notes)
    assert [f.input for f in snap.freshness] == ["AA", "CENX", "ALI=F", "band reference"]

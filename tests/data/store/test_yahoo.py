"""The yfinance layer: the exact 1.x output shape, splitting it per symbol, retries, deadline.

``yahoo_frame`` builds what ``yfinance.download(..., auto_adjust=False)`` returns; the first
tests hold it to the installed yfinance's own assembly code (its ``Ticker`` replaced, so no
network), so every fetch test below uses frames shaped exactly like the real thing.
"""

from __future__ import annotations

import time
import warnings
from types import SimpleNamespace

import pandas as pd
import pytest

from alu.data import yahoo

# -- the shape, held to the installed yfinance -----------------------------------------------


def install_ticker(monkeypatch, got, *, limited=()):
    """Replace the Ticker that yfinance.download uses by one answering from ``got`` the way
    ``Ticker.history`` does (dates in the exchange's time zone; an empty frame and a soft
    error for an unknown ticker); tickers in ``limited`` hit a rate limit on their first call."""
    import yfinance.multi
    import yfinance.utils
    from yfinance.exceptions import YFRateLimitError

    pending_limit = set(limited)

    class FakeTicker:
        def __init__(self, ticker):
            self.ticker = ticker
            self._price_history = SimpleNamespace(_last_error=None)

        def history(self, **kwargs):
            assert kwargs["auto_adjust"] is False
            if self.ticker in pending_limit:
                pending_limit.discard(self.ticker)
                raise YFRateLimitError()
            if self.ticker not in got:
                self._price_history._last_error = "possibly delisted; no timezone found"
                return yfinance.utils.empty_df()
            frame = got[self.ticker].copy()
            frame.index = frame.index.tz_localize("America/New_York")
            return frame

    monkeypatch.setattr(yfinance.multi, "Ticker", FakeTicker)


def real_download(monkeypatch, tickers, got):
    """The installed yfinance.download, its Ticker answering from ``got`` (no network)."""
    import yfinance

    install_ticker(monkeypatch, got)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return yfinance.download(
            tickers, start="2024-01-01", auto_adjust=False, progress=False, threads=False
        )


@pytest.mark.parametrize(
    ("tickers", "working"),
    [
        (["AA", "CENX", "ALI=F"], ["AA", "CENX", "ALI=F"]),  # success
        (["AA", "CENX", "ALI=F"], ["AA"]),  # partial failure
        (["AA"], ["AA"]),  # a single ticker still gets the two-level columns
        (["AA", "CENX"], []),  # total failure: an empty frame
    ],
)
def test_yahoo_frame_matches_the_installed_yfinance(monkeypatch, fake_yf, tickers, working):
    got = {
        "AA": fake_yf.bars(["2024-01-02", "2024-01-03", "2024-01-04"], [10.0, 10.5, 11.0]),
        "CENX": fake_yf.bars(
            ["2024-01-02", "2024-01-03", "2024-01-04"], [15.0, 15.5, 16.0], adj=1.0
        ),
        "ALI=F": fake_yf.bars(["2024-01-02", "2024-01-03", "2024-01-05"], [2300.0, 2310.0, 2290.0]),
    }
    got = {t: got[t] for t in working}
    real = real_download(monkeypatch, tickers, got)
    expected = fake_yf.frame(tickers, got)
    pd.testing.assert_frame_equal(real, expected)
    assert list(real.columns.names) == ["Price", "Ticker"]
    assert list(dict.fromkeys(real.columns.get_level_values("Price"))) == fake_yf.PRICE_LEVEL
    assert real.index.tz is None and real.index.dtype == expected.index.dtype
    if working:
        assert real.index.name == "Date"
    else:
        assert real.empty


# -- splitting a download per symbol ---------------------------------------------------------


def test_split_by_symbol_drops_failed_tickers_and_padding_rows(fake_yf):
    got = {
        "AA": fake_yf.bars(["2024-01-02", "2024-01-03"], [10.0, 10.5]),
        "ALI=F": fake_yf.bars(["2024-01-02", "2024-01-04"], [2300.0, 2290.0]),
    }
    frame = fake_yf.frame(["AA", "CENX", "ALI=F"], got)
    out = yahoo.split_by_symbol(frame, ["AA", "CENX", "ALI=F"])
    assert set(out) == {"AA", "ALI=F"}
    assert list(out["AA"].index) == list(pd.to_datetime(["2024-01-02", "2024-01-03"]))
    assert list(out["AA"].columns) == ["Open", "High", "Low", "Close", "Adj Close", "Volume"]
    assert out["AA"].loc["2024-01-03", "Adj Close"] == pytest.approx(10.5 * 0.9)
    assert list(out["ALI=F"].index) == list(pd.to_datetime(["2024-01-02", "2024-01-04"]))


def test_split_by_symbol_accepts_flat_and_tz_aware_frames(fake_yf):
    flat = fake_yf.bars(["2024-01-02"], [10.0])
    flat.index = flat.index.tz_localize("America/New_York")
    out = yahoo.split_by_symbol(flat, ["AA"])
    assert out["AA"].index[0] == pd.Timestamp("2024-01-02") and out["AA"].index.tz is None
    assert yahoo.split_by_symbol(fake_yf.frame(["AA"], {}), ["AA"]) == {}
    assert yahoo.split_by_symbol(None, ["AA"]) == {}


# -- retries and the deadline ----------------------------------------------------------------


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_rate_limit_is_retried_with_backoff_then_succeeds(fake_yf):
    from yfinance.exceptions import YFRateLimitError

    def raising(tickers, kwargs):
        raise YFRateLimitError()

    ok = fake_yf.frame(["AA"], {"AA": fake_yf.bars(["2024-01-02"], [10.0])})
    calls = fake_yf.script([fake_yf.rate_limited, raising, ok])
    clock = FakeClock()
    policy = yahoo.FetchPolicy(deadline_s=60, attempts=4, backoff_s=2.0)
    result = yahoo.download(
        ["AA"],
        pd.Timestamp("2024-01-01"),
        deadline=yahoo.Deadline(60, clock=clock),
        policy=policy,
        sleep=clock.sleep,
    )
    assert set(result.bars) == {"AA"} and result.failures == {}
    assert len(calls) == 3 and clock.now == 2.0 + 4.0  # waited 2 s, then 4 s
    kwargs = calls[0][1]
    assert kwargs["auto_adjust"] is False and kwargs["progress"] is False
    assert kwargs["start"] == "2024-01-01"


def test_rate_limit_gives_up_after_the_attempts(fake_yf):
    calls = fake_yf.script([fake_yf.rate_limited])
    clock = FakeClock()
    result = yahoo.download(
        ["AA", "CENX"],
        pd.Timestamp("2024-01-01"),
        deadline=yahoo.Deadline(60, clock=clock),
        policy=yahoo.FetchPolicy(attempts=3, backoff_s=1.0),
        sleep=clock.sleep,
    )
    assert len(calls) == 3 and clock.now == 1.0 + 2.0
    assert result.failures == {
        "AA": "rate limited by Yahoo (3 attempts)",
        "CENX": "rate limited by Yahoo (3 attempts)",
    }


def test_backoff_never_sleeps_past_the_deadline(fake_yf):
    fake_yf.script([fake_yf.rate_limited])
    clock = FakeClock()
    result = yahoo.download(
        ["AA"],
        pd.Timestamp("2024-01-01"),
        deadline=yahoo.Deadline(5, clock=clock),
        policy=yahoo.FetchPolicy(attempts=10, backoff_s=2.0),
        sleep=clock.sleep,
    )
    assert clock.now <= 5
    assert "gave up after 2 attempts to stay within 5 s" in result.failures["AA"]


def test_a_hanging_download_is_abandoned_at_the_deadline(hanging):
    began = time.monotonic()
    result = yahoo.download(["AA"], pd.Timestamp("2024-01-01"), deadline=yahoo.Deadline(0.3))
    assert time.monotonic() - began < 2
    assert result.failures == {"AA": "no answer from Yahoo within 0.3 s"}


def test_network_down_is_named_from_the_yfinance_log(fake_yf):
    fake_yf.script([fake_yf.offline])
    result = yahoo.download(["AA"], pd.Timestamp("2024-01-01"), deadline=yahoo.Deadline(10))
    assert result.failures["AA"] == "no data: Yahoo could not be reached (network down?)"


def test_yfinance_log_stays_off_stderr(fake_yf, capsys):
    fake_yf.script([fake_yf.rate_limited])
    clock = FakeClock()
    yahoo.download(
        ["AA"],
        pd.Timestamp("2024-01-01"),
        deadline=yahoo.Deadline(60, clock=clock),
        policy=yahoo.FetchPolicy(attempts=1),
        sleep=clock.sleep,
    )
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_the_installed_yfinance_rate_limit_and_soft_errors_are_recognised(monkeypatch, fake_yf):
    got = {"AA": fake_yf.bars(["2024-01-02", "2024-01-03"], [10.0, 10.5])}
    install_ticker(monkeypatch, got, limited=["AA"])
    clock = FakeClock()
    result = yahoo.download(
        ["AA", "CENX"],
        pd.Timestamp("2024-01-01"),
        deadline=yahoo.Deadline(60, clock=clock),
        policy=yahoo.FetchPolicy(backoff_s=1.0),
        sleep=clock.sleep,
    )
    assert result.attempts == 2 and clock.now == 1.0  # AA retried once, after 1 s
    assert list(result.bars) == ["AA"] and len(result.bars["AA"]) == 2
    assert result.failures == {
        "CENX": "no data: yfinance says 'possibly delisted; no timezone found'"
    }

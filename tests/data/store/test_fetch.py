"""``alu data fetch`` end to end, with ``yfinance.download`` replaced by frames shaped like
yfinance 1.x output: success, partial and total failure, rate limits, incremental updates, an
adjustment-basis change, the deadline."""

from __future__ import annotations

import json
import re
import time

import pandas as pd
import pytest

from alu.data import fetch, yahoo
from alu.data.schemas import read_prices

DAYS = ["2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-08"]
LATER = ["2024-03-11", "2024-03-12"]


@pytest.fixture
def quick(monkeypatch):
    """Short backoff and deadline, so retry tests take milliseconds."""
    policy = yahoo.FetchPolicy(deadline_s=5.0, attempts=3, backoff_s=0.01)
    monkeypatch.setattr(yahoo, "DEFAULT_POLICY", policy)
    return policy


def history(fake_yf, days, *, adj=0.9, shift=0.0):
    return {
        "AA": fake_yf.bars(days, [10.0 + i + shift for i in range(len(days))], adj=adj),
        "CENX": fake_yf.bars(days, [20.0 + i for i in range(len(days))], adj=1.0),
        "ALI=F": fake_yf.bars(days, [2300.0 + 5 * i for i in range(len(days))]),
    }


def stored(store_root, symbol):
    return read_prices(store_root / "prices" / f"{symbol}.csv").frame


def one_error(err, code, expected_code=1):
    assert code == expected_code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_first_fetch_writes_every_symbol_with_yahoo_columns(cli, fake_yf, store_root):
    calls = fake_yf.script([fake_yf.serve(history(fake_yf, DAYS))])
    code, out, err = cli("data", "fetch")
    assert code == 0, err
    assert err == ""
    tickers, kwargs = calls[0]
    assert sorted(tickers) == ["AA", "ALI=F", "CENX"]
    assert kwargs["start"] == "2000-01-01" and kwargs["auto_adjust"] is False
    for symbol in ("AA", "CENX", "ALI=F"):
        assert f"{symbol}: new" in out
    text = (store_root / "prices" / "AA.csv").read_text()
    assert text.splitlines()[0] == "Date,Open,High,Low,Close,Adj Close,Volume"
    assert text.splitlines()[1] == "2024-03-04,9.5,11.0,9.0,10.0,9.0,1000"
    aa = stored(store_root, "AA")
    assert list(aa.index) == list(pd.to_datetime(DAYS))
    meta = json.loads((store_root / "store.json").read_text())["series"]["prices/AA"]
    assert meta["source"] == "yfinance"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", meta["fetched_at"])
    assert "auto_adjust=False" in meta["adjustment"]
    assert meta["adjusted_as_of"] == "2024-03-08"


def test_partial_failure_writes_the_others_and_names_the_failed(cli, fake_yf, store_root, quick):
    full = history(fake_yf, DAYS)
    fake_yf.script([fake_yf.serve({"ALI=F": full["ALI=F"]})])
    assert cli("data", "fetch", "--symbols", "ALI=F")[0] == 0
    ali_before = (store_root / "prices" / "ALI=F.csv").read_bytes()
    # AA works; CENX comes back all-NaN; ALI=F is missing from the frame altogether
    fake_yf.script([lambda tickers, kwargs: fake_yf.frame(["AA", "CENX"], {"AA": full["AA"]})])
    code, out, err = cli("data", "fetch")
    line = one_error(err, code)
    assert "fetch failed for CENX, ALI=F" in line
    assert "CENX: no data" in line and "the store still holds nothing" in line
    assert (
        "ALI=F: no data" in line and "the store still holds 5 rows, 2024-03-04..2024-03-08" in line
    )
    assert "the other symbols were written (AA)" in line
    assert "AA: new" in out
    assert (store_root / "prices" / "AA.csv").is_file()
    assert not (store_root / "prices" / "CENX.csv").exists()
    assert (store_root / "prices" / "ALI=F.csv").read_bytes() == ali_before


def test_total_failure_network_down_changes_nothing(cli, fake_yf, snapshot, quick):
    fake_yf.script([fake_yf.serve(history(fake_yf, DAYS))])
    assert cli("data", "fetch", "--symbols", "AA")[0] == 0
    before = snapshot()
    calls = fake_yf.script([fake_yf.offline])
    code, _out, err = cli("data", "fetch")
    line = one_error(err, code)
    # one call per start day (AA incremental, the others new), none retried: not a rate limit
    assert sorted(t for tickers, _ in calls for t in tickers) == ["AA", "ALI=F", "CENX"]
    assert "Yahoo could not be reached" in line
    assert "AA: " in line and "the store still holds 5 rows, 2024-03-04..2024-03-08" in line
    assert "CENX: " in line and "ALI=F: " in line and "nothing was written" in line
    assert snapshot() == before


def test_rate_limit_then_success(cli, fake_yf, store_root, quick):
    calls = fake_yf.script([fake_yf.rate_limited, fake_yf.serve(history(fake_yf, DAYS))])
    code, _out, err = cli("data", "fetch", "--symbols", "AA,CENX")
    assert code == 0, err
    assert err == ""
    assert len(calls) == 2
    assert len(stored(store_root, "CENX")) == len(DAYS)


def test_rate_limit_past_the_retries_fails_with_code_1(cli, fake_yf, snapshot, quick):
    calls = fake_yf.script([fake_yf.rate_limited])
    before = snapshot()
    code, _out, err = cli("data", "fetch", "--symbols", "AA")
    line = one_error(err, code)
    assert len(calls) == quick.attempts
    assert "AA: rate limited by Yahoo (3 attempts); the store still holds nothing" in line
    assert snapshot() == before


def test_incremental_update_fetches_only_from_just_before_the_last_day(cli, fake_yf, store_root):
    fake_yf.script([fake_yf.serve(history(fake_yf, DAYS))])
    assert cli("data", "fetch", "--symbols", "AA")[0] == 0
    calls = fake_yf.script([fake_yf.serve(history(fake_yf, DAYS + LATER))])
    code, out, err = cli("data", "fetch", "--symbols", "AA", "--start", "2024-03-01")
    assert code == 0, err
    assert calls[0][1]["start"] == "2024-02-27"  # 2024-03-08 minus 10 days
    assert "AA: incremental: 2 added" in out
    aa = stored(store_root, "AA")
    assert list(aa.index) == list(pd.to_datetime(DAYS + LATER))
    assert aa.loc["2024-03-12", "Close"] == 16.0
    log = json.loads((store_root / "store.json").read_text())["series"]["prices/AA"]["log"]
    assert [entry["action"] for entry in log] == ["fetch (new)", "fetch (incremental)"]


def test_nothing_new_leaves_the_price_file_alone(cli, fake_yf, store_root):
    fake_yf.script([fake_yf.serve(history(fake_yf, DAYS))])
    assert cli("data", "fetch", "--symbols", "AA")[0] == 0
    before = (store_root / "prices" / "AA.csv").stat().st_mtime_ns
    code, out, _ = cli("data", "fetch", "--symbols", "AA")
    assert code == 0 and "AA: incremental: nothing new" in out
    assert (store_root / "prices" / "AA.csv").stat().st_mtime_ns == before


def test_an_unfinished_last_bar_is_updated_without_a_full_refetch(cli, fake_yf, store_root):
    fake_yf.script([fake_yf.serve(history(fake_yf, DAYS))])
    assert cli("data", "fetch", "--symbols", "AA")[0] == 0
    final = history(fake_yf, DAYS + LATER)
    final["AA"].loc["2024-03-08", ["Close", "Adj Close"]] = [14.6, 14.6 * 0.9]
    calls = fake_yf.script([fake_yf.serve(final)])
    code, out, err = cli("data", "fetch", "--symbols", "AA")
    assert code == 0, err
    assert len(calls) == 1
    assert "1 replaced" in out
    assert stored(store_root, "AA").loc["2024-03-08", "Close"] == 14.6


def test_adjustment_basis_change_refetches_the_full_history(cli, fake_yf, store_root):
    fake_yf.script([fake_yf.serve(history(fake_yf, DAYS))])
    assert cli("data", "fetch", "--symbols", "AA,CENX")[0] == 0
    # a dividend after 2024-03-08: Yahoo now scales every earlier Adj Close of AA by 0.98
    now = history(fake_yf, DAYS + LATER, adj=0.9 * 0.98)
    now["CENX"] = history(fake_yf, DAYS + LATER)["CENX"]
    calls = fake_yf.script([fake_yf.serve(now)])
    code, out, err = cli("data", "fetch", "--symbols", "AA,CENX")
    assert code == 0, err
    assert [c[0] for c in calls] == [["AA", "CENX"], ["AA"]]
    assert calls[1][1]["start"] == "2024-03-04"  # the first stored day
    assert "AA: refetched (the adjustment basis changed: Adj Close on 2024-03-04" in out
    assert "CENX: incremental: 2 added" in out
    aa = stored(store_root, "AA")
    assert len(aa) == 7
    assert aa.loc["2024-03-04", "Adj Close"] == pytest.approx(10.0 * 0.9 * 0.98)
    meta = json.loads((store_root / "store.json").read_text())["series"]["prices/AA"]
    assert "adjustment basis changed" in meta["log"][-1]["reason"]
    assert meta["adjusted_as_of"] == "2024-03-12"


def test_basis_change_with_a_failed_refetch_keeps_the_old_file(cli, fake_yf, store_root, quick):
    fake_yf.script([fake_yf.serve(history(fake_yf, DAYS))])
    assert cli("data", "fetch", "--symbols", "AA")[0] == 0
    before = (store_root / "prices" / "AA.csv").read_bytes()
    fake_yf.script([fake_yf.serve(history(fake_yf, DAYS + LATER, adj=0.8)), fake_yf.offline])
    code, _out, err = cli("data", "fetch", "--symbols", "AA")
    line = one_error(err, code)
    assert "the adjustment basis changed" in line and "refetching the full history failed" in line
    assert (store_root / "prices" / "AA.csv").read_bytes() == before


def test_deadline_exceeded_ends_the_command_in_time(cli, hanging, snapshot, monkeypatch):
    monkeypatch.setattr(yahoo, "DEFAULT_POLICY", yahoo.FetchPolicy(deadline_s=0.5))
    before = snapshot()
    began = time.monotonic()
    code, _out, err = cli("data", "fetch")
    assert time.monotonic() - began < 3
    line = one_error(err, code)
    assert "no answer from Yahoo within 0.5 s" in line
    assert snapshot() == before


def test_the_default_deadline_keeps_the_command_under_a_minute():
    policy = yahoo.DEFAULT_POLICY
    assert policy.deadline_s + policy.request_timeout_s <= 60


def test_bars_the_reader_refuses_fail_that_symbol(cli, fake_yf, store_root):
    bad = history(fake_yf, DAYS)
    bad["AA"].loc["2024-03-06", "Low"] = 0.0
    fake_yf.script([fake_yf.serve(bad)])
    code, _out, err = cli("data", "fetch", "--symbols", "AA,CENX")
    line = one_error(err, code)
    assert "AA: Yahoo sent bars this tool refuses (yfinance:AA:4: zero or negative price" in line
    assert not (store_root / "prices" / "AA.csv").exists()
    assert (store_root / "prices" / "CENX.csv").is_file()


@pytest.mark.parametrize("symbols", ["AA,../x", "LME3M", "A B"])
def test_bad_symbols_are_refused_before_any_download(cli, fake_yf, symbols):
    calls = fake_yf.script([fake_yf.offline])
    code, _out, err = cli("data", "fetch", "--symbols", symbols)
    one_error(err, code, expected_code=2)
    assert calls == []


def test_plan_start_rules():
    held = pd.DataFrame({"Close": [1.0, 2.0]}, index=pd.to_datetime(["2000-01-03", "2024-03-08"]))
    assert fetch.plan_start(None, None) == (pd.Timestamp("2000-01-01"), "new")
    assert fetch.plan_start(held, None) == (pd.Timestamp("2024-02-27"), "incremental")
    assert fetch.plan_start(held, pd.Timestamp("2000-01-01"))[1] == "incremental"
    assert fetch.plan_start(held, pd.Timestamp("1990-01-01")) == (
        pd.Timestamp("1990-01-01"),
        "extended",
    )

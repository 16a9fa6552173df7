"""Fixtures for the local store and its commands: the store folder, a byte-level snapshot of it,
and fakes of ``yfinance.download`` that answer with frames shaped exactly like yfinance 1.x's
(held to the installed yfinance in ``test_yahoo.py``)."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: The price level of yfinance's columns with auto_adjust=False, in its (sorted) order.
PRICE_LEVEL = ["Adj Close", "Close", "High", "Low", "Open", "Volume"]


def bars(days, close, *, adj: float = 0.9, volume: int = 1000) -> pd.DataFrame:
    """Daily bars as yfinance's ``Ticker.history`` columns them (Open, High, Low, Close,
    Adj Close, Volume as int64; dates in seconds, named Date); ``adj`` = Adj Close / Close."""
    c = np.asarray(close, dtype=np.float64)
    return pd.DataFrame(
        {
            "Open": c - 0.5,
            "High": c + 1.0,
            "Low": c - 1.0,
            "Close": c,
            "Adj Close": c * adj,
            "Volume": np.full(len(c), volume, dtype=np.int64),
        },
        index=pd.DatetimeIndex(days, name="Date").as_unit("s"),
    )


def yahoo_frame(tickers, got: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """``yfinance.download(tickers, auto_adjust=False)`` (1.x) when ``got`` holds the bars of the
    tickers that worked: columns ``(Price, Ticker)`` even for one ticker, tz-naive dates named
    Date; failed tickers as all-NaN columns; none worked: no rows and an unnamed index."""
    names = sorted({t.upper() for t in tickers})
    index = pd.DatetimeIndex([], dtype="datetime64[s]")
    for frame in got.values():
        index = index.union(frame.index) if len(index) else frame.index
    if got:
        index = index.rename("Date")
    columns = pd.MultiIndex.from_product([PRICE_LEVEL, names], names=["Price", "Ticker"])
    data = {}
    for price, ticker in columns:
        if ticker in got:
            data[(price, ticker)] = got[ticker][price].reindex(index)
        else:
            data[(price, ticker)] = pd.Series(np.nan, index=index, dtype=np.float64)
    return pd.DataFrame(data, index=index, columns=columns)


def rate_limited(tickers, kwargs=None) -> pd.DataFrame:
    """What yfinance 1.x download does on a rate limit: logs it per ticker, returns no rows."""
    logging.getLogger("yfinance").error(
        "%s: YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')", tickers
    )
    return yahoo_frame(tickers, {})


def offline(tickers, kwargs=None) -> pd.DataFrame:
    """What yfinance 1.x download does with the network down: logs, returns no rows."""
    log = logging.getLogger("yfinance")
    log.error("Failed to get ticker '%s' reason: Could not resolve host", tickers[0])
    log.error("%s: possibly delisted; no timezone found", tickers)
    return yahoo_frame(tickers, {})


@pytest.fixture
def fake_yf(monkeypatch) -> SimpleNamespace:
    """Builders of yfinance frames, and ``script(answers)``: replace ``yfinance.download`` by a
    fake answering each call with the next answer (a frame, or a function of the tickers);
    a function gets ``(tickers, kwargs)``. Returns the list of calls ``(tickers, kwargs)``.
    ``serve(history)``: an answer giving each ticker's bars from ``kwargs["start"]`` on."""
    import yfinance

    def script(answers: list) -> list:
        calls: list = []

        def fake(tickers, **kwargs):
            calls.append((list(tickers), kwargs))
            answer = answers[min(len(calls), len(answers)) - 1]
            return answer(list(tickers), kwargs) if callable(answer) else answer

        monkeypatch.setattr(yfinance, "download", fake)
        return calls

    def serve(history: dict[str, pd.DataFrame]):
        def answer(tickers, kwargs):
            start = pd.Timestamp(kwargs["start"])
            got = {t: history[t].loc[start:] for t in tickers if t in history}
            return yahoo_frame(tickers, {t: f for t, f in got.items() if len(f)})

        return answer

    return SimpleNamespace(
        serve=serve,
        bars=bars,
        frame=yahoo_frame,
        script=script,
        rate_limited=rate_limited,
        offline=offline,
        PRICE_LEVEL=PRICE_LEVEL,
    )


@pytest.fixture
def hanging(fake_yf):
    """``yfinance.download`` that never answers (until the test ends: then the abandoned worker
    thread is released and joined, so nothing outlives the test)."""
    release = threading.Event()
    fake_yf.script([lambda tickers, kwargs: release.wait(30)])
    yield
    release.set()
    for thread in threading.enumerate():
        if thread.name == "alu-yfinance":
            thread.join(5)


@pytest.fixture
def store_root() -> Path:
    """The test's (empty) local store, ``$ALU_HOME``."""
    return Path(os.environ["ALU_HOME"])


@pytest.fixture
def snapshot(store_root) -> Callable[[], dict[str, str]]:
    """A function returning ``{relative path: sha256}`` of every file in the store."""

    def take() -> dict[str, str]:
        return {
            str(p.relative_to(store_root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(store_root.rglob("*"))
            if p.is_file()
        }

    return take


FAKE_YF_RUNNER = Path(__file__).resolve().parent / "run_alu_fake_yf.py"


@pytest.fixture
def spawn(store_root):
    """``spawn(*args, env=None, fake_yf_days=None)``: start ``python -m alu ARGS`` as a real
    process on the test's store (``$ALU_HOME``); with ``fake_yf_days`` (a list of dates) it runs
    through :mod:`run_alu_fake_yf`, so ``alu data fetch`` gets yfinance-shaped frames. Returns
    the ``Popen`` (stdout and stderr piped, text). Processes still running at the end are
    killed."""
    import json
    import subprocess
    import sys

    started: list[subprocess.Popen] = []

    def start(*args, env=None, fake_yf_days=None) -> subprocess.Popen:
        full = {**os.environ, "ALU_HOME": str(store_root), **(env or {})}
        if fake_yf_days is not None:
            full["FAKE_YF_DAYS"] = json.dumps(list(fake_yf_days))
            command = [sys.executable, str(FAKE_YF_RUNNER), *map(str, args)]
        else:
            command = [sys.executable, "-m", "alu", *map(str, args)]
        proc = subprocess.Popen(
            command, env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()

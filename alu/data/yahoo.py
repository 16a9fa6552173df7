"""Daily bars from Yahoo through ``yfinance.download``: retries, a deadline, honest failures.

yfinance (1.x) is imported only inside :func:`call_download`, so nothing else pays for it. Its
quirks, handled here:

- It does not raise when the network is down or a symbol is unknown: it logs an error and
  returns an empty frame, or, for several tickers, all-NaN columns for the ones that failed.
  Every requested symbol without a single bar is therefore a failure, whatever yfinance said.
- Its errors go to the ``yfinance`` logger (printed on stderr by default). They are captured
  for the failure message instead; ``progress=False`` silences its progress bar.
- A rate limit (``YFRateLimitError``, "Too Many Requests") is caught per ticker and logged by
  ``download`` in 1.x (older versions raised it). Both forms are recognised and retried up to
  ``attempts`` times, waiting ``backoff_s`` x 1, 2, 4, ... seconds in between.
- A call can hang on a slow network: each call runs in a daemon thread and is abandoned when
  the overall deadline passes, so the command always ends within it.

The adjustment choice is explicit: ``auto_adjust=False``, so each bar has Yahoo's ``Close``
(split-adjusted) and ``Adj Close`` (split- and dividend-adjusted), as in Yahoo's CSV download.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from alu.data.schemas import PRICE_COLUMNS

#: yfinance's keyword arguments, every adjustment-related one explicit.
DOWNLOAD_ARGS = {
    "auto_adjust": False,
    "back_adjust": False,
    "actions": False,
    "repair": False,
    "keepna": False,
    "progress": False,
    "threads": False,
    "group_by": "column",
    "multi_level_index": True,
    "interval": "1d",
}
ADJUSTMENT = (
    "yfinance auto_adjust=False: Open/High/Low/Close split-adjusted, Adj Close split- and "
    "dividend-adjusted as of the fetch (backtests scale Open/High/Low/Close by Adj Close / Close)"
)
_RATE_LIMIT = re.compile(r"rate ?limit|too many requests", re.IGNORECASE)
_NETWORK = re.compile(
    r"could not resolve|failed to perform|connection|timed out|network|dns", re.IGNORECASE
)
_SYMBOLS_PREFIX = re.compile(r"^\s*\[([^\]]*)\]\s*:")


@dataclass(frozen=True)
class FetchPolicy:
    """How hard to try: ``deadline_s`` for all calls together (the command's limit is 60 s),
    ``attempts`` per rate-limited symbol, ``backoff_s`` doubling between attempts, and the
    per-request ``request_timeout_s`` handed to yfinance."""

    deadline_s: float = 50.0
    attempts: int = 4
    backoff_s: float = 2.0
    request_timeout_s: float = 10.0


DEFAULT_POLICY = FetchPolicy()


class Deadline:
    """Seconds left until a fixed moment on ``clock``."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._end = clock() + seconds

    def remaining(self) -> float:
        return self._end - self._clock()


@dataclass
class Downloaded:
    """Bars per symbol (Yahoo columns, tz-naive dates) and a reason per failed symbol."""

    bars: dict[str, pd.DataFrame] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    attempts: int = 0


class _DeadlinePassed(Exception):
    pass


class _Capture(logging.Handler):
    """Keeps yfinance's log messages (warnings and errors) instead of printing them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.messages.append(record.getMessage())
        except Exception:  # a malformed log call must not break the fetch
            self.messages.append(str(record.msg))


def call_download(
    symbols: Sequence[str], start: pd.Timestamp, *, timeout_s: float
) -> tuple[pd.DataFrame | None, list[str]]:
    """One ``yfinance.download`` call (looked up at call time) with its log captured."""
    import yfinance

    logger = logging.getLogger("yfinance")
    capture = _Capture()
    propagate = logger.propagate
    logger.addHandler(capture)
    logger.propagate = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas deprecations inside yfinance
            frame = yfinance.download(
                list(symbols), start=f"{start:%Y-%m-%d}", timeout=timeout_s, **DOWNLOAD_ARGS
            )
    finally:
        logger.removeHandler(capture)
        logger.propagate = propagate
    return frame, capture.messages


def download(
    symbols: Sequence[str],
    start: pd.Timestamp,
    *,
    deadline: Deadline,
    policy: FetchPolicy = DEFAULT_POLICY,
    sleep: Callable[[float], None] = time.sleep,
) -> Downloaded:
    """Daily bars of ``symbols`` from ``start`` on, retrying rate limits within ``deadline``."""
    result = Downloaded()
    pending = list(symbols)
    for attempt in range(1, policy.attempts + 1):
        result.attempts = attempt
        timeout = min(policy.request_timeout_s, deadline.remaining())
        if timeout <= 0:
            _fail(result, pending, f"no answer from Yahoo within {deadline.seconds:g} s")
            return result
        try:
            frame, messages = _within(
                deadline, functools.partial(call_download, list(pending), start, timeout_s=timeout)
            )
        except _DeadlinePassed:
            _fail(result, pending, f"no answer from Yahoo within {deadline.seconds:g} s")
            return result
        except Exception as exc:  # yfinance raised: a rate limit (older versions) or worse
            if not _RATE_LIMIT.search(f"{type(exc).__name__} {exc}"):
                _fail(result, pending, f"yfinance failed: {type(exc).__name__}: {exc}")
                return result
            frame, messages = None, [f"{pending}: {type(exc).__name__}: {exc}"]
        bars = split_by_symbol(frame, pending)
        result.bars.update(bars)
        missing = [s for s in pending if s not in bars]
        limited = [s for s in missing if _rate_limited(s, messages)]
        for symbol in missing:
            if symbol not in limited:
                result.failures[symbol] = _reason(symbol, messages)
        pending = limited
        if not pending:
            return result
        wait = policy.backoff_s * 2 ** (attempt - 1)
        if attempt == policy.attempts:
            break
        if wait >= deadline.remaining():
            _fail(
                result,
                pending,
                f"rate limited by Yahoo; gave up after {attempt} attempts to stay within "
                f"{deadline.seconds:g} s",
            )
            return result
        sleep(wait)
    _fail(result, pending, f"rate limited by Yahoo ({policy.attempts} attempts)")
    return result


def split_by_symbol(frame: pd.DataFrame | None, symbols: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The bars of each symbol in a ``yfinance.download`` frame, without all-NaN rows.

    Accepts the 1.x shape (columns ``(Price, Ticker)``, or ``(Ticker, Price)`` when grouped by
    ticker) and a flat frame for a single symbol. Dates become tz-naive days named ``Date``.
    Symbols with no bar at all are left out.
    """
    if frame is None or frame.empty:
        return {}
    out: dict[str, pd.DataFrame] = {}
    for symbol in symbols:
        part = _columns_of(frame, symbol, single=len(symbols) == 1)
        if part is None:
            continue
        part = part.reindex(columns=[c for c in PRICE_COLUMNS[1:] if c in part.columns])
        part = part.apply(pd.to_numeric, errors="coerce")
        prices = [c for c in part.columns if c != "Volume"]
        part = part.loc[part[prices].notna().any(axis=1)] if prices else part.iloc[0:0]
        if part.empty:
            continue
        index = pd.DatetimeIndex(part.index)
        if index.tz is not None:
            index = index.tz_localize(None)
        part.index = index.normalize().rename("Date")
        out[symbol] = part
    return out


def _columns_of(frame: pd.DataFrame, symbol: str, *, single: bool) -> pd.DataFrame | None:
    columns = frame.columns
    if isinstance(columns, pd.MultiIndex):
        names = list(columns.names)
        level = names.index("Ticker") if "Ticker" in names else _ticker_level(columns)
        if symbol not in columns.get_level_values(level):
            return None
        return frame.xs(symbol, axis=1, level=level)
    return frame if single else None


def _ticker_level(columns: pd.MultiIndex) -> int:
    prices = set(PRICE_COLUMNS)
    return 0 if set(columns.get_level_values(1)) & prices else 1


def _within(deadline: Deadline, call: Callable[[], object]):
    """``call()`` in a daemon thread, abandoned (raising ``_DeadlinePassed``) at the deadline."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc

    thread = threading.Thread(target=target, name="alu-yfinance", daemon=True)
    thread.start()
    thread.join(max(deadline.remaining(), 0.0))
    if thread.is_alive():
        raise _DeadlinePassed
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]


def _mentions(symbol: str, message: str) -> bool:
    """True when ``message`` is about ``symbol``, or names no symbol at all."""
    prefix = _SYMBOLS_PREFIX.match(message)
    if prefix:
        return f"'{symbol}'" in prefix.group(1)
    named = re.findall(r"\$([A-Z0-9=.\-^]+)|'([A-Z0-9=.\-^]+)'", message)
    return not named or any(symbol in pair for pair in named)


def _rate_limited(symbol: str, messages: list[str]) -> bool:
    return any(_RATE_LIMIT.search(m) and _mentions(symbol, m) for m in messages)


def _reason(symbol: str, messages: list[str]) -> str:
    """Why ``symbol`` got no bars, from yfinance's log when it says."""
    if any(_NETWORK.search(m) for m in messages):
        return "no data: Yahoo could not be reached (network down?)"
    about = [m for m in messages if _mentions(symbol, m) and "failed download" not in m.lower()]
    if about:
        text = _SYMBOLS_PREFIX.sub("", about[-1]).replace(f"${symbol}: ", "").strip()
        return f"no data: yfinance says '{text[:120]}'"
    return "no data returned (Yahoo unreachable, or no such symbol)"


def _fail(result: Downloaded, symbols: Sequence[str], reason: str) -> None:
    for symbol in symbols:
        result.failures[symbol] = reason

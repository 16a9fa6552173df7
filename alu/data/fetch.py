"""``alu data fetch``: incremental daily bars from Yahoo into the local store.

Per symbol:

- **new** (the store has no bars): everything from ``--start`` [2000-01-01].
- **incremental**: from :data:`OVERLAP_DAYS` calendar days before the last stored day. Yahoo
  rewrites adjusted history after every split and dividend, so the overlap is compared with the
  store first (every overlapping day except the last stored one, which may have been an
  unfinished bar): if a price moved by more than :data:`BASIS_RTOL` (relative), the adjustment
  basis changed and the symbol's **full history is refetched and replaces** the stored file;
  the reason is kept in ``store.json``. Otherwise new days are added and the overlap takes
  Yahoo's values.
- **extended**: ``--start`` more than :data:`COVERED_DAYS` before the first stored day: a full
  fetch from ``--start`` replaces the stored file (one adjustment basis for the whole series).

Fetched bars are rounded to :data:`DECIMALS` decimals, written in the Yahoo CSV format and read
back through the same strict reader as any file before they are merged.

The store's writer lock is held from reading the store to the commit (downloads included, at
most the 60 s limit), so a concurrent import or fetch waits instead of losing rows; the commit
of all symbols is one all-or-nothing journaled commit (:mod:`alu.data.journal`).

**Failures** (no bars for a symbol, rate limits past the retries, the deadline, bars the reader
refuses) change nothing for that symbol. Symbols that succeeded are still written: the command
then exits with code 1 and one message naming each failed symbol and what the store still holds
for it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from alu.data import yahoo
from alu.data.quality import QualityWarning, price_warnings
from alu.data.schemas import PRICE_COLUMNS, Parsed, read_prices
from alu.data.store import Store, holding, merge_series, price_series, prices_to_csv, utc_now
from alu.data.table import read_table
from alu.errors import AluError

DEFAULT_START = pd.Timestamp("2000-01-01")
#: Calendar days fetched before the last stored day, to check the adjustment basis.
OVERLAP_DAYS = 10
#: ``--start`` is covered when the store's first day is at most this many days after it.
COVERED_DAYS = 7
#: Relative change of a stored price on the overlap that means "the basis changed".
BASIS_RTOL = 1e-4
#: Decimals kept of Yahoo's prices (as in Yahoo's CSV download).
DECIMALS = 6


@dataclass
class Outcome:
    """What the fetch did for one symbol."""

    symbol: str
    action: str  # new, incremental, extended, refetched, failed
    summary: str = ""
    reason: str = ""
    holds: str = "nothing"
    frame: pd.DataFrame | None = None
    changed: bool = False
    quality: list[QualityWarning] = field(default_factory=list)


@dataclass
class FetchReport:
    outcomes: list[Outcome]
    repairs: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.action == "failed"]

    def lines(self) -> list[str]:
        out = [f"note: {r}" for r in self.repairs]
        for o in self.outcomes:
            if o.action == "failed":
                continue
            note = f" ({o.reason})" if o.reason else ""
            out.append(f"{o.symbol}: {o.action}{note}: {o.summary}; the store holds {o.holds}")
            out.extend(f"warning: {q.line()}" for q in o.quality)
        return out

    def failure_message(self) -> str:
        failed = self.failed
        parts = [f"{o.symbol}: {o.reason}; the store still holds {o.holds}" for o in failed]
        written = [o.symbol for o in self.outcomes if o.action != "failed" and o.changed]
        tail = (
            f"; the other symbols were written ({', '.join(written)})"
            if written
            else "; nothing was written"
        )
        names = ", ".join(o.symbol for o in failed)
        return f"fetch failed for {names} (their data is unchanged): " + " | ".join(parts) + tail


def plan_start(
    held: pd.DataFrame | None, requested: pd.Timestamp | None
) -> tuple[pd.Timestamp, str]:
    """The first day to fetch and the mode (``new``, ``extended`` or ``incremental``)."""
    if held is None or held.empty:
        return (requested if requested is not None else DEFAULT_START), "new"
    first, last = held.index[0], held.index[-1]
    if requested is not None and requested + pd.Timedelta(days=COVERED_DAYS) < first:
        return requested, "extended"
    return last - pd.Timedelta(days=OVERLAP_DAYS), "incremental"


def basis_change(
    held: pd.DataFrame, fetched: pd.DataFrame, *, rtol: float = BASIS_RTOL
) -> str | None:
    """The first overlapping price that moved, as text, or None when the basis holds.

    Compares the days both frames hold before the last stored day; no such day at all also
    means the basis cannot be confirmed.
    """
    common = held.index.intersection(fetched.index)
    common = common[common < held.index[-1]]
    if len(common) == 0:
        return "no overlapping day to confirm the adjustment basis"
    for column in ("Close", "Adj Close", "Open", "High", "Low"):
        if column not in held or column not in fetched:
            continue
        old = held.loc[common, column].to_numpy(dtype=np.float64)
        new = fetched.loc[common, column].to_numpy(dtype=np.float64)
        moved = ~np.isnan(old) & ~np.isnan(new) & ~np.isclose(new, old, rtol=rtol, atol=0.0)
        if moved.any():
            i = int(np.argmax(moved))
            return (
                f"the adjustment basis changed: {column} on {common[i]:%Y-%m-%d} was "
                f"{old[i]:g} in the store, Yahoo now says {new[i]:g}"
            )
    return None


def as_parsed(symbol: str, bars: pd.DataFrame) -> Parsed:
    """Downloaded bars through the file format and the strict reader (as if read from disk)."""
    path = Path(f"yfinance:{symbol}")
    text = prices_to_csv(bars, decimals=DECIMALS)
    return read_prices(path, table=read_table(path, text=text, numeric=PRICE_COLUMNS[1:]))


def fetch_into_store(
    store: Store,
    symbols: Sequence[str],
    *,
    start: pd.Timestamp | None = None,
    policy: yahoo.FetchPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchReport:
    """Fetch ``symbols`` and commit every success to ``store`` (see module docstring)."""
    policy = policy or yahoo.DEFAULT_POLICY
    with store.writing() as repairs:
        report = _fetch_locked(store, symbols, start=start, policy=policy, sleep=sleep)
    report.repairs = repairs
    return report


def _fetch_locked(
    store: Store,
    symbols: Sequence[str],
    *,
    start: pd.Timestamp | None,
    policy: yahoo.FetchPolicy,
    sleep: Callable[[float], None],
) -> FetchReport:
    """The fetch, with the store's writer lock held from reading the store to the commit."""
    deadline = yahoo.Deadline(policy.deadline_s)
    held = {s: store.read_prices(s) for s in symbols}
    frames = {s: (p.frame if p is not None else None) for s, p in held.items()}
    plans = {s: plan_start(frames[s], start) for s in symbols}
    outcomes = {s: Outcome(s, plans[s][1], holds=holding(frames[s])) for s in symbols}

    got = _download({s: plans[s][0] for s in symbols}, deadline, policy, sleep, outcomes)
    refetch: dict[str, pd.Timestamp] = {}
    for symbol, incoming in got.items():
        outcome, old = outcomes[symbol], frames[symbol]
        if outcome.action == "incremental":
            change = basis_change(old, incoming.frame)  # type: ignore[arg-type]
            if change is not None:
                outcome.reason = change
                first = old.index[0]  # type: ignore[union-attr]
                refetch[symbol] = min(first, start) if start is not None else first
                continue
            merge = merge_series(old, incoming.frame, columns=PRICE_COLUMNS, replace=True)
            outcome.frame, outcome.changed = merge.frame, merge.changed
            outcome.summary = merge.summary() if merge.changed else "nothing new"
        else:
            _replace_all(outcome, old, incoming)
    if refetch:
        for symbol, incoming in _download(refetch, deadline, policy, sleep, outcomes).items():
            outcomes[symbol].action = "refetched"
            _replace_all(outcomes[symbol], frames[symbol], incoming)

    report = FetchReport([outcomes[s] for s in symbols])
    for outcome in report.outcomes:
        if outcome.frame is not None and outcome.action != "failed":
            outcome.quality = price_warnings(outcome.frame, series=price_series(outcome.symbol))
    _commit(store, report)
    return report


def _download(
    starts: dict[str, pd.Timestamp],
    deadline: yahoo.Deadline,
    policy: yahoo.FetchPolicy,
    sleep: Callable[[float], None],
    outcomes: dict[str, Outcome],
) -> dict[str, Parsed]:
    """One download per distinct start day; failures are recorded in ``outcomes``."""
    groups: dict[pd.Timestamp, list[str]] = defaultdict(list)
    for symbol, day in starts.items():
        groups[day].append(symbol)
    got: dict[str, Parsed] = {}
    for day, group in groups.items():
        result = yahoo.download(group, day, deadline=deadline, policy=policy, sleep=sleep)
        for symbol, reason in result.failures.items():
            _failed(outcomes[symbol], reason)
        for symbol, bars in result.bars.items():
            try:
                got[symbol] = as_parsed(symbol, bars)
            except AluError as exc:
                _failed(outcomes[symbol], f"Yahoo sent bars this tool refuses ({exc})")
    return got


def _failed(outcome: Outcome, reason: str) -> None:
    if outcome.reason:  # e.g. the basis changed, then the refetch failed
        reason = f"{outcome.reason}, and refetching the full history failed: {reason}"
    outcome.action, outcome.reason = "failed", reason


def _replace_all(outcome: Outcome, old: pd.DataFrame | None, incoming: Parsed) -> None:
    frame = incoming.frame
    outcome.frame = frame
    outcome.changed = old is None or not frame.equals(old.reindex(columns=frame.columns))
    was = f" (was {holding(old)})" if old is not None else ""
    outcome.summary = f"{len(frame)} rows{was}"


def _commit(store: Store, report: FetchReport) -> None:
    now = utc_now()
    files: dict[Path, str] = {}
    updates: dict[str, dict[str, object]] = {}
    for o in report.outcomes:
        if o.action == "failed" or o.frame is None:
            continue
        fields: dict[str, object] = {
            "source": "yfinance",
            "fetched_at": now,
            "adjustment": yahoo.ADJUSTMENT,
        }
        if o.changed:
            files[store.price_path(o.symbol)] = prices_to_csv(o.frame)
            fields["updated_at"] = now
            if o.action != "incremental":
                fields["adjusted_as_of"] = f"{o.frame.index[-1]:%Y-%m-%d}"
            fields["log"] = {"at": now, "action": f"fetch ({o.action})", "result": o.summary}
            if o.reason:
                fields["log"]["reason"] = o.reason  # type: ignore[index]
        o.holds = holding(o.frame)
        updates[price_series(o.symbol)] = fields
    if updates:
        store.commit(files, updates)

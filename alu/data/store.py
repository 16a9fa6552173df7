"""The local store: the data-dir layout under ``$ALU_HOME``, its metadata, merges and writes.

Layout (exactly a data dir, so ``--data-dir`` and the store read the same way)::

    STORE/
      prices/SYMBOL.csv   Date,Open,High,Low,Close[,Adj Close][,Volume]   (Yahoo format)
      lme.csv             date,cash_settlement,three_month,lme_stock[,...]
      catalysts.csv       optional, extends the bundled calendar
      store.json          metadata: per series, its source, when it was fetched or imported,
                          the price adjustment basis and a short log of what changed

Rules shared by ``alu data fetch`` and ``alu data import``:

- **Merge** (:func:`merge_series`): dates new to the store are added; a date the store holds with
  the same values is accepted; a different value on a date the store holds is a *conflict*,
  refused unless ``replace`` (then the incoming value wins). A missing incoming value never
  erases a stored one; an incoming value where the store has a gap fills it.
- **Nothing is written until everything is validated.** A refused input leaves every file
  byte-for-byte unchanged, and so does an input that changes nothing (not even ``store.json``).
- **One writer at a time**: a writer holds the store's lock (:mod:`alu.data.lock`) from the
  moment it reads the store until its commit is on disk, so concurrent writers queue instead of
  losing each other's rows.
- **All or nothing**: the data files and ``store.json`` of one change are committed together
  through a journal (:mod:`alu.data.journal`): a refused step or a crash at any point leaves the
  old store or the new one, never a mix; the next writer completes or undoes an interrupted
  commit and removes stray temporary files.
- ``store.json`` is checked against its schema (shape, types, size) before any data file is
  touched; the store's own files must be regular files (a link, a directory or a device where
  a file belongs is refused, never followed or replaced).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alu.data import journal
from alu.data.lock import StoreLock
from alu.data.market import LME_LEG
from alu.data.schemas import LME_COLUMNS, PRICE_COLUMNS, Parsed, read_lme, read_prices
from alu.errors import AluError

META_FILE = "store.json"
META_VERSION = 1
LME_SERIES = "lme"
#: How many past operations the metadata log keeps per series.
LOG_LENGTH = 20
#: Two stored values are the same when they agree to this relative tolerance (text round-trips
#: of the same decimal number are exact; this only absorbs float formatting).
SAME_RTOL = 1e-9
#: ``store.json`` holds a short log per series: anything bigger is not ours.
MAX_META_BYTES = 4 * 1024 * 1024
#: Entries kept in a series' log as read (a hand-edited file may hold more; they are trimmed).
MAX_LOG_ENTRIES = 1000
_SERIES_KEY = re.compile(r"^(lme|catalysts|prices/[A-Z0-9^][A-Z0-9=.\-^]{0,19})$")
_SCALAR = (str, int, float, bool, type(None))

_SYMBOL = re.compile(r"^[A-Z0-9^][A-Z0-9=.\-^]{0,19}$")


def check_symbol(text: str) -> str:
    """A ticker usable as a file name: letters, digits, ``= . - ^`` (upper-cased, <= 20 chars).

    ``LME3M`` is refused: that name is the LME 3-month leg built from ``lme.csv``.
    """
    symbol = text.strip().upper()
    if not _SYMBOL.match(symbol):
        raise AluError(
            f"invalid symbol '{text}': use letters, digits and = . - ^ only "
            "(at most 20 characters, not starting with . = or -)"
        )
    if symbol == LME_LEG:
        raise AluError(f"symbol {LME_LEG} is reserved for the LME 3-month leg built from lme.csv")
    return symbol


def price_series(symbol: str) -> str:
    """The metadata key of a price series."""
    return f"prices/{symbol}"


def utc_now() -> str:
    """The current time as UTC ISO 8601 to the second, e.g. ``2026-11-21T09:34:00Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- merging ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """The first date where the store and the incoming data disagree."""

    day: pd.Timestamp
    column: str
    held: float
    incoming: float

    def describe(self) -> str:
        return (
            f"{self.day:%Y-%m-%d} {self.column}: the store has {_show(self.held)}, "
            f"the file has {_show(self.incoming)}"
        )


@dataclass(frozen=True)
class Merge:
    """The result of merging incoming rows into a stored series.

    Counts are in dates: ``added`` (new to the store), ``unchanged`` (same values), ``filled``
    (a stored gap filled, nothing else different), ``replaced`` (values changed: only with
    ``replace``), ``conflicts`` (dates whose values differ, replaced or not).
    """

    frame: pd.DataFrame
    added: int
    unchanged: int
    filled: int
    replaced: int
    conflicts: int
    first_conflict: Conflict | None

    @property
    def changed(self) -> bool:
        return bool(self.added or self.filled or self.replaced)

    def summary(self) -> str:
        parts = [f"{self.added} added"]
        if self.replaced:
            parts.append(f"{self.replaced} replaced")
        if self.filled:
            parts.append(f"{self.filled} gaps filled")
        parts.append(f"{self.unchanged} unchanged")
        return ", ".join(parts)


def merge_series(
    held: pd.DataFrame | None,
    incoming: pd.DataFrame,
    *,
    columns: Sequence[str],
    replace: bool = False,
    rtol: float = SAME_RTOL,
) -> Merge:
    """Merge ``incoming`` rows into ``held`` (both indexed by unique, sorted dates).

    ``columns`` is the canonical column order of the file; the result has those of them present
    in either frame. With ``replace`` a conflicting incoming value wins; without it the merge is
    still computed (the caller refuses it when ``conflicts`` is non-zero).
    """
    present = [c for c in columns if c in incoming.columns or (held is not None and c in held)]
    incoming = incoming.reindex(columns=present)
    if held is None or held.empty:
        return Merge(incoming, len(incoming), 0, 0, 0, 0, None)
    held = held.reindex(columns=present)
    common = held.index.intersection(incoming.index)
    old = held.loc[common].to_numpy(dtype=np.float64)
    new = incoming.loc[common].to_numpy(dtype=np.float64)
    both = ~np.isnan(old) & ~np.isnan(new)
    differs = both & ~np.isclose(old, new, rtol=rtol, atol=0.0)
    fills = np.isnan(old) & ~np.isnan(new)
    conflict_rows = differs.any(axis=1)
    fill_rows = fills.any(axis=1) & ~conflict_rows
    first = None
    if conflict_rows.any():
        i = int(np.argmax(conflict_rows))
        j = int(np.argmax(differs[i]))
        first = Conflict(common[i], present[j], float(old[i, j]), float(new[i, j]))
    take = fills | (differs if replace else np.zeros_like(differs))
    merged_common = np.where(take, new, old)
    frame = held.copy()
    frame.loc[common] = merged_common
    fresh = incoming.index.difference(held.index)
    if len(fresh):
        frame = pd.concat([frame, incoming.loc[fresh]]).sort_index(kind="stable")
    frame.index.name = held.index.name
    return Merge(
        frame=frame,
        added=len(fresh),
        unchanged=int(len(common) - conflict_rows.sum() - fill_rows.sum()),
        filled=int(fill_rows.sum()),
        replaced=int(conflict_rows.sum()) if replace else 0,
        conflicts=int(conflict_rows.sum()),
        first_conflict=first,
    )


def _show(value: float) -> str:
    """A stored number for a message: as written in a file (``3227.5``, ``786475``)."""
    if value != value:
        return "missing"
    return f"{value:.0f}" if value == round(value) else f"{value:.10g}"


# -- file text -------------------------------------------------------------------------------


def frame_to_csv(
    frame: pd.DataFrame,
    *,
    date_column: str,
    columns: Sequence[str],
    integer_columns: Iterable[str] = (),
    decimals: int | None = None,
) -> str:
    """A date-indexed frame as CSV text in the store's format.

    Dates ``YYYY-MM-DD``; numbers in their shortest exact form (or rounded to ``decimals``);
    ``integer_columns`` written without a decimal point when every value is whole; missing
    values as empty fields; ``\\n`` line endings. Reading the text back gives the same floats.
    """
    present = [c for c in columns if c in frame.columns and c != date_column]
    out = frame[present].copy()
    if decimals is not None:
        out = out.round(decimals)
    for column in integer_columns:
        if column in out:
            values = out[column]
            whole = values.dropna()
            if (whole == np.round(whole)).all() and (whole.abs() < 2.0**53).all():
                out[column] = values.astype("Int64")
    out.index = pd.DatetimeIndex(out.index).strftime("%Y-%m-%d")
    out.index.name = date_column
    return out.to_csv(lineterminator="\n")


def prices_to_csv(frame: pd.DataFrame, *, decimals: int | None = None) -> str:
    """A price frame (Yahoo columns) as the text of ``prices/SYMBOL.csv``."""
    return frame_to_csv(
        frame,
        date_column="Date",
        columns=PRICE_COLUMNS,
        integer_columns=("Volume",),
        decimals=decimals,
    )


def lme_to_csv(frame: pd.DataFrame) -> str:
    """An LME frame as the text of ``lme.csv``."""
    return frame_to_csv(frame, date_column="date", columns=LME_COLUMNS)


# -- the store -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Store:
    """A store directory: its files, metadata and atomic commits."""

    root: Path

    @property
    def lme_path(self) -> Path:
        return self.root / "lme.csv"

    @property
    def catalysts_path(self) -> Path:
        return self.root / "catalysts.csv"

    @property
    def meta_path(self) -> Path:
        return self.root / META_FILE

    def price_path(self, symbol: str) -> Path:
        return self.root / "prices" / f"{symbol}.csv"

    def price_symbols(self) -> list[str]:
        """Symbols with a price file, sorted."""
        folder = self.root / "prices"
        return sorted(p.stem for p in folder.glob("*.csv")) if folder.is_dir() else []

    def read_lme(self) -> Parsed | None:
        """The stored LME record, or None when the store has no ``lme.csv``."""
        return read_lme(self.lme_path) if _present(self.lme_path) else None

    def read_prices(self, symbol: str) -> Parsed | None:
        """The stored bars of ``symbol``, or None when the store has no file for it."""
        path = self.price_path(symbol)
        return read_prices(path) if _present(path) else None

    def meta(self) -> dict[str, Any]:
        """The metadata (``{"version": 1, "series": {key: {...}}}``); empty when absent.

        Refused in one line (before any data file is touched) when it is not a regular file,
        larger than :data:`MAX_META_BYTES`, not JSON, or not of the shape in :func:`check_meta`.
        """
        if not os.path.lexists(self.meta_path):
            return {"version": META_VERSION, "series": {}}
        journal.check_target(self.meta_path)
        try:
            size = self.meta_path.stat().st_size
            if size > MAX_META_BYTES:
                raise AluError(
                    f"store metadata is {size:,} bytes, more than the {MAX_META_BYTES:,} this "
                    "tool writes; move it aside to rebuild it",
                    path=self.meta_path,
                )
            raw = self.meta_path.read_bytes()[: MAX_META_BYTES + 1]
        except PermissionError:
            raise AluError("permission denied", path=self.meta_path, exit_code=1) from None
        except OSError as exc:
            raise AluError(
                f"cannot read: {exc.strerror or exc}", path=self.meta_path, exit_code=1
            ) from None
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise AluError(
                f"unreadable store metadata ({exc}); move it aside to rebuild it",
                path=self.meta_path,
            ) from None
        except RecursionError:
            raise AluError(
                "unreadable store metadata (nested too deeply); move it aside to rebuild it",
                path=self.meta_path,
            ) from None
        check_meta(doc, self.meta_path)
        return doc

    def series_meta(self, key: str) -> dict[str, Any]:
        """The metadata of one series (``lme``, ``prices/AA``, ...); empty when unknown."""
        return self.meta()["series"].get(key) or {}

    @contextmanager
    def writing(self) -> Iterator[list[str]]:
        """Hold the store's writer lock; on entry, repair what an interrupted writer left and
        check ``store.json``. Yields notes about repairs, for the user."""
        with StoreLock(self.root):
            notes = journal.recover(self.root)
            self.meta()
            yield notes

    def repair(self) -> list[str]:
        """For readers: finish an interrupted commit when one is pending (waits for the lock
        only then). Returns notes about repairs."""
        if not journal.pending(self.root):
            return []
        with StoreLock(self.root):
            return journal.recover(self.root)

    def commit(self, files: dict[Path, str], updates: dict[str, dict[str, Any]]) -> None:
        """Write ``files`` (path -> text) and merge ``updates`` into the metadata, all together
        (see :mod:`alu.data.journal`). Call it inside :meth:`writing`.

        ``updates`` maps a series key to fields to set; a ``log`` field is appended to the
        series' log (the newest :data:`LOG_LENGTH` entries are kept).
        """
        meta = self.meta()
        for key, fields in updates.items():
            entry = dict(meta["series"].get(key) or {})
            fields = dict(fields)
            log_entry = fields.pop("log", None)
            entry.update(fields)
            if log_entry is not None:
                entry["log"] = [*entry.get("log", []), log_entry][-LOG_LENGTH:]
            meta["series"][key] = entry
        meta["version"] = META_VERSION
        staged = [
            (path.relative_to(self.root).as_posix(), text.encode("utf-8"))
            for path, text in files.items()
        ]
        staged.append((META_FILE, (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode()))
        journal.commit(self.root, staged)


def check_meta(doc: Any, path: Path) -> None:
    """Refuse metadata that is not ``{"version": 1, "series": {KEY: {FIELD: value, "log":
    [{FIELD: value}, ...]}}}`` with KEY ``lme``, ``catalysts`` or ``prices/SYMBOL`` and every
    value a string, number, boolean or null."""

    def bad(problem: str) -> AluError:
        return AluError(
            f"store metadata {problem}; move it aside to rebuild it (the data files are kept)",
            path=path,
        )

    if not isinstance(doc, dict):
        raise bad("is not a JSON object")
    extra = sorted(set(doc) - {"version", "series"})
    if extra:
        raise bad(f"has an unknown key '{extra[0][:40]}'")
    version = doc.get("version", META_VERSION)
    if type(version) is not int or version != META_VERSION:
        raise bad(f"has version {str(version)[:20]!s}, this alu reads version {META_VERSION}")
    series = doc.get("series")
    if not isinstance(series, dict):
        raise bad("has no 'series' object")
    for key, entry in series.items():
        shown = key[:40]
        if not _SERIES_KEY.match(key):
            raise bad(f"has an unknown series '{shown}'")
        if not isinstance(entry, dict):
            raise bad(f"series '{shown}' is not an object")
        for field, value in entry.items():
            if field == "log":
                if not isinstance(value, list) or len(value) > MAX_LOG_ENTRIES:
                    raise bad(
                        f"series '{shown}': log is not a list of at most {MAX_LOG_ENTRIES} entries"
                    )
                for item in value:
                    if not isinstance(item, dict) or not all(
                        isinstance(v, _SCALAR) for v in item.values()
                    ):
                        raise bad(f"series '{shown}': a log entry is not an object of values")
            elif not isinstance(value, _SCALAR):
                raise bad(f"series '{shown}': field '{field[:40]}' is not a plain value")


def _present(path: Path) -> bool:
    """True when the store has ``path``; refuses one that is not a regular file."""
    journal.check_target(path)
    return os.path.lexists(path)


def report_repairs(notes: list[str]) -> None:
    """Tell the user (on standard error) what was repaired in the store."""
    from alu.output import printable

    for note in notes:
        sys.stderr.write(f"note: {printable(note)}\n")


def holding(frame: pd.DataFrame | None, column: str | None = None) -> str:
    """What a stored series holds, for messages: ``"6084 rows, 2000-01-03..2024-03-08"``.

    With ``column``, only the rows where that column has a value count.
    """
    if frame is None:
        return "nothing"
    index = frame.index if column is None else frame.index[frame[column].notna()]
    if len(index) == 0:
        return "nothing"
    return f"{len(index)} rows, {index[0]:%Y-%m-%d}..{index[-1]:%Y-%m-%d}"

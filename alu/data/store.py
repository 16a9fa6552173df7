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
- **Every write is atomic** (temporary file in the same directory, fsync, ``os.replace``), data
  files first and ``store.json`` last, so an interrupted run never leaves a half-written file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alu.data.market import LME_LEG
from alu.data.schemas import LME_COLUMNS, PRICE_COLUMNS, Parsed, read_lme, read_prices
from alu.errors import AluError
from alu.output import write_text_atomic

META_FILE = "store.json"
META_VERSION = 1
LME_SERIES = "lme"
#: How many past operations the metadata log keeps per series.
LOG_LENGTH = 20
#: Two stored values are the same when they agree to this relative tolerance (text round-trips
#: of the same decimal number are exact; this only absorbs float formatting).
SAME_RTOL = 1e-9

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
            if (whole == np.round(whole)).all():
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
        return read_lme(self.lme_path) if self.lme_path.is_file() else None

    def read_prices(self, symbol: str) -> Parsed | None:
        """The stored bars of ``symbol``, or None when the store has no file for it."""
        path = self.price_path(symbol)
        return read_prices(path) if path.is_file() else None

    def meta(self) -> dict[str, Any]:
        """The metadata (``{"version": 1, "series": {key: {...}}}``); empty when absent."""
        if not self.meta_path.is_file():
            return {"version": META_VERSION, "series": {}}
        try:
            doc = json.loads(self.meta_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise AluError(
                f"unreadable store metadata ({exc}); move it aside to rebuild it",
                path=self.meta_path,
            ) from None
        if not isinstance(doc, dict) or not isinstance(doc.get("series"), dict):
            raise AluError("store metadata has no 'series' object", path=self.meta_path)
        return doc

    def series_meta(self, key: str) -> dict[str, Any]:
        """The metadata of one series (``lme``, ``prices/AA``, ...); empty when unknown."""
        entry = self.meta()["series"].get(key)
        return entry if isinstance(entry, dict) else {}

    def commit(self, files: dict[Path, str], updates: dict[str, dict[str, Any]]) -> None:
        """Write ``files`` (path -> text) atomically, then merge ``updates`` into the metadata.

        ``updates`` maps a series key to fields to set; a ``log`` field is appended to the
        series' log (the newest :data:`LOG_LENGTH` entries are kept).
        """
        meta = self.meta()
        try:
            for path in files:
                path.parent.mkdir(parents=True, exist_ok=True)
            for path, text in files.items():
                write_text_atomic(path, text)
            for key, fields in updates.items():
                entry = dict(meta["series"].get(key) or {})
                log_entry = fields.pop("log", None)
                entry.update(fields)
                if log_entry is not None:
                    entry["log"] = [*entry.get("log", []), log_entry][-LOG_LENGTH:]
                meta["series"][key] = entry
            meta["version"] = META_VERSION
            self.root.mkdir(parents=True, exist_ok=True)
            write_text_atomic(self.meta_path, json.dumps(meta, indent=2, sort_keys=True) + "\n")
        except OSError as exc:
            raise AluError(
                f"cannot write to the store at {self.root}: {exc.strerror or exc}", exit_code=1
            ) from None


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

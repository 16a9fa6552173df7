"""Strict reading of the project's CSV files, with line numbers for every complaint.

Every data file the tool reads (``prices/SYMBOL.csv``, ``lme.csv``, ``catalysts.csv``, imports)
goes through :func:`read_table` and the typed column parsers below, so a bad file is refused the
same way everywhere: one :class:`~alu.errors.AluError` naming the file, the line and the problem.

Accepted and normalised: a UTF-8 byte-order mark, CRLF line endings, blank lines (anywhere),
surrounding whitespace in fields, header names in any case
(see :func:`canonical_header`). Refused: an empty file, a header
with no rows, binary content, a row with more fields than the header.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from alu.errors import AluError

#: Field texts read as a missing value in numeric columns.
MISSING_TEXTS = frozenset({"", "null", "nan", "na", "n/a", "none", "-"})

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")


@dataclass
class Table:
    """The text cells of a CSV file: a header and rows, each row with its physical line number."""

    path: Path
    header: list[str]
    rows: list[list[str]]
    lines: np.ndarray  # int64, 1-based physical line of each row
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def has(self, column: str) -> bool:
        return column in self.header

    def cells(self, column: str) -> list[str]:
        """The text of ``column`` for every row ('' where the row is short)."""
        i = self.header.index(column)
        return [row[i] if i < len(row) else "" for row in self.rows]

    def take(self, keep: np.ndarray) -> Table:
        """The same table with only the rows where ``keep`` is true."""
        rows = [r for r, k in zip(self.rows, keep, strict=True) if k]
        return Table(self.path, self.header, rows, self.lines[keep], list(self.warnings))


def decode_text(raw: bytes, path: Path) -> str:
    """Bytes to text, refusing binary content; strips a UTF-8 byte-order mark."""
    if b"\x00" in raw[:65536]:
        raise AluError("not a text file (binary content)", path=path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise AluError("not a UTF-8 text file (binary content)", path=path, line=line) from None
    control = re.search(r"[\x01-\x08\x0e-\x1f\x7f]", text)
    if control:
        line = text[: control.start()].count("\n") + 1
        raise AluError("not a text file (control characters)", path=path, line=line)
    return text


def read_text(path: Path, *, display: Path | None = None) -> str:
    """The text of a data file (see :func:`decode_text`); a missing file or a directory is
    refused naming ``display`` (defaults to ``path``)."""
    shown = display or path
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise AluError("file not found", path=shown) from None
    except IsADirectoryError:
        raise AluError("is a directory, expected a data file", path=shown) from None
    except PermissionError:
        raise AluError("permission denied", path=shown) from None
    return decode_text(raw, shown)


def read_table(path: Path, *, text: str | None = None, display: Path | None = None) -> Table:
    """Read a CSV file into a :class:`Table`.

    ``text`` may hold the already-decoded content; ``display`` is the path named in messages
    (defaults to ``path``).
    """
    shown = display or path
    if text is None:
        text = read_text(path, display=shown)
    if not text.strip():
        raise AluError("file is empty", path=shown)
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for record in reader:
            if not record or all(not cell.strip() for cell in record):
                continue
            cells = [cell.strip() for cell in record]
            if header is None:
                header = cells
                _check_header(header, shown, reader.line_num)
                continue
            if len(cells) > len(header):
                extra = cells[len(header) :]
                if any(extra):
                    raise AluError(
                        f"{len(cells)} fields but the header has {len(header)}",
                        path=shown,
                        line=reader.line_num,
                    )
                cells = cells[: len(header)]
            rows.append(cells)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise AluError(f"malformed CSV ({exc})", path=shown, line=reader.line_num) from None
    if header is None:
        raise AluError("file is empty", path=shown)
    if not rows:
        raise AluError("header but no data rows", path=shown)
    return Table(shown, header, rows, np.asarray(lines, dtype=np.int64))


def _check_header(header: list[str], path: Path, line: int) -> None:
    seen: set[str] = set()
    for name in header:
        if not name:
            raise AluError("empty column name in the header", path=path, line=line)
        if name.lower() in seen:
            raise AluError(f"column '{name}' appears twice in the header", path=path, line=line)
        seen.add(name.lower())


def refuse_first(table: Table, bad: np.ndarray, message: str | Callable[[int], str]) -> None:
    """Refuse the file at the first row where ``bad`` is true (do nothing when none is).

    ``message`` is the problem, or a function of the offending row's index that words it.
    """
    if not bad.any():
        return
    i = int(np.argmax(bad))
    text = message(i) if callable(message) else message
    raise AluError(text, path=table.path, line=int(table.lines[i]))


def canonical_header(table: Table, names: Iterable[str]) -> None:
    """Rename header cells that match ``names`` case-insensitively to their canonical spelling."""
    by_lower = {n.lower(): n for n in names}
    table.header = [by_lower.get(h.lower(), h) for h in table.header]


def require_columns(table: Table, required: Iterable[str], *, what: str) -> None:
    """Refuse the file when a required column is absent."""
    missing = [c for c in required if not table.has(c)]
    if missing:
        cols = ", ".join(missing)
        found = ", ".join(table.header)
        raise AluError(
            f"missing required column{'s' if len(missing) > 1 else ''} {cols} for {what} "
            f"(found: {found})",
            path=table.path,
            line=1,
        )


def parse_dates(table: Table, column: str, *, allow_missing: bool = False) -> pd.DatetimeIndex:
    """An ISO date column (``YYYY-MM-DD``, optionally followed by a time) as a DatetimeIndex.

    Any time or UTC offset after the date is ignored: daily bars are dated by their trading day.
    With ``allow_missing`` an empty cell becomes ``NaT``; otherwise it is refused.
    """
    cells = table.cells(column)
    days: list[str | None] = []
    for cell, line in zip(cells, table.lines, strict=True):
        if not cell and allow_missing:
            days.append(None)
            continue
        if not _ISO_DATE.match(cell):
            shown = cell if cell else "(empty)"
            raise AluError(
                f"unparseable date '{shown}' in column {column} (expected YYYY-MM-DD)",
                path=table.path,
                line=int(line),
            )
        days.append(cell[:10])
    parsed = pd.to_datetime(pd.Series(days, dtype=object), format="%Y-%m-%d", errors="coerce")
    bad = (parsed.isna() & pd.Series([d is not None for d in days])).to_numpy()
    refuse_first(
        table, bad, lambda i: f"unparseable date '{cells[i]}' in column {column} (no such day)"
    )
    return pd.DatetimeIndex(parsed.to_numpy(), name="date")


def parse_numbers(
    table: Table,
    column: str,
    *,
    positive: bool = False,
    allow_missing: bool = True,
    what: str = "value",
) -> np.ndarray:
    """A numeric column as float64, with missing texts (``''``, ``null``, ``NaN``...) as NaN.

    Refuses non-numeric text, missing values when ``allow_missing`` is false, and zero or negative
    values when ``positive`` is true, naming the first offending line.
    """
    cells = table.cells(column)
    out = _fast_floats(cells)
    if out is None:
        out = _floats_with_line_numbers(table, column, cells)
    missing = np.isnan(out)
    if not allow_missing:
        refuse_first(table, missing, f"missing {what} in column {column}")
    if positive:
        refuse_first(
            table,
            ~missing & (out <= 0),
            lambda i: f"zero or negative {what} {cells[i]} in column {column}",
        )
    return out


def _fast_floats(cells: list[str]) -> np.ndarray | None:
    """All cells as floats in one vectorised step, or None when any cell needs a closer look."""
    texts = np.array(cells, dtype=object)
    lowered = np.char.lower(texts.astype(str))
    missing = np.isin(lowered, list(MISSING_TEXTS))
    try:
        values = np.where(missing, "nan", texts).astype(np.float64)
    except ValueError:
        return None
    if not np.isfinite(values[~missing]).all() or np.isnan(values[~missing]).any():
        return None
    return values


def _floats_with_line_numbers(table: Table, column: str, cells: list[str]) -> np.ndarray:
    """The slow path: cell by cell, refusing the first bad one with its line number."""
    out = np.empty(len(cells), dtype=np.float64)
    for i, cell in enumerate(cells):
        if cell.lower() in MISSING_TEXTS:
            out[i] = np.nan
            continue
        try:
            value = float(cell)
        except ValueError:
            raise AluError(
                f"non-numeric text '{cell}' in column {column}",
                path=table.path,
                line=int(table.lines[i]),
            ) from None
        if not np.isfinite(value):
            raise AluError(
                f"non-finite number '{cell}' in column {column}",
                path=table.path,
                line=int(table.lines[i]),
            )
        out[i] = value
    return out


def dedupe_by_date(
    frame: pd.DataFrame, lines: np.ndarray, path: Path
) -> tuple[pd.DataFrame, np.ndarray, int]:
    """Sort by date, drop exact duplicate rows, refuse the same date with conflicting values.

    ``frame`` is indexed by date; ``lines`` are the rows' line numbers. Returns the cleaned frame,
    its line numbers and how many exact duplicates were dropped.
    """
    order = np.argsort(frame.index.to_numpy(), kind="stable")
    frame = frame.iloc[order]
    lines = lines[order]
    dup = frame.index.duplicated(keep="first")
    if not dup.any():
        return frame, lines, 0
    values = frame.to_numpy(dtype=object)
    keep = np.ones(len(frame), dtype=bool)
    first_of: dict[pd.Timestamp, int] = {}
    for i, day in enumerate(frame.index):
        j = first_of.setdefault(day, i)
        if j == i:
            continue
        if not _same_row(values[i], values[j]):
            raise AluError(
                f"date {day:%Y-%m-%d} appears twice with different values "
                f"(first on line {int(lines[j])})",
                path=path,
                line=int(lines[i]),
            )
        keep[i] = False
    return frame.iloc[keep], lines[keep], int((~keep).sum())


def _same_row(a: np.ndarray, b: np.ndarray) -> bool:
    for x, y in zip(a, b, strict=True):
        x_missing = x is None or (isinstance(x, float) and np.isnan(x))
        y_missing = y is None or (isinstance(y, float) and np.isnan(y))
        if x_missing and y_missing:
            continue
        if x_missing != y_missing or x != y:
            return False
    return True

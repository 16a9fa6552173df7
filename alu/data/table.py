"""Strict, bounded and fast reading of the project's CSV files, with line numbers for every
complaint.

Every data file the tool reads (``prices/SYMBOL.csv``, ``lme.csv``, ``catalysts.csv``, imports)
goes through :func:`read_text` and :func:`read_table` and the typed column parsers below, so a bad
file is refused the same way everywhere: one :class:`~alu.errors.AluError` naming the file, the
line and the problem.

- **Only regular files are read** (a symbolic link to one is fine): a directory, a device such as
  ``/dev/zero``, a FIFO or a socket is refused without reading a byte (the file is opened with
  ``O_NONBLOCK``, so a FIFO cannot block the open), and so is a file larger than
  :data:`MAX_DATA_BYTES`.
- Accepted and normalised: a UTF-8 byte-order mark, CRLF line endings, blank lines (anywhere),
  surrounding whitespace in fields, header names in any case (see :func:`canonical_header`).
  Refused: an empty file, a header with no rows, binary content or control characters, a row
  with more fields than the header, an unclosed quote.
- **Numbers** are plain ASCII decimals (``-12.5``, ``3e6``): no ``1_000``, no thousands
  separators, no digits of other scripts, no ``inf``; ``''``, ``null``, ``NaN``, ``n/a``,
  ``none`` and ``-`` are missing values. **Dates** are ``YYYY-MM-DD``, optionally followed by a
  time and a UTC offset (``2024-03-04 00:00:00-05:00``), nothing else, between
  :data:`FIRST_DAY` and a year after today (see :func:`last_day`).

Large files are read by pandas' C parser when they hold no quote character (every real price and
LME file), with each row keeping its physical line; anything unusual falls back to the
standard library's ``csv`` reader, which words the refusal. Dates and number texts are checked
once per distinct text, so a file of repeated rows costs little more than its distinct rows.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from alu.errors import AluError
from alu.files import MAX_DATA_BYTES, read_bytes

#: Field texts read as a missing value in numeric columns (compared lower-cased).
MISSING_TEXTS = frozenset({"", "null", "nan", "na", "n/a", "none", "-"})
#: The largest data file read (256 MiB; the real price files are 0.5 MB, the LME record 0.2 MB).
#: The first day a data file may hold.
FIRST_DAY = pd.Timestamp("1900-01-01")

_ISO_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?\s?(?:Z|UTC|[+-]\d{2}:?\d{2})?)?$",
    re.ASCII,
)
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$", re.ASCII)
_CONTROL = re.compile(r"[\x01-\x08\x0e-\x1f\x7f\x80-\x9f]")
_BLANK_LINE = re.compile(r"^[ \t,]*\r?$", re.MULTILINE)


def last_day(*, years_ahead: int = 1) -> pd.Timestamp:
    """The last day a data file may hold: ``years_ahead`` years after today."""
    today = date.today()
    try:
        return pd.Timestamp(today.replace(year=today.year + years_ahead))
    except ValueError:  # 29 February
        return pd.Timestamp(today.replace(year=today.year + years_ahead, day=28))


@dataclass
class Table:
    """The cells of a CSV file: a header and columns, each row with its physical line number.

    A column is held as text (an object array of stripped strings) or, when the fast reader
    parsed it, as numbers (float64, missing values NaN).
    """

    path: Path
    header: list[str]
    texts: list[np.ndarray | None]
    numbers: list[np.ndarray | None]
    lines: np.ndarray  # int64, 1-based physical line of each row
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def from_rows(
        cls, path: Path, header: list[str], rows: list[list[str]], lines: Iterable[int]
    ) -> Table:
        """A table from text rows (short rows are padded with empty cells)."""
        width = len(header)
        texts = []
        for i in range(width):
            column = np.empty(len(rows), dtype=object)
            column[:] = [row[i] if i < len(row) else "" for row in rows]
            texts.append(column)
        return cls(path, list(header), texts, [None] * width, np.asarray(list(lines), np.int64))

    def __len__(self) -> int:
        return len(self.lines)

    @property
    def rows(self) -> list[list[str]]:
        """The cells row by row, as text (for tests and small tables)."""
        columns = [self.cells(name) for name in self.header]
        return [[str(c[i]) for c in columns] for i in range(len(self))]

    def has(self, column: str) -> bool:
        return column in self.header

    def cells(self, column: str) -> np.ndarray:
        """The text of ``column`` for every row (numbers parsed early are shown as numbers)."""
        i = self.header.index(column)
        text = self.texts[i]
        if text is not None:
            return text
        out = np.empty(len(self), dtype=object)
        out[:] = [_show_number(v) for v in self.numbers[i]]  # type: ignore[union-attr]
        return out

    def parsed_numbers(self, column: str) -> np.ndarray | None:
        """``column`` as numbers when the fast reader already parsed it, else None."""
        return self.numbers[self.header.index(column)]

    def take(self, keep: np.ndarray) -> Table:
        """The same table with only the rows where ``keep`` is true."""
        return Table(
            self.path,
            self.header,
            [None if t is None else t[keep] for t in self.texts],
            [None if n is None else n[keep] for n in self.numbers],
            self.lines[keep],
            list(self.warnings),
        )


def _show_number(value: float) -> str:
    if value != value:
        return ""
    if not np.isfinite(value):
        return repr(float(value))
    return f"{value:.0f}" if value == round(value) and abs(value) < 1e16 else repr(float(value))


# -- reading bytes and text ------------------------------------------------------------------


def decode_text(raw: bytes | bytearray, path: Path) -> str:
    """Bytes to text, refusing binary content; strips a UTF-8 byte-order mark."""
    if b"\x00" in raw:
        raise AluError("not a text file (binary content)", path=path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise AluError("not a UTF-8 text file (binary content)", path=path, line=line) from None
    control = _CONTROL.search(text)
    if control:
        line = text[: control.start()].count("\n") + 1
        raise AluError("not a text file (control characters)", path=path, line=line)
    return text


def read_text(path: Path, *, display: Path | None = None, limit: int = MAX_DATA_BYTES) -> str:
    """The text of a data file (see :func:`read_bytes` and :func:`decode_text`), naming
    ``display`` (defaults to ``path``) in refusals."""
    shown = display or path
    return decode_text(read_bytes(path, display=shown, limit=limit), shown)


# -- CSV -------------------------------------------------------------------------------------


def read_table(
    path: Path,
    *,
    text: str | None = None,
    display: Path | None = None,
    numeric: Iterable[str] = (),
) -> Table:
    """Read a CSV file into a :class:`Table`.

    ``text`` may hold the already-decoded content; ``display`` is the path named in messages
    (defaults to ``path``); ``numeric`` names columns (any case) the fast reader may parse as
    numbers right away.
    """
    shown = display or path
    if text is None:
        text = read_text(path, display=shown)
    if not text.strip():
        raise AluError("file is empty", path=shown)
    table = _fast_table(text, shown, {n.lower() for n in numeric})
    return table if table is not None else _csv_table(text, shown)


def _csv_table(text: str, shown: Path) -> Table:
    """The standard library's reader: any CSV, each refusal worded with its line."""
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True, strict=True)
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
        problem = str(exc)
        if "unexpected end of data" in problem or "EOF" in problem:
            problem = "a quote is never closed"
        raise AluError(f"malformed CSV ({problem})", path=shown, line=reader.line_num) from None
    if header is None:
        raise AluError("file is empty", path=shown)
    if not rows:
        raise AluError("header but no data rows", path=shown)
    return Table.from_rows(shown, header, rows, lines)


def _fast_table(text: str, shown: Path, numeric: set[str]) -> Table | None:
    """pandas' C reader on a plain file (no quotes, no lone CR): one row per physical line.

    Returns None whenever anything is unusual, for :func:`_csv_table` to read and word it.
    """
    if '"' in text or text.count("\r") != text.count("\r\n"):
        return None
    header_line, header = _header(text)
    if header is None:
        return None
    _check_header(header, shown, header_line)
    if len(header) < 2:
        return None
    skip = header_line  # physical lines up to and including the header
    dtypes: dict[int, object] = {}
    na_values: dict[int, list[str]] = {}
    for i, name in enumerate(header):
        if name.lower() in numeric:
            dtypes[i] = "float64"
            na_values[i] = sorted(_MISSING_SPELLINGS)
        else:
            dtypes[i] = "category"  # each distinct text stored once
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            frame = pd.read_csv(
                io.BytesIO(text.encode("utf-8")),  # bytes: 1 byte a character, not StringIO's 4
                encoding="utf-8",
                header=None,
                skiprows=skip,
                dtype=dtypes,
                keep_default_na=False,
                na_values=na_values,
                skip_blank_lines=False,
                skipinitialspace=True,
                quoting=csv.QUOTE_NONE,
                engine="c",
                index_col=False,
            )
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError, Warning):
        return None
    if frame.shape[1] != len(header):
        return None
    n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if len(frame) != n_lines - skip:
        return None
    texts: list[np.ndarray | None] = []
    numbers: list[np.ndarray | None] = []
    for i in range(len(header)):
        column = frame.iloc[:, i]
        if i in na_values:
            values = column.to_numpy(dtype=np.float64)
            if np.isinf(values).any():
                return None  # 'inf' or an overflow: the strict reader words it with its text
            texts.append(None)
            numbers.append(values)
        else:
            categories = column.cat.categories
            if len(categories) and not pd.api.types.is_string_dtype(categories.dtype):
                return None  # pandas made numbers of an all-numeric text column: keep the text
            values = np.empty(len(column), dtype=object)
            values[:] = ""
            codes = column.cat.codes.to_numpy()
            known = codes >= 0
            values[known] = np.asarray(categories, dtype=object)[codes[known]]
            texts.append(values)
            numbers.append(None)
    lines = np.arange(skip + 1, skip + 1 + len(frame), dtype=np.int64)
    table = Table(shown, header, texts, numbers, lines)
    blank = _blank_rows(table)
    if blank.any():
        blank_lines = _blank_line_numbers(text)
        if not np.isin(lines[blank], blank_lines).all():
            return None  # a row of missing-value words, not a blank line: let csv word it
        table = table.take(~blank)
    if len(table) == 0:
        raise AluError("header but no data rows", path=shown)
    return table


_MISSING_SPELLINGS = frozenset(
    spelling
    for word in MISSING_TEXTS
    for spelling in (word, word.upper(), word.title(), word.capitalize())
) | {"NaN", "N/A", "NA", "nan", "NAN"}


def _header(text: str) -> tuple[int, list[str] | None]:
    """The first non-blank line (1-based) and its cells (without copying the text)."""
    start = 0
    for number in range(1, 10_001):
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        cells = [cell.strip() for cell in line.rstrip("\r").split(",")]
        if any(cells):
            while cells and not cells[-1]:
                cells.pop()  # a trailing comma
            return number, cells
        if end < 0:
            break
        start = end + 1
    return 0, None


def distinct_texts(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, texts)``: each cell is ``texts[codes[i]]``, stripped of surrounding whitespace.

    Checking each distinct text once keeps a file of repeated rows fast.
    """
    codes, uniques = pd.factorize(cells, sort=False, use_na_sentinel=False)
    texts = np.empty(len(uniques), dtype=object)
    texts[:] = [str(u).strip() for u in uniques]
    return codes, texts


def _blank_rows(table: Table) -> np.ndarray:
    blank = np.ones(len(table), dtype=bool)
    for text, numbers in zip(table.texts, table.numbers, strict=True):
        if text is not None:
            codes, texts = distinct_texts(text)
            blank &= (texts == "")[codes]
        else:
            blank &= np.isnan(numbers)  # type: ignore[arg-type]
        if not blank.any():
            break
    return blank


def _blank_line_numbers(text: str) -> np.ndarray:
    found = []
    line, last = 1, 0
    for match in _BLANK_LINE.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        found.append(line)
    return np.asarray(found, dtype=np.int64)


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


# -- typed columns ---------------------------------------------------------------------------


def parse_dates(
    table: Table,
    column: str,
    *,
    allow_missing: bool = False,
    last: pd.Timestamp | None = None,
) -> pd.DatetimeIndex:
    """An ISO date column (``YYYY-MM-DD``, optionally followed by a time) as a DatetimeIndex.

    Any time or UTC offset after the date is ignored: daily bars are dated by their trading day.
    With ``allow_missing`` an empty cell becomes ``NaT``; otherwise it is refused. Days before
    :data:`FIRST_DAY` or after ``last`` (default :func:`last_day`) are refused.
    """
    cells = table.cells(column)
    codes, uniques = distinct_texts(cells)
    days = np.full(len(uniques), np.datetime64("NaT"), dtype="datetime64[us]")
    problem: dict[int, str] = {}
    for k, cell in enumerate(uniques):
        if not cell:
            if not allow_missing:
                problem[k] = f"unparseable date '(empty)' in column {column} (expected YYYY-MM-DD)"
            continue
        match = _ISO_DATE.match(cell)
        if not match:
            problem[k] = f"unparseable date '{cell}' in column {column} (expected YYYY-MM-DD)"
            continue
        try:
            day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            problem[k] = f"unparseable date '{cell}' in column {column} (no such day)"
            continue
        days[k] = np.datetime64(day, "us")
    if problem:
        bad = np.isin(codes, list(problem))
        refuse_first(table, bad, lambda i: problem[int(codes[i])])
    values = days[codes]
    last = last_day() if last is None else last
    present = ~np.isnat(values)
    refuse_first(
        table,
        present & (values < np.datetime64(FIRST_DAY.date(), "us")),
        lambda i: f"date {cells[i]} in column {column} is before {FIRST_DAY:%Y-%m-%d}",
    )
    refuse_first(
        table,
        present & (values > np.datetime64(last.date(), "us")),
        lambda i: (
            f"date {cells[i]} in column {column} is after {last:%Y-%m-%d} (a year after today)"
        ),
    )
    return pd.DatetimeIndex(values, name="date")


def parse_numbers(
    table: Table,
    column: str,
    *,
    positive: bool = False,
    allow_missing: bool = True,
    what: str = "value",
    minimum: float | None = None,
    below: float | None = None,
    unit: str = "",
) -> np.ndarray:
    """A numeric column as float64, with missing texts (``''``, ``null``, ``NaN``...) as NaN.

    Refuses text that is not a plain ASCII decimal number, non-finite numbers, missing values
    when ``allow_missing`` is false, zero or negative values when ``positive`` is true, values
    under ``minimum`` and values not under ``below``, naming the first offending line.
    """
    out = table.parsed_numbers(column)
    if out is None:
        out = _parse_number_texts(table, column)
    elif not np.isfinite(out[~np.isnan(out)]).all():
        refuse_first(
            table,
            np.isinf(out),
            lambda i: f"non-finite number '{table.cells(column)[i]}' in column {column}",
        )
    missing = np.isnan(out)
    if not allow_missing:
        refuse_first(table, missing, f"missing {what} in column {column}")
    shown = table.cells if positive or minimum is not None or below is not None else None
    if positive:
        refuse_first(
            table,
            ~missing & (out <= 0),
            lambda i: f"zero or negative {what} {shown(column)[i]} in column {column}",  # type: ignore[misc]
        )
    if minimum is not None:
        refuse_first(
            table,
            ~missing & (out < minimum),
            lambda i: (
                f"{what} {shown(column)[i]} in column {column} is below "  # type: ignore[misc]
                f"{minimum:g}{unit}"
            ),
        )
    if below is not None:
        refuse_first(
            table,
            ~missing & (out >= below),
            lambda i: (
                f"{what} {shown(column)[i]} in column {column} is not below "  # type: ignore[misc]
                f"{below:g}{unit} (no market figure is that large)"
            ),
        )
    return out


def _parse_number_texts(table: Table, column: str) -> np.ndarray:
    """Strict number texts, checked once per distinct text, the first bad one refused."""
    cells = table.cells(column)
    codes, uniques = distinct_texts(cells)
    values = np.full(len(uniques), np.nan, dtype=np.float64)
    problem: dict[int, str] = {}
    for k, cell in enumerate(uniques):
        if cell.lower() in MISSING_TEXTS:
            continue
        if not _NUMBER.match(cell):
            problem[k] = f"non-numeric text '{cell}' in column {column}"
            continue
        value = float(cell)
        if not np.isfinite(value):
            problem[k] = f"non-finite number '{cell}' in column {column}"
            continue
        values[k] = value
    if problem:
        refuse_first(table, np.isin(codes, list(problem)), lambda i: problem[int(codes[i])])
    return values[codes]


def dedupe_by_date(
    frame: pd.DataFrame, lines: np.ndarray, path: Path
) -> tuple[pd.DataFrame, np.ndarray, int]:
    """Sort by date, drop exact duplicate rows, refuse the same date with conflicting values.

    ``frame`` is indexed by date with numeric columns; ``lines`` are the rows' line numbers.
    Returns the cleaned frame, its line numbers and how many exact duplicates were dropped.
    """
    columns = {c: frame[c].to_numpy(dtype=np.float64) for c in frame.columns}
    keep, dropped = dedupe_rows(frame.index.to_numpy(), columns, lines, path)
    return frame.iloc[keep], lines[keep], dropped


def dedupe_rows(
    days: np.ndarray, columns: dict[str, np.ndarray], lines: np.ndarray, path: Path
) -> tuple[np.ndarray, int]:
    """The positions of the rows to keep, in date order, and how many exact duplicates were
    dropped; refuses one date with different values (NaN equals NaN), naming both lines.

    Column by column on arrays, so a file of millions of repeated rows never becomes a frame.
    """
    order = np.argsort(days, kind="stable")
    sorted_days = days[order]
    dup = np.zeros(len(order), dtype=bool)
    dup[1:] = sorted_days[1:] == sorted_days[:-1]
    if not dup.any():
        return order, 0
    # The first row of each date: positions are sorted by date, so it is the last "first" seen.
    first = np.maximum.accumulate(np.where(dup, 0, np.arange(len(order))))
    mine, theirs = order[dup], order[first[dup]]
    differs = np.zeros(len(mine), dtype=bool)
    for values in columns.values():
        a, b = values[mine], values[theirs]
        differs |= ~((a == b) | (np.isnan(a) & np.isnan(b)))
    if differs.any():
        k = int(np.argmax(differs))
        i, j = int(mine[k]), int(theirs[k])
        raise AluError(
            f"date {pd.Timestamp(days[i]):%Y-%m-%d} appears twice with different values "
            f"(first on line {int(lines[j])})",
            path=path,
            line=int(lines[i]),
        )
    return order[~dup], int(dup.sum())

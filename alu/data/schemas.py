"""The three file formats of a data dir, parsed and validated into frames.

- ``prices/SYMBOL.csv``: ``Date,Open,High,Low,Close[,Adj Close][,Volume]`` (the Yahoo download
  format). Prices in the instrument's currency (US$ per share; ``ALI=F`` in US$ per tonne).
- ``lme.csv``: ``date,cash_settlement,three_month,lme_stock[,on_warrant][,cancelled_warrants]``;
  prices in US$/t, stocks in tonnes.
- ``catalysts.csv``: ``date,name,kind[,announced][,window_before][,window_after][,source]``.

Each reader returns a frame indexed by ``date`` (sorted, unique) and a list of warnings about what
it normalised (exact duplicate rows dropped, missing values kept as missing). Anything it cannot
accept raises :class:`~alu.errors.AluError` naming the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from alu.data.table import (
    Table,
    canonical_header,
    dedupe_by_date,
    parse_dates,
    parse_numbers,
    read_table,
    refuse_first,
    require_columns,
)
from alu.errors import AluError

PRICE_COLUMNS = ("Date", "Open", "High", "Low", "Close", "Adj Close", "Volume")
PRICE_REQUIRED = ("Date", "Open", "High", "Low", "Close")
LME_COLUMNS = (
    "date",
    "cash_settlement",
    "three_month",
    "lme_stock",
    "on_warrant",
    "cancelled_warrants",
)
LME_REQUIRED = LME_COLUMNS[:4]
CATALYST_COLUMNS = ("date", "name", "kind", "announced", "window_before", "window_after", "source")
CATALYST_REQUIRED = CATALYST_COLUMNS[:3]


@dataclass
class Parsed:
    """A validated file: its frame (indexed by date), the rows' line numbers and warnings."""

    path: Path
    frame: pd.DataFrame
    lines: np.ndarray
    warnings: list[str]


def read_prices(path: Path, *, table: Table | None = None) -> Parsed:
    """Read a Yahoo-format daily price file.

    Columns kept: those of :data:`PRICE_COLUMNS` present in the file (extra columns are ignored).
    Prices must be positive where present; a missing price is kept as missing and counted in a
    warning. Volume must be non-negative.
    """
    table = table if table is not None else read_table(path)
    canonical_header(table, PRICE_COLUMNS)
    require_columns(table, PRICE_REQUIRED, what="a price file")
    index = parse_dates(table, "Date")
    data: dict[str, np.ndarray] = {}
    for column in PRICE_COLUMNS[1:]:
        if not table.has(column):
            continue
        if column == "Volume":
            values = parse_numbers(table, column, what="volume")
            refuse_first(table, values < 0, f"negative volume in column {column}")
        else:
            values = parse_numbers(table, column, positive=True, what="price")
        data[column] = values
    frame = pd.DataFrame(data, index=index)
    return _finish(table, frame, what="price")


def read_lme(path: Path, *, table: Table | None = None) -> Parsed:
    """Read an LME aluminium file: cash settlement and 3-month prices ($/t), stocks (tonnes).

    Prices must be positive and stocks non-negative where present; missing values are kept as
    missing (a gap in ``three_month`` is common in the real record) and counted in a warning.
    """
    table = table if table is not None else read_table(path)
    canonical_header(table, LME_COLUMNS)
    require_columns(table, LME_REQUIRED, what="an LME file")
    index = parse_dates(table, "date")
    data: dict[str, np.ndarray] = {}
    for column in LME_COLUMNS[1:]:
        if not table.has(column):
            continue
        is_price = column in ("cash_settlement", "three_month")
        values = parse_numbers(
            table, column, positive=is_price, what="price" if is_price else "stock"
        )
        if not is_price:
            refuse_first(table, values < 0, f"negative stock in column {column}")
        data[column] = values
    frame = pd.DataFrame(data, index=index)
    return _finish(table, frame, what="LME")


def read_catalysts(path: Path, *, table: Table | None = None) -> Parsed:
    """Read a catalyst calendar.

    ``announced`` (when the event and its date became public; defaults to ``date``) must not be
    after ``date``; ``window_before``/``window_after`` are whole calendar days >= 0 overriding the
    signal's defaults for that event (empty: use the defaults).
    """
    table = table if table is not None else read_table(path)
    canonical_header(table, CATALYST_COLUMNS)
    require_columns(table, CATALYST_REQUIRED, what="a catalyst calendar")
    index = parse_dates(table, "date")
    names = table.cells("name")
    for name, line in zip(names, table.lines, strict=True):
        if not name:
            raise AluError("empty event name", path=table.path, line=int(line))
    frame = pd.DataFrame(
        {"name": names, "kind": [k.lower() for k in table.cells("kind")]}, index=index
    )
    announced = index.to_numpy()
    if table.has("announced"):
        given = parse_dates(table, "announced", allow_missing=True).to_numpy()
        announced = np.where(np.isnat(given), announced, given)
    frame["announced"] = announced
    late = frame["announced"].to_numpy() > index.to_numpy()
    refuse_first(table, late, "announced date is after the event date")
    for column in ("window_before", "window_after"):
        if table.has(column):
            values = parse_numbers(table, column, what="window")
            bad = ~np.isnan(values) & ((values < 0) | (values != np.round(values)))
            refuse_first(table, bad, f"{column} must be a whole number of days >= 0")
            frame[column] = values
        else:
            frame[column] = np.nan
    frame["source"] = table.cells("source") if table.has("source") else ""
    lines = table.lines
    order = np.lexsort((frame["name"].to_numpy(), frame.index.to_numpy()))
    frame = frame.iloc[order]
    lines = lines[order]
    keyed = frame.set_index("name", append=True)
    dup = keyed.index.duplicated()
    warnings = []
    if dup.any():
        frame = frame.iloc[~dup]
        lines = lines[~dup]
        warnings.append(f"{table.path}: {int(dup.sum())} repeated event rows ignored")
    return Parsed(table.path, frame, lines, warnings)


def _finish(table: Table, frame: pd.DataFrame, *, what: str) -> Parsed:
    frame, lines, dropped = dedupe_by_date(frame, table.lines, table.path)
    warnings: list[str] = []
    if dropped:
        warnings.append(f"{table.path}: {dropped} exact duplicate rows dropped")
    for column in frame.columns:
        if column == "Volume":
            continue
        missing = int(frame[column].isna().sum())
        if missing and missing < len(frame):
            warnings.append(
                f"{table.path}: {missing} rows with a missing {column} (kept as missing)"
            )
    return Parsed(table.path, frame, lines, warnings)

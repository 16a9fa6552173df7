"""The three file formats of a data dir, parsed and validated into frames.

- ``prices/SYMBOL.csv``: ``Date,Open,High,Low,Close[,Adj Close][,Volume]`` (the Yahoo download
  format). Prices in the instrument's currency (US$ per share; ``ALI=F`` in US$ per tonne).
- ``lme.csv``: ``date,cash_settlement,three_month,lme_stock[,on_warrant][,cancelled_warrants]``;
  prices in US$/t, stocks in tonnes.
- ``catalysts.csv``: ``date,name,kind[,announced][,window_before][,window_after][,source]``.

Each reader returns a frame indexed by ``date`` (sorted, unique) and a list of warnings about what
it normalised (exact duplicate rows dropped, missing values kept as missing, a column with no
value at all). Anything it cannot accept raises :class:`~alu.errors.AluError` naming the file and
line.

**Sanity bounds** (values no market ever printed are refused, with their line): dates from
1900-01-01 to a year after today (catalyst dates up to :data:`CATALYST_YEARS_AHEAD` years);
prices from :data:`MIN_PRICE` (the 6th decimal prices are stored with) to below
:data:`MAX_PRICE`; stocks 0, or from :data:`MIN_STOCK_T` to below :data:`MAX_STOCK_T` tonnes;
volumes from 0 to below :data:`MAX_VOLUME`; and on every price row ``High >= max(Open, Close)`` and
``min(Open, Close) >= Low`` within :data:`OHLC_RTOL` (relative) plus :data:`OHLC_ATOL`
(absolute): rounding, not a typo. The softer data-quality findings of :mod:`alu.data.quality`
stay warnings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from alu.data.table import (
    Table,
    canonical_header,
    dedupe_rows,
    last_day,
    parse_dates,
    parse_numbers,
    read_table,
    refuse_first,
    require_columns,
)

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

#: The smallest price accepted: prices are stored with 6 decimals.
MIN_PRICE = 1e-6
#: Prices must be below this (in the instrument's currency, or $/t).
MAX_PRICE = 1e7
#: LME stocks (tonnes) must be below this...
MAX_STOCK_T = 1e9
#: ... and, unless zero, at least this (a kilogram: the LME counts whole tonnes).
MIN_STOCK_T = 1e-3
#: Daily volumes (shares or contracts) must be below this.
MAX_VOLUME = 1e13
#: OHLC consistency is checked within this relative tolerance of the High...
OHLC_RTOL = 1e-6
#: ... plus this absolute one (half a unit of the 6th stored decimal).
OHLC_ATOL = 5e-7
#: Catalyst events may be announced this many years ahead.
CATALYST_YEARS_AHEAD = 10


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
    Prices must lie within the bounds of the module docstring where present; a missing price is
    kept as missing and counted in a warning. Volume must be non-negative and below
    :data:`MAX_VOLUME`. High and Low must bracket Open and Close.
    """
    table = table if table is not None else read_table(path, numeric=PRICE_COLUMNS[1:])
    canonical_header(table, PRICE_COLUMNS)
    require_columns(table, PRICE_REQUIRED, what="a price file")
    index = parse_dates(table, "Date")
    data: dict[str, np.ndarray] = {}
    for column in PRICE_COLUMNS[1:]:
        if not table.has(column):
            continue
        if column == "Volume":
            values = parse_numbers(table, column, what="volume", below=MAX_VOLUME)
            refuse_first(table, values < 0, f"negative volume in column {column}")
        else:
            values = parse_numbers(
                table, column, positive=True, what="price", minimum=MIN_PRICE, below=MAX_PRICE
            )
        data[column] = values
    _check_ohlc(table, data)
    return _finish(table, index, data)


def _check_ohlc(table: Table, data: dict[str, np.ndarray]) -> None:
    """Refuse a row whose High is below Open or Close, or whose Low is above them."""
    high, low = data["High"], data["Low"]
    for column in ("Open", "Close"):
        value = data[column]
        with np.errstate(invalid="ignore"):
            tol = OHLC_RTOL * np.fmax(high, value) + OHLC_ATOL
            above = value > high + tol
            under = value < low - tol
        refuse_first(
            table,
            above,
            lambda i, c=column, v=value: f"High {_show(high[i])} is below {c} {_show(v[i])}",
        )
        refuse_first(
            table,
            under,
            lambda i, c=column, v=value: f"Low {_show(low[i])} is above {c} {_show(v[i])}",
        )
    with np.errstate(invalid="ignore"):
        crossed = low > high + OHLC_RTOL * high + OHLC_ATOL
    refuse_first(table, crossed, lambda i: f"Low {_show(low[i])} is above High {_show(high[i])}")


def _show(value: float) -> str:
    return f"{value:.10g}"


def read_lme(path: Path, *, table: Table | None = None) -> Parsed:
    """Read an LME aluminium file: cash settlement and 3-month prices ($/t), stocks (tonnes).

    Prices and stocks must lie within the bounds of the module docstring where present; missing
    values are kept as missing (a gap in ``three_month`` is common in the real record) and
    counted in a warning.
    """
    table = table if table is not None else read_table(path, numeric=LME_COLUMNS[1:])
    canonical_header(table, LME_COLUMNS)
    require_columns(table, LME_REQUIRED, what="an LME file")
    index = parse_dates(table, "date")
    data: dict[str, np.ndarray] = {}
    for column in LME_COLUMNS[1:]:
        if not table.has(column):
            continue
        is_price = column in ("cash_settlement", "three_month")
        if is_price:
            values = parse_numbers(
                table, column, positive=True, what="price", minimum=MIN_PRICE, below=MAX_PRICE
            )
        else:
            values = parse_numbers(table, column, what="stock", below=MAX_STOCK_T, unit=" t")
            refuse_first(table, values < 0, f"negative stock in column {column}")
            refuse_first(
                table,
                (values > 0) & (values < MIN_STOCK_T),
                lambda i, c=column, v=values: (
                    f"stock {v[i]:g} t in column {c} is below {MIN_STOCK_T:g} t (and not zero)"
                ),
            )
        data[column] = values
    return _finish(table, index, data)


def read_catalysts(path: Path, *, table: Table | None = None) -> Parsed:
    """Read a catalyst calendar.

    ``announced`` (when the event and its date became public; defaults to ``date``) must not be
    after ``date``; ``window_before``/``window_after`` are whole calendar days >= 0 overriding the
    signal's defaults for that event (empty: use the defaults).
    """
    table = table if table is not None else read_table(path, numeric=CATALYST_COLUMNS[4:6])
    canonical_header(table, CATALYST_COLUMNS)
    require_columns(table, CATALYST_REQUIRED, what="a catalyst calendar")
    ahead = last_day(years_ahead=CATALYST_YEARS_AHEAD)
    index = parse_dates(table, "date", last=ahead)
    names = [str(n) for n in table.cells("name")]
    refuse_first(table, np.array([not n for n in names], dtype=bool), "empty event name")
    frame = pd.DataFrame(
        {"name": names, "kind": [str(k).lower() for k in table.cells("kind")]}, index=index
    )
    announced = index.to_numpy()
    if table.has("announced"):
        given = parse_dates(table, "announced", allow_missing=True, last=ahead).to_numpy()
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
    frame["source"] = list(table.cells("source")) if table.has("source") else ""
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


def _finish(table: Table, index: pd.DatetimeIndex, data: dict[str, np.ndarray]) -> Parsed:
    """Exact duplicate rows dropped (a date twice with other values refused), the frame built
    from the rows kept, warnings about what was normalised."""
    keep, dropped = dedupe_rows(index.to_numpy(), data, table.lines, table.path)
    frame = pd.DataFrame({c: v[keep] for c, v in data.items()}, index=index[keep])
    lines = table.lines[keep]
    warnings: list[str] = []
    if dropped:
        warnings.append(f"{table.path}: {dropped} exact duplicate rows dropped")
    for column in frame.columns:
        if column == "Volume":
            continue
        missing = int(frame[column].isna().sum())
        if missing == len(frame):
            warnings.append(f"{table.path}: column {column} has no values at all")
        elif missing:
            warnings.append(
                f"{table.path}: {missing} rows with a missing {column} (kept as missing)"
            )
    return Parsed(table.path, frame, lines, warnings)

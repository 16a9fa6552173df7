"""Westmetall's LME aluminium page, saved as HTML, read as the ``lme.csv`` table.

The page is ``https://www.westmetall.com/en/markdaten.php?action=table&field=LME_Al_cash``
(the English one). It republishes the LME's official prices: one ``<table>`` per year, newest
first, each after a year anchor (``<a id="y2026">``). A table's header row is ``<th>`` cells::

    date | LME Aluminium Cash-Settlement | LME Aluminium 3-month | LME Aluminium stock

and its data rows are ``<td>`` cells such as ``21. August 2026 | 3,227.00 | 3,180.50 |
246,925``: English month names, ``,`` as the thousands separator, ``-`` or nothing for a missing
figure. The header row may repeat inside a table. Prices are US$/t, the stock is tonnes.

:func:`read_westmetall` turns every such table on the page into one :class:`~alu.data.table.Table`
with the ``lme.csv`` header and ISO dates, keeping each row's line in the HTML file, so the LME
reader validates it exactly like a CSV file and names ``page.html:LINE`` in every refusal. The
standard library's :mod:`html.parser` does the parsing (it tolerates unclosed ``<td>``/``<tr>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from alu.data.table import Table
from alu.errors import AluError

MONTHS = {
    name: i
    for i, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}
_DATE = re.compile(r"^(\d{1,2})\.\s*([A-Za-z]+)\s+(\d{4})$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
#: The ``lme.csv`` column each header cell maps to, tested in this order (lower-cased text).
_HEADER_RULES = (
    ("cash_settlement", ("cash-settlement", "cash settlement")),
    ("three_month", ("3-month", "3 month", "three-month", "three month")),
    ("lme_stock", ("stock",)),
    ("date", ("date",)),
)
COLUMNS = ("date", "cash_settlement", "three_month", "lme_stock")


def is_html(text: str) -> bool:
    """True when ``text`` looks like an HTML page rather than CSV (it opens with a tag)."""
    return text.lstrip().startswith("<")


def read_westmetall(text: str, path: Path) -> Table:
    """The LME aluminium tables of a saved Westmetall page as one ``lme.csv``-shaped table.

    Refuses a page without such a table, a table of another metal (e.g. the copper page), a
    table missing one of the four columns, and a date that is not ``D. Month YYYY``; numbers
    are handed on as text (thousands separators removed) for the LME reader to validate.
    """
    parser = _Tables()
    parser.feed(text)
    parser.close()
    found = [t for t in parser.done if t.header and _column_of(t.header) is not None]
    if not found:
        raise AluError(
            "no LME aluminium table in this HTML page (expected the Westmetall table with "
            "columns date, LME Aluminium Cash-Settlement, 3-month and stock, from "
            "westmetall.com/en/markdaten.php?action=table&field=LME_Al_cash)",
            path=path,
        )
    rows: list[list[str]] = []
    lines: list[int] = []
    for table in found:
        columns = _columns(table, path)
        for line, cells in table.rows:
            if cells and cells[0].strip().lower() == "date":
                continue  # the header row repeated inside the table
            picked = [cells[i] if i < len(cells) else "" for i in columns]
            if not any(picked):
                continue
            rows.append([_iso_day(picked[0], path, line), *(_number_text(c) for c in picked[1:])])
            lines.append(line)
    if not rows:
        raise AluError("header but no data rows", path=path, line=found[0].header_line)
    return Table.from_rows(path, list(COLUMNS), rows, lines)


def _column_of(header: list[str]) -> int | None:
    """The position of the cash-settlement column, or None when the header has none."""
    for i, cell in enumerate(header):
        if "cash-settlement" in cell.lower() or "cash settlement" in cell.lower():
            return i
    return None


def _columns(table: _Table, path: Path) -> list[int]:
    """Positions of date, cash, 3-month and stock in ``table``; refuses other metals."""
    cash_header = table.header[_column_of(table.header)]  # type: ignore[index]
    metal = re.sub(r"(?i)^lme\s+|\s*cash[- ]settlement.*$", "", cash_header).strip()
    alloy = [h for h in table.header if "alloy" in h.lower()]
    if alloy and not metal:
        metal = "aluminium alloy"
    if metal and metal.lower() not in ("aluminium", "aluminum"):
        raise AluError(
            f"this is the LME {metal} table ('{cash_header}'), not aluminium",
            path=path,
            line=table.header_line,
        )
    where: dict[str, int] = {}
    for i, cell in enumerate(table.header):
        text = cell.lower()
        for column, needles in _HEADER_RULES:
            if column not in where and any(n in text for n in needles):
                where[column] = i
                break
    missing = [c for c in COLUMNS if c not in where]
    if missing:
        raise AluError(
            f"the table has no {' or '.join(missing)} column (found: {', '.join(table.header)})",
            path=path,
            line=table.header_line,
        )
    return [where[c] for c in COLUMNS]


def _iso_day(text: str, path: Path, line: int) -> str:
    match = _DATE.match(text.strip())
    month = MONTHS.get(match.group(2).lower()) if match else None
    if match is None or month is None:
        shown = text if text else "(empty)"
        raise AluError(
            f"unparseable date '{shown}' in column date (expected e.g. '21. August 2026')",
            path=path,
            line=line,
        )
    try:
        return date(int(match.group(3)), month, int(match.group(1))).isoformat()
    except ValueError:
        raise AluError(
            f"unparseable date '{text}' in column date (no such day)", path=path, line=line
        ) from None


def _number_text(text: str) -> str:
    """``3,227.00`` -> ``3227.00``; anything else unchanged for the numeric parser to judge."""
    text = text.strip()
    return text.replace(",", "") if _THOUSANDS.match(text) else text


@dataclass
class _Table:
    header: list[str] | None = None
    header_line: int | None = None
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


class _Tables(HTMLParser):
    """Collects every table's header (its first row of ``<th>`` cells, or starting with a
    ``date`` cell) and its other rows, each with the line of its ``<tr>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.done: list[_Table] = []
        self._open: list[_Table] = []
        self._row: list[str] | None = None
        self._row_line = 0
        self._row_all_th = True
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._end_row()
            self._open.append(_Table())
        elif tag == "tr" and self._open:
            self._end_row()
            self._row, self._row_line, self._row_all_th = [], self.getpos()[0], True
        elif tag in ("td", "th") and self._open:
            if self._row is None:  # a cell without <tr>
                self._row, self._row_line, self._row_all_th = [], self.getpos()[0], True
            self._end_cell()
            self._cell = []
            self._row_all_th &= tag == "th"
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif tag == "table" and self._open:
            self._end_row()
            self.done.append(self._open.pop())

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def close(self) -> None:
        super().close()
        self._end_row()
        while self._open:
            self.done.append(self._open.pop())

    def _end_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).replace("\xa0", " ").split()))
        self._cell = None

    def _end_row(self) -> None:
        self._end_cell()
        row, self._row = self._row, None
        if row is None or not self._open or not any(row):
            return
        table = self._open[-1]
        if table.header is None and (self._row_all_th or row[0].lower() == "date"):
            table.header, table.header_line = row, self._row_line
        else:
            table.rows.append((self._row_line, row))

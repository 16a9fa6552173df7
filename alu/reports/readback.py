"""Read a report page back: its embedded figures and tables, as a browser would get them.

The inverse of the embedding described in :mod:`alu.reports.html`, written independently of it
(stdlib ``html.parser``, ``json``, ``base64``) so tests can check that what a report shows is
what the backtest computed.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import numpy as np

_DTYPES = {
    "f8": np.float64,
    "f4": np.float32,
    "i4": np.int32,
    "u4": np.uint32,
    "i2": np.int16,
    "u2": np.uint16,
    "i1": np.int8,
    "u1": np.uint8,
}


@dataclass
class Table:
    """A table's header and rows; each cell is ``(text, data-value)``."""

    headers: list[str] = field(default_factory=list)
    rows: list[dict[str, tuple[str, str]]] = field(default_factory=list)
    keys: list[str | None] = field(default_factory=list)

    def row(self, key: str) -> dict[str, tuple[str, str]]:
        """The row whose ``data-key`` is ``key``."""
        return self.rows[self.keys.index(key)]


@dataclass
class Page:
    """What a report holds: figures by name, tables by id, script ``src`` attributes, the title
    and the visible text (scripts and styles left out)."""

    title: str = ""
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    script_srcs: list[str] = field(default_factory=list)
    figure_divs: list[str] = field(default_factory=list)
    text: str = ""


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._figure: str | None = None
        self._buffer: list[str] = []
        self._table: Table | None = None
        self._cell: dict[str, str] | None = None
        self._row: dict[str, tuple[str, str]] | None = None
        self._row_key: str | None = None
        self._in_th = False
        self._in_title = False
        self._raw = False
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("script", "style"):
            self._raw = True
        if tag == "script":
            if "src" in a:
                self.page.script_srcs.append(a["src"])
            if "alu-figure-data" in a.get("class", "").split():
                self._figure, self._buffer = a["data-figure"], []
        elif tag == "div" and "alu-figure" in a.get("class", "").split():
            self.page.figure_divs.append(a.get("id", ""))
        elif tag == "table":
            self._table = Table()
            self.page.tables[a.get("id", "")] = self._table
        elif tag == "tr" and self._table is not None:
            self._row, self._row_key = {}, a.get("data-key")
        elif tag == "th":
            self._in_th, self._buffer = True, []
        elif tag == "td":
            self._cell, self._buffer = a, []
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._raw = False
        if tag == "script" and self._figure is not None:
            self.page.figures[self._figure] = json.loads("".join(self._buffer))
            self._figure = None
        elif tag == "th" and self._table is not None:
            self._table.headers.append("".join(self._buffer))
            self._in_th = False
        elif tag == "td" and self._cell is not None and self._row is not None:
            self._row[self._cell["data-column"]] = ("".join(self._buffer), self._cell["data-value"])
            self._cell = None
        elif tag == "tr" and self._table is not None and self._row is not None:
            if self._row:  # the header row has no data cells
                self._table.rows.append(self._row)
                self._table.keys.append(self._row_key)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._figure is not None or self._in_th or self._cell is not None:
            self._buffer.append(data)
        if self._in_title:
            self.page.title += data
        elif not self._raw:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self.page.text = " ".join(" ".join(self._text).split())


def read_page(page: str) -> Page:
    """Parse a report's HTML."""
    parser = _Parser()
    parser.feed(page)
    parser.close()
    return parser.page


def decode(value: Any) -> Any:
    """A plotly array: typed-array spec ``{"dtype", "bdata"[, "shape"]}`` to numpy (2-D with a
    shape), a list as is."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=_DTYPES[value["dtype"]])
        if "shape" not in value:
            return array
        shape = value["shape"]  # plotly writes "rows, cols"
        if isinstance(shape, str):
            shape = tuple(int(n) for n in shape.split(","))
        return array.reshape(shape)
    return value


def traces(figure: dict[str, Any], panel: str, series: str | None = None) -> list[dict]:
    """The traces of ``panel`` (and ``series``), found by their ``meta``."""
    return [
        t
        for t in figure["data"]
        if t.get("meta", {}).get("panel") == panel
        and (series is None or t["meta"].get("series") == series)
    ]


def trace(figure: dict[str, Any], panel: str, series: str) -> dict[str, Any]:
    """The one trace of ``panel``/``series`` (an error when there is none or several)."""
    found = traces(figure, panel, series)
    if len(found) != 1:
        raise LookupError(f"{len(found)} traces for {panel}/{series}")
    return found[0]

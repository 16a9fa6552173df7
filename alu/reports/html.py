"""The page shell of the HTML reports: one self-contained file that opens offline.

A page is a title, a data-source line (flagged when the data is synthetic) and a list of
:class:`Section`\\ s, each a heading and HTML blocks made by :func:`figure_html`,
:func:`table_html` or :func:`note_html`. :func:`write_page` writes it atomically with the plotly
bundle inline (no CDN, no file next to it). Reports for other commands (``alu compare``) build
their own sections from the same helpers (:mod:`alu.reports.compare_report`).

Embedding, so the page can be read back (see :mod:`alu.reports.readback`):

- Each figure is ``<div class="alu-figure" id="fig-NAME">`` plus its plotly JSON in
  ``<script type="application/json" class="alu-figure-data" data-figure="NAME">``; one loader
  script draws them all with ``Plotly.newPlot``. Numeric arrays are plotly's typed-array
  encoding (``{"dtype": "f8", "bdata": base64}``), about 11 bytes per value.
- Each table cell shows formatted text and carries the exact value in ``data-value`` (a float's
  ``repr``, an int, or a date; empty when undefined).

plotly is imported only when a figure is rendered or a page written.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alu.errors import AluError
from alu.output import num, pct, resolve_target, write_text

CSS = """
:root { --fg: #1c2430; --muted: #5f6b7a; --line: #dde3ea; --bad: #c62828; --warn: #8a5a00; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1500px; padding: 16px 24px 48px; color: var(--fg);
       font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header h1 { font-size: 22px; margin: 4px 0; }
header .source { font-weight: 600; }
header .synthetic { color: var(--warn); background: #fff3cd; border: 1px solid #f0d58a;
                    padding: 1px 6px; border-radius: 4px; }
header ul.meta { margin: 6px 0 0; padding-left: 18px; color: var(--muted); }
header nav { margin-top: 8px; }
a { color: #1565c0; }
section { margin-top: 26px; }
section h2 { font-size: 17px; margin: 0 0 8px; border-bottom: 1px solid var(--line); }
p.note { color: var(--muted); margin: 4px 0 8px; }
.alu-figure { width: 100%; }
.table-wrap { overflow-x: auto; }
.table-wrap.scroll { max-height: 560px; overflow-y: auto; border-bottom: 1px solid var(--line); }
table.alu-table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.alu-table caption { text-align: left; color: var(--muted); padding-bottom: 4px; }
table.alu-table th, table.alu-table td { padding: 3px 10px; border-bottom: 1px solid var(--line);
                                          white-space: nowrap; }
table.alu-table th { text-align: left; background: #f5f7fa; position: sticky; top: 0; }
table.alu-table td.num { text-align: right; }
table.alu-table td.neg { color: var(--bad); }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
"""

LOADER = """
for (const data of document.querySelectorAll("script.alu-figure-data")) {
  const fig = JSON.parse(data.textContent);
  Plotly.newPlot("fig-" + data.dataset.figure, fig.data, fig.layout, fig.config);
}
// The figures changed the page's height after the browser jumped to a #section: jump again.
if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
"""

PLOTLY_CONFIG: dict[str, Any] = {
    "responsive": True,
    "displaylogo": False,
    "scrollZoom": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}

_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Cell:
    """A table cell: the text shown, the exact value kept in ``data-value``, a CSS class."""

    text: str
    value: Any = None
    css: str = ""


@dataclass(frozen=True)
class Section:
    """A heading and its HTML blocks (from :func:`figure_html`, :func:`table_html`...)."""

    heading: str
    blocks: Sequence[str]

    @property
    def anchor(self) -> str:
        """The section's id (its heading in lower case, runs of other characters as ``-``)."""
        return re.sub(r"[^a-z0-9]+", "-", self.heading.lower()).strip("-")


def metric_cell(value: float | int | None, kind: str) -> Cell:
    """A metric as a cell: ``kind`` is ``pct`` (fraction shown as %), ``num`` or ``int``."""
    if kind == "int":
        return Cell(str(int(value)), int(value), "num")  # type: ignore[arg-type]
    text = pct(value) if kind == "pct" else num(value)
    negative = value is not None and math.isfinite(value) and value < 0
    return Cell(text, value, "num neg" if negative else "num")


def _value_attr(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(float(value)) if math.isfinite(value) else ""  # np.float64 too
    return str(value)


def table_html(
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    table_id: str,
    caption: str | None = None,
    row_keys: Sequence[str] | None = None,
    scroll: bool = False,
) -> str:
    """A table; each cell carries ``data-column`` (its header) and ``data-value``.

    ``row_keys`` (one per row) are written as ``data-key`` on the rows, for reading back.
    ``scroll``: a long table scrolls in a box about 560 px high, its header row kept in view.
    """
    _check_name(table_id)
    wrap = "table-wrap scroll" if scroll else "table-wrap"
    out = [f'<div class="{wrap}"><table class="alu-table" id="{table_id}">']
    if caption:
        out.append(f"<caption>{html.escape(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in headers) + "</tr>")
    out.append("</thead><tbody>")
    for i, row in enumerate(rows):
        key = f' data-key="{html.escape(row_keys[i])}"' if row_keys else ""
        cells = "".join(
            f'<td class="{c.css}" data-column="{html.escape(h)}" '
            f'data-value="{html.escape(_value_attr(c.value))}">{html.escape(c.text)}</td>'
            for h, c in zip(headers, row, strict=True)
        )
        out.append(f"<tr{key}>{cells}</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def note_html(text: str) -> str:
    return f'<p class="note">{html.escape(text)}</p>'


def figure_html(fig: Any, *, name: str) -> str:
    """A plotly figure as a div and its JSON (drawn by the page's loader script).

    The JSON's ``<`` are escaped (``\\u003c``) so no string in it can close the script element.
    """
    _check_name(name)
    doc = json.loads(fig.to_json())
    doc["config"] = PLOTLY_CONFIG
    text = json.dumps(doc, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")
    return (
        f'<div class="alu-figure" id="fig-{name}"></div>\n'
        f'<script type="application/json" class="alu-figure-data" data-figure="{name}">'
        f"{text}</script>"
    )


def page_html(
    *,
    title: str,
    source: str,
    synthetic: bool,
    sections: Sequence[Section],
    meta_lines: Sequence[str] = (),
    footer: str = "",
) -> str:
    """The whole page: plotly inline in the head, the header, the sections, the loader."""
    from plotly.offline import get_plotlyjs

    flag = ' <span class="synthetic">SYNTHETIC sample: not market data</span>' if synthetic else ""
    meta = "".join(f"<li>{html.escape(line)}</li>" for line in meta_lines)
    body = "\n".join(
        f'<section id="{s.anchor}"><h2>{html.escape(s.heading)}</h2>\n'
        + "\n".join(s.blocks)
        + "\n</section>"
        for s in sections
    )
    nav = " · ".join(f'<a href="#{s.anchor}">{html.escape(s.heading)}</a>' for s in sections)
    head_title = f"{title} [SYNTHETIC]" if synthetic else title
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(head_title)}</title>\n"
        f"<style>{CSS}</style>\n"
        "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>\n"
        f"<script>{get_plotlyjs()}</script>\n"
        "</head>\n<body>\n<header>\n"
        f"<h1>{html.escape(title)}</h1>\n"
        f'<div>data: <span class="source">{html.escape(source)}</span>{flag}</div>\n'
        f'<ul class="meta">{meta}</ul>\n<nav>{nav}</nav>\n</header>\n'
        f"{body}\n"
        f"<footer>{html.escape(footer)}</footer>\n"
        f"<script>{LOADER}</script>\n"
        "</body>\n</html>\n"
    )


def check_report_path(path: Path, option: str = "--report") -> Path:
    """Refuse a page target (of ``option``) that cannot be written, before any work is done
    (the rules of :func:`alu.output.resolve_target`: a file, a new path, a stream or
    ``/dev/null``)."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise AluError(f"{option} {path}: is a directory; give a file name such as report.html")
    where = resolve_target(path, option)
    if where.kind == "file":
        parent = where.path.parent  # type: ignore[union-attr]
        if not os.access(parent, os.W_OK):
            raise AluError(f"{option} {path}: directory {parent} is not writable")
    return path


def write_page(path: Path, page: str, option: str = "--report") -> int:
    """Write ``page`` to ``path`` (atomically for a file); returns its size in bytes."""
    return write_text(path, page, option=option)


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise ValueError(f"figure/table names are [A-Za-z0-9_-]+, got {name!r}")

"""The terminal view of ``alu data status``: what the local store holds."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from alu.reports.terminal import console


def render_status(doc: dict[str, Any]) -> None:
    """The store's series as a table, then its notes and warnings."""
    out = console()
    out.print(Text.assemble(("local store: ", "dim"), (doc["store"], "bold")), soft_wrap=True)
    if doc["empty"]:
        out.print(f"The store holds no data yet: {doc['hint']}.")
        return
    table = Table(box=None, header_style="bold", pad_edge=False, padding=(0, 1))
    for header in ("series", "rows", "first", "last", "days", "gaps"):
        table.add_column(header, justify="left" if header == "series" else "right")
    table.add_column("source")
    for entry in doc["series"]:
        if entry.get("error"):
            table.add_row(_label(entry), "-", "-", "-", "-", "-", Text("unreadable", "red"))
            continue
        days = entry["days_since_last"]
        table.add_row(
            _label(entry),
            str(entry["rows"]),
            entry["first"] or "-",
            entry["last"] or "-",
            "-" if days is None else str(days),
            "-" if entry["gaps"] is None else str(entry["gaps"]["count"]),
            _source_text(entry, short=True),
        )
    out.print(table)
    out.print(
        Text(
            f"days: calendar days from the last value to {doc['as_of']}; "
            "gaps: stretches of more than 7 days without a value",
            style="dim",
        ),
        soft_wrap=True,
    )
    notes = []
    for entry in doc["series"]:
        name = entry["name"]
        if entry.get("error"):
            notes.append(Text(f"error: {entry['error']}", style="red"))
            continue
        if not name.startswith("lme/") or name.endswith("cash_settlement"):
            label = "lme" if name.startswith("lme/") else _label(entry)
            notes.append(Text(f"{label}: {_source_text(entry, short=False)}", "dim"))
        for column, count in (entry.get("missing") or {}).items():
            if count:
                notes.append(Text(f"{_label(entry)}: {count} rows with a missing {column}"))
        if entry.get("gaps") and entry["gaps"]["longest"]:
            longest = ", ".join(
                f"{g['from']}..{g['to']} ({g['days']} d)" for g in entry["gaps"]["longest"]
            )
            notes.append(Text(f"{_label(entry)}: longest gaps {longest}"))
    notes.extend(
        Text(f"warning: {w['series']}: {w['message']}", style="yellow") for w in doc["warnings"]
    )
    for note in notes:
        out.print(note, soft_wrap=True)


_LABELS = {
    "lme/cash_settlement": "lme cash",
    "lme/three_month": "lme 3-month",
    "lme/lme_stock": "lme stock",
}


def _label(entry: dict[str, Any]) -> str:
    name = entry["name"]
    return _LABELS.get(name, name.removeprefix("prices/"))


def _source_text(entry: dict[str, Any], *, short: bool) -> str:
    source = entry.get("source") or "unknown"
    when = entry.get("fetched_at" if source == "yfinance" else "imported_at")
    if short:
        kind = source.split(" ", 1)[0]
        kind = "import" if kind == "file" else kind
        return f"{kind} {when[:10]}" if when else kind
    if not when:
        return source
    return f"{source}, {'fetched' if source == 'yfinance' else 'imported'} {when}"

"""``alu data fetch|import|status``: fill the local store and show what it holds.

Reports go to standard output (``warning: ...`` lines included); a refusal or a failure is the
one ``error: ...`` line the CLI prints on standard error.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from alu.data.source import store_dir
from alu.data.store import Store, check_symbol
from alu.errors import AluError
from alu.options import parse_day, parse_symbols


def fetch(*, symbols: str | None, start: str | None) -> None:
    """Fetch daily bars from Yahoo into the store; exit code 1 when any symbol failed."""
    from alu.data.fetch import fetch_into_store
    from alu.data.market import DEFAULT_SYMBOLS

    names = list(dict.fromkeys(check_symbol(s) for s in parse_symbols(symbols) or DEFAULT_SYMBOLS))
    first = parse_day(start, "--start")
    report = fetch_into_store(Store(store_dir()), names, start=first)
    _print(report.lines())
    if report.failed:
        raise AluError(report.failure_message(), exit_code=1)


def import_lme(*, file: Path, replace: bool) -> None:
    """Import an LME CSV or saved Westmetall page into the store's ``lme.csv``."""
    from alu.data.imports import import_lme as merge_in

    _print(merge_in(Store(store_dir()), file, replace=replace).lines())


def import_prices(*, symbol: str, file: Path, replace: bool) -> None:
    """Import a Yahoo-format CSV into the store's ``prices/SYMBOL.csv``."""
    from alu.data.imports import import_prices as merge_in

    _print(merge_in(Store(store_dir()), symbol, file, replace=replace).lines())


def status(*, as_json: bool, as_of: str | None) -> None:
    """Show (or print as JSON) what the store holds; exit code 1 when a file is unreadable."""
    from alu.data.status import store_status
    from alu.data.store import report_repairs

    day = parse_day(as_of, "--as-of")
    doc = store_status(Store(store_dir()), as_of=day.date() if day is not None else date.today())
    report_repairs(doc.get("repairs", []))
    if as_json:
        from alu.output import write_json

        write_json("-", doc)
    else:
        _render_status(doc)
    broken = [s["name"] for s in doc["series"] if s.get("error")]
    if broken:
        raise AluError(f"unreadable in the store: {', '.join(broken)}", exit_code=1)


def _print(lines: list[str]) -> None:
    from alu.output import printable

    for line in lines:
        print(printable(line))


def _render_status(doc: dict[str, Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    from alu.reports.terminal import console

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

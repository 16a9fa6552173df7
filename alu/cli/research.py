"""``alu thesis``, ``alu research`` and ``alu events``: the squeeze verdict, signal research and
the event study, as tables, JSON or CSV, and one research page (``--report``, ``--with``).

Never imports vectorbt or numba.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from alu.cli.options import (
    DataDir,
    End,
    Format,
    FormatOption,
    ResearchReport,
    Start,
    TableOrJson,
    With,
)
from alu.errors import AluError

PARTS = ("thesis", "research", "events")

Symbols = Annotated[
    str | None,
    typer.Option("--symbols", help="Comma-separated symbols. Default: AA,CENX,ALI=F."),
]
SignalParams = Annotated[
    list[str] | None,
    typer.Option("--param", "-p", help="Override a signal parameter: key=value."),
]


def thesis(
    date: Annotated[
        str | None,
        typer.Option("--date", help="As of this day, YYYY-MM-DD. Default: the last in the data."),
    ] = None,
    symbols: Symbols = None,
    param: SignalParams = None,
    data_dir: DataDir = None,
    fmt: Annotated[
        TableOrJson, typer.Option("--format", help="table or json (one object).")
    ] = TableOrJson.table,
    report: ResearchReport = None,
    with_parts: With = None,
) -> None:
    """The squeeze verdict as of a day: its conditions, their freshness, the history of
    episodes in which they all held."""
    parts = parse_with(with_parts, report, "thesis")
    check_report(report)
    from alu import api

    result = api.thesis(date, symbols, param, data_dir)
    show(result, fmt, None, "render_thesis")
    finish(report, parts, data_dir, symbols, thesis=result)


def research(
    horizons: Annotated[
        str, typer.Option("--horizons", help="Forward horizons in trading days, comma-separated.")
    ] = "1,5,20,60",
    symbols: Symbols = None,
    start: Start = None,
    end: End = None,
    param: SignalParams = None,
    data_dir: DataDir = None,
    fmt: FormatOption = Format.table,
    report: ResearchReport = None,
    with_parts: With = None,
) -> None:
    """Does each signal predict returns? Forward returns by state (Newey-West t) and rank ICs."""
    parts = parse_with(with_parts, report, "research")
    check_report(report)
    from alu import api

    result = api.research(horizons, symbols, start, end, param, data_dir)
    show(result, fmt, "research_csv", "render_research")
    finish(report, parts, data_dir, symbols, research=result)


def events(
    symbols: Symbols = None,
    kinds: Annotated[
        str | None,
        typer.Option("--kinds", help="Comma-separated kinds of event (default: all)."),
    ] = None,
    window: Annotated[
        str, typer.Option("--window", help="Event window LO:HI in trading days around day 0.")
    ] = "-5:5",
    estimation: Annotated[
        int, typer.Option("--estimation", help="Trading days in the estimation window.")
    ] = 250,
    gap: Annotated[
        int, typer.Option("--gap", help="Trading days between the estimation and event windows.")
    ] = 10,
    benchmark: Annotated[
        str | None,
        typer.Option(
            "--benchmark",
            help="Market-model benchmark (prices/SYMBOL.csv). Default: constant-mean model.",
        ),
    ] = None,
    data_dir: DataDir = None,
    fmt: FormatOption = Format.table,
    report: ResearchReport = None,
    with_parts: With = None,
) -> None:
    """Event study around the catalyst calendar: abnormal returns, CAR, CAAR, t-statistics."""
    parts = parse_with(with_parts, report, "events")
    check_report(report)
    from alu import api

    result = api.events(symbols, kinds, window, estimation, gap, benchmark, data_dir)
    show(result, fmt, "events_csv", "render_events")
    finish(report, parts, data_dir, symbols, events=result)


def show(result: Any, fmt: Any, csv_view: str | None, renderer: str) -> None:
    """The result as JSON, CSV (``alu.research.views.<csv_view>``) or a terminal table."""
    from alu.output import dumps, write_text

    if fmt.value == "json":
        write_text("-", dumps(result.to_json()))
    elif fmt.value == "csv" and csv_view is not None:
        from alu.research import views

        write_text("-", getattr(views, csv_view)(result))
    else:
        from alu.reports import terminal_research

        getattr(terminal_research, renderer)(result)


def parse_with(text: str | None, report: Path | None, command: str) -> set[str]:
    """``--with thesis,events``: the other parts to put on the ``--report`` page."""
    if text is None:
        return set()
    if report is None:
        raise AluError("--with adds sections to the --report page: give --report FILE.html too")
    parts = {p.strip().lower() for p in text.split(",") if p.strip()}
    unknown = sorted(parts - set(PARTS))
    if unknown or not parts:
        raise AluError(
            f"--with: unknown part '{unknown[0] if unknown else text}'; "
            f"choose from {', '.join(p for p in PARTS if p != command)}"
        )
    return parts - {command}


def check_report(report: Path | None) -> None:
    if report is not None:
        from alu.reports.html import check_report_path

        check_report_path(report)


def finish(
    report: Path | None, parts: set[str], data_dir: Path | None, symbols: str | None, **done: Any
) -> None:
    """Write the research page with this command's section and the ``--with`` parts (computed
    with their defaults on the same symbols); say where it went."""
    if report is None:
        return
    from alu import api
    from alu.reports.research import write_research_report

    if "thesis" in parts:
        done["thesis"] = api.thesis(symbols=symbols, data_dir=data_dir)
    if "research" in parts:
        done["research"] = api.research(symbols=symbols, data_dir=data_dir)
    if "events" in parts:
        done["events"] = api.events(symbols=symbols, data_dir=data_dir)
    write_research_report(Path(report).expanduser(), **done)
    sys.stderr.write(f"wrote {report}\n")

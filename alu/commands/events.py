"""``alu events``: an event study around the catalyst calendar.

Never imports vectorbt or numba.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alu.commands.research_common import check_report, parse_with, write_report
from alu.errors import AluError
from alu.options import parse_symbols
from alu.output import dumps, write_text


def run(
    *,
    symbols: str | None,
    kinds: str | None,
    window: str,
    estimation: int,
    gap: int,
    benchmark: str | None,
    data_dir: Path | None,
    fmt: str,
    report: Path | None,
    with_parts: str | None,
) -> None:
    from alu.research.events import event_study, parse_event_window

    span = parse_event_window(window)
    if estimation < 3:
        raise AluError(f"--estimation needs at least 3 days, got {estimation}")
    if gap < 0:
        raise AluError(f"--gap must be >= 0 days, got {gap}")
    wanted = parse_symbols(symbols)
    chosen = None if kinds is None else [k.strip() for k in kinds.split(",") if k.strip()]
    if chosen is not None and not chosen:
        raise AluError("--kinds: no kind given")
    parts = parse_with(with_parts, report, "events")
    check_report(report)
    from alu.data.market import Market
    from alu.data.source import resolve_source

    market = Market(resolve_source(data_dir))
    result = event_study(
        market,
        symbols=wanted,
        kinds=chosen,
        window=span,
        estimation=estimation,
        gap=gap,
        benchmark=benchmark,
    )
    if report is not None:
        write_report(report, market, parts, events=result, symbols=wanted)
    if fmt == "json":
        write_text("-", dumps(result.to_json()))
    elif fmt == "csv":
        from alu.research.views import events_csv

        write_text("-", events_csv(result))
    else:
        from alu.reports.terminal_research import render_events

        render_events(result)
    if report is not None:
        sys.stderr.write(f"wrote {report}\n")

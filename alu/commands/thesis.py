"""``alu thesis``: the squeeze verdict as of a day, with its conditions and history.

Never imports vectorbt or numba.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alu.commands.research_common import check_report, parse_with, write_report
from alu.data.market import Market
from alu.data.source import resolve_source
from alu.options import parse_day, parse_symbols
from alu.output import dumps, write_text
from alu.strategies.params import parse_assignments


def run(
    *,
    date: str | None,
    symbols: str | None,
    param: list[str] | None,
    data_dir: Path | None,
    fmt: str,
    report: Path | None,
    with_parts: str | None,
) -> None:
    day = parse_day(date, "--date")
    params = parse_assignments(param)
    wanted = parse_symbols(symbols)
    parts = parse_with(with_parts, report, "thesis")
    check_report(report)
    market = Market(resolve_source(data_dir))
    from alu.research.thesis import thesis

    result = thesis(market, day=day, symbols=wanted, params=params)
    if report is not None:
        write_report(report, market, parts, thesis=result, symbols=wanted)
    if fmt == "json":
        write_text("-", dumps(result.to_json()))
    else:
        from alu.reports.terminal_research import render_thesis

        render_thesis(result)
    if report is not None:
        sys.stderr.write(f"wrote {report}\n")

"""``alu research``: forward returns by signal state and rank ICs.

Never imports vectorbt or numba.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alu.commands.research_common import check_report, parse_with, write_report
from alu.errors import AluError
from alu.options import parse_symbols, parse_window
from alu.output import dumps, write_text
from alu.strategies.params import parse_assignments


def parse_horizons(text: str) -> list[int]:
    """``1,5,20,60`` as whole numbers of trading days >= 1."""
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) < 1:
            raise AluError(f"--horizons: '{part}' is not a whole number of days >= 1")
        out.append(int(part))
    if not out:
        raise AluError("--horizons: no horizon given")
    return out


def run(
    *,
    horizons: str,
    symbols: str | None,
    start: str | None,
    end: str | None,
    param: list[str] | None,
    data_dir: Path | None,
    fmt: str,
    report: Path | None,
    with_parts: str | None,
) -> None:
    chosen = parse_horizons(horizons)
    first, last = parse_window(start, end)
    params = parse_assignments(param)
    wanted = parse_symbols(symbols)
    parts = parse_with(with_parts, report, "research")
    check_report(report)
    from alu.data.market import Market
    from alu.data.source import resolve_source
    from alu.research.forward import research

    market = Market(resolve_source(data_dir), end=last)
    result = research(market, horizons=chosen, symbols=wanted, start=first, end=last, params=params)
    if report is not None:
        write_report(report, market, parts, research=result, symbols=wanted)
    if fmt == "json":
        write_text("-", dumps(result.to_json()))
    elif fmt == "csv":
        from alu.research.views import research_csv

        write_text("-", research_csv(result))
    else:
        from alu.reports.terminal_research import render_research

        render_research(result)
    if report is not None:
        sys.stderr.write(f"wrote {report}\n")

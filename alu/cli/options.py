"""Every option more than one command takes, declared once (type, flag, help, default in words).

A command's own options are declared in its signature; each option is passed once, by the same
name, to the :mod:`alu.api` function the command calls.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class Direction(StrEnum):
    long = "long"
    both = "both"


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class TableOrJson(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", help="table, json (one object) or csv.")]


DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Data dir (prices/SYMBOL.csv, lme.csv, catalysts.csv). "
        "Default: the local store ($ALU_HOME) when it holds data, else the bundled sample.",
        show_default=False,
    ),
]
Symbols = Annotated[
    str | None,
    typer.Option("--symbols", help="Comma-separated symbols. Default: AA,CENX,ALI=F."),
]
Start = Annotated[str | None, typer.Option("--start", help="First day, YYYY-MM-DD.")]
End = Annotated[str | None, typer.Option("--end", help="Last day, YYYY-MM-DD.")]
Fees = Annotated[float, typer.Option("--fees", help="Fee per fill, fraction of traded value.")]
Slippage = Annotated[
    float, typer.Option("--slippage", help="Fill price moved against the trade, fraction.")
]
DirectionOption = Annotated[
    Direction, typer.Option("--direction", help="long, or both (also short).")
]
Params = Annotated[
    list[str] | None,
    typer.Option("--param", "-p", help="Override a parameter: key=value (repeatable)."),
]
StrategyFile = Annotated[
    list[Path] | None,
    typer.Option(
        "--strategy-file",
        metavar="PATH",
        help="Your own strategies: a .py or .toml file (repeatable; see docs/strategies.md).",
    ),
]
KeepSuspect = Annotated[
    bool,
    typer.Option(
        "--keep-suspect", help="Keep suspect LME rows (likely typos) in the signals and the leg."
    ),
]

# The execution model: parameters every strategy carries (alu.strategies.execution).
Sizing = Annotated[
    str | None,
    typer.Option(
        "--sizing",
        help="all-in (default), fraction=F (position value = F x equity) or vol-target=V "
        "(annualised volatility V, capped at --max-leverage).",
    ),
]
MaxLeverage = Annotated[
    float | None, typer.Option("--max-leverage", help="Cap on position value / equity [1].")
]
VolWindow = Annotated[
    int | None, typer.Option("--vol-window", help="Days of returns in the volatility [60].")
]
RebalanceDays = Annotated[
    int | None,
    typer.Option("--rebalance-days", help="Resize a vol-targeted position every N days [20]."),
]
StopLoss = Annotated[
    float | None,
    typer.Option("--stop-loss", help="Close at this fraction against the entry fill [off]."),
]
TrailingStop = Annotated[
    float | None,
    typer.Option("--trailing-stop", help="Close at this fraction against the best close [off]."),
]
MaintenanceMargin = Annotated[
    float | None,
    typer.Option(
        "--maintenance-margin",
        help="Liquidate when equity <= this fraction of the position's value [0.25].",
    ),
]
MaxStaleDays = Annotated[
    int | None,
    typer.Option(
        "--max-stale-days",
        help="Weekdays an input may lag before its family is UNKNOWN (no position) [5].",
    ),
]

# Outputs.
JsonOut = Annotated[
    str | None,
    typer.Option("--json", help="Write the full result as JSON to PATH ('-': stdout)."),
]
Report = Annotated[
    Path | None,
    typer.Option("--report", metavar="FILE.html", help="Write a self-contained HTML report."),
]
ResearchReport = Annotated[
    Path | None,
    typer.Option(
        "--report",
        metavar="FILE.html",
        help="Write the research page (self-contained HTML) with this command's sections.",
    ),
]
With = Annotated[
    str | None,
    typer.Option(
        "--with",
        metavar="PARTS",
        help="With --report: also put these on the page (comma-separated: thesis, research, "
        "events), computed with their defaults on the same symbols.",
    ),
]

"""``alu data``: the command group that fills and shows the local store.

Reports go to standard output (``warning: ...`` lines included); a refusal or a failure is the
one ``error: ...`` line the CLI prints on standard error. yfinance is imported only inside
``alu data fetch``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from alu.errors import AluError

data_app = typer.Typer(
    help="The local store ($ALU_HOME): fetch prices, import LME figures, show status.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
import_app = typer.Typer(
    help="Merge a file into the local store (refused whole, and nothing written, when bad).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
data_app.add_typer(import_app, name="import")

Replace = Annotated[
    bool,
    typer.Option(
        "--replace", help="On a date the store holds with other values, take the file's values."
    ),
]


@data_app.command("fetch")
def fetch(
    symbols: Annotated[
        str | None,
        typer.Option("--symbols", help="Comma-separated Yahoo symbols. Default: AA,CENX,ALI=F."),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--start", help="First day for symbols the store lacks [2000-01-01]."),
    ] = None,
) -> None:
    """Fetch daily bars from Yahoo (yfinance) into the store: only the days not yet held."""
    from alu.api import inputs
    from alu.data.fetch import fetch_into_store
    from alu.data.market import DEFAULT_SYMBOLS
    from alu.data.source import store_dir
    from alu.data.store import Store, check_symbol

    wanted = inputs.symbols(symbols) or DEFAULT_SYMBOLS
    names = list(dict.fromkeys(check_symbol(s) for s in wanted))
    report = fetch_into_store(Store(store_dir()), names, start=inputs.day(start, "start"))
    _print(report.lines())
    if report.failed:
        raise AluError(report.failure_message(), exit_code=1)


@import_app.command("lme")
def import_lme(
    file: Annotated[
        Path,
        typer.Argument(
            help="date,cash_settlement,three_month,lme_stock CSV, or the Westmetall LME "
            "aluminium page saved as HTML.",
            show_default=False,
        ),
    ],
    replace: Replace = False,
) -> None:
    """Import LME aluminium prices ($/t) and stocks (t) into the store's lme.csv."""
    from alu.data.imports import import_lme as merge_in
    from alu.data.source import store_dir
    from alu.data.store import Store

    _print(merge_in(Store(store_dir()), file, replace=replace).lines())


@import_app.command("prices")
def import_prices(
    symbol: Annotated[str, typer.Argument(help="Symbol, e.g. AA (it names prices/SYMBOL.csv).")],
    file: Annotated[Path, typer.Argument(help="Yahoo-format daily CSV.", show_default=False)],
    replace: Replace = False,
) -> None:
    """Import a Yahoo-format daily price CSV into the store's prices/SYMBOL.csv."""
    from alu.data.imports import import_prices as merge_in
    from alu.data.source import store_dir
    from alu.data.store import Store

    _print(merge_in(Store(store_dir()), symbol, file, replace=replace).lines())


@data_app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Count days since the last value up to this day [today]."),
    ] = None,
) -> None:
    """Per series: rows, dates, days since the last value, source, gaps and warnings."""
    from alu.api import inputs
    from alu.data.source import store_dir
    from alu.data.status import store_status
    from alu.data.store import Store, report_repairs

    day = inputs.day(as_of, "as_of")
    doc = store_status(Store(store_dir()), as_of=day.date() if day is not None else date.today())
    report_repairs(doc.get("repairs", []))
    if as_json:
        from alu.output import write_json

        write_json("-", doc)
    else:
        from alu.reports.terminal_data import render_status

        render_status(doc)
    broken = [s["name"] for s in doc["series"] if s.get("error")]
    if broken:
        raise AluError(f"unreadable in the store: {', '.join(broken)}", exit_code=1)


def _print(lines: list[str]) -> None:
    from alu.output import printable

    for line in lines:
        print(printable(line))

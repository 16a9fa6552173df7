"""``alu data``: the command group that fills and shows the local store (a typer sub-app).

Thin like :mod:`alu.cli`: each command imports :mod:`alu.commands.data` lazily and calls it;
yfinance is imported only inside ``alu data fetch``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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

ReplaceOption = Annotated[
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
    from alu.commands.data import fetch as run

    run(symbols=symbols, start=start)


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
    replace: ReplaceOption = False,
) -> None:
    """Import LME aluminium prices ($/t) and stocks (t) into the store's lme.csv."""
    from alu.commands.data import import_lme as run

    run(file=file, replace=replace)


@import_app.command("prices")
def import_prices(
    symbol: Annotated[str, typer.Argument(help="Symbol, e.g. AA (it names prices/SYMBOL.csv).")],
    file: Annotated[Path, typer.Argument(help="Yahoo-format daily CSV.", show_default=False)],
    replace: ReplaceOption = False,
) -> None:
    """Import a Yahoo-format daily price CSV into the store's prices/SYMBOL.csv."""
    from alu.commands.data import import_prices as run

    run(symbol=symbol, file=file, replace=replace)


@data_app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Count days since the last value up to this day [today]."),
    ] = None,
) -> None:
    """Per series: rows, dates, days since the last value, source, gaps and warnings."""
    from alu.commands.data import status as run

    run(as_json=as_json, as_of=as_of)

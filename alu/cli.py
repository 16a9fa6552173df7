"""The ``alu`` command line. Thin: parse options, call the library, render.

Heavy modules (pandas-based data, vectorbt) are imported inside the commands that need them, so
``alu --help`` and the commands that do not backtest start fast. Every user-fixable problem is an
:class:`~alu.errors.AluError`, printed as one ``error: ...`` line with exit code 2; click's own
usage errors are printed the same way.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from alu.cli_data import data_app
from alu.errors import AluError

app = typer.Typer(
    name="alu",
    help="Aluminium squeeze signals and backtests over AA, CENX and aluminium futures.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


app.add_typer(data_app, name="data")


class Direction(StrEnum):
    long = "long"
    both = "both"


DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Data dir (prices/SYMBOL.csv, lme.csv, catalysts.csv). "
        "Default: the local store ($ALU_HOME) when it holds data, else the bundled sample.",
        show_default=False,
    ),
]

# The trading options backtest and compare share (checked by alu.options.parse_trading).
SymbolsOption = Annotated[
    str | None,
    typer.Option("--symbols", help="Comma-separated symbols. Default: AA,CENX,ALI=F."),
]
StartOption = Annotated[str | None, typer.Option("--start", help="First day, YYYY-MM-DD.")]
EndOption = Annotated[str | None, typer.Option("--end", help="Last day, YYYY-MM-DD.")]
FeesOption = Annotated[
    float, typer.Option("--fees", help="Fee per fill, fraction of traded value.")
]
SlippageOption = Annotated[
    float, typer.Option("--slippage", help="Fill price moved against the trade, fraction.")
]
DirectionOption = Annotated[
    Direction, typer.Option("--direction", help="long, or both (also short).")
]
StrategyFileOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--strategy-file",
        metavar="PATH",
        help="Your own strategies: a .py or .toml file (repeatable; see docs/strategies.md).",
    ),
]

# The execution model (parameters every strategy carries; see alu.strategies.execution).
SizingOption = Annotated[
    str | None,
    typer.Option(
        "--sizing",
        help="all-in (default), fraction=F (position value = F x equity) or vol-target=V "
        "(annualised volatility V, capped at --max-leverage).",
    ),
]
MaxLeverageOption = Annotated[
    float | None, typer.Option("--max-leverage", help="Cap on position value / equity [1].")
]
VolWindowOption = Annotated[
    int | None, typer.Option("--vol-window", help="Days of returns in the volatility [60].")
]
RebalanceOption = Annotated[
    int | None,
    typer.Option("--rebalance-days", help="Resize a vol-targeted position every N days [20]."),
]
StopLossOption = Annotated[
    float | None,
    typer.Option("--stop-loss", help="Close at this fraction against the entry fill [off]."),
]
TrailingStopOption = Annotated[
    float | None,
    typer.Option("--trailing-stop", help="Close at this fraction against the best close [off]."),
]
MarginOption = Annotated[
    float | None,
    typer.Option(
        "--maintenance-margin",
        help="Liquidate when equity <= this fraction of the position's value [0.25].",
    ),
]
MaxStaleOption = Annotated[
    int | None,
    typer.Option(
        "--max-stale-days",
        help="Weekdays an input may lag before its family is UNKNOWN (no position) [5].",
    ),
]
KeepSuspectOption = Annotated[
    bool,
    typer.Option(
        "--keep-suspect", help="Keep suspect LME rows (likely typos) in the signals and the leg."
    ),
]


@app.command()
def backtest(
    strategy: Annotated[
        str, typer.Option("--strategy", "-s", help="Strategy name (see `alu strategies`).")
    ] = "squeeze",
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Override a parameter: key=value (repeatable)."),
    ] = None,
    symbols: SymbolsOption = None,
    start: StartOption = None,
    end: EndOption = None,
    fees: FeesOption = 0.001,
    slippage: SlippageOption = 0.0005,
    direction: DirectionOption = Direction.long,
    sizing: SizingOption = None,
    max_leverage: MaxLeverageOption = None,
    vol_window: VolWindowOption = None,
    rebalance_days: RebalanceOption = None,
    stop_loss: StopLossOption = None,
    trailing_stop: TrailingStopOption = None,
    maintenance_margin: MarginOption = None,
    max_stale_days: MaxStaleOption = None,
    keep_suspect: KeepSuspectOption = False,
    data_dir: DataDirOption = None,
    json_path: Annotated[
        str | None,
        typer.Option("--json", help="Write the full result as JSON to PATH ('-': stdout)."),
    ] = None,
    trades: Annotated[bool, typer.Option("--trades", help="List every trade.")] = False,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            metavar="FILE.html",
            help="Write a self-contained HTML report (charts, metrics, trades).",
        ),
    ] = None,
    png: Annotated[
        Path | None,
        typer.Option("--png", metavar="DIR", help="Write the main charts as PNG files into DIR."),
    ] = None,
    strategy_file: StrategyFileOption = None,
) -> None:
    """Backtest a strategy: fills at the next open, fees and slippage on every fill."""
    from alu.commands.backtest import run
    from alu.options import ModelOptions

    run(
        strategy=strategy,
        strategy_file=strategy_file,
        param=param,
        symbols=symbols,
        start=start,
        end=end,
        fees=fees,
        slippage=slippage,
        direction=direction.value,
        model=ModelOptions(
            sizing,
            max_leverage,
            vol_window,
            rebalance_days,
            stop_loss,
            trailing_stop,
            maintenance_margin,
            max_stale_days,
        ),
        keep_suspect=keep_suspect,
        data_dir=data_dir,
        json_path=json_path,
        show_trades=trades,
        report=report,
        png=png,
    )


class WatchFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@app.command()
def watchlist(
    date: Annotated[
        str | None,
        typer.Option("--date", help="As of this day, YYYY-MM-DD. Default: the last in the data."),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Override a strategy parameter: key=value."),
    ] = None,
    data_dir: DataDirOption = None,
    fmt: Annotated[
        WatchFormat, typer.Option("--format", help="table, json (one object) or csv.")
    ] = WatchFormat.table,
    out: Annotated[
        str | None, typer.Option("--out", help="Write to FILE (atomically) instead of stdout.")
    ] = None,
    history: Annotated[
        bool, typer.Option("--history", help="The alert log from --start to --end instead.")
    ] = False,
    start: Annotated[
        str | None,
        typer.Option("--start", help="--history: first day. Default: 30 days before --end."),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--end", help="--history: last day. Default: the last in the data."),
    ] = None,
    keep_suspect: KeepSuspectOption = False,
    strategy_file: StrategyFileOption = None,
) -> None:
    """Where the squeeze thesis stands as of a day: signals, stances, alerts, freshness."""
    from alu.commands.watchlist import run

    run(
        date=date,
        strategy_file=strategy_file,
        param=param,
        data_dir=data_dir,
        fmt=fmt.value,
        out=out,
        history=history,
        start=start,
        end=end,
        keep_suspect=keep_suspect,
    )


@app.command()
def compare(
    strategy: Annotated[
        str, typer.Option("--strategy", "-s", help="Strategy to sweep.")
    ] = "squeeze",
    grid: Annotated[
        list[str] | None,
        typer.Option(
            "--grid",
            "-g",
            help="key=v1,v2,... or key=start:stop[:step] (repeatable: cartesian product).",
        ),
    ] = None,
    variants_file: Annotated[
        Path | None,
        typer.Option(
            "--variants", help="TOML file of named variants (see strategies/variants.example.toml)."
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Fix a parameter for every grid variant: key=value."),
    ] = None,
    symbols: SymbolsOption = None,
    start: StartOption = None,
    end: EndOption = None,
    fees: FeesOption = 0.001,
    slippage: SlippageOption = 0.0005,
    direction: DirectionOption = Direction.long,
    sizing: SizingOption = None,
    max_leverage: MaxLeverageOption = None,
    vol_window: VolWindowOption = None,
    rebalance_days: RebalanceOption = None,
    stop_loss: StopLossOption = None,
    trailing_stop: TrailingStopOption = None,
    maintenance_margin: MarginOption = None,
    max_stale_days: MaxStaleOption = None,
    keep_suspect: KeepSuspectOption = False,
    data_dir: DataDirOption = None,
    rank_by: Annotated[
        str, typer.Option("--rank-by", help="Portfolio metric to rank by.")
    ] = "sharpe",
    top: Annotated[int, typer.Option("--top", help="Rows in the terminal table.")] = 20,
    split: Annotated[
        str | None,
        typer.Option(
            "--split", help="In-sample up to DATE (or a fraction of the period); rank in-sample."
        ),
    ] = None,
    walk_forward: Annotated[
        int | None,
        typer.Option("--walk-forward", help="Rolling selection over N out-of-sample windows."),
    ] = None,
    json_path: Annotated[
        str | None, typer.Option("--json", help="Write all variants as JSON ('-': stdout).")
    ] = None,
    csv_path: Annotated[
        str | None, typer.Option("--csv", help="Write all variants as CSV ('-': stdout).")
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Heatmap of a 2-D grid as a self-contained HTML file."),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            metavar="FILE.html",
            help="Write a self-contained HTML report: ranked table, in- vs out-of-sample "
            "Sharpe, heatmap (2-D grids), walk-forward, PBO.",
        ),
    ] = None,
    min_trades: Annotated[
        int,
        typer.Option(
            "--min-trades",
            help="Rank only variants with at least N trades on every symbol in-sample "
            "(the full period without --split); the others are set aside.",
        ),
    ] = 1,
    max_variants: Annotated[
        int, typer.Option("--max-variants", help="Refuse larger sweeps unless --yes.")
    ] = 100_000,
    yes: Annotated[
        bool, typer.Option("--yes", help="Run a sweep larger than --max-variants.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    strategy_file: StrategyFileOption = None,
) -> None:
    """Compare strategy variants: a fast sweep, ranked with overfitting-aware statistics."""
    from alu.commands.compare import run
    from alu.options import ModelOptions

    run(
        strategy=strategy,
        strategy_file=strategy_file,
        grid=grid,
        variants_file=variants_file,
        param=param,
        symbols=symbols,
        start=start,
        end=end,
        fees=fees,
        slippage=slippage,
        direction=direction.value,
        model=ModelOptions(
            sizing,
            max_leverage,
            vol_window,
            rebalance_days,
            stop_loss,
            trailing_stop,
            maintenance_margin,
            max_stale_days,
        ),
        keep_suspect=keep_suspect,
        data_dir=data_dir,
        rank_by=rank_by,
        top=top,
        split=split,
        walk_forward=walk_forward,
        json_path=json_path,
        csv_path=csv_path,
        plot_path=plot,
        max_variants=max_variants,
        yes=yes,
        quiet=quiet,
        report=report,
        min_trades=min_trades,
    )


# -- research: alu thesis, alu research, alu events (issue 12) ---------------------------------


class ThesisFormat(StrEnum):
    table = "table"
    json = "json"


class ResearchFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


ResearchReportOption = Annotated[
    Path | None,
    typer.Option(
        "--report",
        metavar="FILE.html",
        help="Write the research page (self-contained HTML) with this command's sections.",
    ),
]
WithOption = Annotated[
    str | None,
    typer.Option(
        "--with",
        metavar="PARTS",
        help="With --report: also put these on the page (comma-separated: thesis, research, "
        "events), computed with their defaults on the same symbols.",
    ),
]
ResearchSymbolsOption = Annotated[
    str | None,
    typer.Option("--symbols", help="Comma-separated symbols. Default: AA,CENX,ALI=F."),
]


@app.command()
def thesis(
    date: Annotated[
        str | None,
        typer.Option("--date", help="As of this day, YYYY-MM-DD. Default: the last in the data."),
    ] = None,
    symbols: ResearchSymbolsOption = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Override a signal parameter: key=value."),
    ] = None,
    data_dir: DataDirOption = None,
    fmt: Annotated[
        ThesisFormat, typer.Option("--format", help="table or json (one object).")
    ] = ThesisFormat.table,
    report: ResearchReportOption = None,
    with_parts: WithOption = None,
) -> None:
    """The squeeze verdict as of a day: its conditions, their freshness, the history of
    episodes in which they all held."""
    from alu.commands.thesis import run

    run(
        date=date,
        symbols=symbols,
        param=param,
        data_dir=data_dir,
        fmt=fmt.value,
        report=report,
        with_parts=with_parts,
    )


@app.command()
def research(
    horizons: Annotated[
        str, typer.Option("--horizons", help="Forward horizons in trading days, comma-separated.")
    ] = "1,5,20,60",
    symbols: ResearchSymbolsOption = None,
    start: StartOption = None,
    end: EndOption = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Override a signal parameter: key=value."),
    ] = None,
    data_dir: DataDirOption = None,
    fmt: Annotated[
        ResearchFormat, typer.Option("--format", help="table, json (one object) or csv.")
    ] = ResearchFormat.table,
    report: ResearchReportOption = None,
    with_parts: WithOption = None,
) -> None:
    """Does each signal predict returns? Forward returns by state (Newey-West t) and rank ICs."""
    from alu.commands.research import run

    run(
        horizons=horizons,
        symbols=symbols,
        start=start,
        end=end,
        param=param,
        data_dir=data_dir,
        fmt=fmt.value,
        report=report,
        with_parts=with_parts,
    )


@app.command()
def events(
    symbols: ResearchSymbolsOption = None,
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
    data_dir: DataDirOption = None,
    fmt: Annotated[
        ResearchFormat, typer.Option("--format", help="table, json (one object) or csv.")
    ] = ResearchFormat.table,
    report: ResearchReportOption = None,
    with_parts: WithOption = None,
) -> None:
    """Event study around the catalyst calendar: abnormal returns, CAR, CAAR, t-statistics."""
    from alu.commands.events import run

    run(
        symbols=symbols,
        kinds=kinds,
        window=window,
        estimation=estimation,
        gap=gap,
        benchmark=benchmark,
        data_dir=data_dir,
        fmt=fmt.value,
        report=report,
        with_parts=with_parts,
    )


@app.command("strategies")
def strategies_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
    columns: Annotated[
        bool,
        typer.Option("--columns", help="List the signal columns a rule may read instead."),
    ] = False,
    strategy_file: StrategyFileOption = None,
) -> None:
    """List the strategies with their rules, parameters and defaults, and the signal columns
    their rules read."""
    from alu.commands.strategies import run

    run(as_json=as_json, columns=columns, strategy_file=strategy_file)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 2 bad input, 1 failure)."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="alu", standalone_mode=False)
    except AluError as exc:
        _error(str(exc))
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            sys.stdout.write(ctx.get_help() + "\n")
            return 0
        _error(exc.format_message())
        return 2 if exc.exit_code in (1, 2) else exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        _error("aborted")
        return 130
    except BrokenPipeError:
        return 0
    return result if isinstance(result, int) else 0


def _error(message: str) -> None:
    """One line on standard error; control characters from names in the message (arguments,
    file contents) are shown as escapes, never sent to the terminal."""
    from alu.output import printable

    message = printable(" ".join(message.split()))
    sys.stderr.write(f"error: {message}\n")
    sys.stderr.flush()


def run() -> None:
    """Console-script entry point.

    Every file the commands write is written and renamed before ``main`` returns, so once the
    output streams are flushed the process leaves with ``os._exit``: the interpreter's own
    teardown (finalising numba's and vectorbt's objects) would add about 0.7 s to every
    command that backtests, and has nothing left to do for us.
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(code)

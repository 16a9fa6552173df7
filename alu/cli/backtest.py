"""``alu backtest``: one strategy over AA, CENX and the aluminium leg; a table, JSON, a report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, TextIO

import typer

from alu.cli.options import (
    DataDir,
    Direction,
    DirectionOption,
    End,
    Fees,
    JsonOut,
    KeepSuspect,
    MaintenanceMargin,
    MaxLeverage,
    MaxStaleDays,
    Params,
    RebalanceDays,
    Sizing,
    Slippage,
    Start,
    StopLoss,
    StrategyFile,
    Symbols,
    TrailingStop,
    VolWindow,
)


def backtest(
    strategy: Annotated[
        str, typer.Option("--strategy", "-s", help="Strategy name (see `alu strategies`).")
    ] = "squeeze",
    param: Params = None,
    symbols: Symbols = None,
    start: Start = None,
    end: End = None,
    fees: Fees = 0.001,
    slippage: Slippage = 0.0005,
    direction: DirectionOption = Direction.long,
    sizing: Sizing = None,
    max_leverage: MaxLeverage = None,
    vol_window: VolWindow = None,
    rebalance_days: RebalanceDays = None,
    stop_loss: StopLoss = None,
    trailing_stop: TrailingStop = None,
    maintenance_margin: MaintenanceMargin = None,
    max_stale_days: MaxStaleDays = None,
    keep_suspect: KeepSuspect = False,
    data_dir: DataDir = None,
    strategy_file: StrategyFile = None,
    json_path: JsonOut = None,
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
) -> None:
    """Backtest a strategy: fills at the next open, fees and slippage on every fill."""
    arguments = dict(locals())
    check_targets(json_path, report, png)
    from alu import api
    from alu.api.inputs import model_keywords

    result = api.backtest(
        strategy,
        param,
        symbols,
        start,
        end,
        fees,
        slippage,
        direction.value,
        data_dir,
        strategy_file=strategy_file,
        **model_keywords(arguments),
        keep_suspect=keep_suspect,
    )
    written: list[tuple[str, Path, int]] = []
    if report is not None:
        path = result.report(report)
        written.append(("report", path, path.stat().st_size))
    if png is not None:
        written += [("png", f, f.stat().st_size) for f in result.png(png)]
    if json_path is not None:
        from alu.output import is_stdout, write_json

        write_json(json_path, result.to_json())
        if is_stdout(json_path):
            list_written(written, sys.stderr)
            return
    from alu.reports.terminal import render_backtest

    render_backtest(result.result, show_trades=trades)
    list_written(written, sys.stdout)


def check_targets(json_path: str | None, report: Path | None, png: Path | None) -> None:
    """Refuse unwritable ``--json``/``--report``/``--png`` targets before any work is done, so
    a bad one never leaves the others written."""
    if json_path is not None:
        from alu.output import resolve_target

        resolve_target(json_path, "--json")
    if report is not None:
        from alu.reports.html import check_report_path

        check_report_path(report)
    if png is not None:
        from alu.reports.png import check_png_dir

        check_png_dir(png)


def list_written(written: list[tuple[str, Path, int]], stream: TextIO) -> None:
    """One line per file written: ``report: PATH (7.0 MB)``."""
    for kind, path, size in written:
        shown = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"
        stream.write(f"{kind}: {path} ({shown})\n")
    stream.flush()

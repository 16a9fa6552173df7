"""``alu backtest``: resolve the data and strategy, run, render or write JSON, report, charts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from alu.data.market import Market
from alu.options import ModelOptions, merge_overrides, open_universe, parse_trading
from alu.output import is_stdout, resolve_target
from alu.strategies import get_strategy, strategy_catalog

if TYPE_CHECKING:
    from alu.backtest.run import BacktestResult


def run(
    *,
    strategy: str,
    param: list[str] | None,
    symbols: str | None,
    start: str | None,
    end: str | None,
    fees: float,
    slippage: float,
    direction: str,
    data_dir: Path | None,
    json_path: str | None,
    show_trades: bool,
    model: ModelOptions | None = None,
    keep_suspect: bool = False,
    report: Path | None = None,
    png: Path | None = None,
    strategy_file: list[Path] | None = None,
) -> None:
    chosen = get_strategy(strategy, strategy_catalog(strategy_file))
    params = chosen.resolve(merge_overrides(model, param))
    trading = parse_trading(start=start, end=end, fees=fees, slippage=slippage)
    check_targets(json_path, report, png)
    market, resolved, notes = open_universe(
        data_dir, symbols, end=trading.end, keep_suspect=keep_suspect
    )

    from alu.backtest.engine import Costs
    from alu.backtest.run import BacktestSpec, run_backtest

    spec = BacktestSpec(
        strategy=chosen,
        params=params,
        symbols=resolved,
        start=trading.start,
        end=trading.end,
        costs=Costs(fees=trading.fees, slippage=trading.slippage),
        direction=direction,
    )
    signals = bool(chosen.families)
    result = run_backtest(market.universe(resolved, signals=signals), spec, notes)
    result.data = market.describe(resolved, signals=signals)
    written = write_pictures(result, market, report, png)
    if json_path is not None:
        from alu.output import write_json

        write_json(json_path, result.to_json())
        if is_stdout(json_path):
            list_written(written, sys.stderr)
            return
    from alu.reports.terminal import render_backtest

    render_backtest(result, show_trades=show_trades)
    list_written(written, sys.stdout)


def check_targets(json_path: str | None, report: Path | None, png: Path | None) -> None:
    """Refuse unwritable ``--json``/``--report``/``--png`` targets before any work is done, so
    a bad one never leaves the others written."""
    if json_path is not None:
        resolve_target(json_path, "--json")
    if report is not None:
        from alu.reports.html import check_report_path

        check_report_path(report)
    if png is not None:
        from alu.reports.png import check_png_dir

        check_png_dir(png)


def write_pictures(
    result: BacktestResult, market: Market, report: Path | None, png: Path | None
) -> list[tuple[str, Path, int]]:
    """Write the HTML report and the PNG charts asked for; returns (kind, path, bytes)."""
    if report is None and png is None:
        return []
    from alu.reports.chart_data import chart_data

    data = chart_data(result, market)
    written: list[tuple[str, Path, int]] = []
    if report is not None:
        from alu.reports.report import write_report

        path = Path(report).expanduser()
        written.append(("report", path, write_report(path, result, data)))
    if png is not None:
        from alu.reports.png import write_pngs

        written += [("png", f, f.stat().st_size) for f in write_pngs(Path(png), data)]
    return written


def list_written(written: list[tuple[str, Path, int]], stream: TextIO) -> None:
    """One line per file written: ``report: PATH (7.0 MB)``."""
    for kind, path, size in written:
        shown = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"
        stream.write(f"{kind}: {path} ({shown})\n")
    stream.flush()

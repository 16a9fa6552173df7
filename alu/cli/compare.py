"""``alu compare``: variants from grids or a TOML file, one sweep, an honest ranking."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from alu.cli.options import (
    DataDir,
    Direction,
    DirectionOption,
    End,
    Fees,
    KeepSuspect,
    MaintenanceMargin,
    MaxLeverage,
    MaxStaleDays,
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
from alu.errors import AluError


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
    variants: Annotated[
        Path | None,
        typer.Option(
            "--variants", help="TOML file of named variants (see strategies/variants.example.toml)."
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Fix a parameter for every grid variant: key=value."),
    ] = None,
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
    min_trades: Annotated[
        int,
        typer.Option(
            "--min-trades",
            help="Rank only variants with at least N trades on every symbol in-sample "
            "(the full period without --split); the others are set aside.",
        ),
    ] = 1,
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
    max_variants: Annotated[
        int, typer.Option("--max-variants", help="Refuse larger sweeps unless --yes.")
    ] = 100_000,
    yes: Annotated[
        bool, typer.Option("--yes", help="Run a sweep larger than --max-variants.")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Chunks of variants run on N threads [default: every core]; "
            "with --scheduler local, N worker processes. The result does not depend on N.",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="ADDRESS|local",
            help="Run the chunks on a dask.distributed cluster: a running scheduler's address "
            "(tcp://host:8786) or 'local' for a LocalCluster (needs the alu[dask] extra).",
        ),
    ] = None,
    resume: Annotated[
        Path | None,
        typer.Option(
            "--resume",
            metavar="DIR",
            help="Keep each finished chunk in DIR; started again with the same arguments, the "
            "sweep computes only the missing chunks (a changed grid, data or option starts "
            "it afresh).",
        ),
    ] = None,
    chunk_size: Annotated[
        int,
        typer.Option(
            "--chunk-size", help="Variants per chunk: memory follows it, not the sweep's size."
        ),
    ] = 500,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Compare strategy variants: a fast sweep, ranked with overfitting-aware statistics."""
    arguments = dict(locals())
    if top < 1:
        raise AluError("--top must be at least 1")
    from alu.output import is_stdout, printable, resolve_target

    for target, option in ((json_path, "--json"), (csv_path, "--csv")):
        if target is not None:
            resolve_target(target, option)
    check_pages(plot, report)
    from alu import api
    from alu.api.inputs import model_keywords

    progress = Progress(quiet=quiet)

    def before_sweep(variants) -> None:
        if plot is not None:
            check_heatmap(variants)
        progress.total = len(variants)

    with progress as advance:
        result = api.compare(
            strategy,
            grid,
            variants,
            param,
            symbols,
            start,
            end,
            fees,
            slippage,
            direction.value,
            data_dir,
            rank_by=rank_by,
            split=split,
            walk_forward=walk_forward,
            min_trades=min_trades,
            max_variants=None if yes else max_variants,
            strategy_file=strategy_file,
            **model_keywords(arguments),
            keep_suspect=keep_suspect,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            chunk_size=chunk_size,
            progress=advance,
            before_sweep=before_sweep,
            note=lambda line: sys.stderr.write(f"note: {printable(line)}\n"),
        )
    comparison = result.comparison
    if json_path is not None:
        result.write_json(json_path, option="--json")
    if csv_path is not None:
        result.write_csv(csv_path, option="--csv")
    if plot is not None:
        result.heatmap(plot)
    if report is not None:
        result.report(report)
    written = [p for p in (json_path, csv_path, plot, report) if p and not is_stdout(p)]
    if is_stdout(json_path) or is_stdout(csv_path):
        for path in written:  # stdout holds the JSON or CSV: list the files on stderr
            sys.stderr.write(f"wrote {path}\n")
        return
    from alu.reports.terminal_compare import render_comparison

    render_comparison(comparison, top=top, written=written)


def check_heatmap(variants) -> None:
    """``--plot`` needs a 2-D grid: refused before the sweep when the variants are not one."""
    from alu.reports.heatmap import grid_keys

    if grid_keys(variants) is None:
        raise AluError(
            "--plot draws a heatmap of a 2-D grid: "
            "give exactly two --grid keys with several values each"
        )


def check_pages(plot: Path | None, report: Path | None) -> None:
    """Refuse unwritable --plot/--report targets (and one file for both) before the sweep."""
    from alu.reports.html import check_report_path

    if plot is not None:
        check_report_path(plot, "--plot")
    if report is not None:
        check_report_path(report, "--report")
    if (
        plot is not None
        and report is not None
        and Path(plot).expanduser().resolve() == Path(report).expanduser().resolve()
    ):
        raise AluError("--plot and --report name the same file; give two file names")


class Progress:
    """A rich progress bar on stderr that appears only once a sweep has run for a second, and
    never when stderr is not a terminal or with --quiet."""

    def __init__(self, *, quiet: bool) -> None:
        self.total: int | None = None
        self.enabled = not quiet and sys.stderr.isatty()
        self.started = time.monotonic()
        self.done = 0
        self.bar = None
        self.task = None

    def __enter__(self) -> Callable[[int], None]:
        return self.advance

    def advance(self, count: int) -> None:
        self.done += count
        if not self.enabled:
            return
        if self.bar is None and time.monotonic() - self.started > 1.0:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn
            from rich.progress import Progress as Bar

            self.bar = Bar(
                "variants",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("sweep", total=self.total, completed=self.done)
        elif self.bar is not None:
            self.bar.update(self.task, completed=self.done)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()

"""``alu compare``: variants from grids or a TOML file, one sweep, an honest ranking."""

from __future__ import annotations

import csv
import io
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from alu.errors import AluError
from alu.options import ModelOptions, merge_overrides, open_universe, parse_day, parse_trading
from alu.output import is_stdout, resolve_target
from alu.strategies import strategy_catalog
from alu.strategies.variants import load_variants_file, variants_from_grids


def run(
    *,
    strategy: str,
    grid: list[str] | None,
    variants_file: Path | None,
    param: list[str] | None,
    symbols: str | None,
    start: str | None,
    end: str | None,
    fees: float,
    slippage: float,
    direction: str,
    data_dir: Path | None,
    rank_by: str,
    top: int,
    split: str | None,
    walk_forward: int | None,
    json_path: str | None,
    csv_path: str | None,
    plot_path: Path | None,
    max_variants: int,
    yes: bool,
    quiet: bool,
    report: Path | None = None,
    model: ModelOptions | None = None,
    keep_suspect: bool = False,
    strategy_file: list[Path] | None = None,
    min_trades: int = 1,
) -> None:
    from alu.backtest.compare import check_rank_metric

    rank_by = check_rank_metric(rank_by)
    trading = parse_trading(start=start, end=end, fees=fees, slippage=slippage)
    if top < 1:
        raise AluError("--top must be at least 1")
    if min_trades < 0:
        raise AluError(f"--min-trades must be 0 or more, got {min_trades}")
    if walk_forward is not None and walk_forward < 2:
        raise AluError("--walk-forward needs at least 2 windows")
    if grid and variants_file is not None:
        raise AluError("give either --grid or --variants, not both")
    # Counted before any variant is built or any data is read.
    limit = None if yes else max_variants
    fixed = merge_overrides(model, param)
    catalog = strategy_catalog(strategy_file)
    if variants_file is not None:
        if fixed:
            raise AluError(
                "--param and the execution options (--sizing, --stop-loss, ...) apply to --grid "
                "sweeps; put fixed values in the variants file"
            )
        variants = load_variants_file(variants_file, strategies=catalog, max_variants=limit)
    else:
        variants = variants_from_grids(
            strategy, grid, fixed, strategies=catalog, max_variants=limit
        )
    if plot_path is not None:
        _check_heatmap(variants)
    for target, option in ((json_path, "--json"), (csv_path, "--csv")):
        if target is not None:
            resolve_target(target, option)
    _check_pages(plot_path, report)

    market, resolved, notes = open_universe(
        data_dir, symbols, end=trading.end, keep_suspect=keep_suspect
    )
    split_day = _parse_split(split)

    from alu.backtest.compare import build_comparison
    from alu.backtest.engine import Costs
    from alu.backtest.sweep import SweepSpec, run_sweep

    spec = SweepSpec(
        variants=variants,
        symbols=resolved,
        start=trading.start,
        end=trading.end,
        costs=Costs(fees=trading.fees, slippage=trading.slippage),
        direction=direction,
    )
    spec.split = split_day
    with _progress(len(variants), quiet=quiet) as advance:
        signals = any(v.strategy.families for v in variants)
        sweep = run_sweep(market.universe(resolved, signals=signals), spec, progress=advance)
    comparison = build_comparison(
        sweep, rank_by=rank_by, walk_forward=walk_forward, min_trades=min_trades
    )
    comparison.data = market.describe(resolved, signals=signals)
    legs = [s for s in resolved if s in ("LME3M", "ALI=F")]
    notes += [f"{s}: {market.instrument(s).description}" for s in legs]
    if sweep.window is not None:
        notes.append(
            f"window {sweep.window.start:%Y-%m-%d} to {sweep.window.end:%Y-%m-%d}: "
            f"{sweep.window.reason}"
        )
    comparison.notes = [*notes, *comparison.notes]
    long_only = list(dict.fromkeys(v.strategy.name for v in variants if v.strategy.long_only))
    if long_only and direction == "both":
        names = ", ".join(long_only)
        verb, pronoun = ("is", "it") if len(long_only) == 1 else ("are", "them")
        comparison.notes.append(
            f"{names} {verb} long-only: --direction both changes nothing for {pronoun}"
        )

    if json_path is not None:
        from alu.output import write_json

        # Indented for reading up to a hundred variants; compact beyond (it is for programs).
        write_json(json_path, comparison.to_json(), compact=len(variants) > 100)
    if csv_path is not None:
        _write_csv(csv_path, comparison)
    if plot_path is not None:
        from alu.reports.compare_report import write_heatmap_page

        write_heatmap_page(Path(plot_path).expanduser(), comparison)
    if report is not None:
        from alu.reports.compare_report import write_compare_report

        write_compare_report(Path(report).expanduser(), comparison)
    written = [p for p in (json_path, csv_path, plot_path, report) if p and not is_stdout(p)]
    if is_stdout(json_path) or is_stdout(csv_path):
        for path in written:  # stdout holds the JSON or CSV: list the files on stderr
            sys.stderr.write(f"wrote {path}\n")
        return
    from alu.reports.terminal_compare import render_comparison

    render_comparison(comparison, top=top, written=written)


def _parse_split(text: str | None) -> pd.Timestamp | float | None:
    """``--split``: a date, or a fraction of the period in (0, 1)."""
    if text is None:
        return None
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return parse_day(text, "--split")
    try:
        fraction = float(text)
    except ValueError:
        raise AluError(f"--split: expected a date YYYY-MM-DD or a fraction, got '{text}'") from None
    if not 0 < fraction < 1:
        raise AluError(f"--split: a fraction must be between 0 and 1, got {text}")
    return fraction


def _check_heatmap(variants) -> None:
    from alu.reports.heatmap import grid_keys

    if grid_keys(variants) is None:
        raise AluError(
            "--plot draws a heatmap of a 2-D grid: "
            "give exactly two --grid keys with several values each"
        )


def _check_pages(plot_path: Path | None, report: Path | None) -> None:
    """Refuse unwritable --plot/--report targets (and one file for both) before the sweep."""
    from alu.reports.html import check_report_path

    if plot_path is not None:
        check_report_path(plot_path, "--plot")
    if report is not None:
        check_report_path(report, "--report")
    if (
        plot_path is not None
        and report is not None
        and Path(plot_path).expanduser().resolve() == Path(report).expanduser().resolve()
    ):
        raise AluError("--plot and --report name the same file; give two file names")


def _write_csv(target: str, comparison) -> None:
    from alu.output import csv_cell, jsonable, write_text

    header, rows = comparison.csv_rows()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in jsonable(row)])
    write_text(target, buffer.getvalue(), option="--csv")


class _progress:
    """A rich progress bar on stderr that appears only once a sweep has run for a second, and
    never when stderr is not a terminal or with --quiet."""

    def __init__(self, total: int, *, quiet: bool) -> None:
        self.total = total
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
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self.bar = Progress(
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

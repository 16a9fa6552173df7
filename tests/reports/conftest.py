"""Reports built once per session on the bundled sample, shared by the report tests: the
backtest's, and ``alu compare``'s."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from alu.backtest.compare import Comparison, build_comparison
from alu.backtest.run import BacktestResult, BacktestSpec, run_backtest
from alu.backtest.sweep import SweepSpec, run_sweep
from alu.data.market import Market
from alu.reports.chart_data import ChartData, chart_data
from alu.reports.compare_report import write_compare_report
from alu.reports.readback import Page, read_page
from alu.reports.report import write_report
from alu.strategies import get_strategy
from alu.strategies.variants import load_variants_file, variants_from_grids

REPO = Path(__file__).resolve().parents[2]
BROWSER = REPO / "bench" / "browser.py"


@dataclass(frozen=True)
class Built:
    """A backtest, its charts' data, the report written from them and the report read back."""

    result: BacktestResult
    data: ChartData
    path: Path
    page: Page


def build_report(market: Market, path: Path, strategy: str, **spec) -> Built:
    chosen = get_strategy(strategy)
    params = chosen.resolve(spec.pop("params", {}))
    symbols, notes = market.resolve_symbols(spec.pop("symbols", None))
    result = run_backtest(
        market.universe(),
        BacktestSpec(chosen, params, symbols, **spec),
        notes,
        data=market.describe(symbols),
    )
    data = chart_data(result, market)
    write_report(path, result, data)
    return Built(result, data, path, read_page(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def report_builder():
    """:func:`build_report`, for tests that build their own report."""
    return build_report


@pytest.fixture(scope="session")
def squeeze_report(sample_market, tmp_path_factory) -> Built:
    """The default strategy on the sample (long only)."""
    path = tmp_path_factory.mktemp("report") / "squeeze.html"
    return build_report(sample_market, path, "squeeze")


@pytest.fixture(scope="session")
def bands_report(sample_market, tmp_path_factory) -> Built:
    """The bands strategy, long and short, non-default bands: it trades both directions."""
    path = tmp_path_factory.mktemp("report") / "bands.html"
    return build_report(
        sample_market, path, "bands", params={"upper": 3100, "lower": 2400}, direction="both"
    )


@pytest.fixture(scope="session")
def browser():
    """bench/browser.py (loaded by path); skips when Chromium is not installed."""
    spec = importlib.util.spec_from_file_location("alu_bench_browser", BROWSER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if module.chromium() is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return module


@dataclass(frozen=True)
class BuiltComparison:
    """A sweep's comparison, its report written to ``path`` and the report read back."""

    comparison: Comparison
    path: Path
    page: Page


def build_comparison_for(
    market: Market, variants: list, *, split=None, walk_forward=None, **spec
) -> Comparison:
    """Sweep ``variants`` on ``market`` (all three symbols) and rank them as ``alu compare``."""
    symbols, notes = market.resolve_symbols(None)
    sweep_spec = SweepSpec(variants=variants, symbols=symbols, **spec)
    sweep_spec.split = split
    comparison = build_comparison(
        run_sweep(market.universe(), sweep_spec), rank_by="sharpe", walk_forward=walk_forward
    )
    comparison.data = market.describe(symbols)
    comparison.notes = [*notes, *comparison.notes]  # as alu compare does
    return comparison


def write_compare(comparison: Comparison, path: Path, **options) -> BuiltComparison:
    write_compare_report(path, comparison, **options)
    return BuiltComparison(comparison, path, read_page(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def grid_compare(sample_market, tmp_path_factory) -> BuiltComparison:
    """bands, a 3 x 3 grid, long and short, split and walk-forward: every section."""
    variants = variants_from_grids("bands", ["confirm=1,3,5", "buffer=0,0.01,0.02"], {})
    comparison = build_comparison_for(
        sample_market,
        variants,
        start=pd.Timestamp("2019-01-01"),
        direction="both",
        split=pd.Timestamp("2023-06-30"),
        walk_forward=3,
    )
    return write_compare(comparison, tmp_path_factory.mktemp("compare") / "grid.html")


@pytest.fixture(scope="session")
def file_compare(sample_market, tmp_path_factory) -> BuiltComparison:
    """The example variants file (five strategies), the whole sample, no split."""
    variants = load_variants_file(REPO / "strategies" / "variants.example.toml")
    comparison = build_comparison_for(sample_market, variants)
    return write_compare(comparison, tmp_path_factory.mktemp("compare") / "file.html")


@pytest.fixture(scope="session")
def compare_builder():
    """(:func:`build_comparison_for`, :func:`write_compare`), for tests that build their own."""
    return build_comparison_for, write_compare

"""Reports built once per session on the bundled sample, shared by the report tests."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import pytest

from alu.data.market import Market
from backtest.chart_data import ChartData, chart_data
from backtest.readback import Page, read_page
from backtest.report import write_report
from backtest.run import BacktestResult, BacktestSpec, run_backtest
from strategies import get_strategy

BROWSER = Path(__file__).resolve().parents[2] / "bench" / "browser.py"


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
    result = run_backtest(market, BacktestSpec(chosen, params, symbols, **spec), notes)
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

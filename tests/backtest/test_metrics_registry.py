"""One registry of metrics, read by everything that shows or ranks them."""

from __future__ import annotations

from pathlib import Path

from alu.backtest import metrics
from alu.backtest.compare import LOWER_IS_BETTER, RANKABLE
from alu.backtest.sweep import METRICS as SWEPT
from alu.reports.columns import metric_kind
from alu.reports.terminal import METRIC_COLUMNS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def test_the_docs_table_is_the_registry():
    text = DOCS.read_text(encoding="utf-8")
    table = text.split("<!-- registry -->\n")[1].split("\n<!-- /registry -->")[0]
    assert table == metrics.metrics_table()


def test_every_reader_takes_the_registry():
    names = tuple(m.name for m in metrics.METRICS)
    assert metrics.NAMES == names == tuple(SWEPT)
    assert tuple(key for key, _, _ in METRIC_COLUMNS) == names
    assert {m.name for m in metrics.METRICS if not m.higher_is_better} == LOWER_IS_BETTER
    assert "buy_hold_return" not in RANKABLE and "sharpe" in RANKABLE
    for m in metrics.METRICS:
        assert metric_kind(m.name) == m.format


def test_a_segment_computes_every_metric_of_the_registry(sample_market):
    import alu

    result = alu.backtest(strategy="bands", symbols="AA", start="2020-01-01")
    assert list(result.metrics.columns) == list(metrics.NAMES)

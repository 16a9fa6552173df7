"""``alu backtest --report FILE.html``: the backtest as one self-contained HTML page.

The page (built with the shell in :mod:`alu.reports.html`): a header naming the strategy, window,
data source (flagged SYNTHETIC for the bundled sample), parameters and costs; the timeline
figure (:func:`alu.reports.charts.timeline_figure`: market panels, then per symbol price with
trades, equity against buy and hold and drawdown, then the portfolio); the metrics table
(``metrics``: one column per symbol and the portfolio, exact values in ``data-value``); the trade
list (``trades``). The figure data is the backtest's own numbers, so a report can be checked by
reading it back (:mod:`alu.reports.readback`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alu.reports.html import (
    Cell,
    Section,
    figure_html,
    metric_cell,
    note_html,
    page_html,
    table_html,
    write_page,
)
from alu.reports.terminal import METRIC_COLUMNS, param_text

if TYPE_CHECKING:
    from alu.backtest.engine import Costs
    from alu.backtest.run import BacktestResult
    from alu.reports.chart_data import ChartData

TRADE_HEADERS = (
    "symbol",
    "direction",
    "entry",
    "entry price",
    "exit",
    "exit price",
    "return",
    "P&L (US$)",
    "why",
)


def metrics_table(result: BacktestResult) -> str:
    """Metric rows by symbol columns plus the portfolio; ``from``/``to`` rows when they differ."""
    columns = {**result.symbol_metrics(), "portfolio": result.portfolio_metrics()}
    spans = {s: (a.dates[0], a.dates[-1]) for s, a in result.accounts.items()}
    equity = result.portfolio_equity
    spans["portfolio"] = (equity.index[0], equity.index[-1])
    rows: list[list[Cell]] = []
    keys: list[str] = []
    if len(set(spans.values())) > 1:
        for key, pos in (("from", 0), ("to", 1)):
            dates = [f"{spans[n][pos]:%Y-%m-%d}" for n in columns]
            rows.append([Cell(key), *(Cell(d, d) for d in dates)])
            keys.append(key)
    for key, label, kind in METRIC_COLUMNS:
        rows.append([Cell(label), *(metric_cell(columns[n][key], kind) for n in columns)])
        keys.append(key)
    return table_html(["metric", *columns], rows, table_id="metrics", row_keys=keys)


def trades_table(result: BacktestResult) -> str:
    """Every round trip, in symbol then entry order; an open trade shows ``open``."""
    rows = []
    for symbol, account in result.accounts.items():
        for t in account.trades:
            entry = f"{t.entry_date:%Y-%m-%d}"
            exit_ = None if t.exit_date is None else f"{t.exit_date:%Y-%m-%d}"
            rows.append(
                [
                    Cell(symbol, symbol),
                    Cell(t.direction, t.direction),
                    Cell(entry, entry),
                    metric_cell(t.entry_price, "num"),
                    Cell(exit_ or "open", exit_),
                    metric_cell(t.exit_price, "num"),
                    metric_cell(t.trade_return, "pct"),
                    metric_cell(t.pnl, "num"),
                    Cell(t.exit_reason, t.exit_reason),
                ]
            )
    if not rows:
        return note_html("No trades in this window.")
    caption = (
        f"{len(rows)} trades. Prices are fills (next open, slippage included); the return is "
        "net of both fills' fees; an open trade is marked at the last close. Why: the trade "
        "ended on the rule's signal, a stop, a liquidation, or is still open at the end."
    )
    return table_html(TRADE_HEADERS, rows, table_id="trades", caption=caption)


def costs_line(costs: Costs) -> str:
    """The header line of the execution costs (shared with ``alu compare --report``)."""
    return (
        f"costs: fees {costs.fees:.3%} + slippage {costs.slippage:.3%} per fill; "
        f"{costs.init_cash:,.0f} cash per symbol; fills at the next open"
    )


def header_lines(result: BacktestResult, data: ChartData) -> list[str]:
    spec = result.spec
    defaults = {p.name: p.default for p in spec.strategy.params}
    lines = [
        f"window {data.first:%Y-%m-%d} to {data.last:%Y-%m-%d}; direction {spec.direction}",
        f"params: {param_text(spec.params, defaults)}",
        costs_line(spec.costs),
    ]
    if "band_reference" in result.data:
        lines.append(f"band reference: {result.data['band_reference']}")
    lines += [f"note: {n}" for n in [*result.notes, *data.notes]]
    lines += [f"warning: {w}" for w in result.data.get("warnings", [])]
    return lines


def backtest_page(result: BacktestResult, data: ChartData) -> str:
    """The report page's HTML."""
    from alu.reports.charts import timeline_figure

    timeline = (
        "Every panel shares one date axis: drag to zoom, double-click to reset. "
        "Dotted lines: catalyst dates (hover the markers at the top for names). "
        "Triangles: fills (filled = entry, open = exit; green long, red short). "
        "Buy & hold: the initial cash times close / first close, no costs."
    )
    sections = [
        Section(
            "Timeline", [note_html(timeline), figure_html(timeline_figure(data), name="timeline")]
        ),
        Section("Metrics", [metrics_table(result)]),
        Section("Trades", [trades_table(result)]),
    ]
    title = f"alu backtest: {result.spec.strategy.name}"
    return page_html(
        title=title,
        source=data.source,
        synthetic=data.synthetic,
        sections=sections,
        meta_lines=header_lines(result, data),
        footer="Made by alu backtest --report. Self-contained: works offline.",
    )


def write_report(path: Path, result: BacktestResult, data: ChartData) -> int:
    """Write the report of ``result`` (its charts' data: ``data``) to ``path``; returns bytes."""
    return write_page(path, backtest_page(result, data))

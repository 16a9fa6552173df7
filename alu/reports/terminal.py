"""Terminal rendering with rich: tables for backtests and the strategy list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from alu.backtest.metrics import METRICS
from alu.output import num, pct, safe_console

if TYPE_CHECKING:
    from alu.backtest.run import BacktestResult
    from alu.strategies.base import Strategy


def console(*, piped_width: int | None = None) -> Console:
    """A console for stdout; ``piped_width`` widens it when stdout is not a terminal (wide
    tables then stay whole in files and pipes instead of wrapping at 80 columns)."""
    import os
    import sys

    width = None
    if piped_width and not sys.stdout.isatty() and "COLUMNS" not in os.environ:
        width = piped_width
    return safe_console(highlight=False, soft_wrap=False, width=width)


#: (key, label, format) of every metric, in the registry's order (alu.backtest.metrics).
METRIC_COLUMNS: tuple[tuple[str, str, str], ...] = tuple(
    (m.name, m.label, m.format) for m in METRICS
)


def fmt_metric(value: Any, kind: str) -> Text:
    if kind == "int":
        return Text(str(int(value)))
    text = pct(value) if kind == "pct" else num(value)
    style = ""
    if isinstance(value, float) and kind != "int" and value == value:
        style = "red" if value < 0 else ""
    return Text(text, style=style)


def source_line(data: dict[str, Any]) -> Text:
    style = "bold yellow" if data.get("synthetic") else "bold"
    return Text.assemble(("data: ", "dim"), (data["source"], style))


def param_text(params: dict[str, Any], defaults: dict[str, Any]) -> str:
    """The parameters that differ from their defaults, as ``key=value`` pairs."""
    if not params:
        return "none"
    changed = [
        f"{name}={value:g}" if isinstance(value, float) else f"{name}={value}"
        for name, value in params.items()
        if defaults.get(name) != value
    ]
    return " ".join(changed) + " (others at defaults)" if changed else "defaults"


def model_text(model: Any) -> str:
    """Sizing, stops and margin in a few words."""
    if model.vol_target > 0:
        sizing = (
            f"vol-target {model.vol_target:g} over {model.vol_window} days, max leverage "
            f"{model.max_leverage:g}, resized every {model.rebalance_days} days"
        )
    elif model.fraction == 1:
        sizing = "all in"
    else:
        sizing = f"fraction {model.fraction:g} of equity"
    stops = [
        f"{label} {value:.1%}"
        for label, value in (("stop-loss", model.stop_loss), ("trailing stop", model.trailing_stop))
        if value > 0
    ]
    margin = f"maintenance margin {model.maintenance_margin:.0%}"
    return "; ".join([sizing, *stops, margin])


def render_backtest(result: BacktestResult, *, show_trades: bool = False) -> None:
    out = console(piped_width=120)
    spec = result.spec
    data = result.data
    defaults = {p.name: p.default for p in spec.strategy.params}
    first = min(a.dates[0] for a in result.accounts.values())
    last = max(a.dates[-1] for a in result.accounts.values())
    out.print(
        Text.assemble(
            ("alu backtest", "bold"),
            f"  strategy {spec.strategy.name}  {first:%Y-%m-%d} to {last:%Y-%m-%d}",
            f"  direction {spec.direction}",
        )
    )
    if spec.strategy.file is not None:
        out.print(Text(f"strategy file: {spec.strategy.file}", style="dim"))
    out.print(source_line(data))
    if result.window is not None:
        out.print(Text(f"window: {result.window.reason}", style="dim"))
    if "band_reference" in data:
        out.print(Text(f"band reference: {data['band_reference']}", style="dim"))
    out.print(Text(f"params: {param_text(spec.params, defaults)}", style="dim"))
    out.print(
        Text(
            f"costs: fees {spec.costs.fees:.3%} + slippage {spec.costs.slippage:.3%} per fill; "
            f"{spec.costs.init_cash:,.0f} cash per symbol; fills at the next open",
            style="dim",
        )
    )
    out.print(Text(f"model: {model_text(spec.model)}", style="dim"))
    for note in result.notes:
        out.print(Text(f"note: {note}", style="cyan"))
    for warning in data.get("warnings", []):
        out.print(Text(f"warning: {warning}", style="yellow"))

    per_symbol = result.symbol_metrics()
    columns = {**per_symbol, "portfolio": result.portfolio_metrics()}
    spans = {s: (a.dates[0], a.dates[-1]) for s, a in result.accounts.items()}
    spans["portfolio"] = (result.portfolio_equity.index[0], result.portfolio_equity.index[-1])
    table = Table(show_edge=False, header_style="bold", pad_edge=False)
    table.add_column("")
    for name in columns:
        table.add_column(name, justify="right", style="bold" if name == "portfolio" else None)
    if len({v for v in spans.values()}) > 1:
        table.add_row("from", *(f"{spans[n][0]:%Y-%m-%d}" for n in columns))
        table.add_row("to", *(f"{spans[n][1]:%Y-%m-%d}" for n in columns))
    for key, header, kind in METRIC_COLUMNS:
        table.add_row(header, *(fmt_metric(columns[n][key], kind) for n in columns))
    out.print(table)
    if show_trades:
        render_trades(out, result)
    else:
        open_trades = [
            f"{s} {t.direction} since {t.entry_date:%Y-%m-%d}"
            for s, a in result.accounts.items()
            for t in a.trades
            if t.is_open
        ]
        if open_trades:
            out.print(Text("open at the end: " + "; ".join(open_trades), style="dim"))


def render_trades(out: Console, result: BacktestResult) -> None:
    table = Table(title="trades", show_edge=False, header_style="bold", pad_edge=False)
    headers = ("symbol", "direction", "entry", "entry price", "exit", "exit price", "return", "why")
    for header in headers:
        table.add_column(
            header, justify="right" if "price" in header or header == "return" else "left"
        )
    for symbol, account in result.accounts.items():
        for t in account.trades:
            table.add_row(
                symbol,
                t.direction,
                f"{t.entry_date:%Y-%m-%d}",
                num(t.entry_price),
                "open" if t.exit_date is None else f"{t.exit_date:%Y-%m-%d}",
                "-" if t.exit_price is None else num(t.exit_price),
                fmt_metric(t.trade_return, "pct"),
                Text(t.exit_reason, style="red" if t.exit_reason == "liquidation" else ""),
            )
    out.print(table)


def render_strategies(strategies: list[Strategy]) -> None:
    out = console()
    for strategy in strategies:
        out.print(Text(strategy.name, style="bold"), Text(strategy.description))
        if strategy.file is not None:  # a user's strategy: where it is, what it does
            line = f":{strategy.line}" if strategy.line is not None else ""
            out.print(Padding(Text(f"from {strategy.file}{line}", style="dim"), (0, 0, 0, 2)))
            for paragraph in strategy.doc.split("\n\n")[1:]:
                out.print(Padding(Text(" ".join(paragraph.split())), (0, 0, 0, 2)))
        table = Table(show_edge=False, show_header=False, pad_edge=False, box=None)
        table.add_column(style="cyan")
        table.add_column(justify="right")
        table.add_column(style="dim")
        for p in strategy.params:
            table.add_row(
                f"  {p.name}",
                f"{p.default:g}" if isinstance(p.default, float) else str(p.default),
                p.help,
            )
        if strategy.params:
            out.print(table)
        out.print()


def render_columns() -> None:
    """The signal columns a rule may read (:mod:`alu.strategies.signal_columns`)."""
    from alu.strategies.signal_columns import SIGNAL_COLUMNS

    out = console(piped_width=150)
    table = Table(
        title="signal columns a rule may read (as usable at each day's close)",
        title_justify="left",
        title_style="bold",
        show_edge=False,
        pad_edge=False,
        box=None,
    )
    for label in ("column", "family", "kind", "unit", "meaning"):
        table.add_column(label, style="cyan" if label == "column" else None)
    for c in SIGNAL_COLUMNS.values():
        meaning = f"{', '.join(c.states)}: {c.meaning}" if c.states else c.meaning
        table.add_row(c.name, c.family, c.kind, c.unit, meaning)
    out.print(table)

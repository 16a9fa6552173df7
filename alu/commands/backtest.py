"""``alu backtest``: resolve the data and strategy, run, render or write JSON."""

from __future__ import annotations

from pathlib import Path

from alu.data.market import Market
from alu.data.source import resolve_source
from alu.options import check_fraction, parse_symbols, parse_window
from strategies import get_strategy
from strategies.params import parse_assignments


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
) -> None:
    chosen = get_strategy(strategy)
    params = chosen.resolve(parse_assignments(param))
    first, last = parse_window(start, end)
    costs_fees = check_fraction(fees, "--fees")
    costs_slippage = check_fraction(slippage, "--slippage")
    requested = parse_symbols(symbols)
    market = Market(resolve_source(data_dir), end=last)
    resolved, notes = market.resolve_symbols(requested)

    from backtest.engine import Costs
    from backtest.run import BacktestSpec, run_backtest

    spec = BacktestSpec(
        strategy=chosen,
        params=params,
        symbols=resolved,
        start=first,
        end=last,
        costs=Costs(fees=costs_fees, slippage=costs_slippage),
        direction=direction,
    )
    result = run_backtest(market, spec, notes)
    if json_path is not None:
        from alu.output import write_json

        write_json(json_path, result.to_json())
        if json_path == "-":
            return
    from alu.render import render_backtest

    render_backtest(result, show_trades=show_trades)

"""The baseline of bench_compare.py: plain vectorbt used the obvious way.

The same variants' stances (the project's signal code), then ONE ``Portfolio.from_signals`` over
all variant x symbol columns on the union calendar (entries/exits shifted a day so fills happen
at the next open, as in the project's execution model), then total return, Sharpe ratio and max
drawdown from the portfolio's accessors.

Usage: python bench/plain_vectorbt_route.py START GRID...   (GRID as for alu compare --grid)
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import vectorbt as vbt
from alu.strategies.stack import StackedSignals

from alu.backtest.run import BacktestSpec, window_bars
from alu.data.market import Market
from alu.data.source import DataSource, sample_dir
from alu.strategies.variants import variants_from_grids

SYMBOLS = ["AA", "CENX", "ALI=F"]


def main() -> None:
    start = pd.Timestamp(sys.argv[1])
    variants = variants_from_grids("squeeze", sys.argv[2:], {})
    market = Market(DataSource("sample", sample_dir()))
    strategy = variants[0].strategy
    stack = StackedSignals(strategy, [v.params for v in variants], market.signal_inputs())
    chunk = np.arange(len(variants))
    bars = {s: window_bars(market, s, BacktestSpec(strategy, {}, SYMBOLS, start)) for s in SYMBOLS}
    days = pd.DatetimeIndex(sorted(set().union(*(b.index for b in bars.values()))))
    close, price, entries, exits = [], [], [], []
    for symbol, b in bars.items():
        stance = stack.stances(symbol, b.index, chunk, allow_short=False)
        held = np.vstack([np.zeros((1, len(chunk)), dtype=np.int8), stance[:-1]])
        before = np.vstack([np.zeros((1, len(chunk)), dtype=np.int8), held[:-1]])
        frame = lambda a, b=b: pd.DataFrame(a, index=b.index).reindex(days)  # noqa: E731
        entries.append(frame((held == 1) & (before != 1)).fillna(False).astype(bool))
        exits.append(frame((before == 1) & (held != 1)).fillna(False).astype(bool))
        c = b["close"].reindex(days)
        close.append(pd.DataFrame(np.repeat(c.to_numpy()[:, None], len(chunk), 1), index=days))
        p = b["open"].fillna(b["close"]).reindex(days)
        price.append(pd.DataFrame(np.repeat(p.to_numpy()[:, None], len(chunk), 1), index=days))
    join = lambda parts: pd.concat(parts, axis=1, ignore_index=True)  # noqa: E731
    portfolio = vbt.Portfolio.from_signals(
        join(close),
        join(entries),
        join(exits),
        price=join(price),
        fees=0.001,
        slippage=0.0005,
        init_cash=100_000.0,
        freq="1D",
    )
    results = (portfolio.total_return(), portfolio.sharpe_ratio(), portfolio.max_drawdown())
    print(len(results[0]), "columns")


if __name__ == "__main__":
    main()

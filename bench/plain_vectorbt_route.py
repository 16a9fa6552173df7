"""The baseline of bench_compare.py: plain vectorbt used the obvious way.

The same variants' stances (the project's own signal arrays, so that the baseline pays nothing
for signals that alu does not), then ONE ``Portfolio.from_signals`` over every variant x symbol
column on the union calendar (entries and exits a day after the stance, filled at that day's
open, as in the project's execution model; fees and slippage alike), then total return, Sharpe
ratio and max drawdown from the portfolio's accessors.

Usage: python bench/plain_vectorbt_route.py DATA_DIR STRATEGY START [--limit N] GRID...
(GRID as for ``alu compare --grid``; START a date or ``-`` for the strategy's default window;
``--limit N``: only the grid's first N variants, for sizes this machine's memory cannot hold)
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import vectorbt as vbt

from alu.api.inputs import open_market
from alu.backtest.sweep import SweepSpec, _stances, plan_sweep, variant_params
from alu.strategies.variants import variants_from_grids

SYMBOLS = ["AA", "CENX", "LME3M"]


def main() -> None:
    data_dir, strategy, start, *grid = sys.argv[1:]
    limit = None
    if grid[:1] == ["--limit"]:
        limit, grid = int(grid[1]), grid[2:]
    variants = variants_from_grids(strategy, grid, {}, max_variants=None)
    if limit is not None:
        variants = [variants[i] for i in range(min(limit, len(variants)))]
    market = open_market(data_dir)
    universe = market.universe(SYMBOLS, signals=True)
    spec = SweepSpec(
        variants=variants,
        symbols=SYMBOLS,
        start=None if start == "-" else pd.Timestamp(start),
        chunk_size=len(variants),
    )
    plan, about = plan_sweep(universe, spec)
    index = np.arange(len(variants), dtype=np.int64)
    chosen, params = variant_params(plan.variants, index)
    stance = _stances(plan, chosen, params, len(variants))  # variants x days (concatenated)
    days = about["dates"]
    close, price, entries, exits = [], [], [], []
    for s, _ in enumerate(SYMBOLS):
        a, b = int(plan.bounds[s]), int(plan.bounds[s + 1])
        own = plan.history[SYMBOLS[s]][plan.offsets[SYMBOLS[s]] :]
        rows = days.searchsorted(own)  # the symbol's days on the union calendar
        held = np.zeros((b - a, len(variants)), dtype=np.int8)
        held[1:] = stance[:, a : b - 1].T  # decided at the close, held from the next day
        before = np.zeros_like(held)
        before[1:] = held[:-1]

        def frame(values: np.ndarray, fill, rows=rows) -> pd.DataFrame:
            out = np.full((len(days), values.shape[1]), fill, dtype=values.dtype)
            out[rows] = values
            return pd.DataFrame(out, index=days)

        entries.append(frame((held == 1) & (before != 1), False))
        exits.append(frame((before == 1) & (held != 1), False))
        c = pd.Series(np.nan, index=days)
        c.iloc[rows] = plan.close[a:b]
        p = pd.Series(np.nan, index=days)
        p.iloc[rows] = plan.fill[a:b]
        c, p = c.ffill(), p.fillna(c)
        close.append(pd.DataFrame(np.repeat(c.to_numpy()[:, None], len(variants), 1), index=days))
        price.append(pd.DataFrame(np.repeat(p.to_numpy()[:, None], len(variants), 1), index=days))
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

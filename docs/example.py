"""alu from Python: a backtest, a sweep, the watchlist and the thesis, on the bundled sample.

Run it with ``python docs/example.py`` (CI does: tests/api/test_example.py). Set ``ALU_DATA`` to
a data dir (prices/SYMBOL.csv, lme.csv) to run it on your own data.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import alu

data_dir = os.environ.get("ALU_DATA")  # None: the local store, else the bundled sample

# One backtest: the squeeze, long and short, vol-targeted with a trailing stop.
bt = alu.backtest(
    strategy="squeeze",
    direction="both",
    sizing="vol-target=0.25",
    max_leverage=2,
    trailing_stop=0.1,
    data_dir=data_dir,
)
print(bt.window)
print(bt.metrics[["total_return", "sharpe", "max_drawdown", "trades"]].round(3))
print(bt.trades.groupby(["symbol", "exit_reason"]).size())
print(bt.equity.tail(3))

# A sweep of the band strategy, ranked in-sample with a split, with its overfitting statistics.
cmp = alu.compare(
    strategy="bands",
    grid={"confirm": [1, 2, 3, 5], "buffer": "0:0.02:0.005"},
    split=0.6,
    data_dir=data_dir,
)
print(
    cmp.table[
        ["rank", "name", "in_sample.portfolio.sharpe", "out_of_sample.portfolio.sharpe"]
    ].head()
)
print("PBO:", cmp.pbo)

# The morning check and the thesis verdict.
print(alu.watchlist(data_dir=data_dir).to_json()["signals"]["band"]["state"])
verdict = alu.thesis(data_dir=data_dir)
print(verdict.to_json()["verdict"])

# A strategy of your own, in TOML, backtested like a built-in one.
with tempfile.TemporaryDirectory() as folder:
    mine = Path(folder) / "mine.toml"
    mine.write_text(
        "[[strategy]]\n"
        "name = 'tight_and_high'\n"
        "long = \"spread_regime == 'BACKWARDATION' and reference_price > 3000\"\n"
    )
    print(alu.load_strategies(mine))
    own = alu.backtest(strategy="tight_and_high", strategy_file=mine, data_dir=data_dir)
    print(own.metrics.loc["portfolio", ["total_return", "trades"]])
    print(own.report(Path(folder) / "report.html").stat().st_size > 0)

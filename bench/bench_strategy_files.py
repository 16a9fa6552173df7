"""Benchmark: a sweep of a user's strategy file against the same sweep of the built-in strategy.

The built-in ``inventory`` strategy, and the same rule written as a TOML file (conditions read
by alu's expression evaluator) and as a Python file (a rule wrapped by the checks every user
rule goes through), each swept by ``alu compare`` over the same 650-variant grid on the bundled
sample, whole processes, runs interleaved. Target: a strategy file costs at most 1.25x the
built-in's wall time and 1.1x its peak memory (the signals and the engine are the same; only the
rule differs).

Usage: python bench/bench_strategy_files.py [--runs N]   (exit code 1 when the target is missed)
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import textwrap
from pathlib import Path

from common import alu_command, clean_env, run_measured, wall

TIME_RATIO, MEMORY_RATIO = 1.25, 1.1
GRID = ["--grid", "entry_pct=0.01:0.5:0.01", "--grid", "exit_pct=0.3:0.9:0.05"]

TOML = """
[[strategy]]
name = "toml_inventory"
long_entry = "stock_percentile <= entry_pct and inventory_trend == 'FALLING'"
long_exit = "stock_percentile > exit_pct or inventory_trend == 'BUILDING'"
short_entry = "stock_percentile >= 1 - entry_pct and inventory_trend == 'BUILDING'"
short_exit = "stock_percentile < 1 - exit_pct or inventory_trend == 'FALLING'"

[strategy.params]
entry_pct = { default = 0.2, min = 0, max = 1 }
exit_pct = { default = 0.5, min = 0, max = 1 }
"""

PYTHON = '''
import numpy as np
from alu.strategies import BUILDING, FALLING, INVENTORY, Param, combine, hold, strategy

@strategy("py_inventory", families=[INVENTORY], params=[
    Param("entry_pct", 0.2, "enter at or below", 0, 1), Param("exit_pct", 0.5, "exit above", 0, 1)])
def rule(cols, params, allow_short):
    """The built-in inventory rule, as a user's file."""
    pct = cols.number("stock_percentile")
    entry, exit_ = np.asarray(params["entry_pct"]), np.asarray(params["exit_pct"])
    falling = cols.states("inventory_trend", FALLING)
    building = cols.states("inventory_trend", BUILDING)
    with np.errstate(invalid="ignore"):
        long = hold((pct <= entry) & falling, (pct > exit_) | building)
        short = hold((pct >= 1 - entry) & building, (pct < 1 - exit_) | falling) & allow_short
    return combine(long, short)
'''


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = clean_env(ALU_HOME=str(Path(tmp) / "home"))  # an empty store: the bundled sample
        toml, python = Path(tmp) / "mine.toml", Path(tmp) / "mine.py"
        toml.write_text(textwrap.dedent(TOML))
        python.write_text(textwrap.dedent(PYTHON))
        compare = [*alu_command(), "compare", "--quiet", "--direction", "both", *GRID]
        commands = {
            "built-in inventory": [*compare, "-s", "inventory"],
            "TOML file": [*compare, "-s", "toml_inventory", "--strategy-file", str(toml)],
            "Python file": [*compare, "-s", "py_inventory", "--strategy-file", str(python)],
        }
        for cmd in commands.values():  # warm numba's cache, the file cache and the .pyc files
            wall(cmd, env=env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        memory: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):  # interleaved: a busy moment hits every command alike
            for name, cmd in commands.items():
                seconds, mb = run_measured(cmd, env=env)
                times[name].append(seconds)
                memory[name].append(mb)
    base_s = statistics.median(times["built-in inventory"])
    base_mb = statistics.median(memory["built-in inventory"])
    ok = True
    for name in commands:
        s, mb = statistics.median(times[name]), statistics.median(memory[name])
        print(
            f"{name:<20} {s:6.2f} s ({s / base_s:4.2f}x)   {mb:6.0f} MB ({mb / base_mb:4.2f}x)"
            f"   median of {args.runs}, 650 variants x 3 symbols"
        )
        ok &= s / base_s <= TIME_RATIO and mb / base_mb <= MEMORY_RATIO
    verdict = "PASS" if ok else "FAIL"
    print(f"target: <= {TIME_RATIO}x time, <= {MEMORY_RATIO}x memory  ->  {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

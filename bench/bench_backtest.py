"""Benchmark: ``alu backtest`` on the bundled sample, warm and cold, against baselines.

Target (issue 2): warm ``alu backtest`` within 5 s wall on the project's 2-core machine.
Baselines measured in the same run: a bare ``python -c "import pandas"`` and
``python -c "import vectorbt"`` (the import the backtest cannot avoid).
Cold = numba pointed at an empty cache directory, so vectorbt's kernels compile as on a first run.

Usage: python bench/bench_backtest.py [--runs N]      (exit code 1 when the target is missed)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from common import alu_command, clean_env, fresh_dir, median_wall, wall

TARGET_S = 5.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = clean_env(ALU_HOME=home)  # an empty store: the bundled sample is used
        backtest = [*alu_command(), "backtest"]
        wall(backtest, env=env)  # make sure the on-disk numba cache is populated
        pandas_s = median_wall([sys.executable, "-c", "import pandas"], args.runs, env=env)
        vbt_s = median_wall([sys.executable, "-c", "import vectorbt"], args.runs, env=env)
        warm_s = median_wall(backtest, args.runs, env=env)
        cold_env = clean_env(ALU_HOME=home, NUMBA_CACHE_DIR=str(fresh_dir(Path(home) / "numba")))
        cold_s = wall(backtest, env=cold_env)
    rows = [
        ("python -c 'import pandas'", pandas_s),
        ("python -c 'import vectorbt'", vbt_s),
        ("alu backtest (warm, median)", warm_s),
        ("alu backtest (cold numba cache)", cold_s),
    ]
    for name, seconds in rows:
        print(f"{name:<34} {seconds:6.2f} s")
    print(f"warm backtest / vectorbt import     {warm_s / vbt_s:6.2f} x")
    ok = warm_s <= TARGET_S
    print(f"target: warm <= {TARGET_S:.1f} s  ->  {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

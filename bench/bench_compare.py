"""Benchmark: ``alu compare`` against plain vectorbt, side by side, whole processes.

Targets (issue 5), warm numba cache:
1. 1,000 variants x 3 symbols x ~3,000 days: ``alu compare`` at least 3x faster than the plain
   vectorbt route (bench/plain_vectorbt_route.py: one ``Portfolio.from_signals`` over all
   columns, then total return, Sharpe and max drawdown) and at most half its peak memory.
2. 10,000 variants over ~19 years of daily data (the whole bundled sample): peak memory under
   1.5 GB, for a squeeze grid and for a spread grid with 10,000 distinct spread settings.

Each route runs ``--runs`` times (default 3), interleaved, after one warm-up run each; the
medians are compared (the machine is shared and noisy).

Usage: python bench/bench_compare.py [--runs N] [--skip-large]   (exit 1 when a target is missed)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from common import REPO, alu_command, clean_env, run_measured

# Every variant of this grid trades differently: 1,000 distinct stance columns per symbol
# (a grid over `upper` would not be: the squeeze's long side only asks whether bands are BEAR).
GRID_1K = ["lower=2800:2980:20", "narrowing_usd_t=5:50:5", "stock_long_days=10:28:2"]
GRID_10K = [*GRID_1K, "window_before=0:9"]
# The worst case for signal memory: 10,000 distinct settings of one family (each variant has its
# own spread frame).
SPREAD_10K = ["deadband=0:99", "narrowing_usd_t=1:100"]
START_1K = "2015-01-01"  # the sample from here: ~2,990 US trading days


def compare_cmd(grid: list[str], out: Path | None, *, start: str | None) -> list[str]:
    """``alu compare`` as a user runs it: the ranked table (with PBO and deflated Sharpe);
    with ``out``, also the full JSON of every variant."""
    cmd = [*alu_command(), "compare", "--strategy", "squeeze", "--quiet"]
    if out is not None:
        cmd += ["--json", str(out)]
    cmd += ["--symbols", "AA,CENX,ALI=F", "--yes"]
    if start:
        cmd += ["--start", start]
    for item in grid:
        cmd += ["--grid", item]
    return cmd


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-large", action="store_true", help="skip the 10,000-variant run")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as home:
        env = clean_env(ALU_HOME=home)
        out = Path(home) / "compare.json"
        plain = [
            sys.executable,
            str(REPO / "bench" / "plain_vectorbt_route.py"),
            START_1K,
            *GRID_1K,
        ]
        ours = compare_cmd(GRID_1K, None, start=START_1K)
        run_measured(ours, env=env)  # warm the numba cache
        run_measured(plain, env=env)
        plain_runs, ours_runs = [], []
        for _ in range(args.runs):
            plain_runs.append(run_measured(plain, env=env))
            ours_runs.append(run_measured(ours, env=env))
        plain_s = statistics.median(r[0] for r in plain_runs)
        plain_mb = statistics.median(r[1] for r in plain_runs)
        ours_s = statistics.median(r[0] for r in ours_runs)
        ours_mb = statistics.median(r[1] for r in ours_runs)
        print(
            "1,000 variants x 3 symbols x ~3,000 days "
            f"(whole process, warm cache, median of {args.runs})"
        )
        print(f"  plain vectorbt route   {plain_s:7.2f} s  {plain_mb:8.0f} MB peak")
        print(f"  alu compare (table)    {ours_s:7.2f} s  {ours_mb:8.0f} MB peak")
        speed, memory = plain_s / ours_s, ours_mb / plain_mb
        print(
            f"  speed-up {speed:.2f}x (target >= 3x); memory {memory:.2f} of plain (target <= 0.5)"
        )
        ok &= speed >= 3 and memory <= 0.5
        if not args.skip_large:
            print(
                "10,000 variants x 3 symbols x ~4,750 days (2008-2026), with JSON of every variant"
            )
            for label, strategy, grid in (
                ("squeeze grid", "squeeze", GRID_10K),
                ("spread grid, 10,000 distinct spread settings", "spread", SPREAD_10K),
            ):
                cmd = compare_cmd(grid, out, start=None)
                cmd[cmd.index("squeeze")] = strategy
                big_s, big_mb = run_measured(cmd, env=env)
                print(f"  {label:<46} {big_s:7.2f} s  {big_mb:8.0f} MB peak (target < 1,536 MB)")
                ok &= big_mb < 1536
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

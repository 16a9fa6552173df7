"""Benchmark: ``alu watchlist`` on the bundled sample against a bare ``import pandas``.

Target (issue 4): the watchlist's wall time within 3x that of ``python -c "import pandas"``,
both measured here, side by side, on the same machine. Also timed for information: the JSON
view and the alert history over the whole sample (2008-2026).

Usage: python bench/bench_watchlist.py [--runs N]      (exit code 1 when the target is missed)
"""

from __future__ import annotations

import argparse
import sys
import tempfile

from common import alu_command, clean_env, wall

TARGET_RATIO = 3.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = clean_env(ALU_HOME=home)  # an empty store: the bundled sample is used
        watchlist = [*alu_command(), "watchlist"]
        pandas_cmd = [sys.executable, "-c", "import pandas"]
        commands = {
            "python -c 'import pandas'": pandas_cmd,
            "alu watchlist": watchlist,
            "alu watchlist --format json": [*watchlist, "--format", "json"],
            "alu watchlist --history (2008-2026)": [
                *watchlist,
                "--history",
                "--start",
                "2008-01-02",
                "--format",
                "csv",
            ],
        }
        for cmd in commands.values():  # warm the file cache and the .pyc files
            wall(cmd, env=env)
        # Interleave the runs so that a busy moment on the machine hits every command alike.
        times = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                times[name].append(wall(cmd, env=env))
    medians = {name: sorted(ts)[len(ts) // 2] for name, ts in times.items()}
    for name, seconds in medians.items():
        print(f"{name:<38} {seconds:6.2f} s   (median of {args.runs})")
    pandas_s = medians["python -c 'import pandas'"]
    ratio = medians["alu watchlist"] / pandas_s
    ok = ratio <= TARGET_RATIO
    print(f"alu watchlist / import pandas          {ratio:6.2f} x")
    print(f"target: <= {TARGET_RATIO:.1f} x  ->  {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

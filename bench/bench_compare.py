"""Benchmark: ``alu compare`` against plain vectorbt, side by side in one run, whole processes.

On the real files (../shared/data/real: AA, CENX and the rolled LME 3-month leg, 2008-2026;
skipped cleanly without them), with a warm numba cache:

1. four sweeps of 10,000 distinct settings: bands (confirm x buffer), spread (deadband x
   spread_change_days x narrowing_usd_t), inventory (pct_window x entry_pct x exit_pct) and
   squeeze (a grid over the band, spread, inventory and catalyst families). Targets: the whole
   ``alu compare`` process (ranking, deflated Sharpe, PBO) >= 10x faster than the plain
   vectorbt route of the same size (bench/plain_vectorbt_route.py: the same stances, one
   ``Portfolio.from_signals`` over every column, then total return, Sharpe and max drawdown),
   peak memory <= 1/4 of it; the sweep's own work (in one process, imports and data excluded;
   the best of three timed sweeps, the median printed too) >= 50 million bar-variants a second
   per core.
2. 1,000 variants of each kind: whole process >= 3x faster than plain vectorbt.
3. 100,000 squeeze variants with everything a sweep can ask for (split, walk-forward, --json of
   every variant, --csv): peak memory < 1.5 GB.
4. 1,000,000 bands variants on a two-worker dask LocalCluster: peak memory of every process
   within the same bound, its --csv identical to ``--workers 1`` on the same grid; the scaling
   efficiency (time with one worker / (2 x time with two)).

The machine is shared: each pair runs interleaved, --runs times (medians), after a warm-up.

Usage: python bench/bench_compare.py [--runs N] [--only 1,2,3,4]   (exit 1 when a target is
missed, 0 with a message when the real files are absent)
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, alu_command, clean_env, run_measured

REAL = REPO.parent / "shared" / "data" / "real"
SYMBOLS = "AA,CENX,LME3M"

# 10,000 distinct settings of each kind (100 x 100, 25 x 20 x 20, 100 x 10 x 10, 10^4).
SWEEPS_10K = {
    "bands": ["confirm=1:100", "buffer=0:0.0198:0.0002"],
    "spread": ["deadband=1:25", "spread_change_days=5:24", "narrowing_usd_t=5:100:5"],
    "inventory": ["pct_window=260:1250:10", "entry_pct=0.05:0.5:0.05", "exit_pct=0.5:0.95:0.05"],
    "squeeze": [
        "lower=2800:2980:20",
        "narrowing_usd_t=5:50:5",
        "stock_long_days=10:28:2",
        "window_before=0:9",
    ],
}
SWEEPS_1K = {
    "bands": ["confirm=1:10", "buffer=0:0.0198:0.0002"],
    "spread": ["deadband=1:5", "spread_change_days=5:14", "narrowing_usd_t=5:100:5"],
    "inventory": ["pct_window=260:1250:10", "entry_pct=0.1:0.5:0.1", "exit_pct=0.6,0.8"],
    "squeeze": ["lower=2800:2980:20", "narrowing_usd_t=5:50:5", "stock_long_days=10:28:2"],
}
SWEEP_100K = [*SWEEPS_10K["squeeze"], "confirm=1:10"]
SWEEP_1M = ["confirm=1:100", "buffer=0:0.09999:0.00001"]
MEMORY_MB = 1536


def data_dir(root: Path) -> Path:
    """A data dir of symlinks to the real files (nothing copied)."""
    prices = root / "real" / "prices"
    prices.mkdir(parents=True)
    (prices / "AA.csv").symlink_to(REAL / "AA_daily_merged_adjusted_2000_2026.csv")
    (prices / "CENX.csv").symlink_to(REAL / "CENX_daily_merged_2000_2026.csv")
    (root / "real" / "lme.csv").symlink_to(REAL / "LME_aluminium_daily_westmetall.csv")
    return root / "real"


def compare_cmd(data: Path, strategy: str, grid: list[str], *extra: str) -> list[str]:
    cmd = [*alu_command(), "compare", "--data-dir", str(data), "--strategy", strategy]
    cmd += ["--symbols", SYMBOLS, "--start", "2008-01-02", "--quiet", "--yes", *extra]
    for item in grid:
        cmd += ["--grid", item]
    return cmd


def plain_cmd(data: Path, strategy: str, grid: list[str], limit: int | None = None) -> list[str]:
    route = REPO / "bench" / "plain_vectorbt_route.py"
    cut = [] if limit is None else ["--limit", str(limit)]
    return [sys.executable, str(route), str(data), strategy, "2008-01-02", *cut, *grid]


def side_by_side(
    label: str, ours: list[str], plain: list[str], runs: int, env, *, scale: float = 1.0
) -> tuple:
    """Both routes, interleaved; with ``scale`` the plain route ran on 1/scale of the variants
    and its time and its memory above a bare ``import vectorbt`` are scaled up (marked ~)."""
    run_measured(ours, env=env)  # warm-up (numba cache, page cache)
    base_mb = 0.0
    if scale != 1.0:
        _, base_mb = run_measured([sys.executable, "-c", "import vectorbt"], env=env)
    mine, theirs = [], []
    for _ in range(runs):
        seconds, mb = run_measured(plain, env=env)
        theirs.append((seconds * scale, base_mb + (mb - base_mb) * scale))
        mine.append(run_measured(ours, env=env))
    ours_s = statistics.median(r[0] for r in mine)
    ours_mb = statistics.median(r[1] for r in mine)
    plain_s = statistics.median(r[0] for r in theirs)
    plain_mb = statistics.median(r[1] for r in theirs)
    mark = "~" if scale != 1.0 else " "
    spread = lambda rs: f"{min(r[0] for r in rs):.1f}-{max(r[0] for r in rs):.1f} s"  # noqa: E731
    print(
        f"  {label:<10} alu {ours_s:6.2f} s ({spread(mine)}) {ours_mb:6.0f} MB | "
        f"plain vectorbt {mark}{plain_s:6.2f} s ({spread(theirs)}) {plain_mb:6.0f} MB | "
        f"{plain_s / ours_s:5.1f}x faster, memory {ours_mb / plain_mb:.2f} of plain",
        flush=True,
    )
    return plain_s / ours_s, ours_mb / plain_mb


RATE_SCRIPT = """
import json, sys, time
import pandas as pd
data, strategy, grid = sys.argv[1], sys.argv[2], sys.argv[3:]
from alu.backtest.sweep import SweepSpec, run_sweep
from alu.api.inputs import open_market
from alu.strategies.variants import variants_from_grids
symbols = "{symbols}".split(",")
universe = open_market(data).universe(symbols)
def sweep(name, items):
    variants = variants_from_grids(name, items, {{}}, max_variants=None)
    spec = SweepSpec(variants, symbols, start=pd.Timestamp("2008-01-02"), workers=1)
    return run_sweep(universe, spec)
sweep(strategy, [g.split("=")[0] + "=" + g.split("=")[1].split(":")[0] for g in grid])  # warm
times = []
for _ in range({repeats}):
    t0 = time.perf_counter()
    result = sweep(strategy, grid)
    times.append(time.perf_counter() - t0)
days = int(result.plan.bounds[-1])  # the symbols' days in the window, summed
print(json.dumps({{"times": times, "variants": result.plan.n_variants, "days": days}}))
"""
#: Timed sweeps per rate measurement (one process): the best is the machine's rate, the
#: others say how much a shared machine took from it.
RATE_REPEATS = 3


def sweep_rate(data: Path, strategy: str, grid: list[str], env) -> tuple[float, float]:
    """Bar-variants a second on one core of the sweep's own work (one process, one worker,
    after a warm-up in the same process: imports, data reading and compilation excluded): the
    best and the median of :data:`RATE_REPEATS` timed sweeps, as ``timeit`` reports the best
    (the slower runs measure the other tenants of a shared machine, not the code)."""
    script = RATE_SCRIPT.format(symbols=SYMBOLS, repeats=RATE_REPEATS)
    out = subprocess.run(
        [sys.executable, "-c", script, str(data), strategy, *grid],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    found = json.loads(out.strip().splitlines()[-1])
    work = found["variants"] * found["days"]
    return work / min(found["times"]), work / statistics.median(found["times"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per route (medians)")
    parser.add_argument("--only", default="1,2,3,4", help="which parts to run (1,2,3,4)")
    parser.add_argument(
        "--plain-limit",
        type=int,
        default=2_500,
        help="variants the plain vectorbt route runs at the 10,000 size, scaled up (it needs "
        "about 2 GB per 1,000 variants here; 10000 runs it whole)",
    )
    args = parser.parse_args()
    parts = {int(p) for p in args.only.split(",")}
    if not (REAL / "LME_aluminium_daily_westmetall.csv").is_file():
        print(f"skipped: the real files are not in {REAL}")
        return 0
    ok = True
    with tempfile.TemporaryDirectory() as home:
        env = clean_env(ALU_HOME=home)
        data = data_dir(Path(home))
        print(f"cores: {len(os.sched_getaffinity(0))}; AA, CENX, LME3M from 2008-01-02")
        if 2 in parts:
            print(f"1,000 variants: whole processes, median of {args.runs} (target >= 3x)")
            for kind, grid in SWEEPS_1K.items():
                speed, _ = side_by_side(
                    kind,
                    compare_cmd(data, kind, grid),
                    plain_cmd(data, kind, grid),
                    args.runs,
                    env,
                )
                ok &= speed >= 3
        if 1 in parts:
            runs = max(1, args.runs - 2)
            print(
                f"10,000 distinct settings: whole processes, median of {runs} "
                "(targets >= 10x, memory <= 0.25; >= 50 M bar-variants/s per core)"
            )
            scale = 10_000 / args.plain_limit
            if scale != 1:
                print(
                    f"  ~: plain vectorbt ran on the first {args.plain_limit:,} variants (about "
                    f"2 GB per 1,000 here); its time and memory above `import vectorbt` x{scale:g}"
                )
            for kind, grid in SWEEPS_10K.items():
                speed, memory = side_by_side(
                    kind,
                    compare_cmd(data, kind, grid),
                    plain_cmd(data, kind, grid, limit=args.plain_limit),
                    runs,
                    env,
                    scale=scale,
                )
                rate, typical = sweep_rate(data, kind, grid, env)
                print(
                    f"  {kind:<10} sweep's own work: {rate / 1e6:6.1f} M bar-variants/s on one "
                    f"core (best of {RATE_REPEATS}; median {typical / 1e6:.1f} M)"
                )
                ok &= speed >= 10 and memory <= 0.25 and rate >= 50e6
        if 3 in parts:
            out = Path(home) / "out"
            out.mkdir()

            def everything(name: str) -> list[str]:
                json_path = str(out / f"{name}.json")
                return ["--split", "0.6", "--walk-forward", "5", "--json", json_path]

            cmd = compare_cmd(
                data, "squeeze", SWEEP_100K, *everything("c"), "--csv", str(out / "c.csv")
            )
            small = compare_cmd(data, "squeeze", ["confirm=1:10"], *everything("s"))
            _, base_mb = run_measured([sys.executable, "-c", "import vectorbt"], env=env)
            small_s, small_mb = run_measured(small, env=env)
            seconds, mb = run_measured(cmd, env=env)
            print(
                f"100,000 squeeze variants (split, walk-forward, --json, --csv): {seconds:.1f} s, "
                f"{mb:.0f} MB peak (target < {MEMORY_MB} MB); the same with 10 variants: "
                f"{small_s:.1f} s, {small_mb:.0f} MB; a bare `import vectorbt`: {base_mb:.0f} MB"
            )
            ok &= mb < MEMORY_MB
        if 4 in parts:
            ok &= cluster_million(data, Path(home), env)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def cluster_million(data: Path, home: Path, env) -> bool:
    """1,000,000 bands variants: --workers 1 in one process, then a two-worker LocalCluster;
    the CSVs compared byte for byte; the peak memory of the driver and of each worker."""
    one, two = home / "one.csv", home / "two.csv"
    serial = compare_cmd(data, "bands", SWEEP_1M, "--workers", "1", "--csv", str(one))
    serial_s, serial_mb = run_measured(serial, env=env)
    cluster = compare_cmd(
        data, "bands", SWEEP_1M, "--workers", "2", "--scheduler", "local", "--csv", str(two)
    )
    peaks = home / "peaks.txt"
    watch = subprocess.Popen([sys.executable, "-c", WATCH, str(peaks)], env=env)
    try:
        cluster_s, driver_mb = run_measured(cluster, env=env)
    finally:
        watch.terminate()
        watch.wait()
    time.sleep(0.2)
    worker_mb = float(peaks.read_text() or 0) if peaks.exists() else float("nan")
    same = filecmp.cmp(one, two, shallow=False)
    efficiency = serial_s / (2 * cluster_s)
    print(
        f"1,000,000 bands variants: --workers 1 {serial_s:.1f} s, {serial_mb:.0f} MB | "
        f"LocalCluster of 2: {cluster_s:.1f} s, driver {driver_mb:.0f} MB, largest worker "
        f"{worker_mb:.0f} MB | scaling efficiency {efficiency:.0%} | CSV identical: {same}"
    )
    return same and max(serial_mb, driver_mb, worker_mb) < MEMORY_MB


# The largest resident size of any dask worker process, polled (a worker's own peak is not
# visible to its grandparent's wait4).
WATCH = """
import sys, time, pathlib
peak = 0.0
out = pathlib.Path(sys.argv[1])
while True:
    for status in pathlib.Path("/proc").glob("[0-9]*/status"):
        try:
            cmdline = (status.parent / "cmdline").read_bytes()
            if b"multiprocessing" not in cmdline and b"distributed" not in cmdline:
                continue
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            pass
    out.write_text(str(peak))
    time.sleep(0.5)
"""


if __name__ == "__main__":
    sys.exit(main())

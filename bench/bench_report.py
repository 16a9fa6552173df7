"""Benchmark: ``alu backtest --report --png`` on the sample and on the real data, and
``alu compare --report`` of a 1,000-variant sweep on the sample.

Targets (issue 6): 20 years of daily data for three symbols gives a report under 10 MB that opens
in a browser in a few seconds. Measured per data set: the wall time of ``alu backtest`` alone and
with ``--report`` and ``--png``, the report's size, the PNG sizes, and the wall time of headless
Chromium opening the report until plotly has drawn it (``bench/browser.py check``: the whole
browser run, start-up included; the median of 3).

The compare sweep is a 2-D grid of the spread strategy (50 deadbands x 20 change horizons) with a
split and a walk-forward, so its report has every section: the table (top 500 rows), the in- vs
out-of-sample scatter (1,000 points), two 50 x 20 heatmaps, the walk-forward and the PBO pictures
(12,870 CSCV splits). Same targets as the backtest's report.

Usage: python bench/bench_report.py [--real DIR] [--compare-only]   (default DIR:
../shared/data/real; skipped when absent). Exit code 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import browser
from common import REPO, alu_command, clean_env, median_wall, wall

MAX_BYTES = 10_000_000
MAX_OPEN_S = 5.0
COMPARE_1K = [
    "compare",
    "--strategy",
    "spread",
    "--grid",
    "deadband=0.5:25:0.5",
    "--grid",
    "spread_change_days=1:20",
    "--split",
    "0.7",
    "--walk-forward",
    "4",
    "--quiet",
]


def real_data_dir(real: Path, root: Path) -> Path | None:
    """A data dir of symlinks over the real files (AA, CENX, lme.csv), or None."""
    files = {
        "prices/AA.csv": "AA_daily_merged_adjusted_2000_2026.csv",
        "prices/CENX.csv": "CENX_daily_merged_2000_2026.csv",
        "lme.csv": "LME_aluminium_daily_westmetall.csv",
    }
    if not all((real / name).is_file() for name in files.values()):
        return None
    (root / "prices").mkdir(parents=True)
    for link, name in files.items():
        (root / link).symlink_to(real / name)
    return root


def measure(label: str, data_args: list[str], work: Path, env: dict[str, str]) -> bool:
    base = [*alu_command(), "backtest", *data_args]
    report, charts = work / f"{label}.html", work / f"{label}-png"
    wall(base, env=env)  # warm numba's cache
    plain_s = wall(base, env=env)
    full_s = wall([*base, "--report", str(report), "--png", str(charts)], env=env)
    size = report.stat().st_size
    print(f"[{label}]")
    print(f"  alu backtest                    {plain_s:6.2f} s")
    print(f"  alu backtest --report --png     {full_s:6.2f} s")
    print(f"  report size                     {size / 1e6:6.2f} MB (target < {MAX_BYTES / 1e6:g})")
    for png in sorted(charts.iterdir()):
        print(f"  {png.name:<31} {png.stat().st_size / 1e3:6.0f} kB")
    return render(report) and size < MAX_BYTES


def measure_compare(work: Path, env: dict[str, str]) -> bool:
    base = [*alu_command(), *COMPARE_1K]
    report = work / "compare.html"
    wall(base, env=env)  # warm numba's cache
    plain_s = median_wall(base, 3, env=env)
    full_s = median_wall([*base, "--report", str(report)], 3, env=env)
    size = report.stat().st_size
    print("[compare: 1,000 variants on the sample]")
    print(f"  alu compare (median of 3)       {plain_s:6.2f} s")
    print(f"  alu compare --report (median)   {full_s:6.2f} s")
    print(f"  report size                     {size / 1e6:6.2f} MB (target < {MAX_BYTES / 1e6:g})")
    return render(report) and size < MAX_BYTES


def render(report: Path) -> bool:
    """Open ``report`` in headless Chromium three times; print the median run."""
    if browser.chromium() is None:
        print("  chromium not installed: render time not measured")
        return True
    runs = [browser.check(report) for _ in range(3)]
    result = sorted(runs, key=lambda r: r["seconds"])[1]  # the median run
    drawn = all(all(f["svg"] for f in r["figures"]) and not r["errors"] for r in runs)
    print(
        f"  chromium: open + draw (median)  {result['seconds']:6.2f} s "
        f"(target < {MAX_OPEN_S:g}); errors {len(result['errors'])}; drawn {drawn}"
    )
    return drawn and result["seconds"] < MAX_OPEN_S


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=REPO.parent / "shared" / "data" / "real")
    parser.add_argument("--compare-only", action="store_true", help="only alu compare --report")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "home").mkdir()
        env = clean_env(ALU_HOME=str(work / "home"))  # an empty store: the sample is used
        if not args.compare_only:
            ok &= measure("sample", [], work, env)
            real = real_data_dir(args.real, work / "real")
            if real is None:
                print(f"[real] no real data in {args.real}: skipped")
            else:
                ok &= measure("real", ["--data-dir", str(real)], work, env)
        ok &= measure_compare(work, env)
    print(f"targets: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

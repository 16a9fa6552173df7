"""Benchmark: ``alu backtest --report --png`` on the sample and on the real data.

Targets (issue 6): 20 years of daily data for three symbols gives a report under 10 MB that opens
in a browser in a few seconds. Measured per data set: the wall time of ``alu backtest`` alone and
with ``--report`` and ``--png``, the report's size, the PNG sizes, and the wall time of headless
Chromium opening the report until plotly has drawn it (``bench/browser.py check``: the whole
browser run, start-up included; the median of 3).

Usage: python bench/bench_report.py [--real DIR]   (default DIR: ../shared/data/real; skipped when
absent). Exit code 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import browser
from common import REPO, alu_command, clean_env, wall

MAX_BYTES = 10_000_000
MAX_OPEN_S = 5.0


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
    ok = size < MAX_BYTES
    if browser.chromium() is None:
        print("  chromium not installed: render time not measured")
        return ok
    runs = [browser.check(report) for _ in range(3)]
    result = sorted(runs, key=lambda r: r["seconds"])[1]  # the median run
    drawn = all(all(f["svg"] for f in r["figures"]) and not r["errors"] for r in runs)
    print(
        f"  chromium: open + draw (median)  {result['seconds']:6.2f} s "
        f"(target < {MAX_OPEN_S:g}); errors {len(result['errors'])}; drawn {drawn}"
    )
    return ok and drawn and result["seconds"] < MAX_OPEN_S


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=REPO.parent / "shared" / "data" / "real")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "home").mkdir()
        env = clean_env(ALU_HOME=str(work / "home"))  # an empty store: the sample is used
        ok &= measure("sample", [], work, env)
        real = real_data_dir(args.real, work / "real")
        if real is None:
            print(f"[real] no real data in {args.real}: skipped")
        else:
            ok &= measure("real", ["--data-dir", str(real)], work, env)
    print(f"targets: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

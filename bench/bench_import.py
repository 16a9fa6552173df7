"""Benchmark: ``alu data import prices`` of a 200 MB CSV of duplicate rows, beside a baseline.

The file repeats the bundled sample's ``prices/AA.csv`` rows (a legitimate file: exact
duplicates are dropped with a warning) until it is 200 MB. Measured in this one run, each as a
whole process (wall time and peak resident memory):

- baseline: ``python -c "import pandas; pandas.read_csv(FILE)"`` (parse only, no checks);
- ``alu data import prices AA FILE`` into an empty store (read, validate every row, drop the
  duplicates, merge, commit).

Target (issue 10): the import in well under a minute; here, under 30 s.

Usage: python bench/bench_import.py [--mb 200]        (exit code 1 when the target is missed)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from common import REPO, alu_command, clean_env, run_measured

TARGET_S = 30.0


def make_file(path: Path, megabytes: int) -> int:
    """Write the sample's AA rows over and over until ``megabytes`` MB; returns the row count."""
    text = (REPO / "data" / "sample" / "prices" / "AA.csv").read_text()
    header, *rows = text.splitlines()
    block = "\n".join(rows) + "\n"
    target = megabytes * 1_000_000
    written, count = 0, 0
    with open(path, "w") as handle:
        handle.write(header + "\n")
        while written < target:
            handle.write(block)
            written += len(block)
            count += len(rows)
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        big = Path(scratch) / "AA_repeated.csv"
        rows = make_file(big, args.mb)
        size = big.stat().st_size / 1e6
        print(f"file: {size:,.0f} MB, {rows:,} rows (the sample's AA rows repeated)")
        baseline = [sys.executable, "-c", f"import pandas; pandas.read_csv({str(big)!r})"]
        base_s, base_mb = run_measured(baseline)
        env = clean_env(ALU_HOME=str(Path(scratch) / "store"))
        alu_s, alu_mb = run_measured(
            [*alu_command(), "data", "import", "prices", "AA", str(big)], env=env
        )
    print(f"{'pandas.read_csv (baseline)':34s} {base_s:7.1f} s  {base_mb:7.0f} MB peak")
    print(f"{'alu data import prices AA FILE':34s} {alu_s:7.1f} s  {alu_mb:7.0f} MB peak")
    print(f"ratio: {alu_s / base_s:.1f}x the baseline's time; target: under {TARGET_S:g} s")
    return 0 if alu_s < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: the DSR's trial counts (alu.stats.trials) against the moments the DSR needs anyway.

Both run on the same T x N matrix in the same process, in chunks of columns as a sweep would
feed them: ``count_trials`` (fingerprints, one unit-vector sum per chunk) and ``return_moments``
(the per-column moments every DSR computes). Target (issue 12): counting the trials costs no
more than twice the moments. Also checks, on the first 300 columns, that the chunked mean
correlation equals the one of ``numpy.corrcoef``.

Usage: python bench/bench_trials.py [--cases 4750x1000,4750x10000] [--runs 3]
       (exit code 1 when the target is missed)
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from alu.stats import return_moments
from alu.stats.trials import count_trials

TARGET_RATIO = 2.0


def best_of(runs: int, func) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="4750x1000,4750x10000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ok = True
    for case in args.cases.split(","):
        n_obs, n_variants = (int(v) for v in case.split("x"))
        rng = np.random.default_rng(1)
        common = rng.standard_normal((n_obs, 1))
        returns = 0.01 * (0.5 * common + rng.standard_normal((n_obs, n_variants)))
        trials_s = best_of(args.runs, lambda r=returns: count_trials(r))
        moments_s = best_of(args.runs, lambda r=returns: return_moments(r))
        count, _ = count_trials(returns)
        head = returns[:, :300]
        corr = np.corrcoef(head, rowvar=False)
        direct = corr[~np.eye(300, dtype=bool)].mean()
        check, _ = count_trials(head, chunk_columns=37)
        agree = abs(check.mean_correlation - direct) < 1e-9
        ratio = trials_s / moments_s
        ok &= ratio <= TARGET_RATIO and agree
        print(
            f"{case}: count_trials {trials_s:.2f} s, return_moments {moments_s:.2f} s, "
            f"ratio {ratio:.2f} (target <= {TARGET_RATIO}); effective {count.effective:,.1f} of "
            f"{count.raw:,}, mean correlation {count.mean_correlation:.3f}; "
            f"chunked = corrcoef: {agree}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

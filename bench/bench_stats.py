"""Benchmark: PBO by CSCV (and the DSR moments) on large sweeps, against a naive baseline.

Each measurement runs in its own process, so its peak RSS (``ru_maxrss``) is its own:

- ``data``: imports numpy, scipy and ``alu.stats`` and builds the T x N float64 returns
  matrix (the floor every method pays; "over data" is each method's peak above it);
- ``fast``: ``return_moments`` + ``deflated_sharpe_ratio`` on every column, then ``pbo_cscv``
  (per-block aggregates, splits in batches);
- ``naive``: the paper's steps written the obvious way (for each split: stack the in-sample and
  out-of-sample blocks, ``mean / std(ddof=1)`` per column, ``scipy.stats.rankdata``). By default
  it runs the first ``--naive-splits`` splits and extrapolates its time to all ``C(S, S/2)``
  (marked ``~``); ``--naive-full`` runs them all. It also checks that its logits equal the fast
  path's on the splits it ran.

Usage: python bench/bench_stats.py [--cases 5000x1000,5000x10000] [--splits 16]
                                   [--naive-splits 200] [--naive-full]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from itertools import combinations
from math import comb

import numpy as np


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def make_returns(n_obs: int, n_variants: int, seed: int = 5) -> np.ndarray:
    """Daily returns, 1 % noise plus a small drift per variant (float64, T x N)."""
    rng = np.random.default_rng(seed)
    returns = rng.standard_normal((n_obs, n_variants))
    returns *= 0.01
    returns += rng.normal(0.0, 0.0002, size=n_variants)
    return returns


def naive_logits(returns: np.ndarray, n_splits: int, limit: int | None) -> np.ndarray:
    """The baseline: the paper's CSCV steps, one split at a time, on full sub-matrices."""
    from scipy.stats import rankdata

    n_obs, n_variants = returns.shape
    blocks = np.split(returns[: n_splits * (n_obs // n_splits)], n_splits)
    logits = []
    for k, chosen in enumerate(combinations(range(n_splits), n_splits // 2)):
        if limit is not None and k == limit:
            break
        j = np.vstack([blocks[i] for i in chosen])
        j_bar = np.vstack([blocks[i] for i in range(n_splits) if i not in chosen])
        r = j.mean(axis=0) / j.std(axis=0, ddof=1)
        r_bar = j_bar.mean(axis=0) / j_bar.std(axis=0, ddof=1)
        w = rankdata(r_bar)[int(np.argmax(r))] / (n_variants + 1)
        logits.append(np.log(w / (1 - w)))
    return np.array(logits)


def child(method: str, n_obs: int, n_variants: int, n_splits: int, limit: int | None) -> dict:
    import scipy.stats  # noqa: F401  (every method pays the same imports: "over data" is work)

    import alu.stats  # noqa: F401

    returns = make_returns(n_obs, n_variants)
    out: dict = {"method": method}
    if method == "fast":
        from alu.stats import deflated_sharpe_ratio, pbo_cscv, return_moments

        start = time.perf_counter()
        m = return_moments(returns)
        deflated_sharpe_ratio(m.sharpe, m.n_obs, m.skew, m.kurtosis)
        out["dsr_s"] = time.perf_counter() - start
        start = time.perf_counter()
        res = pbo_cscv(returns, n_splits=n_splits)
        out["seconds"] = time.perf_counter() - start
        out["pbo"] = res.pbo
    elif method == "naive":
        from alu.stats import pbo_cscv

        start = time.perf_counter()
        logits = naive_logits(returns, n_splits, limit)
        elapsed = time.perf_counter() - start
        out["splits_run"] = len(logits)
        out["seconds"] = elapsed * comb(n_splits, n_splits // 2) / len(logits)
        out["extrapolated"] = len(logits) < comb(n_splits, n_splits // 2)
        out["rss_mb"] = peak_rss_mb()  # before the check below, which runs the fast path
        fast = pbo_cscv(returns, n_splits=n_splits).logits[: len(logits)]
        out["max_logit_diff"] = float(np.max(np.abs(fast - logits)))
        if not out["extrapolated"]:
            out["pbo"] = float(np.mean(logits <= 0))
        return out
    out["rss_mb"] = peak_rss_mb()
    return out


def run_child(method: str, n_obs: int, n_variants: int, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, "--child", method, "--cases", f"{n_obs}x{n_variants}"]
    cmd += ["--splits", str(args.splits), "--naive-splits", str(args.naive_splits)]
    if args.naive_full:
        cmd.append("--naive-full")
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="5000x1000,5000x10000", help="TxN,TxN,...")
    parser.add_argument("--splits", type=int, default=16)
    parser.add_argument("--naive-splits", type=int, default=200)
    parser.add_argument("--naive-full", action="store_true")
    parser.add_argument("--child", choices=("data", "fast", "naive"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    cases = [tuple(int(v) for v in c.split("x")) for c in args.cases.split(",")]
    limit = None if args.naive_full else args.naive_splits
    if args.child:
        (n_obs, n_variants) = cases[0]
        print(json.dumps(child(args.child, n_obs, n_variants, args.splits, limit)))
        return 0

    n_combos = comb(args.splits, args.splits // 2)
    print(f"PBO by CSCV, S = {args.splits} ({n_combos:,} splits); peak RSS per process")
    header = f"{'T x N':>12}  {'method':<44} {'time':>10} {'peak RSS':>10} {'over data':>10}"
    print(header)
    print("-" * len(header))
    for n_obs, n_variants in cases:
        data = run_child("data", n_obs, n_variants, args)
        fast = run_child("fast", n_obs, n_variants, args)
        naive = run_child("naive", n_obs, n_variants, args)
        label = f"{n_obs} x {n_variants}"
        rows = [
            ("build the returns matrix only", None, data["rss_mb"]),
            ("DSR: return_moments + deflated_sharpe_ratio", fast["dsr_s"], None),
            ("PBO: pbo_cscv (block aggregates, batches)", fast["seconds"], fast["rss_mb"]),
        ]
        naive_label = "PBO: naive baseline"
        if naive["extrapolated"]:
            naive_label += f" ({naive['splits_run']} splits, extrap.)"
        rows.append((naive_label, naive["seconds"], naive["rss_mb"]))
        for name, seconds, rss in rows:
            t = "" if seconds is None else ("~" if "extrap" in name else "") + f"{seconds:.2f} s"
            mem = "" if rss is None else f"{rss:.0f} MB"
            over = "" if rss is None else f"{rss - data['rss_mb']:+.0f} MB"
            print(f"{label:>12}  {name:<44} {t:>10} {mem:>10} {over:>10}")
        ratio = naive["seconds"] / fast["seconds"]
        print(
            f"{'':>12}  pbo = {fast['pbo']:.4f}; naive/fast time {ratio:.0f}x;"
            f" max |logit difference| on the naive splits = {naive['max_logit_diff']:.1e}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

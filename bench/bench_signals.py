"""Benchmark: the signal families for many settings, today's per-setting route against the arrays.

Both routes produce the signal columns the built-in rules read, on the family's own calendar, for
every distinct setting of a grid:

- ``per-setting``: the route of alu/strategies/stack.py before phase 2: one frame per distinct
  setting (``alu.strategies.base.family_frames``; ``in_catalyst_window`` for the catalysts),
  then each column encoded with ``alu.strategies.columns.state_codes`` (``Series.map``) or
  ``to_numpy``;
- ``arrays numpy`` and ``arrays numba``: the family's sweep form (``band_sweep`` ...) with the
  numpy kernels and with the numba kernels (:data:`alu.signals.nb.NUMBA`), every column read for
  every setting (days x settings).

Data: the real LME file (/work/shared/data/real/LME_aluminium_daily_westmetall.csv, or
``--lme FILE``) read by the tool's own loader; the bundled sample when it is absent. Catalyst
windows are evaluated on the LME days with the bundled catalyst calendar.

Grids of 1,000 and 10,000 variants per family, as in issue 13: bands confirm x buffer (and
upper x buffer, where every setting has its own band levels); spread
deadband x spread_change_days x narrowing_usd_t; inventory pct_window x entry_pct x exit_pct (the
last two are strategy parameters: few distinct inventory settings) and pct_window x
stock_long_days; catalysts window_before x window_after. The per-setting route on a 10,000 grid
takes minutes: by default it runs the first ``--baseline-limit`` distinct settings and its time
is scaled to all of them (marked ``~``; each setting's frame is independent, so the time is linear
in the count); ``--full`` runs them all.

Every time is the best of ``--runs`` (default 3) after a warm-up (numba's on-disk cache loaded).
The budget line relates the numba time to phase 2's whole-sweep target: 3 symbols x 4,750 days x
10,000 variants at 50 million bar-variants a second per core is 2.85 s.

Usage: python bench/bench_signals.py [--runs N] [--baseline-limit N] [--full] [--lme FILE]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from alu.data.market import Market
from alu.data.source import DataSource, sample_dir
from alu.signals.bands import band_sweep
from alu.signals.catalysts import catalyst_sweep, in_catalyst_window
from alu.signals.inventory import inventory_sweep
from alu.signals.kernels import REFERENCE
from alu.signals.spread import spread_sweep
from alu.strategies.base import BANDS, FAMILY_PARAMS, INVENTORY, SPREAD, family_frames
from alu.strategies.columns import state_codes
from alu.strategies.inputs import SignalInputs

REAL_LME = Path("/work/shared/data/real/LME_aluminium_daily_westmetall.csv")
#: The columns the built-in rules read, per family.
RULE_COLUMNS = {
    BANDS: ("band_state",),
    SPREAD: ("spread_regime", "spread_narrowing"),
    INVENTORY: ("stock_percentile", "inventory_trend"),
    "catalysts": ("in_catalyst_window",),
}
STATE_COLUMNS = {"band_state", "spread_regime", "inventory_trend"}
SWEEPS = {BANDS: band_sweep, SPREAD: spread_sweep, INVENTORY: inventory_sweep}
BUDGET_S = 3 * 4_750 * 10_000 / 50e6  # phase 2: the whole sweep at 50 million bar-variants/s


def grid(**axes: np.ndarray) -> dict[str, np.ndarray]:
    """The full product of ``axes``: one array per parameter, one value per variant."""
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    return {name: m.ravel() for name, m in zip(axes, mesh, strict=True)}


def grids() -> list[tuple[str, str, dict[str, np.ndarray]]]:
    """(family, label, variants) of every measured grid."""
    out = []
    for size, (confirm, buffers) in {1_000: (20, 50), 10_000: (100, 100)}.items():
        out.append(
            (
                BANDS,
                f"bands confirm 1..{confirm} x {buffers} buffers ({size:,})",
                grid(
                    confirm=np.arange(1, confirm + 1),
                    buffer=np.round(np.arange(buffers) * 0.02 / buffers, 6),
                ),
            )
        )
    # Every setting its own band pair: the run maxima are computed 10,000 times, not 100.
    out.append(
        (
            BANDS,
            "bands upper 100 x buffer 100, confirm 3 (10,000)",
            grid(
                upper=np.linspace(2600.0, 3300.0, 100),
                buffer=np.round(np.arange(100) * 0.0002, 6),
                lower=np.array([1500.0]),
            ),
        )
    )
    for size, (db, cd, nu) in {1_000: (10, 10, 10), 10_000: (10, 20, 50)}.items():
        out.append(
            (
                SPREAD,
                f"spread deadband {db} x change_days {cd} x narrowing {nu} ({size:,})",
                grid(
                    deadband=np.arange(db) * 2.0,
                    spread_change_days=np.arange(1, cd + 1),
                    narrowing_usd_t=np.arange(nu) * 2.0 + 1.0,
                ),
            )
        )
    for size, windows in {1_000: 10, 10_000: 100}.items():
        out.append(
            (
                INVENTORY,
                f"inventory pct_window {windows} x entry_pct 10 x exit_pct 10 ({size:,})",
                grid(
                    pct_window=np.linspace(260, 2520, windows).astype(np.int64),
                    entry_pct=np.linspace(0.05, 0.5, 10),
                    exit_pct=np.linspace(0.3, 0.9, 10),
                ),
            )
        )
    for size, (windows, longs) in {1_000: (10, 100), 10_000: (100, 100)}.items():
        out.append(
            (
                INVENTORY,
                f"inventory pct_window {windows} x stock_long_days {longs} ({size:,})",
                grid(
                    pct_window=np.linspace(260, 2520, windows).astype(np.int64),
                    stock_long_days=np.arange(1, longs + 1),
                ),
            )
        )
    for size, (before, after) in {1_000: (40, 25), 10_000: (100, 100)}.items():
        out.append(
            (
                "catalysts",
                f"catalysts window_before {before} x window_after {after} ({size:,})",
                grid(window_before=np.arange(before), window_after=np.arange(after)),
            )
        )
    return out


def distinct_settings(family: str, variants: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The family's distinct settings (defaults for the parameters the grid does not vary)."""
    names = [p.name for p in FAMILY_PARAMS[family]]
    n = len(next(iter(variants.values())))
    columns = [
        np.asarray(variants.get(p.name, np.full(n, p.default))) for p in FAMILY_PARAMS[family]
    ]
    rows = list(dict.fromkeys(zip(*(c.tolist() for c in columns), strict=True)))
    return {name: np.array([r[i] for r in rows]) for i, name in enumerate(names)}


def per_setting_route(
    family: str, inputs: SignalInputs, settings: dict[str, np.ndarray], limit: int
) -> dict[str, list[np.ndarray]]:
    """Today's route: one frame per distinct setting, each rule column encoded."""
    out: dict[str, list[np.ndarray]] = {c: [] for c in RULE_COLUMNS[family]}
    for i in range(limit):
        setting = {name: values[i].item() for name, values in settings.items()}
        if family == "catalysts":
            flag = in_catalyst_window(inputs.catalysts, inputs.lme.index, **setting)
            out["in_catalyst_window"].append(flag)
            continue
        frame = getattr(family_frames(inputs, (family,), setting), family)
        for column in RULE_COLUMNS[family]:
            series = frame[column]
            if column in STATE_COLUMNS:
                out[column].append(state_codes(series.to_numpy(dtype=object)))
            elif series.dtype == bool:
                out[column].append(series.to_numpy(dtype=bool))
            else:
                out[column].append(series.to_numpy(dtype=np.float64))
    return out


def arrays_route(family: str, inputs: SignalInputs, settings, kernels) -> dict[str, np.ndarray]:
    """The sweep form: every rule column for every setting, days x settings."""
    if family == "catalysts":
        arrays = catalyst_sweep(inputs.catalysts, inputs.lme.index, **settings, kernels=kernels)
    elif family == BANDS:
        arrays = band_sweep(inputs.reference, **settings, kernels=kernels)
    else:
        arrays = SWEEPS[family](inputs.lme, **settings, kernels=kernels)
    return {column: arrays[column] for column in RULE_COLUMNS[family]}


def best_of(runs: int, func: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def load_inputs(lme_file: Path | None) -> tuple[SignalInputs, str]:
    if lme_file is not None and lme_file.is_file():
        root = Path(tempfile.mkdtemp(prefix="alu-bench-signals-"))
        (root / "lme.csv").symlink_to(lme_file.resolve())
        return Market(DataSource("data-dir", root)).signal_inputs(), f"real LME file {lme_file}"
    return Market(DataSource("sample", sample_dir())).signal_inputs(), "the bundled sample"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-limit", type=int, default=1_000)
    parser.add_argument("--full", action="store_true", help="run the per-setting route in full")
    parser.add_argument("--lme", type=Path, default=REAL_LME)
    parser.add_argument("--only", default="", help="run the grids whose label contains this")
    args = parser.parse_args()

    inputs, source = load_inputs(args.lme)
    print(f"data: {source}; {len(inputs.lme)} LME rows, {len(inputs.reference)} reference days")
    start = time.perf_counter()
    from alu.signals.nb import NUMBA  # numba's import and its cached kernels, timed once

    tiny = {BANDS: {"confirm": [2, 3]}, SPREAD: {"deadband": [1.0, 2.0]}}
    tiny |= {INVENTORY: {"pct_window": [300, 400]}, "catalysts": {"window_before": [1, 2]}}
    for family, settings in tiny.items():
        arrays_route(family, inputs, settings, NUMBA)
    print(
        f"import numba, load the cached kernels, first calls: {time.perf_counter() - start:.2f} s "
        "(mostly numba's start-up, which a sweep pays for vectorbt's kernels anyway)"
    )
    header = (
        f"{'grid (variants)':<62} {'distinct':>8} {'per-setting':>12} {'numpy':>8} "
        f"{'numba':>8} {'speed-up':>9} {'M cells/s':>10}"
    )
    print(header)
    print("-" * len(header))
    for family, label, variants in grids():
        if args.only not in label:
            continue
        settings = distinct_settings(family, variants)
        n = len(next(iter(settings.values())))
        limit = n if args.full else min(n, args.baseline_limit)
        baseline = best_of(
            args.runs if limit < 200 else 1,
            lambda f=family, s=settings, k=limit: per_setting_route(f, inputs, s, k),
        )
        scaled = baseline * n / limit
        numpy_s = best_of(
            args.runs, lambda f=family, s=settings: arrays_route(f, inputs, s, REFERENCE)
        )
        numba_s = best_of(args.runs, lambda f=family, s=settings: arrays_route(f, inputs, s, NUMBA))
        check = per_setting_route(family, inputs, {k: v[-3:] for k, v in settings.items()}, 3)
        fast = arrays_route(family, inputs, {k: v[-3:] for k, v in settings.items()}, NUMBA)
        for column, parts in check.items():  # the two routes agree
            np.testing.assert_array_equal(np.column_stack(parts), fast[column], err_msg=column)
        days = len(inputs.reference) if family == BANDS else len(inputs.lme)
        cells = days * n * len(RULE_COLUMNS[family])
        mark = " " if limit == n else "~"
        print(
            f"{label:<62} {n:>8,} {mark}{scaled:>10.2f}s {numpy_s:>7.3f}s {numba_s:>7.3f}s "
            f"{scaled / numba_s:>8.0f}x {cells / numba_s / 1e6:>10,.0f}"
        )
        if n >= 10_000 or "10,000" in label:
            print(
                f"{'':<62} {'':>8} numba time = {numba_s / BUDGET_S:.1%} of phase 2's "
                f"{BUDGET_S:.2f} s budget for a 10,000-variant sweep"
            )
    print(
        "~: the per-setting route ran on the first --baseline-limit settings, scaled to all "
        "(use --full to run them all)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

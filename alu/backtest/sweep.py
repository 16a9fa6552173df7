"""Sweeps: many strategy variants through the one engine, in chunks, reduced as they go.

A sweep is planned once (:func:`plan_sweep`: the window, each symbol's days and prices
concatenated, the union calendar, the split, the statistics' layout) and then run a chunk of
variants at a time (:func:`run_chunk`), anywhere: in this process, on threads
(``SweepSpec.workers``), on a dask.distributed cluster (``SweepSpec.scheduler``), or not at all
when a resumed sweep finds the chunk's reductions on disk (``SweepSpec.resume``):

1. the chunk's stances (:class:`alu.strategies.sweep_signals.SweepSignals`: each signal family
   for the chunk's distinct settings at once, as arrays, on each symbol's whole history, then
   cut to the window);
2. :func:`alu.backtest.engine.sweep_chunk_nb`: per variant, each symbol's account by the
   engine's one simulation (:func:`~alu.backtest.engine.simulate_column_nb`, which a single
   backtest runs too), its metrics per scope, the portfolio line on the union calendar, its
   metrics, and the reductions of its daily returns the statistics need (DSR moments over the
   ranking sample, CSCV's per-block aggregates, the walk-forward windows' selection values, the
   trial fingerprints and unit vectors);
3. a :class:`ChunkResult`: a few numbers per variant, and one ranking-sample-long vector.

No days x variants array of the whole sweep is ever held: the driver keeps the metrics and the
per-variant numbers (:class:`SweepAccumulator`), and the returns of a few variants are recomputed
when they are needed (:meth:`SweepResult.portfolio_returns`: the walk-forward's chosen variants,
the report's top-ranked line, the trial count's streams seen in two chunks).

Per variant the result equals ``alu backtest`` with the same parameters (the same simulation and
the same metric kernels, in the same order). The portfolio line of each variant is built as in a
single backtest (the symbols' accounts summed on the union of their calendars).

With a split date, metrics are also given in-sample (days up to and including the split) and
out-of-sample (the days after it, the same accounts continuing: the first out-of-sample return
is relative to the equity at the split). Results do not depend on the number of workers or on
the route: every reduction of a chunk depends on its variants alone, and the few that are summed
across chunks are summed in chunk order.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alu.backtest.engine import Costs
from alu.backtest.metrics import METRICS as REGISTRY
from alu.backtest.metrics import NAMES, union_positions
from alu.backtest.run import (
    BacktestSpec,
    Window,
    full_bars,
    resolve_window,
    stances,
    window_bars,
)
from alu.errors import UNSET, AluError
from alu.strategies.base import Strategy
from alu.strategies.universe import Universe
from alu.strategies.variants import GridVariants, Variant, VariantList

METRICS = NAMES  # every metric of the registry, per symbol and for the portfolio
FULL, IN_SAMPLE, OUT_OF_SAMPLE = "full", "in_sample", "out_of_sample"
PORTFOLIO = "portfolio"
DEFAULT_CHUNK = 500
#: Days x variants per rule evaluation (the rule's temporaries fit in a core's cache).
STANCE_CELLS = 1 << 19
#: CSCV's blocks (the paper's 16): the PBO of every sweep.
CSCV_SPLITS = 16
#: Walk-forward selection metrics the returns can give; others select by the Sharpe ratio.
EQUITY_METRICS = ("total_return", "cagr", "sharpe", "sortino", "max_drawdown")
LOWER_IS_BETTER = frozenset(m.name for m in REGISTRY if not m.higher_is_better)


@dataclass
class SweepSpec:
    """What to sweep and how. ``workers``: threads in this process (None: every core);
    ``scheduler``: a dask.distributed scheduler's address, or ``"local"`` for a LocalCluster
    of ``workers`` processes; ``resume``: a directory that keeps each finished chunk's
    reductions (a sweep started again with the same arguments computes only the missing ones).
    ``walk_forward`` windows are selected by ``rank_by`` (reduced during the sweep; a comparison
    asking for other windows reruns the variants for them)."""

    variants: Sequence[Variant]
    symbols: list[str]
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    costs: Costs = field(default_factory=Costs)
    direction: str = "long"
    split: pd.Timestamp | float | None = None  # a date, or a fraction of the trading days
    chunk_size: int = DEFAULT_CHUNK
    walk_forward: int | None = None
    rank_by: str = "sharpe"
    workers: int | None = None
    scheduler: str | None = None
    resume: Path | None = None


@dataclass(frozen=True)
class TrialReductions:
    """The trial count's inputs (:mod:`alu.stats.trials`): per variant, its ranking-stream
    fingerprint, whether it is the first variant of its stream, whether the stream varies; and
    the sum of the distinct varying streams' unit vectors (:class:`SweepAccumulator`)."""

    fingerprint: np.ndarray
    first: np.ndarray
    dispersed: np.ndarray
    unit_sum: np.ndarray


@dataclass(frozen=True)
class DistinctBlocks:
    """CSCV's per-block aggregates of the distinct full-period return streams (in the order of
    their first variant): ``sums``/``sumsq``/``counts`` are streams x blocks, ``center`` the
    streams' means, ``weight`` how many variants share each stream, ``first`` the first of
    them."""

    sums: np.ndarray
    sumsq: np.ndarray
    counts: np.ndarray
    center: np.ndarray
    weight: np.ndarray
    first: np.ndarray
    block_length: int
    n_rows_dropped: int


@dataclass(frozen=True)
class WalkForwardReduction:
    """The in-sample winner of each walk-forward window (-1: no variant defined there)."""

    n_windows: int
    key: str
    windows: list[tuple[slice, slice]]
    choices: np.ndarray


@dataclass
class SweepStats:
    """What the overfitting statistics need, reduced per chunk (:mod:`alu.backtest.compare`)."""

    sharpe: np.ndarray  # per-period Sharpe ratio of the ranking-sample returns
    skew: np.ndarray
    kurtosis: np.ndarray
    n_obs: np.ndarray
    trials: TrialReductions
    blocks: DistinctBlocks | None
    walk_forward: WalkForwardReduction | None
    half_sharpe: np.ndarray | None  # annualised Sharpe of the first and second halves (no split)


@dataclass
class SweepResult:
    """Metrics of every variant: ``metrics[scope][symbol or "portfolio"][metric]`` is an array
    with one value per variant; ``stats`` the statistics' reductions; ``dates`` the union
    calendar. :meth:`portfolio_returns` recomputes the daily returns of some variants."""

    spec: SweepSpec
    dates: pd.DatetimeIndex
    metrics: dict[str, dict[str, dict[str, np.ndarray]]]
    split_index: int | None  # number of portfolio days in-sample
    split: pd.Timestamp | None = None  # the split date (a fractional split resolved)
    window: Window | None = None
    stats: SweepStats | None = None
    plan: SweepPlan | None = field(default=None, repr=False)

    @property
    def scopes(self) -> list[str]:
        return list(self.metrics)

    @property
    def ranking_rows(self) -> int:
        """Days of the ranking sample: in-sample with a split, else every day."""
        return len(self.dates) if self.split_index is None else self.split_index

    def portfolio_returns(self, variants: Sequence[int] | np.ndarray) -> np.ndarray:
        """The portfolio daily returns of ``variants`` (positions), days x variants, computed
        again (the sweep keeps none)."""
        assert self.plan is not None
        return portfolio_returns(self.plan, np.asarray(variants, dtype=np.int64))


# -- the plan ---------------------------------------------------------------------------------


@dataclass
class SweepPlan:
    """Everything a chunk needs, computed once and shipped to wherever chunks run (picklable):
    the variants, the symbols' days and prices (concatenated: symbol ``s`` is rows
    ``bounds[s]:bounds[s + 1]``), the union calendar, the scopes and the statistics' layout."""

    variants: Sequence[Variant]
    runs: list[tuple[int, int]]  # consecutive variants of one strategy
    chunks: list[tuple[int, int]]
    inputs: Any
    symbols: list[str]
    history: dict[str, pd.DatetimeIndex]
    history_close: dict[str, np.ndarray]
    offsets: dict[str, int]
    close: np.ndarray
    fill: np.ndarray
    bounds: np.ndarray
    upos: np.ndarray
    cuts: np.ndarray  # in-sample days of each symbol, then of the portfolio (-1: no split)
    n_scopes: int
    n_union: int
    rank_rows: int
    w_rank: np.ndarray
    w_all: np.ndarray
    block_length: int
    wf_bounds: np.ndarray
    wf_key: str
    half: int
    costs: Costs
    allow_short: bool
    caches: dict[str, dict] = field(default_factory=dict, repr=False, compare=False)
    _digests: dict[str, str] | None = field(default=None, init=False, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["caches"] = {}  # worker-local
        return state

    @property
    def digests(self) -> dict[str, str]:
        """:func:`plan_digests`, computed once when first asked (a resumed or distributed
        sweep needs them; a plan copied with other options computes its own)."""
        if self._digests is None:
            self._digests = plan_digests(self)
        return self._digests

    @property
    def token(self) -> str:
        """One digest of what the chunks' results depend on: data, variants, options and the
        code that computes them (the resume cache's identity, :mod:`alu.backtest.resume`)."""
        return hashlib.sha256("".join(self.digests.values()).encode("ascii")).hexdigest()

    @property
    def n_variants(self) -> int:
        return len(self.variants)

    @property
    def max_days(self) -> int:
        return int(np.diff(self.bounds).max())


def plan_sweep(universe: Universe, spec: SweepSpec) -> tuple[SweepPlan, dict[str, Any]]:
    """The plan of ``spec`` on ``universe`` (its data cut at ``spec.end``) and what the result
    reports about it (dates, split, window)."""
    if len(spec.variants) == 0:
        raise AluError("nothing to compare: no variants")
    if spec.chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    history = {s: full_bars(universe, s, spec.end) for s in spec.symbols}
    runs = strategy_runs(spec.variants)
    window = sweep_window(universe, spec, history, runs)
    bars = {s: window_bars(b, s, window) for s, b in history.items()}
    # Stances are computed on each symbol's whole history, then cut to the window.
    offsets = {s: len(history[s]) - len(bars[s]) for s in spec.symbols}
    dates = pd.DatetimeIndex(
        np.unique(np.concatenate([b.index.to_numpy(dtype="datetime64[ns]") for b in bars.values()]))
    )
    upos = np.array(
        union_positions([b.index.to_numpy() for b in bars.values()], dates.to_numpy()),
        dtype=np.int64,
    ).reshape(len(bars), len(dates))
    split = _split_date(spec.split, dates)
    split_at = _split_positions(split, bars, dates)
    n_union = len(dates)
    cuts = np.full(len(spec.symbols) + 1, -1, dtype=np.int64)
    if split_at is not None:
        cuts[:] = [split_at[s] for s in spec.symbols] + [split_at[PORTFOLIO]]
    rank_rows = n_union if split_at is None else split_at[PORTFOLIO]
    lengths = [len(bars[s]) for s in spec.symbols]
    bounds = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    close = np.concatenate([bars[s]["close"].to_numpy(dtype=np.float64) for s in spec.symbols])
    fill = np.concatenate(
        [bars[s]["open"].fillna(bars[s]["close"]).to_numpy(np.float64) for s in spec.symbols]
    )
    wf_bounds = np.zeros((0, 2), dtype=np.int64)
    if spec.walk_forward is not None:
        wf_bounds = np.array(
            [[w[0].start, w[0].stop] for w in _wf_windows(n_union, spec.walk_forward)],
            dtype=np.int64,
        ).reshape(-1, 2)
    chunks = [
        (a, min(a + spec.chunk_size, stop))
        for start, stop in runs
        for a in range(start, stop, spec.chunk_size)
    ]
    plan = SweepPlan(
        variants=spec.variants,
        runs=runs,
        chunks=chunks,
        inputs=universe.inputs,
        symbols=list(spec.symbols),
        history={s: h.index for s, h in history.items()},
        history_close={s: h["close"].to_numpy(dtype=np.float64) for s, h in history.items()},
        offsets=offsets,
        close=close,
        fill=fill,
        bounds=bounds,
        upos=np.ascontiguousarray(upos),
        cuts=cuts,
        n_scopes=1 if split_at is None else 3,
        n_union=n_union,
        rank_rows=rank_rows,
        w_rank=np.random.default_rng(0).standard_normal(rank_rows),
        w_all=np.random.default_rng(1).standard_normal(n_union),
        block_length=n_union // CSCV_SPLITS,
        wf_bounds=wf_bounds,
        wf_key=walk_forward_key(spec.rank_by),
        half=n_union // 2 if split_at is None else -1,
        costs=spec.costs,
        allow_short=spec.direction == "both",
    )
    about = {
        "dates": dates,
        "split": split,
        "split_index": None if split_at is None else split_at[PORTFOLIO],
        "window": window,
    }
    return plan, about


def walk_forward_key(rank_by: str) -> str:
    """The metric a walk-forward selects by: ``rank_by`` when the returns give it, else the
    Sharpe ratio."""
    return rank_by if rank_by in EQUITY_METRICS else "sharpe"


def _wf_windows(n_rows: int, n_windows: int) -> list[tuple[slice, slice]]:
    from alu.stats.walkforward import walk_forward_windows

    if n_rows < 2 * (n_windows + 1):
        raise AluError(
            f"{{walk_forward}} needs at least {2 * (n_windows + 1)} days",
            params={"walk_forward": n_windows},
        )
    return walk_forward_windows(n_rows, n_windows)


def strategy_runs(variants: Sequence[Variant]) -> list[tuple[int, int]]:
    """``(start, stop)`` of each run of consecutive variants of one strategy (a chunk never
    mixes strategies)."""
    if isinstance(variants, GridVariants):
        return [(0, len(variants))]
    if isinstance(variants, VariantList):
        starts = variants.starts.tolist()
        return [(a, b) for a, b in itertools.pairwise(starts) if b > a]
    runs = []
    start = 0
    for i in range(1, len(variants) + 1):
        if i == len(variants) or variants[i].strategy.name != variants[start].strategy.name:
            runs.append((start, i))
            start = i
    return runs


def variant_params(
    variants: Sequence[Variant], index: np.ndarray
) -> tuple[Strategy, dict[str, np.ndarray]]:
    """The strategy and every parameter (arrays, one value per variant) of the variants
    ``index`` (positions, all of one strategy)."""
    if isinstance(variants, GridVariants):
        return variants.strategy, variants.param_arrays(index)
    if isinstance(variants, VariantList):
        part = int(np.searchsorted(variants.starts, index[0], side="right")) - 1
        grid = variants.parts[part]
        return grid.strategy, grid.param_arrays(index - variants.starts[part])
    chosen = [variants[int(i)] for i in index]
    strategy = chosen[0].strategy
    arrays = {}
    for p in strategy.params:
        kind = np.int64 if p.kind is int else np.float64
        arrays[p.name] = np.array([v.params[p.name] for v in chosen], dtype=kind)
    return strategy, arrays


def sweep_window(
    universe: Universe,
    spec: SweepSpec,
    history: dict[str, pd.DataFrame],
    runs: list[tuple[int, int]] | None = None,
) -> Window:
    """The window every variant trades: ``[start, end]``; without a start, the latest of the
    default windows (:func:`alu.backtest.run.default_start`) of the sweep's strategies, each
    computed with the parameters of its first variant."""
    latest: Window | None = None
    seen: set[str] = set()
    for start, _ in runs if runs is not None else strategy_runs(spec.variants):
        variant = spec.variants[start]
        strategy, params = variant.strategy, variant.params
        if strategy.name in seen:
            continue
        seen.add(strategy.name)
        one = BacktestSpec(strategy, params, spec.symbols, spec.start, spec.end)
        if spec.start is not None:  # the signal tables only serve the default start
            strategy.check_inputs(universe.inputs)
            tables = {}
        elif strategy.families:
            frames = strategy.frames(universe.inputs, params)
            tables = stances(strategy, params, frames, history, allow_short=False)[0]
        else:
            tables = {s: pd.DataFrame(index=h.index) for s, h in history.items()}
        window = resolve_window(strategy, one, tables, history)
        if latest is None or window.start > latest.start:
            latest = window
        if spec.start is not None:
            break
    assert latest is not None
    return latest


def _split_date(split: pd.Timestamp | float | None, dates: pd.DatetimeIndex):
    """The split as a date: a fraction ``f`` of the period is the trading day at that fraction
    of the union calendar ``dates`` (kept at least two days from either end)."""
    if split is None or isinstance(split, pd.Timestamp):
        return split
    if len(dates) < 4:
        raise AluError(
            "{split} needs at least four trading days in the window", params={"split": UNSET}
        )
    return dates[max(1, min(len(dates) - 3, int(len(dates) * split) - 1))]


def _split_positions(
    split: pd.Timestamp | None, bars: dict[str, pd.DataFrame], dates: pd.DatetimeIndex
) -> dict[str, int] | None:
    """Days in-sample per symbol and for the portfolio (days dated on or before the split)."""
    if split is None:
        return None
    out = {s: int(b.index.searchsorted(split, side="right")) for s, b in bars.items()}
    out[PORTFOLIO] = int(dates.searchsorted(split, side="right"))
    for name, k in out.items():
        length = len(dates) if name == PORTFOLIO else len(bars[name])
        if k < 2 or length - k < 2:
            raise AluError(
                f"{{split}} leaves fewer than two days on one side for {name}",
                params={"split": split},
            )
    return out


def plan_digests(plan: SweepPlan) -> dict[str, str]:
    """Digests of the plan's parts: ``data`` (prices, calendars, signal inputs), ``grid`` (the
    variants' parameters and strategies), ``options`` (costs, direction, window, split,
    walk-forward, chunks) and ``code`` (the modules that compute a chunk)."""
    data = hashlib.sha256()
    for array in (plan.close, plan.fill, plan.bounds, plan.upos):
        data.update(np.ascontiguousarray(array).tobytes())
    for symbol in plan.symbols:
        data.update(symbol.encode())
        data.update(plan.history[symbol].asi8.tobytes())
        data.update(plan.history_close[symbol].tobytes())
    inputs = plan.inputs
    if inputs is not None:
        for part in (inputs.reference, inputs.lme, inputs.catalysts):
            if part is not None:
                data.update(pd.util.hash_pandas_object(part, index=True).to_numpy().tobytes())
                names = part.columns if isinstance(part, pd.DataFrame) else [part.name]
                data.update(repr(list(names)).encode())
    grid = hashlib.sha256()
    for start, stop in plan.runs:
        for a in range(start, stop, 50_000):
            index = np.arange(a, min(a + 50_000, stop))
            strategy, params = variant_params(plan.variants, index)
            grid.update(_strategy_identity(strategy).encode())
            for name in sorted(params):
                grid.update(name.encode())
                grid.update(np.ascontiguousarray(params[name]).tobytes())
    options = hashlib.sha256(
        repr(
            (
                plan.costs,
                plan.allow_short,
                plan.cuts.tolist(),
                plan.rank_rows,
                plan.wf_bounds.tolist(),
                plan.wf_key,
                plan.chunks,
                plan.symbols,
            )
        ).encode()
    )
    code = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for folder in ("backtest", "signals", "strategies", "stats"):
        for path in sorted((root / folder).glob("*.py")):
            code.update(path.name.encode())
            code.update(path.read_bytes())
    return {
        "data": data.hexdigest(),
        "grid": grid.hexdigest(),
        "options": options.hexdigest(),
        "code": code.hexdigest(),
    }


def _strategy_identity(strategy: Strategy) -> str:
    """A strategy's name, and for one from a file the file's contents."""
    text = strategy.name
    if strategy.file is not None:
        try:
            text += hashlib.sha256(Path(strategy.file).read_bytes()).hexdigest()
        except OSError:
            text += str(strategy.file)
    return text


# -- one chunk -----------------------------------------------------------------------------------


@dataclass
class ChunkResult:
    """The reductions of the variants ``start:stop``: per variant its metrics (scopes x targets
    x metrics), return moments, fingerprints, CSCV aggregates, walk-forward values and half
    Sharpe ratios; and the chunk's sum of unit vectors (ranking-sample long)."""

    start: int
    stop: int
    metrics: np.ndarray
    moments: np.ndarray
    fingerprints: np.ndarray
    first_seen: np.ndarray
    dispersed: np.ndarray
    trial_sum: np.ndarray
    cscv_center: np.ndarray
    cscv_sums: np.ndarray
    cscv_sumsq: np.ndarray
    cscv_counts: np.ndarray
    wf_values: np.ndarray
    halves: np.ndarray

    ARRAYS = (
        "metrics",
        "moments",
        "fingerprints",
        "first_seen",
        "dispersed",
        "trial_sum",
        "cscv_center",
        "cscv_sums",
        "cscv_sumsq",
        "cscv_counts",
        "wf_values",
        "halves",
    )


def run_chunk(plan: SweepPlan, start: int, stop: int) -> ChunkResult:
    """The reductions of variants ``start:stop`` (one chunk of the plan)."""
    out, _ = _simulate(plan, np.arange(start, stop, dtype=np.int64), keep_returns=False)
    return ChunkResult(start, stop, **out)


def portfolio_returns(plan: SweepPlan, index: np.ndarray) -> np.ndarray:
    """The portfolio daily returns of the variants ``index`` (days x variants), computed
    again, a run of one strategy at a time."""
    out = np.empty((plan.n_union, len(index)))
    if len(index) == 0:
        return out
    starts = np.array([a for a, _ in plan.runs])
    run_of = np.searchsorted(starts, index, side="right") - 1
    for run in np.unique(run_of).tolist():
        where = np.flatnonzero(run_of == run)
        for a in range(0, len(where), DEFAULT_CHUNK):
            part = where[a : a + DEFAULT_CHUNK]
            _, returns = _simulate(plan, index[part], keep_returns=True)
            out[:, part] = returns.T
    return out


def _simulate(
    plan: SweepPlan, index: np.ndarray, *, keep_returns: bool
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    from alu.backtest.engine import TRADE_DTYPE, sweep_chunk_nb
    from alu.backtest.reduce_nb import N_METRICS

    strategy, params = variant_params(plan.variants, index)
    k = len(index)
    stance = _stances(plan, strategy, params, k)
    sigma, sigma_col = _volatility(plan, params)
    n_targets = len(plan.symbols) + 1
    n_windows = len(plan.wf_bounds)
    blocks = CSCV_SPLITS if plan.block_length > 0 else 0
    out = {
        "metrics": np.full((k, plan.n_scopes, n_targets, N_METRICS), np.nan),
        "moments": np.full((k, 4), np.nan),
        "fingerprints": np.zeros((k, 2)),
        "first_seen": np.zeros(k, dtype=bool),
        "dispersed": np.zeros(k, dtype=bool),
        "trial_sum": np.zeros(plan.rank_rows, dtype=np.int64),
        "cscv_center": np.zeros(k),
        "cscv_sums": np.zeros((k, blocks)),
        "cscv_sumsq": np.zeros((k, blocks)),
        "cscv_counts": np.zeros((k, blocks), dtype=np.int64),
        "wf_values": np.full((k, n_windows), np.nan),
        "halves": np.full((k, 2), np.nan),
    }
    returns = np.empty((k if keep_returns else 0, plan.n_union))
    costs = plan.costs
    sweep_chunk_nb(
        plan.close,
        plan.fill,
        plan.bounds,
        stance,
        sigma,
        sigma_col,
        float(costs.fees),
        float(costs.slippage),
        float(costs.init_cash),
        np.ascontiguousarray(params["fraction"], dtype=np.float64),
        np.ascontiguousarray(params["vol_target"], dtype=np.float64),
        np.ascontiguousarray(params["max_leverage"], dtype=np.float64),
        np.ascontiguousarray(params["rebalance_days"], dtype=np.int64),
        np.ascontiguousarray(params["stop_loss"], dtype=np.float64),
        np.ascontiguousarray(params["trailing_stop"], dtype=np.float64),
        np.ascontiguousarray(params["maintenance_margin"], dtype=np.float64),
        plan.upos,
        plan.cuts,
        plan.rank_rows,
        plan.w_rank,
        plan.w_all,
        CSCV_SPLITS,
        plan.block_length,
        plan.wf_bounds,
        NAMES.index(plan.wf_key),
        -1.0 if plan.wf_key in LOWER_IS_BETTER else 1.0,
        plan.half,
        np.empty(plan.max_days + 2, dtype=TRADE_DTYPE),
        out["metrics"],
        out["moments"],
        out["fingerprints"],
        out["trial_sum"],
        out["first_seen"],
        out["dispersed"],
        out["cscv_center"],
        out["cscv_sums"],
        out["cscv_sumsq"],
        out["cscv_counts"],
        out["wf_values"],
        out["halves"],
        returns,
    )
    return out, returns


def _stances(
    plan: SweepPlan, strategy: Strategy, params: Mapping[str, np.ndarray], k: int
) -> np.ndarray:
    """The variants' stances on every symbol's window, concatenated: int8, variants x days."""
    from alu.strategies.sweep_signals import SweepSignals

    rows_cache = plan.caches.setdefault("rows", {})
    signals = SweepSignals(strategy, params, plan.inputs, rows_cache=rows_cache)
    stance = np.empty((k, int(plan.bounds[-1])), dtype=np.int8)
    if signals.twin is not None:  # a built-in rule: its numba twin, one pass per symbol
        everyone = np.arange(k)
        for s, symbol in enumerate(plan.symbols):
            signals.write_stances(
                symbol,
                plan.history[symbol],
                everyone,
                allow_short=plan.allow_short,
                out=stance,
                at=int(plan.bounds[s]),
                skip=plan.offsets[symbol],
            )
        return stance
    for s, symbol in enumerate(plan.symbols):
        days = plan.history[symbol]
        a, b = int(plan.bounds[s]), int(plan.bounds[s + 1])
        # A few variants at a time: the rule's temporaries (days x variants) stay in cache.
        step = max(16, STANCE_CELLS // max(len(days), 1))
        for c in range(0, k, step):
            part = np.arange(c, min(c + step, k))
            one = signals.stances(symbol, days, part, allow_short=plan.allow_short)
            stance[c : c + len(part), a:b] = one[plan.offsets[symbol] :].T
    return stance


def _volatility(plan: SweepPlan, params: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Each vol-targeted variant's volatility series (the window's days, concatenated like the
    prices; one column per distinct ``vol_window``, computed on each symbol's whole history) and
    its column."""
    from alu.backtest.engine import annual_volatility

    window = np.asarray(params["vol_window"], dtype=np.int64)
    windows = np.unique(window[np.asarray(params["vol_target"]) > 0])
    sigma = np.full((int(plan.bounds[-1]), max(1, len(windows))), np.nan)
    cache = plan.caches.setdefault("volatility", {})
    if len(cache) > 256:
        cache.clear()
    for k, w in enumerate(windows.tolist()):
        for s, symbol in enumerate(plan.symbols):
            key = (symbol, w)
            if key not in cache:
                full = annual_volatility(plan.history_close[symbol], w)
                cache[key] = full[plan.offsets[symbol] :]
            sigma[plan.bounds[s] : plan.bounds[s + 1], k] = cache[key]
    column = np.searchsorted(windows, window).clip(0, max(0, len(windows) - 1))
    return sigma, column.astype(np.int64)


# -- the driver's reductions --------------------------------------------------------------------


class SweepAccumulator:
    """Collects the chunks' reductions in any order into the sweep's per-variant arrays; the
    trial count's unit vectors are summed in chunk order (so the result never depends on which
    chunk finished first)."""

    def __init__(self, plan: SweepPlan) -> None:
        n = plan.n_variants
        self.plan = plan
        scopes = [FULL] if plan.n_scopes == 1 else [FULL, IN_SAMPLE, OUT_OF_SAMPLE]
        self.scopes = scopes
        targets = [*plan.symbols, PORTFOLIO]
        self.targets = targets
        self.metrics = {
            scope: {name: {m: np.full(n, np.nan) for m in METRICS} for name in targets}
            for scope in scopes
        }
        self.moments = np.full((n, 4), np.nan)
        self.fingerprints = np.zeros((n, 2))
        self.chunk_first = np.zeros(n, dtype=bool)
        self.dispersed = np.zeros(n, dtype=bool)
        self.walk_forward = _WalkForwardBest(len(plan.wf_bounds))
        self.halves = np.full((n, 2), np.nan) if plan.half > 0 else None
        self._order = {start: i for i, (start, _) in enumerate(plan.chunks)}
        self._pending: dict[int, np.ndarray] = {}
        self._next = 0
        self.unit_sum = np.zeros(plan.rank_rows, dtype=np.int64)  # UNIT_STEPS fixed point
        self._streams: dict[float, int] = {}  # full-period fingerprint -> slot
        blocks = CSCV_SPLITS if plan.block_length > 0 else 0
        self._slots = _Slots(blocks)
        self.done = 0

    def add(self, result: ChunkResult) -> None:
        a, b = result.start, result.stop
        for i, scope in enumerate(self.scopes):
            for t, name in enumerate(self.targets):
                block = self.metrics[scope][name]
                for m, metric in enumerate(METRICS):
                    block[metric][a:b] = result.metrics[:, i, t, m]
        self.moments[a:b] = result.moments
        self.fingerprints[a:b] = result.fingerprints
        self.chunk_first[a:b] = result.first_seen
        self.dispersed[a:b] = result.dispersed
        if self.halves is not None:
            self.halves[a:b] = result.halves
        self.walk_forward.add(result)
        self._add_blocks(result)
        self._pending[self._order[a]] = result.trial_sum
        while self._next in self._pending:
            self.unit_sum += self._pending.pop(self._next)
            self._next += 1
        self.done += b - a

    def _add_blocks(self, result: ChunkResult) -> None:
        """Keep CSCV's aggregates once per distinct full-period stream (the fingerprint says
        which), with how many variants share it and the first of them."""
        if result.cscv_sums.shape[1] == 0:
            return
        slots = self._slots
        rows, targets = [], []
        for j, key in enumerate(result.fingerprints[:, 1].tolist()):
            index = result.start + j
            slot = self._streams.get(key)
            if slot is None:
                slot = self._streams[key] = slots.grow()
                slots.first[slot] = index
                rows.append(j)
                targets.append(slot)
            else:
                slots.weight[slot] += 1
                if index < slots.first[slot]:
                    slots.first[slot] = index
        if rows:
            slots.sums[targets] = result.cscv_sums[rows]
            slots.sumsq[targets] = result.cscv_sumsq[rows]
            slots.counts[targets] = result.cscv_counts[rows]
            slots.center[targets] = result.cscv_center[rows]

    def finish(self) -> SweepStats:
        """The statistics' reductions, once every chunk is in (the unit vectors of streams that
        more than one chunk counted as new are recomputed and taken out again)."""
        plan = self.plan
        assert self.done == plan.n_variants and not self._pending
        fingerprint = self.fingerprints[:, 0]
        _, first_index = np.unique(fingerprint, return_index=True)
        is_first = np.zeros(plan.n_variants, dtype=bool)
        is_first[first_index] = True
        # A stream first seen in its chunk but seen in an earlier chunk too was added twice.
        again = self.chunk_first & self.dispersed & ~is_first
        if again.any():
            owner = dict(zip(fingerprint[first_index].tolist(), first_index.tolist(), strict=True))
            counts: dict[int, int] = {}
            for key in fingerprint[again].tolist():
                counts[owner[key]] = counts.get(owner[key], 0) + 1
            representatives = np.array(sorted(counts), dtype=np.int64)
            from alu.backtest.reduce_nb import unit_vectors_nb

            streams = np.ascontiguousarray(portfolio_returns(plan, representatives).T)
            z = np.empty((len(representatives), plan.rank_rows), dtype=np.int64)
            unit_vectors_nb(streams, plan.rank_rows, z)
            for j, index in enumerate(representatives.tolist()):
                self.unit_sum -= counts[index] * z[j]
        from alu.backtest.reduce_nb import UNIT_STEPS

        unit_sum = self.unit_sum / UNIT_STEPS
        trials = TrialReductions(fingerprint, is_first, self.dispersed, unit_sum)
        blocks = None
        slots = self._slots
        if slots.n:
            order = np.argsort(slots.first[: slots.n], kind="stable")
            blocks = DistinctBlocks(
                sums=slots.sums[order],
                sumsq=slots.sumsq[order],
                counts=slots.counts[order],
                center=slots.center[order],
                weight=slots.weight[order],
                first=slots.first[order],
                block_length=plan.block_length,
                n_rows_dropped=plan.n_union - CSCV_SPLITS * plan.block_length,
            )
            self._slots = _Slots(0)
        walk = None
        if len(plan.wf_bounds):
            walk = WalkForwardReduction(
                len(plan.wf_bounds),
                plan.wf_key,
                _wf_windows(plan.n_union, len(plan.wf_bounds)),
                self.walk_forward.choices(),
            )
        return SweepStats(
            sharpe=self.moments[:, 0],
            skew=self.moments[:, 1],
            kurtosis=self.moments[:, 2],
            n_obs=self.moments[:, 3].astype(np.int64),
            trials=trials,
            blocks=blocks,
            walk_forward=walk,
            half_sharpe=self.halves,
        )


class _WalkForwardBest:
    """Per walk-forward window, the first variant with the best in-sample value so far (NaN
    values never win): what ``argmax`` over every variant gives, whatever the chunks' order."""

    def __init__(self, n_windows: int) -> None:
        self.value = np.full(n_windows, -np.inf)
        self.index = np.full(n_windows, -1, dtype=np.int64)
        self.defined = np.zeros(n_windows, dtype=bool)

    def add(self, result: ChunkResult) -> None:
        for w in range(result.wf_values.shape[1]):
            column = result.wf_values[:, w]
            defined = ~np.isnan(column)
            key = np.where(defined, column, -np.inf)
            local = int(np.argmax(key))
            value, index = key[local], result.start + local
            at = self.index[w]
            if at < 0 or value > self.value[w] or (value == self.value[w] and index < at):
                self.value[w], self.index[w] = value, index
            self.defined[w] |= bool(defined.any())

    def choices(self) -> np.ndarray:
        return np.where(self.defined, self.index, -1).astype(np.int64)


def walk_forward_reduction(
    result: SweepResult, n_windows: int, rank_by: str
) -> WalkForwardReduction:
    """The in-sample winners of ``n_windows`` walk-forward windows selected by ``rank_by``: the
    sweep's own reduction when it made that one (``SweepSpec.walk_forward``/``rank_by``), else
    from a second pass over every variant."""
    import dataclasses

    key = walk_forward_key(rank_by)
    stats, plan = result.stats, result.plan
    assert stats is not None and plan is not None
    made = stats.walk_forward
    if made is not None and made.n_windows == n_windows and made.key == key:
        return made
    windows = _wf_windows(plan.n_union, n_windows)
    bounds = np.array([[w[0].start, w[0].stop] for w in windows], dtype=np.int64)
    again = dataclasses.replace(plan, wf_bounds=bounds, wf_key=key)
    again.caches = plan.caches
    from alu.backtest.parallel import chunk_results

    best = _WalkForwardBest(n_windows)
    for chunk in chunk_results(again, workers=resolve_workers(result.spec.workers)):
        best.add(chunk)
    return WalkForwardReduction(n_windows, key, windows, best.choices())


class _Slots:
    """Growing arrays of the distinct streams' CSCV aggregates (one row per stream)."""

    def __init__(self, blocks: int) -> None:
        self.n = 0
        self.blocks = blocks
        self._allocate(1024 if blocks else 0)

    def _allocate(self, capacity: int) -> None:
        old = None if not hasattr(self, "sums") else (self.sums, self.sumsq, self.counts)
        self.sums = np.zeros((capacity, self.blocks))
        self.sumsq = np.zeros((capacity, self.blocks))
        self.counts = np.zeros((capacity, self.blocks), dtype=np.int32)
        center, weight, first = (
            (self.center, self.weight, self.first) if old is not None else (None, None, None)
        )
        self.center = np.zeros(capacity)
        self.weight = np.zeros(capacity, dtype=np.int64)
        self.first = np.zeros(capacity, dtype=np.int64)
        if old is not None:
            n = self.n
            self.sums[:n], self.sumsq[:n], self.counts[:n] = (a[:n] for a in old)
            self.center[:n], self.weight[:n], self.first[:n] = center[:n], weight[:n], first[:n]

    def grow(self) -> int:
        """A new slot (weight 1)."""
        if self.n == len(self.center):
            self._allocate(max(1024, 2 * self.n))
        slot = self.n
        self.weight[slot] = 1
        self.n += 1
        return slot


# -- the sweep -----------------------------------------------------------------------------------


def run_sweep(
    universe: Universe,
    spec: SweepSpec,
    *,
    progress: Callable[[int], None] | None = None,
    note: Callable[[str], None] | None = None,
) -> SweepResult:
    """Backtest every variant of ``spec`` on ``universe`` (its data cut at ``spec.end``).

    ``progress`` is called with the number of variants of each finished chunk; ``note`` with
    one-line messages about the run (a resumed sweep's cache), which are not part of the
    result."""
    from alu.backtest.parallel import chunk_results

    plan, about = plan_sweep(universe, spec)
    accumulator = SweepAccumulator(plan)
    for result in chunk_results(
        plan,
        workers=resolve_workers(spec.workers),
        scheduler=spec.scheduler,
        resume=spec.resume,
        note=note,
    ):
        accumulator.add(result)
        if progress is not None:
            progress(result.stop - result.start)
    stats = accumulator.finish()
    return SweepResult(
        spec,
        about["dates"],
        accumulator.metrics,
        about["split_index"],
        about["split"],
        about["window"],
        stats,
        plan,
    )


def resolve_workers(workers: int | None) -> int:
    """``workers``, or every core this process may use."""
    if workers is None:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not Linux
            return max(1, os.cpu_count() or 1)
    if workers < 1:
        raise AluError("{workers} must be at least 1", params={"workers": workers})
    return int(workers)

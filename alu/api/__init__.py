"""The Python API: what ``alu`` does, as functions for notebooks and scripts.

Every function opens the data, orchestrates and returns a result; the command line is a thin
layer over these functions (it parses its options, calls them and prints), so the two cannot
differ. Every keyword mirrors the command-line option of the same name (``data_dir`` is
``--data-dir``, ``params`` is ``--param``, ``stop_loss`` is ``--stop-loss``), and a refusal names
the keyword (``walk_forward=10000 needs ...``). The root package exposes them::

    import alu
    bt = alu.backtest(strategy="bands", direction="both", stop_loss=0.1)
    bt.metrics            # DataFrame: symbols and portfolio x metrics
    cmp = alu.compare(strategy="bands", grid={"confirm": [1, 2, 3], "buffer": "0:0.02:0.005"})
    cmp.table.head()      # every variant, ranked

Data comes from ``data_dir`` (a folder in the data-dir layout), else the local store
(``$ALU_HOME``), else the bundled synthetic sample.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alu.api import inputs
from alu.api.results import Backtest, Compare
from alu.errors import UNSET, AluError

if TYPE_CHECKING:
    from alu.data.market import Market
    from alu.research.events import EventStudy
    from alu.research.forward import Research
    from alu.research.thesis import Thesis
    from alu.strategies.base import Strategy
    from alu.strategies.variants import Variant
    from alu.watchlist.alerts import History
    from alu.watchlist.snapshot import Snapshot

Paths = str | Path | Iterable[str | Path] | None

__all__ = [
    "Backtest",
    "Compare",
    "backtest",
    "compare",
    "events",
    "load_strategies",
    "open_data",
    "research",
    "strategies",
    "thesis",
    "watchlist",
]


def open_data(
    data_dir: str | Path | None = None, *, end: inputs.Day = None, keep_suspect: bool = False
) -> Market:
    """The market: instruments, the LME record and the catalyst calendar of ``data_dir`` (else
    the local store, else the bundled sample), cut at ``end`` (nothing after it is read)."""
    return inputs.open_market(data_dir, end=inputs.day(end, "end"), keep_suspect=keep_suspect)


def load_strategies(path: str | Path) -> dict[str, Strategy]:
    """The strategies a Python or TOML strategy file defines, by name."""
    from alu.strategies import load_strategies as load

    return load(Path(path).expanduser())


def strategies(strategy_file: Paths = None) -> list[Strategy]:
    """Every strategy: the built-in ones, then those of ``strategy_file`` (one path or several)."""
    return list(_catalog(strategy_file).values())


def _catalog(strategy_file: Paths) -> dict[str, Strategy]:
    from alu.strategies import strategy_catalog

    if strategy_file is None:
        files = None
    elif isinstance(strategy_file, str | Path):
        files = [Path(strategy_file).expanduser()]
    else:
        files = [Path(f).expanduser() for f in strategy_file]
    return dict(strategy_catalog(files))


def backtest(
    strategy: str = "squeeze",
    params: Mapping[str, Any] | Sequence[str] | None = None,
    symbols: str | Sequence[str] | None = None,
    start: inputs.Day = None,
    end: inputs.Day = None,
    fees: float = 0.001,
    slippage: float = 0.0005,
    direction: str = "long",
    data_dir: str | Path | None = None,
    *,
    strategy_file: Paths = None,
    sizing: str | None = None,
    max_leverage: float | None = None,
    vol_window: int | None = None,
    rebalance_days: int | None = None,
    stop_loss: float | None = None,
    trailing_stop: float | None = None,
    maintenance_margin: float | None = None,
    max_stale_days: int | None = None,
    keep_suspect: bool = False,
) -> Backtest:
    """Backtest ``strategy`` over ``symbols`` (default AA, CENX and the aluminium leg) under the
    execution model (docs/execution.md): fills at the next open, ``fees`` and ``slippage``
    (fractions), sizing (``sizing="all-in"|"fraction=F"|"vol-target=V"``, ``max_leverage``,
    ``vol_window``, ``rebalance_days``), stops (``stop_loss``, ``trailing_stop``), margin
    (``maintenance_margin``), stale inputs (``max_stale_days``). ``params`` overrides the
    strategy's parameters; ``direction="both"`` also takes the short side."""
    given = dict(locals())
    from alu.backtest.run import BacktestSpec, run_backtest
    from alu.strategies import get_strategy

    chosen = get_strategy(strategy, _catalog(strategy_file))
    model = inputs.model_overrides(**inputs.model_keywords(given))
    resolved_params = chosen.resolve(inputs.overrides(params, model))
    first, last = inputs.window(start, end)
    costs = _costs(fees, slippage)
    _check_direction(direction)
    market = inputs.open_market(data_dir, end=last, keep_suspect=keep_suspect)
    resolved, notes = market.resolve_symbols(inputs.symbols(symbols))
    spec = BacktestSpec(chosen, resolved_params, resolved, first, last, costs, direction)
    signals = bool(chosen.families)
    result = run_backtest(market.universe(resolved, signals=signals), spec, notes)
    return Backtest(replace(result, data=market.describe(resolved, signals=signals)), market)


def compare(
    strategy: str = "squeeze",
    grid: Mapping[str, Any] | Sequence[str] | None = None,
    variants: str | Path | None = None,
    params: Mapping[str, Any] | Sequence[str] | None = None,
    symbols: str | Sequence[str] | None = None,
    start: inputs.Day = None,
    end: inputs.Day = None,
    fees: float = 0.001,
    slippage: float = 0.0005,
    direction: str = "long",
    data_dir: str | Path | None = None,
    *,
    rank_by: str = "sharpe",
    split: str | float | None = None,
    walk_forward: int | None = None,
    min_trades: int = 1,
    max_variants: int | None = 100_000,
    strategy_file: Paths = None,
    sizing: str | None = None,
    max_leverage: float | None = None,
    vol_window: int | None = None,
    rebalance_days: int | None = None,
    stop_loss: float | None = None,
    trailing_stop: float | None = None,
    maintenance_margin: float | None = None,
    max_stale_days: int | None = None,
    keep_suspect: bool = False,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: str | Path | None = None,
    chunk_size: int = 500,
    progress: Callable[[int], None] | None = None,
    before_sweep: Callable[[list[Variant]], None] | None = None,
    note: Callable[[str], None] | None = None,
) -> Compare:
    """Sweep variants of ``strategy`` (a ``grid``: ``{"confirm": [1, 2, 3], "buffer":
    "0:0.02:0.005"}`` or ``["confirm=1,2,3", ...]``) or of a TOML ``variants`` file, through the
    one engine, and rank them honestly: ``rank_by`` a portfolio metric, in-sample with a
    ``split`` (a date or a fraction), deflated Sharpe, PBO, ``walk_forward`` windows,
    ``min_trades`` per symbol to be ranked. ``max_variants`` (None: no limit) refuses larger
    sweeps before anything is built. Other keywords as :func:`backtest`.

    Where it runs (the result is the same, bit for bit): ``workers`` threads (None: every core);
    ``scheduler``, a dask.distributed scheduler's address or ``"local"`` for a LocalCluster of
    ``workers`` processes (the ``alu[dask]`` extra); ``resume``, a directory that keeps each
    finished chunk so that a sweep started again with the same arguments computes only what is
    missing; ``chunk_size`` variants per chunk (memory follows it).

    ``progress`` is called with the number of variants done after each chunk, ``before_sweep``
    with the variants once they are built (a caller's own checks, before any data is read),
    ``note`` with one-line messages about the run that are not part of the result (a resumed
    sweep's cache; default: the ``alu`` logger's warnings)."""
    given = dict(locals())
    from alu.backtest.compare import build_comparison, check_rank_metric
    from alu.backtest.sweep import SweepSpec, resolve_workers, run_sweep
    from alu.strategies.variants import load_variants_file, variants_from_grids

    rank_by = check_rank_metric(rank_by)
    first, last = inputs.window(start, end)
    costs = _costs(fees, slippage)
    _check_direction(direction)
    workers = resolve_workers(workers)
    if chunk_size < 1:
        raise AluError("{chunk_size} must be at least 1", params={"chunk_size": chunk_size})
    if min_trades < 0:
        raise AluError(
            f"{{min_trades}} must be 0 or more, got {min_trades}", params={"min_trades": UNSET}
        )
    if walk_forward is not None and walk_forward < 2:
        raise AluError("{walk_forward} needs at least 2 windows", params={"walk_forward": UNSET})
    if grid and variants is not None:
        raise AluError(
            "give either {grid} or {variants}, not both", params={"grid": UNSET, "variants": UNSET}
        )
    model = inputs.model_overrides(**inputs.model_keywords(given))
    fixed = inputs.overrides(params, model)
    catalog = _catalog(strategy_file)
    if variants is not None:
        if fixed:
            raise AluError(
                "{params} and the execution keywords (sizing, stop_loss, ...) apply to grid "
                "sweeps; put fixed values in the variants file",
                params={"params": UNSET},
            )
        chosen = load_variants_file(
            Path(variants).expanduser(), strategies=catalog, max_variants=max_variants
        )
    else:
        chosen = variants_from_grids(
            strategy, _grid_items(grid), fixed, strategies=catalog, max_variants=max_variants
        )
    split_at = inputs.split(split)
    if before_sweep is not None:
        before_sweep(chosen)
    market = inputs.open_market(data_dir, end=last, keep_suspect=keep_suspect)
    resolved, notes = market.resolve_symbols(inputs.symbols(symbols))
    spec = SweepSpec(
        variants=chosen,
        symbols=resolved,
        start=first,
        end=last,
        costs=costs,
        direction=direction,
        split=split_at,
        walk_forward=walk_forward,
        rank_by=rank_by,
        chunk_size=chunk_size,
        workers=workers,
        scheduler=scheduler,
        resume=None if resume is None else Path(resume).expanduser(),
    )
    signals = any(v.strategy.families for v in chosen)
    sweep = run_sweep(
        market.universe(resolved, signals=signals),
        spec,
        progress=progress,
        note=note or logging.getLogger("alu").warning,
    )
    comparison = build_comparison(
        sweep, rank_by=rank_by, walk_forward=walk_forward, min_trades=min_trades
    )
    notes += [
        f"{s}: {market.instrument(s).description}" for s in resolved if s in ("LME3M", "ALI=F")
    ]
    if sweep.window is not None:
        notes.append(
            f"window {sweep.window.start:%Y-%m-%d} to {sweep.window.end:%Y-%m-%d}: "
            f"{sweep.window.reason}"
        )
    long_only = list(dict.fromkeys(v.strategy.name for v in chosen if v.strategy.long_only))
    if long_only and direction == "both":
        verb, pronoun = ("is", "it") if len(long_only) == 1 else ("are", "them")
        notes.append(
            f"{', '.join(long_only)} {verb} long-only: --direction both changes nothing for "
            f"{pronoun}"
        )
    described = replace(
        comparison,
        data=market.describe(resolved, signals=signals),
        notes=[*notes, *comparison.notes],
    )
    return Compare(described, market)


def watchlist(
    date: inputs.Day = None,
    data_dir: str | Path | None = None,
    *,
    params: Mapping[str, Any] | Sequence[str] | None = None,
    symbols: str | Sequence[str] | None = None,
    history: bool = False,
    start: inputs.Day = None,
    end: inputs.Day = None,
    strategy_file: Paths = None,
    keep_suspect: bool = False,
) -> Snapshot | History:
    """Where the thesis stands as of ``date`` (default: the last day in the data): every
    signal, every strategy's stance in both directions, what flipped, how fresh the data is;
    with ``history=True``, the alert log from ``start`` to ``end`` instead. Results have
    ``.to_json()``."""
    from alu.watchlist import build

    if history:
        if date is not None:
            raise AluError(
                "{date} shows one day; with {history} give the period as {start}/{end}",
                params={"date": UNSET, "history": UNSET, "start": UNSET, "end": UNSET},
            )
        first, last = inputs.window(start, end)
    elif start is not None or end is not None:
        raise AluError(
            "{start}/{end} need {history} (for one day use {date})",
            params={"start": UNSET, "end": UNSET, "history": UNSET, "date": UNSET},
        )
    shown = tuple(_catalog(strategy_file).values())
    market = inputs.open_market(data_dir, keep_suspect=keep_suspect)
    overrides = inputs.assignments(params)
    wanted = inputs.symbols(symbols)
    if history:
        return build.history(
            market, start=first, end=last, symbols=wanted, params=overrides, strategies=shown
        )
    return build.watch(
        market, day=inputs.day(date, "date"), symbols=wanted, params=overrides, strategies=shown
    )


def thesis(
    date: inputs.Day = None,
    symbols: str | Sequence[str] | None = None,
    params: Mapping[str, Any] | Sequence[str] | None = None,
    data_dir: str | Path | None = None,
) -> Thesis:
    """The squeeze verdict as of ``date`` (ON, MIXED, OFF or UNKNOWN), its conditions and the
    history of the episodes in which they all held (docs/research.md)."""
    from alu.research.thesis import thesis as verdict

    day = inputs.day(date, "date")
    market = inputs.open_market(data_dir)
    return verdict(
        market, day=day, symbols=inputs.symbols(symbols), params=inputs.assignments(params)
    )


def research(
    horizons: str | Sequence[int] = (1, 5, 20, 60),
    symbols: str | Sequence[str] | None = None,
    start: inputs.Day = None,
    end: inputs.Day = None,
    params: Mapping[str, Any] | Sequence[str] | None = None,
    data_dir: str | Path | None = None,
) -> Research:
    """Does each signal predict returns? Forward returns by signal state with Newey-West
    t-statistics, and rank ICs of the continuous signals, per instrument and horizon (trading
    days; ``"1,5,20,60"`` or a list)."""
    from alu.research.forward import research as study

    chosen = _horizons(horizons)
    first, last = inputs.window(start, end)
    market = inputs.open_market(data_dir, end=last)
    return study(
        market,
        horizons=chosen,
        symbols=inputs.symbols(symbols),
        start=first,
        end=last,
        params=inputs.assignments(params),
    )


def events(
    symbols: str | Sequence[str] | None = None,
    kinds: str | Sequence[str] | None = None,
    window: str | tuple[int, int] = "-5:5",
    estimation: int = 250,
    gap: int = 10,
    benchmark: str | None = None,
    data_dir: str | Path | None = None,
) -> EventStudy:
    """An event study around the catalyst calendar (MacKinlay 1997): abnormal returns over
    ``window`` trading days around each event, CAR per event, CAAR per kind with the cross-
    sectional and Boehmer-Musumeci-Poulsen t-statistics; market model against ``benchmark``
    when given, else constant mean, fitted on ``estimation`` days ending ``gap`` days before."""
    from alu.research.events import event_study, parse_event_window

    span = parse_event_window(window) if isinstance(window, str) else tuple(window)
    if estimation < 3:
        raise AluError(
            f"{{estimation}} needs at least 3 days, got {estimation}", params={"estimation": UNSET}
        )
    if gap < 0:
        raise AluError(f"{{gap}} must be >= 0 days, got {gap}", params={"gap": UNSET})
    chosen = None
    if kinds is not None:
        items = kinds.split(",") if isinstance(kinds, str) else list(kinds)
        chosen = [k.strip() for k in items if k.strip()]
        if not chosen:
            raise AluError("{kinds}: no kind given", params={"kinds": UNSET})
    market = inputs.open_market(data_dir)
    return event_study(
        market,
        symbols=inputs.symbols(symbols),
        kinds=chosen,
        window=span,  # type: ignore[arg-type]
        estimation=estimation,
        gap=gap,
        benchmark=benchmark,
    )


def _costs(fees: float, slippage: float) -> Any:
    from alu.backtest.engine import Costs

    return Costs(fees=inputs.fraction(fees, "fees"), slippage=inputs.fraction(slippage, "slippage"))


def _check_direction(direction: str) -> None:
    if direction not in ("long", "both"):
        raise AluError(
            f"{{direction}}: expected long or both, got '{direction}'",
            params={"direction": UNSET},
        )


def _horizons(value: str | Sequence[int]) -> list[int]:
    """``"1,5,20,60"`` or a sequence as whole numbers of trading days >= 1."""
    parts = value.split(",") if isinstance(value, str) else list(value)
    out = []
    for part in parts:
        text = str(part).strip()
        if not text:
            continue
        if not text.isdigit() or int(text) < 1:
            raise AluError(
                f"{{horizons}}: '{text}' is not a whole number of days >= 1",
                params={"horizons": UNSET},
            )
        out.append(int(text))
    if not out:
        raise AluError("{horizons}: no horizon given", params={"horizons": UNSET})
    return out


def _grid_items(grid: Mapping[str, Any] | Sequence[str] | None) -> list[str] | None:
    """A grid as ``key=values`` items: a mapping of key to a list of values or a
    ``start:stop[:step]``/``v1,v2`` text, or the items themselves."""
    if grid is None:
        return None
    if isinstance(grid, Mapping):
        items = []
        for key, values in grid.items():
            if isinstance(values, str):
                items.append(f"{key}={values}")
            else:
                items.append(f"{key}={','.join(str(v) for v in values)}")
        return items
    return [str(item) for item in grid]

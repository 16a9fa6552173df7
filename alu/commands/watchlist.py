"""``alu watchlist``: the thesis as of a day, or the alert log over a period.

Never imports vectorbt or numba: the watchlist stops after the signals and the stances.
"""

from __future__ import annotations

from pathlib import Path

from alu.data.market import Market
from alu.data.source import resolve_source
from alu.errors import AluError
from alu.options import parse_day, parse_window
from alu.output import dumps, is_stdout, resolve_target, write_text
from alu.strategies import strategy_catalog
from alu.strategies.params import parse_assignments


def run(
    *,
    date: str | None,
    param: list[str] | None,
    data_dir: Path | None,
    fmt: str,
    out: str | None,
    history: bool,
    start: str | None,
    end: str | None,
    keep_suspect: bool = False,
    strategy_file: list[Path] | None = None,
) -> None:
    if history:
        if date is not None:
            raise AluError("--date shows one day; with --history give the period as --start/--end")
        first, last = parse_window(start, end)
    else:
        if start is not None or end is not None:
            raise AluError("--start/--end need --history (for one day use --date)")
        day = parse_day(date, "--date")
    params = parse_assignments(param)
    if out is not None:
        resolve_target(out, "--out")  # refused before any work
    strategies = tuple(strategy_catalog(strategy_file).values())
    market = Market(resolve_source(data_dir), keep_suspect=keep_suspect)

    from alu.watchlist import build, views

    if history:
        item = build.history(market, start=first, end=last, params=params, strategies=strategies)
    else:
        item = build.watch(market, day=day, params=params, strategies=strategies)
    if fmt == "table":
        from alu.watchlist import table

        render = table.render_history if history else table.render_snapshot
        terminal = table.screen()
        if (out is None or is_stdout(out)) and terminal.is_terminal:
            render(item, terminal)
            return
        text = table.as_text(render, item)
    elif fmt == "json":
        text = dumps(views.history_json(item) if history else views.snapshot_json(item))
    else:
        text = views.history_csv(item) if history else views.snapshot_csv(item)
    write_text(out or "-", text, option="--out")

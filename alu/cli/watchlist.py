"""``alu watchlist``: the thesis as of a day, or the alert log over a period.

Never imports vectorbt or numba: the watchlist stops after the signals and the stances.
"""

from __future__ import annotations

from typing import Annotated

import typer

from alu.cli.options import DataDir, Format, FormatOption, KeepSuspect, StrategyFile


def watchlist(
    date: Annotated[
        str | None,
        typer.Option("--date", help="As of this day, YYYY-MM-DD. Default: the last in the data."),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Override a strategy parameter: key=value."),
    ] = None,
    data_dir: DataDir = None,
    strategy_file: StrategyFile = None,
    fmt: FormatOption = Format.table,
    out: Annotated[
        str | None, typer.Option("--out", help="Write to FILE (atomically) instead of stdout.")
    ] = None,
    history: Annotated[
        bool, typer.Option("--history", help="The alert log from --start to --end instead.")
    ] = False,
    start: Annotated[
        str | None,
        typer.Option("--start", help="--history: first day. Default: 30 days before --end."),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--end", help="--history: last day. Default: the last in the data."),
    ] = None,
    keep_suspect: KeepSuspect = False,
) -> None:
    """Where the squeeze thesis stands as of a day: signals, stances, alerts, freshness."""
    from alu.output import dumps, is_stdout, resolve_target, write_text

    if out is not None:
        resolve_target(out, "--out")  # refused before any work
    from alu import api

    item = api.watchlist(
        date,
        data_dir,
        params=param,
        history=history,
        start=start,
        end=end,
        strategy_file=strategy_file,
        keep_suspect=keep_suspect,
    )
    from alu.watchlist import views

    if fmt is Format.table:
        from alu.watchlist import table

        render = table.render_history if history else table.render_snapshot
        terminal = table.screen()
        if (out is None or is_stdout(out)) and terminal.is_terminal:
            render(item, terminal)
            return
        text = table.as_text(render, item)
    elif fmt is Format.json:
        text = dumps(views.history_json(item) if history else views.snapshot_json(item))
    else:
        text = views.history_csv(item) if history else views.snapshot_csv(item)
    write_text(out or "-", text, option="--out")

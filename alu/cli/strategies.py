"""``alu strategies``: the strategies (built-in and from ``--strategy-file``), or the signal
columns their rules may read (``--columns``), as text or JSON."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from alu.cli.options import StrategyFile


def strategies(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
    columns: Annotated[
        bool,
        typer.Option("--columns", help="List the signal columns a rule may read instead."),
    ] = False,
    strategy_file: StrategyFile = None,
) -> None:
    """List the strategies with their rules, parameters and defaults, and the signal columns
    their rules read."""
    from alu import api
    from alu.output import write_json

    if columns:
        from alu.strategies.signal_columns import columns_json

        if as_json:
            write_json("-", columns_json())
            return
        from alu.reports.terminal import render_columns

        render_columns()
        return
    items = api.strategies(strategy_file)
    if as_json:
        write_json("-", [strategy_json(s) for s in items])
        return
    from alu.reports.terminal import render_columns, render_strategies

    render_strategies(items)
    render_columns()


def strategy_json(s: Any) -> dict[str, Any]:
    """One strategy as ``alu strategies --json`` lists it; ``file`` is null for a built-in."""
    return {
        "name": s.name,
        "description": s.description,
        "rules": s.doc,
        "long_only": s.long_only,
        "params": {
            p.name: {
                "default": p.default,
                "type": p.kind.__name__,
                "help": p.help,
                "minimum": p.minimum,
                "maximum": p.maximum,
            }
            for p in s.params
        },
        "families": list(s.families),
        "file": None if s.file is None else str(s.file),
        "line": s.line,
    }

"""``alu strategies``: the strategies (built-in and from ``--strategy-file``), or the signal
columns their rules may read (``--columns``), as text or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alu.strategies import strategy_catalog
from alu.strategies.base import Strategy


def run(*, as_json: bool, columns: bool, strategy_file: list[Path] | None) -> None:
    catalog = strategy_catalog(strategy_file)
    if columns:
        from alu.strategies.signal_columns import columns_json

        if as_json:
            from alu.output import write_json

            write_json("-", columns_json())
            return
        from alu.reports.terminal import render_columns

        render_columns()
        return
    items = list(catalog.values())
    if as_json:
        from alu.output import write_json

        write_json("-", [strategy_json(s) for s in items])
        return
    from alu.reports.terminal import render_columns, render_strategies

    render_strategies(items)
    render_columns()


def strategy_json(s: Strategy) -> dict[str, Any]:
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

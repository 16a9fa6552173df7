"""The research results as CSV text (``--format csv``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from alu.output import jsonable

if TYPE_CHECKING:
    from alu.research.events import EventStudy
    from alu.research.forward import Research

RESEARCH_CSV_COLUMNS = (
    "table",
    "signal",
    "state",
    "symbol",
    "horizon",
    "n",
    "n_independent",
    "mean",
    "excess_mean",
    "hit_rate",
    "ic",
    "t_hac",
    "ci_low",
    "ci_high",
    "few",
)
EVENTS_CSV_COLUMNS = (
    "table",
    "date",
    "name",
    "kind",
    "symbol",
    "day0",
    "n",
    "car",
    "t",
    "caar",
    "t_cs",
    "t_bmp",
    "overlaps",
)


def _csv(columns: Sequence[str], rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        clean = jsonable({k: row.get(k) for k in columns})
        writer.writerow({k: "" if v is None else v for k, v in clean.items()})
    return buffer.getvalue()


def research_csv(result: Research) -> str:
    """One row per state x symbol x horizon (``table`` = ``by_state``), then one per continuous
    signal x symbol x horizon (``table`` = ``ic``); columns :data:`RESEARCH_CSV_COLUMNS`."""
    rows = [{"table": "by_state", **r} for r in result.by_state.to_dict(orient="records")]
    rows += [{"table": "ic", **r} for r in result.ic.to_dict(orient="records")]
    return _csv(RESEARCH_CSV_COLUMNS, rows)


def events_csv(study: EventStudy) -> str:
    """One row per event x symbol (``table`` = ``event``; ``overlaps`` joined by ``; ``), then one
    per kind x symbol (``table`` = ``by_kind``); columns :data:`EVENTS_CSV_COLUMNS`."""
    rows = []
    for r in study.events.to_dict(orient="records"):
        rows.append({"table": "event", **r, "overlaps": "; ".join(r["overlaps"])})
    rows += [{"table": "by_kind", **r} for r in study.by_kind.to_dict(orient="records")]
    return _csv(EVENTS_CSV_COLUMNS, rows)

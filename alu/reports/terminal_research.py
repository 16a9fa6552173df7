"""Terminal rendering of the research commands: ``alu thesis``, ``alu research``, ``alu events``.

Colour says direction as in the watchlist: green for what the squeeze thesis likes, red for the
opposite and for a stale input. Piped, the same text comes without colour codes, wide enough for
the tables to stay whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.table import Table
from rich.text import Text

from alu.output import num, pct
from alu.reports.terminal import console, source_line

if TYPE_CHECKING:
    from rich.console import Console

    from alu.research.events import EventStudy
    from alu.research.forward import Research
    from alu.research.thesis import Thesis

VERDICT_STYLE = {"ON": "bold green", "MIXED": "bold yellow", "OFF": "bold red", "UNKNOWN": "bold"}
MAX_EPISODES = 20


def _header(out: Console, title: str, data: dict, notes: tuple[str, ...]) -> None:
    out.print(Text(title, style="bold"))
    out.print(source_line(data))
    for note in notes:
        out.print(Text(f"note: {note}", style="cyan"))
    for warning in data.get("warnings", []):
        out.print(Text(f"warning: {warning}", style="yellow"))


def _t(value: float, few: bool = False) -> Text:
    """A t-statistic: bold beyond +-2, dim when the evidence is thin."""
    text = num(value)
    if few:
        return Text(text + "*", style="dim")
    return Text(text, style="bold" if np.isfinite(value) and abs(value) >= 2 else "")


def render_thesis(thesis: Thesis) -> None:
    out = console(piped_width=120)
    _header(out, f"alu thesis  as of {thesis.as_of:%a %Y-%m-%d}", thesis.data, thesis.notes)
    out.print()
    out.print(
        Text.assemble(
            ("verdict: ", "bold"),
            (thesis.verdict, VERDICT_STYLE[thesis.verdict]),
            ("  ON: all conditions hold, MIXED: some, OFF: none, UNKNOWN: a stale input", "dim"),
        )
    )
    table = Table(show_edge=False, header_style="bold", pad_edge=False)
    for column in ("condition", "state", "holds", "since", "detail"):
        table.add_column(column, overflow="fold" if column == "detail" else None)
    for c in thesis.conditions:
        holds = Text("yes", style="green") if c.holds else Text("no", style="red")
        state = Text(c.state or "n/a", style="red" if c.stale else "")
        if c.stale:
            state.append(" STALE")
        table.add_row(c.name, state, holds, f"{c.since:%Y-%m-%d}", c.detail)
    out.print(table)
    out.print()
    fresh = Table(show_edge=False, header_style="bold", pad_edge=False, title_justify="left")
    fresh.add_column("freshness")
    for f in thesis.freshness:
        fresh.add_column(f.input, justify="right")
    fresh.add_row("last", *(f"{f.last:%Y-%m-%d}" if f.last else "none" for f in thesis.freshness))
    fresh.add_row(
        "lag",
        *(
            Text(
                f"{'-' if f.lag_days is None else f.lag_days}{' STALE' if f.stale else ''}",
                style="red" if f.stale else "",
            )
            for f in thesis.freshness
        ),
    )
    out.print(fresh)
    out.print()
    n = len(thesis.episodes)
    out.print(
        Text(
            f"episodes with every condition holding: {n} run(s), "
            f"{thesis.independent_episodes} independent",
            style="bold",
        )
    )
    if not n:
        return
    table = Table(show_edge=False, header_style="bold", pad_edge=False)
    for column in ("start", "end", "days", "spell"):
        table.add_column(column, justify="right")
    symbols = list(thesis.closes)
    for symbol in symbols:
        table.add_column(symbol, justify="right")
    for e in thesis.episodes[-MAX_EPISODES:]:
        cells = [pct(e.returns.get(s)) for s in symbols]
        end = f"{e.end:%Y-%m-%d}" + (" open" if e.open else "")
        table.add_row(f"{e.start:%Y-%m-%d}", end, str(e.days), str(e.spell), *cells)
    out.print(table)
    if n > MAX_EPISODES:
        out.print(Text(f"(the last {MAX_EPISODES} of {n}; --format json lists all)", style="dim"))
    out.print(
        Text(
            "returns: from the fill after the first day to the fill after the last (next open, "
            "or the next close of a leg without an open); open: marked to the last close",
            style="dim",
        )
    )


def render_research(result: Research) -> None:
    out = console(piped_width=140)
    horizons = ",".join(str(h) for h in result.horizons)
    _header(
        out,
        f"alu research  horizons {horizons} days  symbols {','.join(result.symbols)}",
        result.data,
        result.notes,
    )
    out.print()
    out.print(Text("forward returns by state (fill after t to the close of t+h)", style="bold"))
    table = Table(show_edge=False, header_style="bold", pad_edge=False)
    for column in (
        "signal",
        "state",
        "symbol",
        "h",
        "n",
        "indep",
        "mean",
        "excess",
        "hit",
        "t_hac",
    ):
        table.add_column(
            column, justify="left" if column in ("signal", "state", "symbol") else "right"
        )
    previous = None
    for row in result.by_state.itertuples(index=False):
        key = (row.signal, row.symbol)
        if previous is not None and key != previous:
            table.add_section()
        previous = key
        table.add_row(
            row.signal,
            row.state,
            row.symbol,
            str(row.horizon),
            f"{row.n:,}",
            f"{row.n_independent:,}",
            pct(row.mean, 2),
            pct(row.excess_mean, 2),
            pct(row.hit_rate, 0),
            _t(row.t_hac, row.few),
        )
    out.print(table)
    out.print()
    out.print(Text("rank information coefficient (Spearman) with forward returns", style="bold"))
    table = Table(show_edge=False, header_style="bold", pad_edge=False)
    table.add_column("signal")
    table.add_column("symbol")
    for h in result.horizons:
        table.add_column(f"IC {h}d", justify="right")
        table.add_column(f"t {h}d", justify="right")
    for (signal, symbol), group in result.ic.groupby(["signal", "symbol"], sort=False):
        cells: list = []
        for h in result.horizons:
            row = group.loc[group["horizon"] == h].iloc[0]
            cells += [num(row["ic"], 3), _t(row["t_hac"], bool(row["few"]))]
        table.add_row(signal, symbol, *cells)
    out.print(table)
    out.print(
        Text(
            "t_hac: Newey-West t-statistic with h-1 lags; * fewer than 30 independent "
            "observations (unreliable); |t| >= 2 in bold",
            style="dim",
        )
    )


def render_events(study: EventStudy) -> None:
    out = console(piped_width=160)
    lo, hi = study.window
    model = "market model on " + study.benchmark if study.benchmark else "constant mean"
    _header(
        out,
        f"alu events  window {lo}:{hi} trading days  estimation {study.estimation} days, "
        f"gap {study.gap}  normal returns: {model}",
        study.data,
        study.notes,
    )
    out.print()
    table = Table(show_edge=False, header_style="bold", pad_edge=False)
    for column in ("kind", "symbol", "n", "CAAR", "t_cs", "t_bmp", "overlapping"):
        table.add_column(column, justify="left" if column in ("kind", "symbol") else "right")
    for row in study.by_kind.itertuples(index=False):
        table.add_row(
            row.kind,
            row.symbol,
            str(row.n),
            pct(row.caar, 2),
            _t(row.t_cs),
            _t(row.t_bmp),
            str(row.n_overlapping),
        )
    out.print(table)
    out.print()
    table = Table(show_edge=False, header_style="bold", pad_edge=False)
    for column in ("date", "event", "kind", "symbol", "CAR", "t"):
        table.add_column(
            column,
            justify="right" if column in ("CAR", "t") else "left",
            overflow="fold" if column == "event" else None,
            max_width=60 if column == "event" else None,
        )
    for row in study.events.itertuples(index=False):
        name = row.name + (" [overlaps]" if row.overlaps else "")
        table.add_row(
            f"{row.date:%Y-%m-%d}", name, row.kind, row.symbol, pct(row.car, 2), _t(row.t)
        )
    out.print(table)
    out.print(
        Text(
            "CAR: cumulative abnormal return over the window; t: CAR over its standard error "
            "(estimation error included); t_cs: cross-sectional t of the CAAR; t_bmp: Boehmer, "
            "Musumeci & Poulsen (1991) standardised t",
            style="dim",
        )
    )

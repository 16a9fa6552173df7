"""The watchlist on one terminal screen (about 30 lines at 100 columns), and the alert history.

Colour says direction: green for what the squeeze thesis likes (long, BULL, BACKWARDATION,
FALLING stocks), red for the opposite (short, BEAR, CONTANGO, BUILDING) and for a stale input,
yellow for a warning (the spread narrowing, a catalyst window). Piped or written to a file,
the same text comes without colour codes, 100 columns wide.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from itertools import groupby
from operator import attrgetter
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from alu.output import num, pct, safe_console
from alu.reports.terminal import source_line
from alu.strategies.base import Strategy
from alu.watchlist.alerts import Alert, direction_label
from alu.watchlist.build import History
from alu.watchlist.snapshot import STALE_AFTER_DAYS, BandView, Snapshot, StanceView

WIDTH = 100
MAX_ALERT_LINES = 10
ALERT_LABELS = {
    "band_state": "bands",
    "spread_regime": "spread",
    "spread_narrowing": "spread",
    "inventory_trend": "inventory",
    "catalyst_window": "catalysts",
    "stance": "stance",
}
GREEN = {"long", "BULL", "BACKWARDATION", "FALLING", "ABOVE_UPPER"}
RED = {"short", "BEAR", "CONTANGO", "BUILDING", "BELOW_LOWER"}
SHORT_NAMES = {"band reference": "reference", "LME spread": "spread", "LME stock": "stock"}


def screen(file: io.TextIOBase | None = None) -> Console:
    """A console for the table: the terminal's own width, or 100 columns without colour when
    the output is not a terminal (a pipe, a file)."""
    out = safe_console(file=file, highlight=False, soft_wrap=False)
    if out.is_terminal:
        return out
    return safe_console(file=file, highlight=False, soft_wrap=False, width=WIDTH, color_system=None)


def as_text(render: Callable[[Any, Console], None], item: Any) -> str:
    """What ``render(item, console)`` prints, as plain text without trailing blanks (for a pipe
    or ``--out FILE``)."""
    buffer = io.StringIO()
    render(item, screen(buffer))
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def styled(word: str | None, text: str | None = None) -> Text:
    """``text`` (default ``word``) coloured by the direction ``word`` stands for."""
    shown = text if text is not None else (word or "n/a")
    style = "green" if word in GREEN else "red" if word in RED else ""
    if word == "UNKNOWN":
        style = "bold yellow"
    return Text(shown, style=style)


def render_snapshot(snap: Snapshot, out: Console) -> None:
    previous = f"  (alerts against {snap.previous_day:%a %Y-%m-%d})" if snap.previous_day else ""
    out.print(
        Text.assemble(("alu watchlist", "bold"), f"  as of {snap.as_of:%a %Y-%m-%d}{previous}")
    )
    render_source(snap.data, snap.notes, out)
    out.print()
    for label, lines in signal_lines(snap):
        for i, line in enumerate(lines):
            line = Text.assemble((f"{label if i == 0 else '':<11}", "bold"), line)
            out.print(line, no_wrap=True, overflow="ellipsis")
    out.print()
    out.print(stance_table(snap))
    out.print()
    render_alerts(
        snap.alerts, out, heading=f"alerts on {snap.as_of:%Y-%m-%d}", strategies=snap.strategies
    )
    out.print()
    out.print(freshness_table(snap))


def render_source(data: dict, notes: tuple[str, ...], out: Console) -> None:
    """The data source (SYNTHETIC in yellow), then notes and warnings."""
    if data:
        out.print(source_line(data))
    for note in notes:
        out.print(Text(f"note: {note}", style="cyan"))
    for warning in data.get("warnings", []):
        out.print(Text(f"warning: {warning}", style="yellow"))


def signal_lines(snap: Snapshot) -> list[tuple[str, list[Text]]]:
    """A line or two per signal family: its state, then the numbers behind it."""
    out = []
    if (b := snap.band) is not None:
        out.append(
            (
                "bands",
                [
                    Text.assemble(
                        styled(b.state),
                        f"  reference {b.reference_name} {num(b.reference_price)} "
                        f"on {_day(b.date)}, {_run(b)}",
                    ),
                    Text(
                        f"to {b.upper:,.0f}: {_signed(b.to_upper_usd_t)} $/t "
                        f"({_pct(b.to_upper_pct)})   to {b.lower:,.0f}: "
                        f"{_signed(b.to_lower_usd_t)} $/t ({_pct(b.to_lower_pct)})"
                    ),
                ],
            )
        )
    if (s := snap.spread) is not None:
        out.append(
            (
                "spread",
                [
                    Text.assemble(
                        styled(s.regime),
                        f"  cash - 3M {_signed(s.value)} $/t on {_day(s.date)}   z {_signed(s.z)}"
                        f"   {s.change_days}-day {_signed(s.change_usd_t)}   ",
                        ("NARROWING", "bold yellow") if s.narrowing else ("not narrowing", "dim"),
                    )
                ],
            )
        )
    if (i := snap.inventory) is not None:
        out.append(
            (
                "inventory",
                [
                    Text.assemble(
                        styled(i.trend),
                        f"  {num(i.stock, 0)} t on {_day(i.date)} (usable from the next day)"
                        f"   percentile {pct(i.percentile)}",
                    ),
                    Text(
                        f"change {_signed(i.change_short_t, 0)} t in {i.short_days} days, "
                        f"{_signed(i.change_long_t, 0)} t ({_pct(i.pct_change_long)}) in "
                        f"{i.long_days}   z {_signed(i.z)}"
                    ),
                ],
            )
        )
    c = snap.catalysts
    nxt = c.next_event
    window = (
        Text("IN A CATALYST WINDOW", style="bold yellow")
        if c.in_window
        else Text("outside every window", style="dim")
    )
    lines = [
        Text.assemble(
            window,
            "   no known event ahead"
            if nxt is None
            else f"   next in {c.days_to_next} days: {nxt.date:%Y-%m-%d} ({nxt.kind})",
        )
    ]
    if nxt is not None:
        lines.append(Text(nxt.name))
    if c.in_window and (nxt is None or c.window_event != nxt.name):
        lines.append(Text(f"window of: {c.window_event}"))
    recent = "; ".join(f"{e.date:%Y-%m-%d} {e.name}" for e in c.recent) or "none"
    lines.append(Text(f"last {c.recent_days} days: {recent}"))
    out.append(("catalysts", lines))
    return out


def stance_cell(by_direction: dict[str, StanceView], long_only: bool) -> Text:
    parts = [by_direction["long"]] if long_only else [by_direction["long"], by_direction["both"]]
    cell = Text()
    for k, view in enumerate(parts):
        if k:
            cell.append(" | ", style="dim")
        if view.order is None:
            cell.append_text(styled(view.stance))
        else:
            change = Text.assemble(f"{view.held}->", styled(view.stance, view.stance.upper()))
            change.stylize("bold")
            cell.append_text(change)
    if any(view.stale for view in parts):
        cell.append(" stale", style="bold red")
    return cell


def grid(title: str) -> Table:
    """A borderless table under a left-aligned title."""
    return Table(
        title=title,
        title_justify="left",
        title_style="",
        header_style="bold",
        show_edge=False,
        pad_edge=False,
        box=None,
    )


def stance_table(snap: Snapshot) -> Table:
    table = grid("stances at the close: long-only | long/short   (a->B: order at the next open)")
    table.add_column("strategy", min_width=10)
    views = snap.instruments
    for symbol in views:
        table.add_column(symbol)
    table.add_row(
        "close",
        *(
            Text("no data") if v.close is None else Text(f"{num(v.close)} on {_day(v.date)}")
            for v in views.values()
        ),
        style="dim",
    )
    strategies = next((list(v.stances) for v in views.values() if v.stances), [])
    long_only_names = {s.name for s in snap.strategies if s.long_only}
    for name in strategies:
        long_only = name in long_only_names
        table.add_row(
            name + (" (long-only)" if long_only else ""),
            *(
                stance_cell(v.stances[name], long_only) if v.stances else Text("-")
                for v in views.values()
            ),
        )
    return table


def alert_lines(alerts: list[Alert], strategies: tuple[Strategy, ...] = ()) -> list[Text]:
    """One line per signal flip; stance flips grouped by strategy (in the order of
    ``strategies``) and change across symbols."""
    lines = [
        Text.assemble((f"{ALERT_LABELS[a.kind]:<10}", "dim"), a.text)
        for a in alerts
        if a.kind != "stance"
    ]
    order = list(dict.fromkeys([*(s.name for s in strategies), *(a.strategy for a in alerts)]))
    stances = sorted(
        (a for a in alerts if a.kind == "stance"),
        key=lambda a: (order.index(a.strategy), a.previous, a.current),
    )
    key = attrgetter("strategy", "previous", "current")
    for (strategy, previous, current), group in groupby(stances, key=key):
        group = list(group)
        symbols = ", ".join(dict.fromkeys(a.subject for a in group))
        directions = ", ".join(sorted({direction_label(a.direction) for a in group}))
        lines.append(
            Text.assemble(
                (f"{ALERT_LABELS['stance']:<10}", "dim"),
                f"{strategy}: {symbols} {previous} -> ",
                styled(current),
                f" ({directions})",
            )
        )
    return lines


def render_alerts(
    alerts: list[Alert], out: Console, *, heading: str, strategies: tuple[Strategy, ...] = ()
) -> None:
    lines = alert_lines(alerts, strategies)
    if not lines:
        out.print(Text.assemble((heading, "bold"), ": nothing flipped"))
        return
    out.print(Text(heading, style="bold"))
    for line in lines[:MAX_ALERT_LINES]:
        out.print(Text.assemble("  ", line))
    if len(lines) > MAX_ALERT_LINES:
        hidden = len(lines) - MAX_ALERT_LINES
        out.print(Text(f"  ... and {hidden} more (--format json lists them all)", style="dim"))


def freshness_table(snap: Snapshot) -> Table:
    table = grid(f"freshness: last usable date, lag in weekdays (stale beyond {STALE_AFTER_DAYS})")
    table.add_column("")
    for item in snap.freshness:
        table.add_column(SHORT_NAMES.get(item.input, item.input))
    table.add_row("last", *(_day(f.last) for f in snap.freshness))
    table.add_row(
        "lag",
        *(
            Text("STALE" if f.lag_days is None else f"{f.lag_days} STALE", style="bold red")
            if f.stale
            else Text(f"{f.lag_days}")
            for f in snap.freshness
        ),
    )
    return table


def render_history(hist: History, out: Console) -> None:
    out.print(
        Text.assemble(
            ("alu watchlist --history", "bold"),
            f"  {hist.start:%Y-%m-%d} to {hist.end:%Y-%m-%d}: {hist.days} days with data, "
            f"{len({a.date for a in hist.alerts})} with alerts",
        )
    )
    render_source(hist.data, hist.notes, out)
    for date, group in groupby(hist.alerts, key=lambda a: a.date):
        for k, line in enumerate(alert_lines(list(group), hist.strategies)):
            label = f"{date:%Y-%m-%d}  " if k == 0 else " " * 12
            out.print(Text.assemble((label, "bold"), line), soft_wrap=True)


def _day(value) -> str:
    return "n/a" if value is None else f"{value:%Y-%m-%d}"


def _signed(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:+,.{digits}f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1%}"


def _run(band: BandView) -> str:
    """How many reference closes in a row the band zone has held; n/a when unknown (an
    UNKNOWN family has no zone to count, not zero closes in one)."""
    count = band.closes_in_zone
    if count is None:
        return "closes in zone n/a"
    return f"{count:,} close {_zone(band)}" if count == 1 else f"{count:,} closes {_zone(band)}"


def _zone(band: BandView) -> str:
    if band.zone == "ABOVE_UPPER":
        return f"above {band.upper:,.0f}"
    if band.zone == "BELOW_LOWER":
        return f"below {band.lower:,.0f}"
    return "between bands"

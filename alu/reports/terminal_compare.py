"""Terminal rendering of ``alu compare``: the ranked table and the overfitting statistics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from alu.output import num, pct
from alu.reports.columns import param_label
from alu.reports.terminal import console, fmt_metric, source_line

if TYPE_CHECKING:
    from alu.backtest.compare import Comparison


def cell_text(value: Any, kind: str) -> Text | str:
    """A value of a :class:`~alu.reports.columns.Column` of ``kind``, for the terminal."""
    if kind == "param":
        return param_label(value)
    if kind == "name":
        return str(value)
    if kind == "dsr":
        return Text(pct(value, 0))
    return fmt_metric(value, kind)


def ranked_on_short(comparison: Comparison) -> str:
    from alu.backtest.sweep import IN_SAMPLE

    return "in-sample" if comparison.ranking_scope == IN_SAMPLE else "over the period"


def render_comparison(comparison: Comparison, *, top: int, written: list) -> None:
    from alu.backtest.sweep import IN_SAMPLE
    from alu.reports.columns import ranked_columns

    out = console(piped_width=160)
    sweep = comparison.sweep
    spec = sweep.spec
    metric = comparison.rank_by
    n = len(spec.variants)
    out.print(
        Text.assemble(
            ("alu compare", "bold"),
            f"  {n:,} variants  {sweep.dates[0]:%Y-%m-%d} to {sweep.dates[-1]:%Y-%m-%d}",
            f"  symbols {','.join(spec.symbols)}  direction {spec.direction}",
        )
    )
    out.print(source_line(comparison.data))
    ranked_on = "in-sample" if comparison.ranking_scope == IN_SAMPLE else "the full period"
    split = f"; split {sweep.split:%Y-%m-%d}" if sweep.split is not None else ""
    out.print(Text(f"ranked by portfolio {metric} on {ranked_on}{split}", style="dim"))
    for note in comparison.notes:
        out.print(Text(f"note: {note}", style="cyan"))

    ranked = ranked_columns(comparison)
    table = Table(show_edge=False, header_style="bold", pad_edge=False)
    table.add_column("#", justify="right")
    for column in ranked.columns:
        if column.kind == "name":
            table.add_column(column.header, overflow="fold", max_width=40)
        else:
            table.add_column(column.header, justify="right")
    for rank, i in enumerate(comparison.ranked_order[:top], start=1):
        row = [str(rank), *(cell_text(c.values[i], c.kind) for c in ranked.columns)]
        table.add_row(*row)
    n_ranked = comparison.n_ranked
    if n_ranked:
        out.print(table)
    else:
        out.print(Text("no variant ranked", style="bold"))
    if n_ranked > top:
        out.print(
            Text(
                f"({n_ranked - top:,} more ranked; --top N shows more, --json/--csv hold all)",
                style="dim",
            )
        )
    if n_ranked < n:
        out.print(
            Text(
                f"{n - n_ranked:,} variant(s) set aside, not ranked: fewer than "
                f"{comparison.min_trades} trade(s) on some symbol {ranked_on_short(comparison)} "
                "(--min-trades)",
                style="yellow",
            )
        )
    if ranked.footnote:
        out.print(Text(ranked.footnote, style="dim"))
    pbo = comparison.pbo
    pbo_text = f"n/a ({comparison.pbo_null_reason})" if pbo is None else pct(pbo)
    out.print(
        Text.assemble(
            ("probability of backtest overfitting (PBO): ", "bold"),
            pbo_text,
            ("   DSR = deflated Sharpe ratio, P(true Sharpe > luck)", "dim"),
        )
    )
    if comparison.dsr_null_reason and comparison.dsr_null_reason != comparison.pbo_null_reason:
        out.print(Text(f"DSR: n/a ({comparison.dsr_null_reason})", style="bold"))
    trials = comparison.trials
    if trials is not None:
        out.print(
            Text(
                f"trials: {trials.raw:,} tried, {trials.distinct:,} distinct, "
                f"{trials.effective:,.1f} effective (the DSR's N)",
                style="dim",
            )
        )
    wf = comparison.walk_forward
    if wf is not None:
        m = wf.metrics
        flat = sum(1 for w in wf.windows if w["variant"] is None)
        out.print(
            Text.assemble(
                ("walk-forward (out-of-sample, stitched): ", "bold"),
                f"return {pct(m['total_return'])}  Sharpe {num(m['sharpe'])}  "
                f"max DD {pct(m['max_drawdown'])}  over {len(wf.windows)} windows",
            )
        )
        for w in wf.windows:
            chosen = w["variant"] or "none: no variant had a defined in-sample metric (flat)"
            out.print(
                Text(
                    f"  {w['out_of_sample'][0]} to {w['out_of_sample'][1]}: {chosen}",
                    style="dim",
                )
            )
        if flat:
            out.print(Text(f"  ({flat} window(s) held flat)", style="dim"))
    for path in written:
        if str(path) != "-":
            out.print(Text(f"wrote {path}", style="dim"))

"""Terminal rendering of ``alu compare``: the ranked table and the overfitting statistics."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from alu.output import num, pct
from alu.render import console, fmt_metric, source_line

if TYPE_CHECKING:
    from backtest.compare import Comparison

PCT_METRICS = frozenset({"total_return", "cagr", "max_drawdown", "win_rate", "exposure"})


def _param(value: float | int) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def metric_text(value: float, metric: str) -> Text:
    if metric == "trades":
        return fmt_metric(value, "int")
    return fmt_metric(value, "pct" if metric in PCT_METRICS else "num")


def render_comparison(comparison: Comparison, *, top: int, written: list) -> None:
    from backtest.sweep import FULL, IN_SAMPLE, OUT_OF_SAMPLE, PORTFOLIO

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
    split = f"; split {spec.split:%Y-%m-%d}" if spec.split is not None else ""
    out.print(Text(f"ranked by portfolio {metric} on {ranked_on}{split}", style="dim"))
    for note in comparison.notes:
        out.print(Text(f"note: {note}", style="cyan"))

    table = Table(show_edge=False, header_style="bold", pad_edge=False)
    table.add_column("#", justify="right")
    # A grid's variants differ only in their varied parameters: one column each. Otherwise
    # (a variants file) the variant's name.
    varied = spec.variants[0].varied
    by_params = (
        len({v.strategy.name for v in spec.variants}) == 1
        and all(v.varied == varied for v in spec.variants)
        and bool(varied)
    )
    if by_params:
        for key in varied:
            table.add_column(key, justify="right")
    else:
        table.add_column("variant", overflow="fold", max_width=40)
    has_split = IN_SAMPLE in sweep.metrics
    if has_split:
        table.add_column(f"{metric} IS", justify="right")
        table.add_column(f"{metric} OOS", justify="right")
    else:
        table.add_column(metric, justify="right")
    table.add_column("return", justify="right")
    table.add_column("max DD", justify="right")
    table.add_column("trades", justify="right")
    for symbol in spec.symbols:
        table.add_column(f"{symbol} {metric}" if len(spec.symbols) < 3 else symbol, justify="right")
    table.add_column("DSR", justify="right")
    full = sweep.metrics[FULL]
    for rank, i in enumerate(comparison.order[:top], start=1):
        variant = spec.variants[int(i)]
        row = [str(rank)]
        if by_params:
            row += [_param(variant.params[key]) for key in varied]
        else:
            row.append(variant.name)
        if has_split:
            row += [
                metric_text(sweep.metrics[IN_SAMPLE][PORTFOLIO][metric][i], metric),
                metric_text(sweep.metrics[OUT_OF_SAMPLE][PORTFOLIO][metric][i], metric),
            ]
        else:
            row.append(metric_text(full[PORTFOLIO][metric][i], metric))
        row += [
            metric_text(full[PORTFOLIO]["total_return"][i], "total_return"),
            metric_text(full[PORTFOLIO]["max_drawdown"][i], "max_drawdown"),
            metric_text(full[PORTFOLIO]["trades"][i], "trades"),
        ]
        scope = IN_SAMPLE if has_split else FULL
        row += [metric_text(sweep.metrics[scope][s][metric][i], metric) for s in spec.symbols]
        row.append(Text(pct(comparison.deflated_sharpe[i], 0)))
        table.add_row(*row)
    out.print(table)
    if n > top:
        out.print(
            Text(f"({n - top:,} more; --top N shows more, --json/--csv hold all)", style="dim")
        )
    if len(spec.symbols) >= 3:
        out.print(
            Text(f"per-symbol columns: {metric}{' in-sample' if has_split else ''}", style="dim")
        )
    pbo = comparison.pbo
    pbo_text = "n/a (fewer than two variants)" if pbo is None else pct(pbo)
    out.print(
        Text.assemble(
            ("probability of backtest overfitting (PBO): ", "bold"),
            pbo_text,
            ("   DSR = deflated Sharpe ratio, P(true Sharpe > luck)", "dim"),
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

"""The columns of ``alu compare``'s ranked table, chosen once for the terminal and the report.

A grid's variants differ only in their varied parameters: one column each; otherwise (a variants
file, several strategies) the variant's name. Then the rank metric (in- and out-of-sample with a
split), the portfolio's total return, max drawdown and trades over the full period, the rank
metric per symbol (in-sample with a split) and the deflated Sharpe ratio. With a split every
metric column's header names its sample (``IS``, ``OOS`` or ``full``). Pure: no rich, no
plotly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alu.backtest.compare import Comparison


def param_label(value: Any) -> str:
    """A parameter value as shown: floats in ``%g`` form (``0.005``, ``3000.5``)."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def metric_kind(metric: str) -> str:
    """How a metric is shown: ``int`` (trades), ``pct`` (fractions) or ``num`` (the registry's
    format, :data:`alu.backtest.metrics.METRICS`)."""
    from alu.backtest.metrics import BY_NAME

    return BY_NAME[metric].format


@dataclass(frozen=True)
class Column:
    """One column: its header, its kind and its value per variant (variant order, not rank).

    ``kind``: ``param`` (a parameter value), ``name`` (the variant's name), ``dsr`` (a
    probability) or ``int``/``pct``/``num`` (a metric, see :func:`metric_kind`).
    """

    header: str
    kind: str
    values: Sequence[Any]


@dataclass(frozen=True)
class RankedColumns:
    """The table's columns (after the rank ``#``) and the footnote they need, if any."""

    columns: list[Column]
    footnote: str | None


def by_params(comparison: Comparison) -> bool:
    """True for a one-strategy grid whose variants all vary the same parameters."""
    variants = comparison.sweep.spec.variants
    varied = variants[0].varied
    return (
        len({v.strategy.name for v in variants}) == 1
        and all(v.varied == varied for v in variants)
        and bool(varied)
    )


def ranked_columns(comparison: Comparison) -> RankedColumns:
    """The ranked table's columns for ``comparison``."""
    from alu.backtest.sweep import FULL, IN_SAMPLE, OUT_OF_SAMPLE, PORTFOLIO

    sweep = comparison.sweep
    spec = sweep.spec
    metric = comparison.rank_by
    kind = metric_kind(metric)
    columns: list[Column] = []
    if by_params(comparison):
        for key in spec.variants[0].varied:
            columns.append(Column(key, "param", [v.params[key] for v in spec.variants]))
    else:
        columns.append(Column("variant", "name", [v.name for v in spec.variants]))
    has_split = IN_SAMPLE in sweep.metrics
    if has_split:
        columns.append(Column(f"{metric} IS", kind, sweep.metrics[IN_SAMPLE][PORTFOLIO][metric]))
        oos = sweep.metrics[OUT_OF_SAMPLE][PORTFOLIO][metric]
        columns.append(Column(f"{metric} OOS", kind, oos))
    else:
        columns.append(Column(metric, kind, sweep.metrics[FULL][PORTFOLIO][metric]))
    full = sweep.metrics[FULL][PORTFOLIO]
    # With a split every metric column names its sample: IS, OOS or full.
    full_tag = " full" if has_split else ""
    is_tag = " IS" if has_split else ""
    columns += [
        Column(f"return{full_tag}", "pct", full["total_return"]),
        Column(f"max DD{full_tag}", "pct", full["max_drawdown"]),
        Column(f"trades{full_tag}", "int", full["trades"]),
    ]
    scope = IN_SAMPLE if has_split else FULL
    short = len(spec.symbols) >= 3
    for symbol in spec.symbols:
        header = f"{symbol}{is_tag}" if short else f"{symbol} {metric}{is_tag}"
        columns.append(Column(header, kind, sweep.metrics[scope][symbol][metric]))
    columns.append(Column(f"DSR{is_tag}", "dsr", comparison.deflated_sharpe))
    footnote = None
    if short:
        footnote = f"per-symbol columns: {metric}{' in-sample (IS)' if has_split else ''}"
    return RankedColumns(columns, footnote)

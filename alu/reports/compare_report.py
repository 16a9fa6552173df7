"""``alu compare --report FILE.html`` (and ``--plot``): a sweep as one self-contained page.

Built with the page shell of :mod:`alu.reports.html`: a header naming the strategies, the data
source (flagged SYNTHETIC for the bundled sample), the window, costs and ranking; then

- **Ranking** (table ``ranking``): the terminal's columns (:mod:`alu.reports.columns`) for every
  variant in rank order, up to :data:`MAX_TABLE_ROWS`; each row's ``data-key`` is the variant's
  index in the sweep;
- **In-sample vs out-of-sample** (figure ``is-oos``): one point per variant
  (:func:`alu.reports.compare_figures.sharpe_pairs`);
- **Heatmap** (figure ``heatmap``) of the rank metric, for a 2-D grid only;
- **Walk-forward** (figure ``walk-forward``, table ``walk-forward``) with ``--walk-forward``;
- **Overfitting (PBO)** (figure ``pbo``) with at least two variants.

:func:`heatmap_page` is the ``--plot`` page: the same header and the heatmap alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from alu.backtest.metrics import BY_NAME
from alu.output import num, pct
from alu.reports.columns import by_params, param_label, ranked_columns
from alu.reports.html import (
    Cell,
    Section,
    figure_html,
    metric_cell,
    note_html,
    page_html,
    table_html,
    write_page,
)
from alu.reports.report import costs_line
from alu.reports.terminal import param_text

if TYPE_CHECKING:
    from alu.backtest.compare import Comparison

MAX_TABLE_ROWS = 500
FOOTER = "Made by alu compare --report. Self-contained: works offline."


def _cell(value, kind: str) -> Cell:
    if kind == "param":
        return Cell(param_label(value), value, "num")
    if kind == "name":
        return Cell(str(value), str(value))
    return metric_cell(value, "pct" if kind == "dsr" else kind)


def ranking_blocks(comparison: Comparison, max_rows: int = MAX_TABLE_ROWS) -> list[str]:
    """The ranked table (the top ``max_rows`` variants) and its notes."""
    ranked = ranked_columns(comparison)
    n = comparison.n_ranked
    shown = comparison.ranked_order[:max_rows]
    rows = [
        [Cell(str(rank), rank, "num"), *(_cell(c.values[i], c.kind) for c in ranked.columns)]
        for rank, i in enumerate(shown, start=1)
    ]
    metric = comparison.rank_by
    scope = "in-sample" if comparison.ranking_scope == "in_sample" else "the full period"
    caption = (
        f"Ranked by portfolio {metric} on {scope}. Return, max DD and trades: the portfolio over "
        "the full period. DSR: deflated Sharpe ratio, the probability that the variant's true "
        "Sharpe beats the best of as many unskilled variants."
    )
    if ranked.footnote:
        caption += f" {ranked.footnote[0].upper()}{ranked.footnote[1:]}."
    blocks = []
    if n < len(comparison.order):
        blocks.append(
            note_html(
                f"{len(comparison.order) - n:,} variant(s) set aside, not ranked: fewer than "
                f"{comparison.min_trades} trade(s) on some symbol over the ranking sample "
                "(--min-trades); --json and --csv list them after the ranked ones."
            )
        )
    if n > max_rows:
        blocks.append(
            note_html(
                f"The top {max_rows:,} of {n:,} variants; --json and --csv hold every one "
                "(the figures below show them all)."
            )
        )
    headers = ["#", *(c.header for c in ranked.columns)]
    keys = [str(int(i)) for i in shown]
    blocks.append(
        table_html(
            headers, rows, table_id="ranking", caption=caption, row_keys=keys, scroll=len(rows) > 20
        )
    )
    return blocks


def scatter_section(comparison: Comparison) -> Section:
    from alu.reports.compare_figures import sharpe_pairs, sharpe_scatter_figure

    pairs = sharpe_pairs(comparison)
    if pairs.from_split:
        how = (
            f"x: each variant's portfolio Sharpe ratio in-sample (to the split, "
            f"{pairs.first[1]:%Y-%m-%d}); y: out-of-sample (after it)."
        )
    else:
        how = (
            "No --split: x is each variant's portfolio Sharpe ratio over the first half of the "
            f"period's days ({pairs.first[0]:%Y-%m-%d} to {pairs.first[1]:%Y-%m-%d}), y over "
            f"the second half ({pairs.second[0]:%Y-%m-%d} to {pairs.second[1]:%Y-%m-%d}): what "
            f"--split {pairs.first[1]:%Y-%m-%d} would show."
        )
    rho = pairs.rank_correlation()
    text = (
        f"{how} Annualised (per-day mean / standard deviation x √252), from the portfolio's "
        "daily returns. Points below the dashed line y = x did worse on the second sample; "
        f"the star is the top-ranked variant. Rank correlation (Spearman) of x and y: {num(rho)}"
        " (near 0 or below: the first sample's ranking says little about the second's)."
    )
    missing = int((~pairs.defined).sum())
    if missing:
        text += f" {missing:,} variant(s) without a Sharpe ratio on one side (flat) not drawn."
    figure = figure_html(sharpe_scatter_figure(comparison, pairs), name="is-oos")
    return Section("In-sample vs out-of-sample", [note_html(text), figure])


def heatmap_section(comparison: Comparison) -> Section | None:
    from alu.reports.heatmap import grid_keys, heatmap_figure

    keys = grid_keys(comparison.sweep.spec.variants)
    if keys is None:
        return None
    metric = comparison.rank_by
    split = comparison.ranking_scope == "in_sample"
    text = (
        f"Portfolio {metric} of every variant by {keys[0]} (rows) and {keys[1]} (columns)"
        + ("; in-sample (ranked on) and out-of-sample on one colour scale." if split else ".")
        + ("" if BY_NAME[metric].higher_is_better else " Lower is better.")
    )
    figure = figure_html(heatmap_figure(comparison, keys), name="heatmap")
    return Section("Heatmap", [note_html(text), figure])


def window_rows(comparison: Comparison) -> list[list[Cell]]:
    """One row per walk-forward window: its samples, the variant chosen, its return."""
    wf = comparison.walk_forward
    assert wf is not None
    initial = comparison.sweep.spec.costs.init_cash * len(comparison.sweep.spec.symbols)
    rows = []
    for k, w in enumerate(wf.windows, start=1):
        part = wf.equity.loc[w["out_of_sample"][0] : w["out_of_sample"][1]]
        before = wf.equity.loc[: w["out_of_sample"][0]].iloc[:-1]
        base = before.iloc[-1] if len(before) else initial
        rows.append(
            [
                Cell(str(k), k, "num"),
                *(Cell(d, d) for d in (*w["in_sample"], *w["out_of_sample"])),
                Cell(w["variant"] or "none (flat)", w["variant"]),
                metric_cell(float(part.iloc[-1] / base - 1.0), "pct"),
            ]
        )
    return rows


def walk_forward_section(comparison: Comparison) -> Section | None:
    wf = comparison.walk_forward
    if wf is None:
        return None
    from alu.reports.compare_figures import walk_forward_figure

    m = wf.metrics
    spec = comparison.sweep.spec
    split = comparison.sweep.split
    top = spec.variants[int(comparison.order[0])].name
    text = (
        f"{len(wf.windows)} windows: on each, the variant with the best in-sample "
        f"{wf.windows[0]['selected_by']} over the part before it is traded; the out-of-sample "
        f"windows are stitched into one equity line: return {pct(m['total_return'])}, Sharpe "
        f"{num(m['sharpe'])}, max drawdown {pct(m['max_drawdown'])}. Dotted lines: window "
        f"starts; hover for the variant traded. Grey: the top-ranked variant ({top}) on the "
        "same days, for comparison: "
        + (
            f"it was ranked on the days to the split ({split:%Y-%m-%d}), so it knew the "
            "windows before it."
            if split is not None
            else "it was ranked on the whole period, so it knew every window (hindsight)."
        )
    )
    headers = ["window", "IS from", "IS to", "OOS from", "OOS to", "variant", "OOS return"]
    table = table_html(headers, window_rows(comparison), table_id="walk-forward")
    figure = figure_html(walk_forward_figure(comparison), name="walk-forward")
    return Section("Walk-forward", [note_html(text), figure, table])


def pbo_section(comparison: Comparison) -> Section:
    cscv = comparison.cscv
    if comparison.pbo is None or cscv is None:
        reason = comparison.pbo_null_reason or "it needs at least two variants"
        text = f"PBO: n/a ({reason})."
        return Section("Overfitting (PBO)", [note_html(text)])
    from alu.reports.compare_figures import loss_share, pbo_figure

    splits = int(np.isfinite(cscv.logits).sum())
    text = (
        f"Probability of backtest overfitting: PBO = {pct(comparison.pbo)}. The days are cut "
        f"into {cscv.n_splits} blocks of {cscv.block_length} days; in each of the {splits:,} "
        f"splits into {cscv.n_splits // 2} in-sample and {cscv.n_splits // 2} out-of-sample "
        "blocks (CSCV), the variant with the best in-sample Sharpe ratio is ranked out of "
        "sample: ω = its rank among the N variants (N = best) / (N + 1), "
        "λ = ln(ω / (1 - ω)), and PBO is the share "
        "of splits with λ ≤ 0 (red): the winner ended at or below the out-of-sample median. "
        f"Right: its Sharpe in- and out-of-sample per split; it lost money out of sample in "
        f"{pct(loss_share(cscv))} of them."
    )
    figure = figure_html(pbo_figure(cscv), name="pbo")
    return Section("Overfitting (PBO)", [note_html(text), figure])


def strategies_title(comparison: Comparison) -> str:
    names = dict.fromkeys(v.strategy.name for v in comparison.sweep.spec.variants)
    return f"alu compare: {', '.join(names)}"


def header_lines(comparison: Comparison) -> list[str]:
    sweep = comparison.sweep
    spec = sweep.spec
    scope = "in-sample" if comparison.ranking_scope == "in_sample" else "the full period"
    split = f"; split {sweep.split:%Y-%m-%d}" if sweep.split is not None else ""
    lines = [
        f"{len(spec.variants):,} variants; window {sweep.dates[0]:%Y-%m-%d} to "
        f"{sweep.dates[-1]:%Y-%m-%d}; symbols {', '.join(spec.symbols)}; "
        f"direction {spec.direction}",
        f"ranked by portfolio {comparison.rank_by} on {scope}{split}",
    ]
    if by_params(comparison):
        first = spec.variants[0]
        varied = first.varied
        values = {k: sorted({v.params[k] for v in spec.variants}) for k in varied}
        lines.append(
            "varied: " + "; ".join(f"{k} ({len(values[k])}: {_range(values[k])})" for k in varied)
        )
        fixed = {k: v for k, v in first.params.items() if k not in varied}
        defaults = {p.name: p.default for p in first.strategy.params}
        lines.append(f"fixed params: {param_text(fixed, defaults)}")
    lines.append(costs_line(spec.costs))
    if "band_reference" in comparison.data:
        lines.append(f"band reference: {comparison.data['band_reference']}")
    lines += [f"note: {n}" for n in comparison.notes]
    lines += [f"warning: {w}" for w in comparison.data.get("warnings", [])]
    return lines


def _range(values: list) -> str:
    if len(values) <= 6:
        return ", ".join(param_label(v) for v in values)
    return f"{param_label(values[0])} to {param_label(values[-1])}"


def _page(comparison: Comparison, title: str, sections: list[Section], footer: str) -> str:
    return page_html(
        title=title,
        source=comparison.data.get("source", "unknown source"),
        synthetic=bool(comparison.data.get("synthetic")),
        sections=sections,
        meta_lines=header_lines(comparison),
        footer=footer,
    )


def compare_page(comparison: Comparison, *, max_rows: int = MAX_TABLE_ROWS) -> str:
    """The report page's HTML."""
    sections = [
        Section("Ranking", ranking_blocks(comparison, max_rows)),
        scatter_section(comparison),
        heatmap_section(comparison),
        walk_forward_section(comparison),
        pbo_section(comparison),
    ]
    return _page(
        comparison, strategies_title(comparison), [s for s in sections if s is not None], FOOTER
    )


def heatmap_page(comparison: Comparison) -> str:
    """The ``--plot`` page: the header and the heatmap of a 2-D grid."""
    section = heatmap_section(comparison)
    if section is None:
        raise ValueError("the heatmap needs a 2-D grid")
    title = f"{strategies_title(comparison)}: heatmap"
    footer = "Made by alu compare --plot. Self-contained: works offline."
    return _page(comparison, title, [section], footer)


def write_compare_report(
    path: Path, comparison: Comparison, *, max_rows: int = MAX_TABLE_ROWS
) -> int:
    """Write the report of ``comparison`` to ``path``; returns its size in bytes."""
    return write_page(path, compare_page(comparison, max_rows=max_rows))


def write_heatmap_page(path: Path, comparison: Comparison) -> int:
    """Write the ``--plot`` heatmap page to ``path``; returns its size in bytes."""
    return write_page(path, heatmap_page(comparison), option="--plot")

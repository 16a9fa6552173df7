"""``alu compare --plot FILE.html``: the rank metric of a 2-D grid as a heatmap (offline HTML)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from backtest.compare import Comparison


def heatmap_grid(comparison: Comparison, keys: tuple[str, str]) -> tuple[list, list, np.ndarray]:
    """The rank metric as a matrix: rows are values of ``keys[0]``, columns of ``keys[1]``."""
    from backtest.compare import rank_values

    variants = comparison.sweep.spec.variants
    values = rank_values(comparison.sweep, comparison.rank_by)
    rows = sorted({v.params[keys[0]] for v in variants})
    cols = sorted({v.params[keys[1]] for v in variants})
    grid = np.full((len(rows), len(cols)), np.nan)
    for i, variant in enumerate(variants):
        grid[rows.index(variant.params[keys[0]]), cols.index(variant.params[keys[1]])] = values[i]
    return rows, cols, grid


def write_heatmap(path: Path, comparison: Comparison, keys: tuple[str, str]) -> None:
    import plotly.graph_objects as go

    from alu.output import write_text_atomic

    rows, cols, grid = heatmap_grid(comparison, keys)
    metric = comparison.rank_by
    scope = "in-sample " if comparison.ranking_scope == "in_sample" else ""
    source = comparison.data.get("source", "")
    title = f"portfolio {scope}{metric} by {keys[0]} and {keys[1]} — {source}"
    figure = go.Figure(
        go.Heatmap(
            z=grid,
            x=[str(c) for c in cols],
            y=[str(r) for r in rows],
            colorscale="RdYlGn_r" if metric == "max_drawdown" else "RdYlGn",
            colorbar={"title": metric},
            hovertemplate=f"{keys[0]}=%{{y}}<br>{keys[1]}=%{{x}}<br>{metric}=%{{z:.3f}}<extra></extra>",
        )
    )
    figure.update_layout(title=title, xaxis_title=keys[1], yaxis_title=keys[0])
    write_text_atomic(Path(path), figure.to_html(include_plotlyjs=True, full_html=True))

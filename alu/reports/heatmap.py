"""The rank metric of a 2-D grid as a heatmap: for ``alu compare --plot`` and ``--report``.

:func:`grid_keys` says whether a sweep is a 2-D grid (one strategy, exactly two varied
parameters), :func:`heatmap_grid` lays the portfolio rank metric out as a matrix and
:func:`heatmap_figure` draws it (in-sample and out-of-sample side by side with a split, on one
colour scale). The page around it is :func:`alu.reports.compare_report.heatmap_page`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from alu.backtest.metrics import BY_NAME
from alu.reports.columns import metric_kind, param_label

if TYPE_CHECKING:
    from alu.backtest.compare import Comparison
    from alu.strategies.variants import Variant

SCOPE_TITLES = {"full": "full period", "in_sample": "in-sample", "out_of_sample": "out-of-sample"}
HOVER_FORMAT = {"pct": ".1%", "int": ",.0f", "num": ",.2f"}
CELL_TEXT_MAX = 150  # write each cell's value in it up to this many cells


def grid_keys(variants: Sequence[Variant]) -> tuple[str, str] | None:
    """The two varied parameters of a one-strategy 2-D grid, or None for any other sweep."""
    strategies = {v.strategy.name for v in variants}
    varied = variants[0].varied
    if len(strategies) != 1 or len(varied) != 2 or any(v.varied != varied for v in variants):
        return None
    return varied[0], varied[1]


def heatmap_grid(
    comparison: Comparison, keys: tuple[str, str], scope: str | None = None
) -> tuple[list, list, np.ndarray]:
    """The portfolio rank metric as a matrix: rows are values of ``keys[0]``, columns of
    ``keys[1]`` (both ascending); ``scope`` defaults to the ranking's (in-sample with a split)."""
    from alu.backtest.compare import rank_values
    from alu.backtest.sweep import PORTFOLIO

    sweep = comparison.sweep
    variants = sweep.spec.variants
    if scope is None:
        values = rank_values(sweep, comparison.rank_by)
    else:
        values = sweep.metrics[scope][PORTFOLIO][comparison.rank_by]
    rows = sorted({v.params[keys[0]] for v in variants})
    cols = sorted({v.params[keys[1]] for v in variants})
    grid = np.full((len(rows), len(cols)), np.nan)
    for i, variant in enumerate(variants):
        grid[rows.index(variant.params[keys[0]]), cols.index(variant.params[keys[1]])] = values[i]
    return rows, cols, grid


def heatmap_scopes(comparison: Comparison) -> list[str]:
    """The scopes drawn: the full period, or in-sample and out-of-sample with a split."""
    from alu.backtest.sweep import FULL, IN_SAMPLE, OUT_OF_SAMPLE

    return [IN_SAMPLE, OUT_OF_SAMPLE] if IN_SAMPLE in comparison.sweep.metrics else [FULL]


def heatmap_figure(comparison: Comparison, keys: tuple[str, str]) -> Any:
    """One heatmap per scope of :func:`heatmap_scopes`, side by side, sharing one colour scale.

    Each trace carries ``meta = {"panel": "heatmap", "series": scope}``; ``z`` is the matrix of
    :func:`heatmap_grid` (rows ``y``, columns ``x``, labels as the table shows parameters).
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    metric = comparison.rank_by
    scopes = heatmap_scopes(comparison)
    grids = [heatmap_grid(comparison, keys, scope) for scope in scopes]
    rows, cols = grids[0][0], grids[0][1]
    fig = make_subplots(
        rows=1,
        cols=len(scopes),
        subplot_titles=[f"{metric}, {SCOPE_TITLES[s]}" for s in scopes],
        horizontal_spacing=0.08,
    )
    fmt = HOVER_FORMAT[metric_kind(metric)]
    small = len(rows) * len(cols) <= CELL_TEXT_MAX
    for col, (scope, (_, _, grid)) in enumerate(zip(scopes, grids, strict=True), start=1):
        fig.add_trace(
            go.Heatmap(
                z=grid,
                x=[param_label(c) for c in cols],
                y=[param_label(r) for r in rows],
                coloraxis="coloraxis",
                meta={"panel": "heatmap", "series": scope},
                texttemplate=f"%{{z:{fmt}}}" if small else None,
                hovertemplate=f"{keys[0]}=%{{y}}<br>{keys[1]}=%{{x}}<br>"
                f"{metric} %{{z:{fmt}}}<extra>{SCOPE_TITLES[scope]}</extra>",
            ),
            row=1,
            col=col,
        )
        fig.update_xaxes(title_text=keys[1], type="category", row=1, col=col)
        fig.update_yaxes(title_text=keys[0], type="category", row=1, col=col)
    finite = np.concatenate([g[2].ravel() for g in grids])
    finite = finite[np.isfinite(finite)]
    coloraxis: dict[str, Any] = {
        "colorscale": "RdYlGn" if BY_NAME[metric].higher_is_better else "RdYlGn_r",
        "colorbar": {"title": {"text": metric}, "tickformat": fmt.replace(",", "")},
    }
    if finite.size:
        coloraxis.update(cmin=float(finite.min()), cmax=float(finite.max()))
    fig.update_layout(
        template="plotly_white",
        coloraxis=coloraxis,
        height=max(360, min(900, 120 + 22 * len(rows))),
        margin={"l": 70, "r": 20, "t": 50, "b": 60},
    )
    return fig

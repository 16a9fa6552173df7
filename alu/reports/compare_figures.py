"""The figures of ``alu compare --report``, and the numbers they draw.

- :func:`sharpe_pairs` / :func:`sharpe_scatter_figure`: each variant's annualised portfolio
  Sharpe ratio on two consecutive samples, one point per variant: in-sample against
  out-of-sample with ``--split``; without one, the first half of the period's days against the
  second half (exactly what ``--split`` at the last day of the first half would give).
- :func:`walk_forward_figure`: the stitched out-of-sample equity of the walk-forward, the
  variant chosen for each day's window on hover, window starts as dotted lines, and the
  top-ranked variant's equity over the same days for comparison.
- :func:`pbo_figure`: the CSCV behind the PBO; the histogram of the logits of the in-sample
  winner's out-of-sample relative rank (``lambda <= 0`` counts as overfit) and the
  performance-degradation scatter (the winner's Sharpe in- and out-of-sample, per split).

Every trace carries ``meta = {"panel": ..., "series": ...}`` for reading back
(:mod:`alu.reports.readback`); arrays are numpy, encoded by plotly as typed arrays.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from alu.backtest.metrics import PERIODS_PER_YEAR
from alu.backtest.sweep import IN_SAMPLE, OUT_OF_SAMPLE, PORTFOLIO
from alu.reports.chart_data import COLORS
from alu.reports.charts import TEMPLATE, line

if TYPE_CHECKING:
    from alu.backtest.compare import Comparison
    from alu.stats.pbo import PBOResult

HIST_BINS = 30  # bins across the logits' range (or fewer distinct values, one bar each)
OVERFIT, NOT_OVERFIT = "#c62828", "#1565c0"


@dataclass(frozen=True)
class SharpePairs:
    """Annualised portfolio Sharpe ratios per variant (variant order) on two samples.

    ``first``/``second``: the first and last day of each sample; ``from_split``: True when the
    samples are ``--split``'s in- and out-of-sample, False for the two halves of the period.
    """

    x: np.ndarray
    y: np.ndarray
    first: tuple[pd.Timestamp, pd.Timestamp]
    second: tuple[pd.Timestamp, pd.Timestamp]
    from_split: bool

    @property
    def defined(self) -> np.ndarray:
        """Variants with a Sharpe ratio on both samples (one that never moved has none)."""
        return np.isfinite(self.x) & np.isfinite(self.y)

    def rank_correlation(self) -> float:
        """Spearman's rank correlation of ``x`` and ``y`` over the defined variants (average
        ranks for ties); NaN with fewer than three, or when one side is constant."""
        ok = self.defined
        if ok.sum() < 3:
            return float("nan")
        x = pd.Series(self.x[ok]).rank()
        y = pd.Series(self.y[ok]).rank()
        if x.nunique() < 2 or y.nunique() < 2:
            return float("nan")
        return float(np.corrcoef(x, y)[0, 1])


def sharpe_pairs(comparison: Comparison) -> SharpePairs:
    """In- vs out-of-sample Sharpe per variant (see the module docstring for the halves)."""
    sweep = comparison.sweep
    dates = sweep.dates
    if sweep.split_index is not None:
        k = sweep.split_index
        x = sweep.metrics[IN_SAMPLE][PORTFOLIO]["sharpe"]
        y = sweep.metrics[OUT_OF_SAMPLE][PORTFOLIO]["sharpe"]
    else:
        assert sweep.stats is not None and sweep.stats.half_sharpe is not None
        k = len(dates) // 2
        # Out-of-sample returns start from the equity at the first half's last close, as a
        # split's do: these rows are the sweep's daily returns themselves (their Sharpe ratios
        # reduced by the sweep, as metrics.sharpe defines them).
        x = sweep.stats.half_sharpe[:, 0]
        y = sweep.stats.half_sharpe[:, 1]
    return SharpePairs(
        x, y, (dates[0], dates[k - 1]), (dates[k], dates[-1]), sweep.split_index is not None
    )


def _span(label: str, span: tuple[pd.Timestamp, pd.Timestamp]) -> str:
    return f"{label}, {span[0]:%Y-%m-%d} to {span[1]:%Y-%m-%d}"


def axis_titles(pairs: SharpePairs) -> tuple[str, str]:
    """The scatter's axis titles: which Sharpe ratio, over which days."""
    first, second = ("in-sample", "out-of-sample") if pairs.from_split else ("1st half", "2nd half")
    return (
        f"Sharpe (annualised), {_span(first, pairs.first)}",
        f"Sharpe (annualised), {_span(second, pairs.second)}",
    )


def sharpe_scatter_figure(comparison: Comparison, pairs: SharpePairs) -> go.Figure:
    """One point per variant in rank order (hover: name and rank), the top-ranked variant
    starred, and the line ``y = x`` (no degradation)."""
    order = comparison.order
    variants = comparison.sweep.spec.variants
    # plotly reads hover text and legend names as HTML: variant names are the user's text
    names = np.array([html.escape(variants[int(i)].name) for i in order], dtype=object)
    x, y = pairs.x[order], pairs.y[order]
    fig = go.Figure()
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.any():
        lo = float(min(x[ok].min(), y[ok].min()))
        hi = float(max(x[ok].max(), y[ok].max()))
        fig.add_trace(
            go.Scatter(
                x=np.array([lo, hi]),
                y=np.array([lo, hi]),
                mode="lines",
                name="y = x",
                line={"color": "#9e9e9e", "dash": "dash", "width": 1},
                hoverinfo="skip",
                meta={"panel": "scatter", "series": "diagonal"},
            )
        )
    hover = "%{text}<br>rank %{customdata:,}<br>x %{x:.2f}, y %{y:.2f}<extra></extra>"
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="markers",
            name="variants",
            text=names,
            customdata=np.arange(1, len(order) + 1, dtype=np.int32),
            marker={"color": COLORS["equity"], "size": 6, "opacity": 0.55},
            hovertemplate=hover,
            meta={"panel": "scatter", "series": "variants"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x[:1],
            y=y[:1],
            mode="markers",
            name=f"#1: {names[0]}",
            text=names[:1],
            customdata=np.array([1], dtype=np.int32),
            marker={"color": "#f9a825", "size": 15, "symbol": "star", "line": {"width": 1}},
            hovertemplate=hover,
            meta={"panel": "scatter", "series": "top"},
        )
    )
    x_title, y_title = axis_titles(pairs)
    fig.update_layout(
        template=TEMPLATE,
        height=520,
        margin={"l": 70, "r": 20, "t": 30, "b": 60},
        xaxis_title=x_title,
        yaxis_title=y_title,
        legend={"x": 1, "xanchor": "right", "y": 0, "yanchor": "bottom"},
    )
    return fig


def window_days(comparison: Comparison) -> list[str]:
    """Per day of the walk-forward equity, the variant traded (``flat`` when none), its name
    HTML-escaped for plotly's hover."""
    wf = comparison.walk_forward
    assert wf is not None
    starts = pd.DatetimeIndex([w["out_of_sample"][0] for w in wf.windows])
    which = starts.searchsorted(wf.equity.index, side="right") - 1
    chosen = [html.escape(w["variant"] or "flat") for w in wf.windows]
    return [chosen[k] for k in which]


def top_ranked_equity(comparison: Comparison) -> pd.Series:
    """The top-ranked variant's portfolio equity over the walk-forward's days, starting from
    the same cash (its daily returns on those days, compounded)."""
    wf = comparison.walk_forward
    sweep = comparison.sweep
    assert wf is not None
    first = sweep.dates.get_loc(wf.equity.index[0])
    top = sweep.portfolio_returns([int(comparison.order[0])])[:, 0]
    rows = top[first : first + len(wf.equity)]
    initial = sweep.spec.costs.init_cash * len(sweep.spec.symbols)
    return pd.Series(initial * np.cumprod(1.0 + rows), index=wf.equity.index)


def walk_forward_figure(comparison: Comparison) -> go.Figure:
    """The stitched out-of-sample equity, its chosen variants, the top-ranked for comparison."""
    wf = comparison.walk_forward
    assert wf is not None
    fig = go.Figure()
    equity = line(wf.equity.index, wf.equity, "walk-forward", COLORS["equity"], fmt=",.0f")
    equity.update(
        customdata=np.array(window_days(comparison), dtype=object),
        hovertemplate="%{x|%Y-%m-%d} %{y:,.0f}<br>trading: %{customdata}<extra></extra>",
        meta={"panel": "walk_forward", "series": "equity"},
    )
    fig.add_trace(equity)
    top = html.escape(comparison.sweep.spec.variants[int(comparison.order[0])].name)
    held = top_ranked_equity(comparison)
    other = line(held.index, held, f"#1: {top}", COLORS["buy_hold"], fmt=",.0f", width=1.1)
    other.update(meta={"panel": "walk_forward", "series": "top_ranked"})
    fig.add_trace(other)
    for w in wf.windows:
        fig.add_vline(x=w["out_of_sample"][0], line={"color": "#7b1fa2", "dash": "dot", "width": 1})
    fig.update_layout(
        template=TEMPLATE,
        height=420,
        margin={"l": 70, "r": 20, "t": 30, "b": 40},
        hovermode="x unified",
        yaxis={"tickformat": "~s", "title": "portfolio equity (US$)"},
        legend={"x": 0, "y": 1, "yanchor": "top"},
    )
    return fig


@dataclass(frozen=True)
class LogitHistogram:
    """The logits' histogram: bar ``centre``, ``width``, ``count``, and the bars' edges
    ``(lower, upper]``. ``exact``: one bar per distinct logit (few variants give few values;
    used when no two are closer than half a bin), else about :data:`HIST_BINS` right-closed
    bins with an edge at 0, so no bar mixes ``lambda <= 0`` (overfit) with ``lambda > 0``."""

    centre: np.ndarray
    width: np.ndarray
    count: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    exact: bool

    @property
    def overfit(self) -> np.ndarray:
        """Bars of ``lambda <= 0``."""
        return self.upper <= 0


def logit_histogram(logits: np.ndarray) -> LogitHistogram:
    """Bars of the finite ``logits`` (see :class:`LogitHistogram`); empty bins left out."""
    values, counts = np.unique(logits, return_counts=True)
    spread = float(values[-1] - values[0])
    gap = float(np.diff(values).min()) if len(values) > 1 else 1.0
    if len(values) <= HIST_BINS and gap >= spread / (2 * HIST_BINS):
        width = np.full(len(values), 0.8 * gap)
        return LogitHistogram(values, width, counts, values, values, exact=True)
    size = spread / HIST_BINS
    k0, k1 = int(np.ceil(values[0] / size)) - 1, int(np.ceil(values[-1] / size))
    edges = np.arange(k0, k1 + 1) * size
    index = np.searchsorted(edges, logits, side="left") - 1  # edges[i] < v <= edges[i + 1]
    binned = np.bincount(index, minlength=len(edges) - 1)
    keep = binned > 0
    lower, upper = edges[:-1][keep], edges[1:][keep]
    return LogitHistogram(
        (lower + upper) / 2, np.full(keep.sum(), size), binned[keep], lower, upper, exact=False
    )


def pbo_figure(cscv: PBOResult) -> go.Figure:
    """Left: the histogram of the CSCV logits, overfit (``lambda <= 0``) in red; right: the
    in-sample winner's annualised Sharpe in- vs out-of-sample, one point per split."""
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.1,
        subplot_titles=[
            "logit λ of the in-sample winner's out-of-sample rank, per split",
            "the in-sample winner's Sharpe (annualised), per split",
        ],
    )
    hist = logit_histogram(cscv.logits[np.isfinite(cscv.logits)])
    where = "λ = %{x:.3f}" if hist.exact else "λ in (%{customdata[0]:.2f}, %{customdata[1]:.2f}]"
    for series, chosen, color, label in (
        ("overfit", hist.overfit, OVERFIT, "λ ≤ 0: at or below the OOS median"),
        ("not_overfit", ~hist.overfit, NOT_OVERFIT, "λ > 0"),
    ):
        fig.add_trace(
            go.Bar(
                x=hist.centre[chosen],
                y=hist.count[chosen],
                width=hist.width[chosen],
                customdata=np.column_stack([hist.lower[chosen], hist.upper[chosen]]),
                name=label,
                marker={"color": color, "line": {"width": 0}},
                hovertemplate=f"{where}<br>%{{y:,}} splits<extra></extra>",
                meta={"panel": "logits", "series": series},
            ),
            row=1,
            col=1,
        )
    picked = (cscv.selected >= 0) & np.isfinite(cscv.oos_performance)
    scale = np.sqrt(PERIODS_PER_YEAR)
    fig.add_trace(
        go.Scatter(
            x=cscv.is_performance[picked] * scale,
            y=cscv.oos_performance[picked] * scale,
            mode="markers",
            name="splits",
            marker={"color": COLORS["equity"], "size": 4, "opacity": 0.35},
            hovertemplate="IS %{x:.2f}, OOS %{y:.2f}<extra></extra>",
            showlegend=False,
            meta={"panel": "degradation", "series": "splits"},
        ),
        row=1,
        col=2,
    )
    fig.update_xaxes(title_text="λ = ln(ω / (1 - ω))", row=1, col=1)
    fig.update_yaxes(title_text="splits", row=1, col=1)
    fig.update_xaxes(title_text="in-sample Sharpe", row=1, col=2)
    fig.update_yaxes(title_text="out-of-sample Sharpe", row=1, col=2)
    fig.add_vline(x=0, line={"color": "#555", "width": 1}, row=1, col=1)
    fig.update_layout(
        template=TEMPLATE,
        height=430,
        margin={"l": 70, "r": 20, "t": 50, "b": 90},
        legend={"orientation": "h", "x": 0, "y": -0.3, "yanchor": "top"},
    )
    return fig


def loss_share(cscv: PBOResult) -> float:
    """Fraction of splits whose in-sample winner has a negative out-of-sample Sharpe (of the
    splits where both are defined)."""
    picked = (cscv.selected >= 0) & np.isfinite(cscv.oos_performance)
    if not picked.any():
        return float("nan")
    return float(np.mean(cscv.oos_performance[picked] < 0))

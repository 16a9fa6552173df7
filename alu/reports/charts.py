"""The plotly figures of a backtest report, built from :class:`~alu.reports.chart_data.ChartData`.

:func:`timeline_figure` stacks every time panel in one figure on one shared date axis (zooming
one panel zooms them all): the market panels (band reference with its bands and band state, the
spread with its regime, LME stock with its percentile), then per symbol its price with the
trades, its equity against buy and hold and its drawdown, then the portfolio. Catalyst dates are
dotted vertical lines through every panel, with a marker at the top whose hover names them.

Every trace carries ``meta = {"panel": ..., "series": ...}`` so a report can be read back and
checked (see :mod:`alu.reports.readback`); arrays go in as numpy arrays, which plotly encodes as
typed arrays (base64), and dates as ``YYYY-MM-DD`` strings.

The :class:`Panel` helper and the trace builders (:func:`line`, :func:`state_bars`) are shared
with other reports' figures.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from alu.reports.chart_data import (
    COLORS,
    BandPanel,
    ChartData,
    PortfolioPanel,
    SpreadPanel,
    StockPanel,
    SymbolPanel,
    state_runs,
    trade_points,
)
from alu.signals.states import BACKWARDATION, BEAR, BULL, CONTANGO

ROW_PX = 190  # height of a panel of weight 1, px
GAP_PX = 58  # space between panels (their titles), px
X_DOMAIN = (0.0, 0.86)  # the legends sit to the right of the plots
TEMPLATE = "plotly_white"


def days(index: Sequence[pd.Timestamp] | pd.DatetimeIndex) -> list[str]:
    """Dates as ``YYYY-MM-DD`` strings (what plotly's date axis reads)."""
    return [f"{d:%Y-%m-%d}" for d in index]


@dataclass
class Panel:
    """One row of a stacked figure: adds traces to its row with its own legend."""

    fig: go.Figure
    row: int
    key: str

    @property
    def legend(self) -> str:
        return "legend" if self.row == 1 else f"legend{self.row}"

    def add(self, trace: Any, series: str, *, secondary: bool = False) -> None:
        trace.update(meta={"panel": self.key, "series": series}, legend=self.legend)
        self.fig.add_trace(trace, row=self.row, col=1, secondary_y=secondary)


def line(
    x: Sequence[pd.Timestamp] | pd.DatetimeIndex,
    y: np.ndarray | pd.Series,
    name: str,
    color: str,
    *,
    fmt: str = ",.2f",
    dash: str | None = None,
    width: float = 1.4,
    fill: str | None = None,
) -> go.Scatter:
    """A line over dates; ``fmt`` is the d3 format of its hover value."""
    return go.Scatter(
        x=days(x),
        y=np.asarray(y, dtype=np.float64),
        name=name,
        mode="lines",
        line={"color": color, "width": width, "dash": dash},
        fill=fill,
        hovertemplate=f"%{{y:{fmt}}}",
    )


def level(first: pd.Timestamp, last: pd.Timestamp, value: float, name: str, color: str):
    """A horizontal level across the window (two points), dashed."""
    return line([first, last], np.array([value, value]), name, color, dash="dash", width=1.2)


def state_bars(states: pd.Series, state: str, label: str) -> go.Bar | None:
    """The runs of ``state`` as translucent full-height bars on a hidden [0, 1] axis.

    Bar ``x`` is a run's first day, its ``width`` the run's length in ms (to the next run's
    first day); None when the state never occurs.
    """
    runs = state_runs(states, (state,))
    if not runs:
        return None
    last_days = [f"{r.end - pd.Timedelta(days=1):%Y-%m-%d}" for r in runs]
    return go.Bar(
        x=days([r.start for r in runs]),
        y=np.ones(len(runs)),
        width=np.array([(r.end - r.start) / pd.Timedelta(milliseconds=1) for r in runs]),
        offset=0,
        name=f"{label} {state}",
        marker={"color": COLORS[state], "line": {"width": 0}},
        opacity=0.16,
        customdata=np.array(last_days, dtype=object),
        hovertemplate=f"{state} %{{x|%Y-%m-%d}} to %{{customdata}}<extra></extra>",
    )


def _defaults_note(defaults: bool, strategy: str) -> str:
    return f" (default parameters: not used by {strategy})" if defaults else ""


def band_panel(panel: Panel, p: BandPanel, strategy: str) -> None:
    first, last = p.reference.index[0], p.reference.index[-1]
    panel.add(line(p.reference.index, p.reference, "reference", COLORS["reference"]), "reference")
    panel.add(level(first, last, p.upper, f"upper {p.upper:,.0f}", COLORS["upper"]), "upper")
    panel.add(level(first, last, p.lower, f"lower {p.lower:,.0f}", COLORS["lower"]), "lower")
    for state in (BULL, BEAR):
        bars = state_bars(p.state, state, "band state")
        if bars is not None:
            panel.add(bars, f"state:{state}", secondary=True)


def spread_panel(panel: Panel, p: SpreadPanel) -> None:
    first, last = p.spread.index[0], p.spread.index[-1]
    panel.add(line(p.spread.index, p.spread, "cash - 3M", COLORS["spread"], fmt=",.1f"), "spread")
    panel.add(
        level(first, last, p.deadband, f"+{p.deadband:g}", COLORS[BACKWARDATION]), "+deadband"
    )
    panel.add(level(first, last, -p.deadband, f"-{p.deadband:g}", COLORS[CONTANGO]), "-deadband")
    for state in (BACKWARDATION, CONTANGO):
        bars = state_bars(p.regime, state, "regime")
        if bars is not None:
            panel.add(bars, f"state:{state}", secondary=True)


def stock_panel(panel: Panel, p: StockPanel) -> None:
    panel.add(line(p.stock.index, p.stock, "stock, t", COLORS["stock"], fmt=",.0f"), "stock")
    pct = line(p.percentile.index, p.percentile, "percentile", COLORS["percentile"], fmt=".0%")
    panel.add(pct, "percentile", secondary=True)
    first, last = p.percentile.index[0], p.percentile.index[-1]
    for name, value in p.thresholds.items():
        marker = level(first, last, value, f"{name} {value:g}", COLORS["percentile"])
        panel.add(marker, name, secondary=True)


def trade_markers(panel: Panel, trades, direction: str, side: str) -> None:
    """Entry or exit fills of one direction as markers (hover: date, fill price, return)."""
    when, price, chosen = trade_points(trades, direction, side)
    if not chosen:
        return
    up = (direction == "long") == (side == "entry")
    symbol = "triangle-up" if up else "triangle-down"
    if side == "exit":
        symbol += "-open"
    returns = np.array([t.trade_return for t in chosen])
    panel.add(
        go.Scatter(
            x=days(when),
            y=np.asarray(price, dtype=np.float64),
            mode="markers",
            name=f"{direction} {side}",
            marker={
                "symbol": symbol,
                "size": 9,
                "color": COLORS[direction],
                "line": {"width": 1.5},
            },
            customdata=returns,
            hovertemplate=f"{direction} {side} %{{y:,.2f}}"
            + (" (trade %{customdata:+.1%})" if side == "exit" else ""),
        ),
        f"{direction}_{side}",
    )


def price_panel(panel: Panel, s: SymbolPanel) -> None:
    panel.add(line(s.dates, s.close, "close", COLORS["price"], width=1.1), "close")
    for direction in ("long", "short"):
        for side in ("entry", "exit"):
            trade_markers(panel, s.trades, direction, side)


def equity_panel(panel: Panel, dates, equity, buy_hold) -> None:
    panel.add(line(dates, equity, "strategy", COLORS["equity"], fmt=",.0f"), "equity")
    bh = line(dates, buy_hold, "buy & hold", COLORS["buy_hold"], fmt=",.0f", width=1.1)
    panel.add(bh, "buy_hold")


def drawdown_panel(panel: Panel, dates, values) -> None:
    dd = line(dates, values, "drawdown", COLORS["drawdown"], fmt=".1%", width=1, fill="tozeroy")
    panel.add(dd, "drawdown")


def catalyst_marks(fig: go.Figure, panel: Panel, events: pd.DataFrame) -> None:
    """Dotted vertical lines through every panel and hoverable markers on the first one."""
    if events.empty:
        return
    for day in events.index:
        fig.add_shape(
            type="line",
            xref="x",
            yref="paper",
            x0=f"{day:%Y-%m-%d}",
            x1=f"{day:%Y-%m-%d}",
            y0=0,
            y1=1,
            line={"color": COLORS["catalyst"], "width": 1, "dash": "dot"},
            opacity=0.55,
            layer="below",
        )
    names = [html.escape(f"{n} ({k})") for n, k in zip(events["name"], events["kind"], strict=True)]
    panel.add(
        go.Scatter(
            x=days(events.index),
            y=np.full(len(events), 0.97),
            mode="markers",
            name="catalysts",
            marker={"symbol": "triangle-down", "size": 10, "color": COLORS["catalyst"]},
            text=names,
            hovertemplate="%{x|%Y-%m-%d}: %{text}<extra></extra>",
        ),
        "catalysts",
        secondary=True,
    )


def timeline_rows(data: ChartData) -> list[tuple[str, str, float]]:
    """The panels of the timeline figure: (key, title, relative height), top to bottom."""
    rows: list[tuple[str, str, float]] = []
    if data.bands is not None:
        b = data.bands
        rows.append(
            (
                "bands",
                f"Aluminium reference: {b.reference_name}, bands {b.lower:,.0f} / {b.upper:,.0f}"
                f"; shaded: band state{_defaults_note(b.defaults, data.strategy)}",
                1.3,
            )
        )
    if data.spread is not None:
        rows.append(
            (
                "spread",
                "LME cash - 3-month spread ($/t; > 0 backwardation); shaded: regime beyond "
                f"±{data.spread.deadband:g}{_defaults_note(data.spread.defaults, data.strategy)}",
                0.9,
            )
        )
    if data.stock is not None:
        rows.append(
            (
                "stock",
                "LME stock (t) and its trailing percentile (right axis)"
                + _defaults_note(data.stock.defaults, data.strategy),
                0.9,
            )
        )
    for s in data.symbols:
        rows.append((f"{s.symbol}/price", f"{s.symbol}: {s.description}, with trades", 1.0))
        rows.append((f"{s.symbol}/equity", f"{s.symbol}: equity vs buy & hold (US$)", 0.9))
        rows.append((f"{s.symbol}/drawdown", f"{s.symbol}: drawdown", 0.55))
    rows.append(("portfolio/equity", "Portfolio (equal weight): equity vs buy & hold", 0.9))
    rows.append(("portfolio/drawdown", "Portfolio: drawdown", 0.55))
    return rows


def timeline_figure(data: ChartData) -> go.Figure:
    """Every time panel of a backtest, stacked on one shared date axis."""
    rows = timeline_rows(data)
    weights = [w for _, _, w in rows]
    plot_px = ROW_PX * sum(weights)
    height = int(plot_px + GAP_PX * (len(rows) - 1) + 90)
    fig = make_subplots(
        rows=len(rows),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=GAP_PX / (height - 90),
        row_heights=weights,
        subplot_titles=[t for _, t, _ in rows],
        specs=[[{"secondary_y": True}] for _ in rows],
    )
    symbols = {s.symbol: s for s in data.symbols}
    for i, (key, _, _) in enumerate(rows, start=1):
        panel = Panel(fig, i, key)
        _draw(panel, key, data, symbols)
        _style_row(fig, i, key)
        if i == 1:
            catalyst_marks(fig, panel, data.catalysts)
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        margin={"l": 70, "r": 10, "t": 50, "b": 40},
        hovermode="x unified",
        barmode="overlay",
        font={"size": 12},
    )
    fig.update_xaxes(showticklabels=True, domain=X_DOMAIN, showspikes=True, spikethickness=1)
    for annotation in fig.layout.annotations:
        annotation.update(x=0, xanchor="left", font={"size": 13})
    return fig


def _draw(panel: Panel, key: str, data: ChartData, symbols: dict[str, SymbolPanel]) -> None:
    if key == "bands" and data.bands is not None:
        band_panel(panel, data.bands, data.strategy)
    elif key == "spread" and data.spread is not None:
        spread_panel(panel, data.spread)
    elif key == "stock" and data.stock is not None:
        stock_panel(panel, data.stock)
    elif key.startswith("portfolio/"):
        _portfolio(panel, key, data.portfolio)
    else:
        symbol, kind = key.rsplit("/", 1)
        s = symbols[symbol]
        if kind == "price":
            price_panel(panel, s)
        elif kind == "equity":
            equity_panel(panel, s.dates, s.equity, s.buy_hold)
        else:
            drawdown_panel(panel, s.dates, s.drawdown)


def _portfolio(panel: Panel, key: str, p: PortfolioPanel) -> None:
    if key.endswith("equity"):
        equity_panel(panel, p.dates, p.equity, p.buy_hold)
    else:
        drawdown_panel(panel, p.dates, p.drawdown)


def _style_row(fig: go.Figure, row: int, key: str) -> None:
    """Axis formats per panel; a legend at the right of each row; hidden [0, 1] overlays."""
    primary = fig.get_subplot(row, 1, secondary_y=False).yaxis
    secondary = fig.get_subplot(row, 1, secondary_y=True).yaxis
    if key == "stock":
        secondary.update(
            range=[0, 1], dtick=0.25, tickformat=".0%", showgrid=False, fixedrange=True
        )
    else:
        secondary.update(range=[0, 1], visible=False, fixedrange=True)
    if key.endswith("drawdown"):
        primary.update(tickformat=".0%")
    elif key.endswith("equity") or key == "stock":
        primary.update(tickformat="~s")
    top = primary.domain[1]
    legend = "legend" if row == 1 else f"legend{row}"
    fig.update_layout(
        {
            legend: {
                "x": X_DOMAIN[1] + 0.045,
                "xanchor": "left",
                "y": top,
                "yanchor": "top",
                "font": {"size": 11},
                "bgcolor": "rgba(255,255,255,0)",
                "tracegroupgap": 2,
            }
        }
    )

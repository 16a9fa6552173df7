"""The research page: ``--report FILE.html`` of ``alu thesis``, ``alu research`` and
``alu events`` (any of them, or all three on one page with ``--with``).

Built with the page shell of :mod:`alu.reports.html`; sections, each present when its result is:

- **Verdict** (tables ``conditions`` and ``freshness``): the thesis as of its day;
- **Episodes** (figure ``episodes``, table ``episodes``): the band reference price with every
  episode in which all conditions held shaded, and what each instrument returned over it;
- **Forward returns by state** (figure ``forward``, table ``by-state``): mean forward return
  per state with its Newey-West 95 % interval, one panel per signal, one bar per symbol and
  horizon;
- **Information coefficients** (figure ``ic``, table ``ic``): rank IC by horizon, one panel per
  symbol, one line per signal;
- **Event study** (figure ``car``, tables ``by-kind`` and ``events``): the CAAR path over the
  event window per kind of event, one panel per symbol.

Every trace carries ``meta = {"panel", "series"}`` for reading back (:mod:`alu.reports.readback`).
Never imports vectorbt (the chart helpers of the backtest report do, so this module has its own).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from alu.output import pct
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

if TYPE_CHECKING:
    from alu.research.events import EventStudy
    from alu.research.forward import Research
    from alu.research.thesis import Thesis

TEMPLATE = "plotly_white"
PALETTE = ("#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#5d4037")
EPISODE_FILL = "rgba(46, 125, 50, 0.18)"
FOOTER = "Made by alu thesis / research / events --report. Self-contained: works offline."


def _color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _pct_cell(value: Any) -> Cell:
    value = None if value is None or not np.isfinite(value) else float(value)
    return metric_cell(value, "pct")


def _num_cell(value: Any) -> Cell:
    value = None if value is None or not np.isfinite(value) else float(value)
    return metric_cell(value, "num")


# -- thesis ------------------------------------------------------------------------------------


def verdict_section(thesis: Thesis) -> Section:
    text = (
        f"Verdict as of {thesis.as_of:%Y-%m-%d}: {thesis.verdict}. ON: every condition of the "
        "squeeze's long rule holds; MIXED: some do; OFF: none; UNKNOWN: the input of a condition "
        "is stale (more than 5 weekdays old)."
    )
    rows = [
        [
            Cell(c.name, c.name),
            Cell((c.state or "n/a") + (" STALE" if c.stale else ""), c.state),
            Cell("yes" if c.holds else "no", str(c.holds).lower()),
            Cell(f"{c.since:%Y-%m-%d}", f"{c.since:%Y-%m-%d}"),
            Cell(c.detail, c.detail),
        ]
        for c in thesis.conditions
    ]
    conditions = table_html(
        ["condition", "state", "holds", "since", "detail"],
        rows,
        table_id="conditions",
        row_keys=[c.name for c in thesis.conditions],
    )
    fresh_rows = [
        [
            Cell(f.input, f.input),
            Cell(
                "none" if f.last is None else f"{f.last:%Y-%m-%d}", f.last and f"{f.last:%Y-%m-%d}"
            ),
            Cell("-" if f.lag_days is None else str(f.lag_days), f.lag_days, "num"),
            Cell("STALE" if f.stale else "fresh", str(f.stale).lower()),
        ]
        for f in thesis.freshness
    ]
    fresh = table_html(
        ["input", "last", "lag (weekdays)", "stale"],
        fresh_rows,
        table_id="freshness",
        caption="Freshness: each input's last date usable on the day, lag in weekdays.",
        row_keys=[f.input for f in thesis.freshness],
    )
    blocks = [note_html(text), conditions, fresh]
    blocks += [note_html(f"Note: {n}") for n in thesis.notes]
    return Section("Verdict", blocks)


def episodes_figure(thesis: Thesis) -> go.Figure:
    fig = go.Figure()
    daily = thesis.daily
    if "reference_price" in daily:
        price = daily["reference_price"].dropna()
        fig.add_trace(
            go.Scatter(
                x=price.index,
                y=price.to_numpy(),
                mode="lines",
                name=thesis.data.get("band_reference", "reference"),
                line={"color": "#37474f", "width": 1},
                meta={"panel": "episodes", "series": "reference"},
            )
        )
    for e in thesis.episodes:
        fig.add_vrect(x0=e.start, x1=e.end, fillcolor=EPISODE_FILL, line_width=0, layer="below")
    starts = [e.start for e in thesis.episodes]
    fig.add_trace(
        go.Scatter(
            x=starts,
            y=[
                daily["reference_price"].get(s, np.nan) if "reference_price" in daily else 0.0
                for s in starts
            ],
            mode="markers",
            name="episode starts",
            marker={"color": "#2e7d32", "symbol": "triangle-up", "size": 9},
            text=[
                f"{e.start:%Y-%m-%d} to {e.end:%Y-%m-%d}, {e.days} days<br>"
                + "<br>".join(f"{s}: {pct(r)}" for s, r in e.returns.items())
                for e in thesis.episodes
            ],
            hoverinfo="text",
            meta={"panel": "episodes", "series": "starts"},
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        height=380,
        margin={"l": 60, "r": 20, "t": 30, "b": 40},
        yaxis_title="$/t",
        legend={"orientation": "h", "y": 1.08},
    )
    return fig


def episodes_section(thesis: Thesis) -> Section:
    text = (
        f"{len(thesis.episodes)} run(s) of days on which every condition held (shaded), "
        f"{thesis.independent_episodes} independent (runs less than 20 days apart are one "
        "spell). Returns: from the fill after the first day to the fill after the last (the "
        "next open, or the next close of a leg without an open); an open episode is marked to "
        "the last close."
    )
    symbols = list(thesis.closes)
    rows = []
    for e in thesis.episodes:
        rows.append(
            [
                Cell(f"{e.start:%Y-%m-%d}", f"{e.start:%Y-%m-%d}"),
                Cell(f"{e.end:%Y-%m-%d}" + (" (open)" if e.open else ""), f"{e.end:%Y-%m-%d}"),
                Cell(str(e.days), e.days, "num"),
                Cell(str(e.spell), e.spell, "num"),
                *(_pct_cell(e.returns.get(s)) for s in symbols),
            ]
        )
    blocks = [note_html(text), figure_html(episodes_figure(thesis), name="episodes")]
    if rows:
        blocks.append(
            table_html(
                ["start", "end", "days", "spell", *symbols],
                rows,
                table_id="episodes",
                row_keys=[f"{e.start:%Y-%m-%d}" for e in thesis.episodes],
                scroll=len(rows) > 20,
            )
        )
    return Section("Episodes", blocks)


# -- forward returns ---------------------------------------------------------------------------


def forward_figure(result: Research) -> go.Figure:
    signals = list(dict.fromkeys(result.by_state["signal"]))
    fig = make_subplots(
        rows=max(1, len(signals)), cols=1, subplot_titles=signals, vertical_spacing=0.06
    )
    n_h = len(result.horizons)
    shades = np.linspace(0.35, 1.0, n_h) if n_h > 1 else np.ones(1)
    for k, (symbol, horizon) in enumerate((s, h) for s in result.symbols for h in result.horizons):
        # one colour per symbol, darker for longer horizons
        color, opacity = _color(k // n_h), float(shades[k % n_h])
        part = result.by_state.loc[
            (result.by_state["symbol"] == symbol) & (result.by_state["horizon"] == horizon)
        ]
        for row, signal in enumerate(signals, start=1):
            rows = part.loc[part["signal"] == signal]
            mean = rows["mean"].to_numpy(dtype=np.float64)
            fig.add_trace(
                go.Bar(
                    x=rows["state"].tolist(),
                    y=mean,
                    error_y={
                        "type": "data",
                        "symmetric": False,
                        "array": rows["ci_high"].to_numpy(dtype=np.float64) - mean,
                        "arrayminus": mean - rows["ci_low"].to_numpy(dtype=np.float64),
                    },
                    name=f"{symbol} {horizon}d",
                    legendgroup=f"{symbol} {horizon}d",
                    showlegend=row == 1,
                    marker={"color": color, "opacity": opacity},
                    customdata=rows[["n", "n_independent", "t_hac"]].to_numpy(dtype=np.float64),
                    hovertemplate="%{x}: %{y:.2%}<br>n %{customdata[0]:,}, independent "
                    "%{customdata[1]:,}, t %{customdata[2]:.2f}<extra>%{fullData.name}</extra>",
                    meta={"panel": signal, "series": f"{symbol} {horizon}d"},
                ),
                row=row,
                col=1,
            )
    fig.update_yaxes(tickformat=".1%")
    fig.update_layout(
        template=TEMPLATE,
        barmode="group",
        height=260 * max(1, len(signals)),
        margin={"l": 60, "r": 20, "t": 40, "b": 30},
    )
    return fig


def forward_section(result: Research) -> Section:
    text = (
        "Mean forward return by state: from the fill after the signal day (next open, or next "
        "close of a leg without an open) to the close h trading days later. Whiskers: 95 % "
        "interval from the Newey-West standard error with h-1 lags. Rows flagged few rest on "
        "fewer than 30 non-overlapping observations."
    )
    headers = ["signal", "state", "symbol", "h", "n", "independent", "mean", "excess", "hit"]
    headers += ["t_hac", "few"]
    rows = [
        [
            Cell(r.signal, r.signal),
            Cell(r.state, r.state),
            Cell(r.symbol, r.symbol),
            Cell(str(r.horizon), r.horizon, "num"),
            Cell(f"{r.n:,}", r.n, "num"),
            Cell(f"{r.n_independent:,}", r.n_independent, "num"),
            _pct_cell(r.mean),
            _pct_cell(r.excess_mean),
            _pct_cell(r.hit_rate),
            _num_cell(r.t_hac),
            Cell("few" if r.few else "", str(bool(r.few)).lower()),
        ]
        for r in result.by_state.itertuples(index=False)
    ]
    keys = [f"{r.signal}|{r.state}|{r.symbol}|{r.horizon}" for r in result.by_state.itertuples()]
    blocks = [note_html(text), figure_html(forward_figure(result), name="forward")]
    blocks.append(table_html(headers, rows, table_id="by-state", row_keys=keys, scroll=True))
    blocks += [note_html(f"Note: {n}") for n in result.notes]
    return Section("Forward returns by state", blocks)


def ic_figure(result: Research) -> go.Figure:
    symbols = list(result.symbols)
    fig = make_subplots(
        rows=1, cols=max(1, len(symbols)), subplot_titles=symbols, shared_yaxes=True
    )
    signals = list(dict.fromkeys(result.ic["signal"]))
    for col, symbol in enumerate(symbols, start=1):
        for k, signal in enumerate(signals):
            rows = result.ic.loc[(result.ic["signal"] == signal) & (result.ic["symbol"] == symbol)]
            fig.add_trace(
                go.Scatter(
                    x=rows["horizon"].to_numpy(dtype=np.float64),
                    y=rows["ic"].to_numpy(dtype=np.float64),
                    mode="lines+markers",
                    name=signal,
                    legendgroup=signal,
                    showlegend=col == 1,
                    line={"color": _color(k)},
                    customdata=rows["t_hac"].to_numpy(dtype=np.float64),
                    hovertemplate="h %{x}: IC %{y:.3f}, t %{customdata:.2f}"
                    "<extra>%{fullData.name}</extra>",
                    meta={"panel": symbol, "series": signal},
                ),
                row=1,
                col=col,
            )
    fig.update_xaxes(type="log", title_text="horizon (trading days)")
    fig.update_layout(template=TEMPLATE, height=360, margin={"l": 60, "r": 20, "t": 40, "b": 40})
    return fig


def ic_section(result: Research) -> Section:
    text = (
        "Rank information coefficient (Spearman) of each continuous signal with the forward "
        "return, by horizon; t: Newey-West t-statistic (h-1 lags) of the slope of the returns' "
        "standardised ranks on the signal's."
    )
    rows = [
        [
            Cell(r.signal, r.signal),
            Cell(r.symbol, r.symbol),
            Cell(str(r.horizon), r.horizon, "num"),
            _num_cell(r.ic),
            _num_cell(r.t_hac),
            Cell(f"{r.n:,}", r.n, "num"),
            Cell(f"{r.n_independent:,}", r.n_independent, "num"),
        ]
        for r in result.ic.itertuples(index=False)
    ]
    keys = [f"{r.signal}|{r.symbol}|{r.horizon}" for r in result.ic.itertuples()]
    table = table_html(
        ["signal", "symbol", "h", "IC", "t_hac", "n", "independent"],
        rows,
        table_id="ic",
        row_keys=keys,
        scroll=len(rows) > 20,
    )
    return Section(
        "Information coefficients",
        [note_html(text), figure_html(ic_figure(result), name="ic"), table],
    )


# -- events ------------------------------------------------------------------------------------


def car_figure(study: EventStudy) -> go.Figure:
    symbols = list(dict.fromkeys(study.by_kind["symbol"]))
    fig = make_subplots(
        rows=1, cols=max(1, len(symbols)), subplot_titles=symbols, shared_yaxes=True
    )
    kinds = list(dict.fromkeys(study.by_kind["kind"]))
    days = np.asarray(study.caar_path.columns, dtype=np.float64)
    for col, symbol in enumerate(symbols, start=1):
        for i, row in enumerate(study.by_kind.itertuples(index=False)):
            if row.symbol != symbol:
                continue
            k = kinds.index(row.kind)
            fig.add_trace(
                go.Scatter(
                    x=days,
                    y=study.caar_path.iloc[i].to_numpy(dtype=np.float64),
                    mode="lines+markers",
                    name=f"{row.kind} (n={row.n})" if col == 1 else row.kind,
                    legendgroup=row.kind,
                    showlegend=col == 1,
                    line={"color": _color(k), "dash": "dot" if row.kind == "all" else "solid"},
                    hovertemplate="day %{x}: CAAR %{y:.2%}<extra>%{fullData.name}</extra>",
                    meta={"panel": symbol, "series": row.kind},
                ),
                row=1,
                col=col,
            )
    fig.add_vline(x=0, line_dash="dash", line_color="#9e9e9e")
    fig.update_yaxes(tickformat=".1%")
    fig.update_xaxes(title_text="trading days from the event")
    fig.update_layout(template=TEMPLATE, height=380, margin={"l": 60, "r": 20, "t": 40, "b": 40})
    return fig


def events_section(study: EventStudy) -> Section:
    lo, hi = study.window
    model = (
        f"market model on {study.benchmark}" if study.benchmark else "constant mean (no benchmark)"
    )
    text = (
        f"Event study (MacKinlay 1997): window {lo}:{hi} trading days around the first trading "
        f"day on or after each event's date; normal returns: {model}, fitted on the "
        f"{study.estimation} days ending {study.gap} days before the window. Lines: the "
        "average cumulative abnormal return (CAAR) per kind of event. t_cs: cross-sectional t; "
        "t_bmp: Boehmer, Musumeci and Poulsen (1991) standardised t."
    )
    kind_rows = [
        [
            Cell(r.kind, r.kind),
            Cell(r.symbol, r.symbol),
            Cell(str(r.n), r.n, "num"),
            _pct_cell(r.caar),
            _num_cell(r.t_cs),
            _num_cell(r.t_bmp),
            Cell(str(r.n_overlapping), r.n_overlapping, "num"),
        ]
        for r in study.by_kind.itertuples(index=False)
    ]
    by_kind = table_html(
        ["kind", "symbol", "n", "CAAR", "t_cs", "t_bmp", "overlapping"],
        kind_rows,
        table_id="by-kind",
        row_keys=[f"{r.kind}|{r.symbol}" for r in study.by_kind.itertuples()],
    )
    event_rows = [
        [
            Cell(f"{r.date:%Y-%m-%d}", f"{r.date:%Y-%m-%d}"),
            Cell(r.name + (" [overlaps]" if r.overlaps else ""), r.name),
            Cell(r.kind, r.kind),
            Cell(r.symbol, r.symbol),
            _pct_cell(r.car),
            _num_cell(r.t),
        ]
        for r in study.events.itertuples(index=False)
    ]
    events = table_html(
        ["date", "event", "kind", "symbol", "CAR", "t"],
        event_rows,
        table_id="events",
        row_keys=[f"{r.date:%Y-%m-%d}|{r.symbol}|{r.name}" for r in study.events.itertuples()],
        scroll=len(event_rows) > 20,
    )
    blocks = [note_html(text), figure_html(car_figure(study), name="car"), by_kind, events]
    blocks += [note_html(f"Note: {n}") for n in study.notes]
    return Section("Event study", blocks)


# -- the page ----------------------------------------------------------------------------------


def research_page(
    *,
    thesis: Thesis | None = None,
    research: Research | None = None,
    events: EventStudy | None = None,
) -> str:
    """The page with a section for each result given (at least one)."""
    results = [r for r in (thesis, research, events) if r is not None]
    if not results:
        raise ValueError("the research page needs at least one result")
    data = results[0].data
    sections: list[Section] = []
    meta: list[str] = []
    if thesis is not None:
        sections += [verdict_section(thesis), episodes_section(thesis)]
        meta.append(f"thesis as of {thesis.as_of:%Y-%m-%d}: {thesis.verdict}")
    if research is not None:
        sections += [forward_section(research), ic_section(research)]
        meta.append(
            f"forward returns: horizons {', '.join(str(h) for h in research.horizons)} days; "
            f"symbols {', '.join(research.symbols)}"
        )
    if events is not None:
        sections.append(events_section(events))
        meta.append(f"event study: {len(events.events)} event x instrument rows")
    if data.get("band_reference"):
        meta.append(f"band reference: {data['band_reference']}")
    meta += [f"warning: {w}" for w in data.get("warnings", [])]
    return page_html(
        title="alu research: is the squeeze real, and does it pay?",
        source=data.get("source", "unknown source"),
        synthetic=bool(data.get("synthetic")),
        sections=sections,
        meta_lines=meta,
        footer=FOOTER,
    )


def write_research_report(
    path: Path,
    *,
    thesis: Thesis | None = None,
    research: Research | None = None,
    events: EventStudy | None = None,
) -> int:
    """Write the research page to ``path``; returns its size in bytes."""
    return write_page(path, research_page(thesis=thesis, research=research, events=events))

"""``alu backtest --png DIR``: the report's main charts as PNG files, drawn by matplotlib (Agg).

Files, named predictably (a symbol's characters outside ``A-Z a-z 0-9 . _ = -`` become ``_``):

- ``market.png``: the band reference with its bands and the band state shaded, the spread with
  its regime shaded, LME stock with its percentile; catalyst dates as dotted lines (only when the
  data has a reference price or ``lme.csv``);
- ``SYMBOL.png`` per symbol: price with the fills (▲ long entry, ▼ short entry, hollow: exit),
  equity against buy and hold, drawdown;
- ``portfolio.png``: the equal-weight portfolio's equity against buy and hold, and drawdown.

Nothing is half-written: every chart goes to a temporary file in DIR first, and the temporary
files are renamed into place only when all of them were drawn. matplotlib is used without
pyplot (``Figure`` + the Agg canvas): no global state, no display needed.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from alu.errors import AluError
from alu.output import publish, resolve_target
from alu.reports.chart_data import (
    COLORS,
    BandPanel,
    ChartData,
    SpreadPanel,
    StockPanel,
    SymbolPanel,
    state_runs,
    trade_points,
)
from alu.signals.states import BACKWARDATION, BEAR, BULL, CONTANGO

if TYPE_CHECKING:
    import pandas as pd

WIDTH_IN, ROW_IN, DPI = 12.0, 2.6, 100
_UNSAFE = re.compile(r"[^A-Za-z0-9._=-]")


def png_name(key: str) -> str:
    """The file name of a chart: ``market``, ``portfolio`` or a symbol, made filesystem-safe."""
    return _UNSAFE.sub("_", key) + ".png"


def check_png_dir(path: Path) -> Path:
    """Refuse a ``--png`` target that cannot hold the charts, before any work is done.

    A missing directory is created later, when its parent exists.
    """
    path = Path(path).expanduser()
    if path.exists() and not path.is_dir():
        raise AluError(f"--png {path}: is a file, not a directory")
    if not path.exists() and not path.parent.is_dir():
        raise AluError(f"--png {path}: parent directory {path.parent} does not exist")
    target = path if path.exists() else path.parent
    if not os.access(target, os.W_OK):
        raise AluError(f"--png {path}: directory {target} is not writable")
    return path


def write_pngs(directory: Path, data: ChartData) -> list[Path]:
    """Draw every chart of ``data`` into ``directory``; returns the files written, in order."""
    directory = check_png_dir(directory)
    charts: list[tuple[str, Any]] = []
    if data.has_market:
        charts.append(("market", market_figure(data)))
    for s in data.symbols:
        charts.append((s.symbol, account_figure(s.symbol, s.description, data, s)))
    charts.append(("portfolio", account_figure("portfolio", "equal weight", data, None)))
    try:
        directory.mkdir(exist_ok=True)
    except OSError as exc:
        raise AluError(f"--png {directory}: {exc.strerror or exc}") from None
    for key, _ in charts:  # every chart file a regular file or new, before any is written
        if resolve_target(directory / png_name(key), "--png").kind != "file":
            raise AluError(f"--png {directory / png_name(key)}: not a regular file")
    staged: list[tuple[Path, Path]] = []
    try:
        for key, fig in charts:
            fd, tmp = tempfile.mkstemp(prefix=".alu-", suffix=".png.tmp", dir=directory)
            staged.append((Path(tmp), directory / png_name(key)))
            with os.fdopen(fd, "wb") as handle:
                fig.savefig(handle, format="png", dpi=DPI)
        for tmp, final in staged:
            publish(tmp, final)
    except OSError as exc:
        raise AluError(f"cannot write charts to {directory}: {exc.strerror or exc}") from None
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    return [final for _, final in staged]


def _figure(rows: list[float]):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, ROW_IN * sum(rows) + 0.6), layout="constrained")
    axes = fig.subplots(len(rows), 1, sharex=True, height_ratios=rows, squeeze=False)[:, 0]
    for ax in axes:
        ax.grid(True, color="#e6e6e6", linewidth=0.6)
        ax.tick_params(labelsize=8, labelbottom=True)
    return fig, list(axes)


def _shade(ax, states: pd.Series, keep: tuple[str, ...]) -> None:
    for run in state_runs(states, keep):
        ax.axvspan(run.start, run.end, color=COLORS[run.state], alpha=0.13, linewidth=0)


def _finish(fig, axes: list, data: ChartData, what: str) -> None:
    """Catalyst lines on every panel, the window as the x range, the title."""
    for day in data.catalysts.index:
        for ax in axes:
            ax.axvline(day, color=COLORS["catalyst"], linewidth=0.7, linestyle=":", alpha=0.7)
    for ax in axes:
        ax.set_xlim(data.first, data.last)
    flag = "  [SYNTHETIC sample: not market data]" if data.synthetic else ""
    fig.suptitle(
        f"alu backtest {data.strategy}: {what}, {data.first:%Y-%m-%d} to {data.last:%Y-%m-%d}"
        f"{flag}",
        fontsize=11,
        color="#8a5a00" if data.synthetic else "black",
    )


def _default_note(defaults: bool, data: ChartData) -> str:
    return f" (defaults: not used by {data.strategy})" if defaults else ""


def _bands(ax, b: BandPanel, data: ChartData) -> None:
    _shade(ax, b.state, (BULL, BEAR))
    ax.plot(b.reference.index, b.reference.to_numpy(), color=COLORS["reference"], lw=0.9)
    ax.axhline(b.upper, color=COLORS["upper"], ls="--", lw=1, label=f"upper {b.upper:,.0f}")
    ax.axhline(b.lower, color=COLORS["lower"], ls="--", lw=1, label=f"lower {b.lower:,.0f}")
    ax.legend(fontsize=8, loc="upper left")
    title = f"{b.reference_name}; shaded: BULL (green) / BEAR (red)"
    ax.set_title(title + _default_note(b.defaults, data), fontsize=9, loc="left")


def _spread(ax, p: SpreadPanel, data: ChartData) -> None:
    _shade(ax, p.regime, (BACKWARDATION, CONTANGO))
    ax.plot(p.spread.index, p.spread.to_numpy(), color=COLORS["spread"], lw=0.7)
    ax.axhline(0, color="black", lw=0.6)
    title = (
        "cash - 3-month, $/t; shaded: BACKWARDATION (orange) / CONTANGO (blue) beyond "
        f"±{p.deadband:g}"
    )
    ax.set_title(title + _default_note(p.defaults, data), fontsize=9, loc="left")


def _stock(ax, s: StockPanel, data: ChartData) -> None:
    ax.plot(s.stock.index, s.stock.to_numpy() / 1e3, color=COLORS["stock"], lw=0.9)
    ax.set_ylabel("LME stock, kt", fontsize=8)
    right = ax.twinx()
    pct = s.percentile.to_numpy() * 100
    right.plot(s.percentile.index, pct, color=COLORS["percentile"], lw=0.7)
    for name, value in s.thresholds.items():
        right.axhline(value * 100, color=COLORS["percentile"], ls="--", lw=0.8)
        right.annotate(
            name, (0.005, value * 100 + 1), xycoords=("axes fraction", "data"), fontsize=7
        )
    right.set_ylim(0, 100)
    right.set_ylabel("percentile, %", fontsize=8, color=COLORS["percentile"])
    right.tick_params(labelsize=8)
    title = "LME stock and its trailing percentile (right axis)"
    ax.set_title(title + _default_note(s.defaults, data), fontsize=9, loc="left")


def market_figure(data: ChartData):
    """The band reference, spread and stock panels (those the data has), one above the other."""
    panels = [
        (draw, panel, 1.3 if draw is _bands else 1.0)
        for draw, panel in ((_bands, data.bands), (_spread, data.spread), (_stock, data.stock))
        if panel is not None
    ]
    fig, axes = _figure([weight for _, _, weight in panels])
    for ax, (draw, panel, _) in zip(axes, panels, strict=True):
        draw(ax, panel, data)
    _finish(fig, axes, data, "market")
    return fig


def account_figure(name: str, description: str, data: ChartData, symbol: SymbolPanel | None):
    """Price with fills (a symbol; None for the portfolio), equity vs buy and hold, drawdown."""
    source = symbol if symbol is not None else data.portfolio
    rows = [1.0, 1.0, 0.6] if symbol is not None else [1.0, 0.6]
    fig, axes = _figure(rows)
    if symbol is not None:
        ax = axes[0]
        ax.plot(symbol.dates, symbol.close, color=COLORS["price"], lw=0.8)
        for direction in ("long", "short"):
            for side in ("entry", "exit"):
                when, price, chosen = trade_points(symbol.trades, direction, side)
                if not chosen:
                    continue
                up = (direction == "long") == (side == "entry")
                ax.scatter(
                    when,
                    price,
                    marker="^" if up else "v",
                    s=28,
                    color=COLORS[direction] if side == "entry" else "none",
                    edgecolors=COLORS[direction],
                    linewidths=1.1,
                    label=f"{direction} {side}",
                    zorder=3,
                )
        ax.set_title(f"{name}: {description}, with fills", fontsize=9, loc="left")
        if symbol.trades:
            ax.legend(fontsize=8, loc="upper left")
    eq_ax, dd_ax = axes[-2], axes[-1]
    eq_ax.plot(source.dates, source.equity, color=COLORS["equity"], lw=1, label="strategy")
    eq_ax.plot(source.dates, source.buy_hold, color=COLORS["buy_hold"], lw=0.8, label="buy & hold")
    eq_ax.set_title(f"{name}: equity vs buy & hold, US$", fontsize=9, loc="left")
    eq_ax.yaxis.set_major_formatter("{x:,.0f}")
    eq_ax.legend(fontsize=8, loc="upper left")
    dd_ax.fill_between(
        source.dates, source.drawdown * 100, 0, color=COLORS["drawdown"], alpha=0.5, lw=0
    )
    dd_ax.set_title(f"{name}: drawdown, %", fontsize=9, loc="left")
    dd_ax.set_ylim(min(float(np.min(source.drawdown)) * 100 * 1.05, -1), 0)
    _finish(fig, axes, data, name)
    return fig

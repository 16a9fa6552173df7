"""What the charts of a backtest show, computed once for both renderers (plotly HTML, PNG).

Pure data, no plotting library: the HTML report (:mod:`alu.reports.charts`) and the PNG charts
(:mod:`alu.reports.png`) draw the same :class:`ChartData`, so they cannot disagree.

- Market panels come from the signal frames, each on its own calendar, cut to the backtest
  window. The :class:`~alu.backtest.run.BacktestResult` does not keep the frames; they are computed
  again here exactly as the runner does (``strategy.frames(market.signal_inputs(), params)``).
  A family the strategy does not use is still shown when the data allows it, computed with the
  default parameters, and flagged ``defaults=True`` so the chart can say so.
- Buy and hold over a symbol's window: ``initial cash * close / first close`` (no costs), so its
  last value matches the ``buy_hold_return`` metric. The portfolio's buy and hold combines the
  symbols' curves the way :func:`alu.backtest.run.combine_accounts` combines their equity.
- Drawdown is plotted as a negative fraction: ``-(1 - equity / running peak)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from alu.backtest.engine import Account, Trade
from alu.backtest.metrics import drawdown
from alu.backtest.run import BacktestResult, combine_accounts
from alu.data.market import Market
from alu.signals.states import BACKWARDATION, BEAR, BULL, CONTANGO
from alu.strategies.base import (
    BANDS,
    FAMILY_PARAMS,
    INVENTORY,
    SPREAD,
    FamilyFrames,
    family_frames,
    missing_inputs,
)
from alu.strategies.params import Number

# One palette for both renderers.
COLORS: dict[str, str] = {
    "reference": "#1f3b73",
    "upper": "#2e7d32",
    "lower": "#c62828",
    BULL: "#43a047",
    BEAR: "#e53935",
    "spread": "#37474f",
    BACKWARDATION: "#fb8c00",
    CONTANGO: "#1e88e5",
    "stock": "#6d4c41",
    "percentile": "#8e24aa",
    "price": "#263238",
    "long": "#2e7d32",
    "short": "#c62828",
    "equity": "#1565c0",
    "buy_hold": "#9e9e9e",
    "drawdown": "#c62828",
    "catalyst": "#7b1fa2",
}


@dataclass(frozen=True)
class StateRun:
    """Consecutive days in one state: from ``start`` up to, not including, ``end``."""

    state: str
    start: pd.Timestamp
    end: pd.Timestamp


@dataclass(frozen=True)
class BandPanel:
    """The band reference price ($/t) with its bands ($/t) and band state, per reference day."""

    reference: pd.Series
    reference_name: str
    upper: float
    lower: float
    state: pd.Series
    defaults: bool


@dataclass(frozen=True)
class SpreadPanel:
    """Cash minus 3-month ($/t) and its regime, per LME day; ``deadband`` in $/t."""

    spread: pd.Series
    regime: pd.Series
    deadband: float
    defaults: bool


@dataclass(frozen=True)
class StockPanel:
    """LME stock (t) and its trailing percentile (fraction), per stock date.

    ``thresholds`` are the strategy's percentile levels when it has them (``entry_pct``...).
    """

    stock: pd.Series
    percentile: pd.Series
    thresholds: dict[str, float]
    defaults: bool


@dataclass(frozen=True)
class SymbolPanel:
    """One account: close (instrument currency), equity and buy and hold (US$), drawdown."""

    symbol: str
    description: str
    dates: pd.DatetimeIndex
    close: np.ndarray
    equity: np.ndarray
    buy_hold: np.ndarray
    drawdown: np.ndarray  # negative fraction, 0 at a peak
    trades: list[Trade]


@dataclass(frozen=True)
class PortfolioPanel:
    """The equal-weight portfolio's equity and buy and hold (US$) on the union calendar."""

    dates: pd.DatetimeIndex
    equity: np.ndarray
    buy_hold: np.ndarray
    drawdown: np.ndarray


@dataclass(frozen=True)
class ChartData:
    """Everything the charts of one backtest show, cut to the window ``first``..``last``."""

    strategy: str
    source: str
    synthetic: bool
    first: pd.Timestamp
    last: pd.Timestamp
    bands: BandPanel | None
    spread: SpreadPanel | None
    stock: StockPanel | None
    catalysts: pd.DataFrame  # indexed by event date: name, kind, announced
    symbols: list[SymbolPanel]
    portfolio: PortfolioPanel
    notes: list[str]

    @property
    def has_market(self) -> bool:
        return any(p is not None for p in (self.bands, self.spread, self.stock))


def state_runs(states: pd.Series, keep: tuple[str, ...]) -> list[StateRun]:
    """Runs of consecutive equal states in ``keep`` (other states end a run and are dropped).

    A run ends where the next run starts; the last one the day after the last date.
    """
    states = states.dropna()
    if states.empty:
        return []
    values = states.to_numpy()
    dates = pd.DatetimeIndex(states.index)
    starts = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
    ends = [*dates[starts[1:]], dates[-1] + pd.Timedelta(days=1)]
    return [
        StateRun(str(values[i]), dates[i], end)
        for i, end in zip(starts, ends, strict=True)
        if values[i] in keep
    ]


def buy_hold_equity(close: np.ndarray, init_cash: float) -> np.ndarray:
    """``init_cash * close / close[0]``: buy and hold at the first close, no costs (US$)."""
    close = np.asarray(close, dtype=np.float64)
    return init_cash * close / close[0]


def trade_points(
    trades: list[Trade], direction: str, side: str
) -> tuple[list[pd.Timestamp], list[float], list[Trade]]:
    """Dates and fill prices of the entries (``side="entry"``) or exits of one direction."""
    chosen = [t for t in trades if t.direction == direction and (side == "entry" or not t.is_open)]
    if side == "entry":
        return [t.entry_date for t in chosen], [t.entry_price for t in chosen], chosen
    return [t.exit_date for t in chosen], [t.exit_price for t in chosen], chosen  # type: ignore[misc]


def _window(series: pd.Series, first: pd.Timestamp, last: pd.Timestamp) -> pd.Series:
    return series.loc[first:last].dropna()


def market_frames(
    market: Market, strategy_families: tuple[str, ...], frames: FamilyFrames
) -> tuple[FamilyFrames, set[str]]:
    """``frames`` completed with the families the strategy does not use, at their defaults.

    Returns the frames and the names of the families computed at defaults. A family the data
    cannot support (no ``lme.csv``, no reference price) stays None.
    """
    inputs = market.signal_inputs()
    extra = tuple(
        f
        for f in (BANDS, SPREAD, INVENTORY)
        if f not in strategy_families and not missing_inputs(inputs, (f,))
    )
    if not extra:
        return frames, set()
    defaults = {p.name: p.default for f in extra for p in FAMILY_PARAMS[f]}
    more = family_frames(inputs, extra, defaults)
    merged = replace(
        frames,
        bands=frames.bands if frames.bands is not None else more.bands,
        spread=frames.spread if frames.spread is not None else more.spread,
        inventory=frames.inventory if frames.inventory is not None else more.inventory,
    )
    return merged, set(extra)


def _param(params: Mapping[str, Number], name: str, family: str) -> float:
    if name in params:
        return float(params[name])
    return float(next(p.default for p in FAMILY_PARAMS[family] if p.name == name))


def symbol_panel(account: Account, description: str) -> SymbolPanel:
    init = account.costs.init_cash
    return SymbolPanel(
        symbol=account.symbol,
        description=description,
        dates=account.dates,
        close=account.close,
        equity=account.equity,
        buy_hold=buy_hold_equity(account.close, init),
        drawdown=-drawdown(account.equity, init),
        trades=list(account.trades),
    )


def portfolio_panel(result: BacktestResult) -> PortfolioPanel:
    init = result.spec.costs.init_cash
    held = {
        s: replace(a, equity=buy_hold_equity(a.close, a.costs.init_cash))
        for s, a in result.accounts.items()
    }
    buy_hold = combine_accounts(held, init)
    equity = result.portfolio_equity
    total_init = sum(a.costs.init_cash for a in result.accounts.values())
    return PortfolioPanel(
        dates=pd.DatetimeIndex(equity.index),
        equity=equity.to_numpy(dtype=np.float64),
        buy_hold=buy_hold.reindex(equity.index).to_numpy(dtype=np.float64),
        drawdown=-drawdown(equity.to_numpy(dtype=np.float64), total_init),
    )


def chart_data(result: BacktestResult, market: Market) -> ChartData:
    """The charts' data for ``result``, which was run on ``market``."""
    spec = result.spec
    strategy = spec.strategy
    first = min(a.dates[0] for a in result.accounts.values())
    last = max(a.dates[-1] for a in result.accounts.values())
    own = strategy.frames(market.signal_inputs(), spec.params) if strategy.families else None
    frames, defaulted = market_frames(market, strategy.families, own or FamilyFrames())
    params = spec.params
    notes: list[str] = []

    bands = None
    if frames.bands is not None:
        bands = BandPanel(
            reference=_window(frames.bands["reference_price"], first, last),
            reference_name=market.signal_inputs().reference_name,
            upper=_param(params, "upper", BANDS),
            lower=_param(params, "lower", BANDS),
            state=_window(frames.bands["band_state"], first, last),
            defaults=BANDS in defaulted,
        )
    spread = None
    if frames.spread is not None:
        spread = SpreadPanel(
            spread=_window(frames.spread["spread_usd_t"], first, last),
            regime=_window(frames.spread["spread_regime"], first, last),
            deadband=_param(params, "deadband", SPREAD),
            defaults=SPREAD in defaulted,
        )
    stock = None
    if frames.inventory is not None:
        stock = StockPanel(
            stock=_window(frames.inventory["stock_t"], first, last),
            percentile=_window(frames.inventory["stock_percentile"], first, last),
            thresholds={k: float(params[k]) for k in ("entry_pct", "exit_pct") if k in params},
            defaults=INVENTORY in defaulted,
        )
    if frames.bands is None:
        notes.append("no band reference price in this data (lme.csv or prices/ALI=F.csv)")
    if frames.spread is None:
        notes.append("no lme.csv in this data: no spread or stock panels")

    catalysts = market.catalysts()
    catalysts = catalysts.loc[(catalysts.index >= first) & (catalysts.index <= last)]
    descriptions = {s: market.instrument(s).description for s in result.accounts}
    return ChartData(
        strategy=strategy.name,
        source=market.source.label,
        synthetic=market.source.synthetic,
        first=first,
        last=last,
        bands=bands,
        spread=spread,
        stock=stock,
        catalysts=catalysts[["name", "kind", "announced"]],
        symbols=[symbol_panel(a, descriptions[s]) for s, a in result.accounts.items()],
        portfolio=portfolio_panel(result),
        notes=notes,
    )

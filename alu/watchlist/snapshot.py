"""The watchlist as of one day: a plain data structure read off the series.

Everything here is what was usable at the close of the day ``as_of`` (see
:mod:`alu.watchlist.series` for the as-of rules); the views only pick values, they compute no
signal of their own.

Freshness: each input's last date usable on ``as_of`` and its lag in **trading days**, counted
as weekdays (Monday to Friday) from that date up to ``as_of`` with ``numpy.busday_count`` (the
last date counted, ``as_of`` not): a Friday figure seen on the next Monday lags 1. Holidays are
not removed, because the inputs trade on different holiday calendars, so a holiday can add one
day of lag. An input is **stale** when it lags by more than ``max_stale_days`` (5, the parameter
every strategy uses: :data:`alu.signals.align.MAX_STALE_DAYS`) or has no value yet; its family's
state then reads ``UNKNOWN``, as in a backtest, and a stance resting on it is marked stale (the
strategy is flat).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from alu.signals.align import MAX_STALE_DAYS
from alu.signals.catalysts import events_between
from alu.strategies.base import BANDS, INVENTORY, SPREAD, Strategy, known_column
from alu.watchlist.alerts import Alert, alerts_between, order_name
from alu.watchlist.series import DIRECTIONS, STANCE_NAMES, WatchSeries

#: The default freshness limit (the ``max_stale_days`` parameter may change it).
STALE_AFTER_DAYS = MAX_STALE_DAYS
UNKNOWN = "UNKNOWN"
RECENT_EVENT_DAYS = 30

# View field <- column of the signal table (see alu.strategies.base.signal_table), per family.
BAND_FIELDS = {
    "state": "band_state",
    "reference_price": "reference_price",
    "date": "reference_date",
    "to_upper_usd_t": "to_upper_usd_t",
    "to_upper_pct": "to_upper_pct",
    "to_lower_usd_t": "to_lower_usd_t",
    "to_lower_pct": "to_lower_pct",
    "zone": "zone",
}
SPREAD_FIELDS = {
    "value": "spread_usd_t",
    "date": "spread_date",
    "regime": "spread_regime",
    "z": "spread_z",
    "change_usd_t": "spread_change_usd_t",
}
INVENTORY_FIELDS = {
    "stock": "stock_t",
    "date": "stock_date",
    "percentile": "stock_percentile",
    "change_short_t": "stock_change_short_t",
    "change_long_t": "stock_change_long_t",
    "pct_change_long": "stock_pct_change_long",
    "z": "stock_change_z",
    "trend": "inventory_trend",
}


@dataclass(frozen=True)
class BandView:
    """The band state and where the reference price ($/t) stands against the bands.

    ``to_upper_usd_t``/``to_lower_usd_t``: reference minus the band ($/t, positive above it);
    ``*_pct`` the same as fractions of the band; ``closes_in_zone``: consecutive reference closes,
    up to ``date``, in today's ``zone`` (``ABOVE_UPPER``, ``BETWEEN``, ``BELOW_LOWER``).
    """

    state: str | None
    previous_state: str | None
    reference_price: float | None
    reference_name: str
    date: pd.Timestamp | None
    upper: float
    lower: float
    to_upper_usd_t: float | None
    to_upper_pct: float | None
    to_lower_usd_t: float | None
    to_lower_pct: float | None
    zone: str | None
    closes_in_zone: int | None


@dataclass(frozen=True)
class SpreadView:
    """Cash minus 3-month ($/t, positive = backwardation) and what the spread strategy reads."""

    value: float | None
    date: pd.Timestamp | None
    regime: str | None
    previous_regime: str | None
    z: float | None
    change_usd_t: float | None
    change_days: int
    narrowing: bool


@dataclass(frozen=True)
class InventoryView:
    """The usable LME stock figure (t): dated strictly before ``as_of`` (publication lag)."""

    stock: float | None
    date: pd.Timestamp | None
    percentile: float | None
    change_short_t: float | None
    change_long_t: float | None
    short_days: int
    long_days: int
    pct_change_long: float | None
    z: float | None
    trend: str | None
    previous_trend: str | None


@dataclass(frozen=True)
class Event:
    date: pd.Timestamp
    name: str
    kind: str


@dataclass(frozen=True)
class CatalystView:
    """Known events only (an event is known from the day after its ``announced`` date).

    ``days_to_next``: calendar days from ``as_of`` to the next event (0: today). ``recent``:
    events dated in the ``recent_days`` calendar days before ``as_of``.
    """

    next_event: Event | None
    days_to_next: int | None
    in_window: bool
    previous_in_window: bool | None
    window_event: str | None
    window_before: int
    window_after: int
    recent: tuple[Event, ...]
    recent_days: int


@dataclass(frozen=True)
class StanceView:
    """``stance`` decided at the close of the instrument's day, ``held`` during it (decided the
    previous trading day; flat on the first), and the resulting ``order`` at the next open
    (``entry``, ``exit``, ``reversal``, or None). ``stale``: a family the strategy uses is
    UNKNOWN that day (no fresh input), so the stance is flat for want of data."""

    stance: str
    held: str
    order: str | None
    stale: bool = False


@dataclass(frozen=True)
class InstrumentView:
    """Last close on or before ``as_of`` (its own currency) and every strategy's stance there:
    ``stances[strategy][direction]`` with direction ``long`` (long-only) or ``both``."""

    symbol: str
    description: str
    close: float | None
    date: pd.Timestamp | None
    stances: dict[str, dict[str, StanceView]]


@dataclass(frozen=True)
class Freshness:
    """An input's last date usable on ``as_of``, its lag in trading days and the stale flag."""

    input: str
    last: pd.Timestamp | None
    lag_days: int | None
    stale: bool


@dataclass(frozen=True)
class Snapshot:
    """The watchlist as of ``as_of`` (a watch day); ``previous_day`` is the watch day before."""

    as_of: pd.Timestamp
    previous_day: pd.Timestamp | None
    band: BandView | None
    spread: SpreadView | None
    inventory: InventoryView | None
    catalysts: CatalystView
    instruments: dict[str, InstrumentView]
    alerts: list[Alert]
    freshness: list[Freshness]
    notes: tuple[str, ...]
    data: dict[str, Any] = field(default_factory=dict)
    strategies: tuple[Strategy, ...] = ()  # those with stances, in the order they are listed

    def to_json(self) -> dict[str, Any]:
        """What ``alu watchlist --format json`` prints."""
        from alu.watchlist.views import snapshot_json

        return snapshot_json(self)

    def to_csv(self) -> str:
        """What ``alu watchlist --format csv`` prints."""
        from alu.watchlist.views import snapshot_csv

        return snapshot_csv(self)


def trading_days_between(earlier: pd.Timestamp, later: pd.Timestamp) -> int:
    """Weekdays from ``earlier`` (counted) to ``later`` (not counted); holidays count."""
    return int(np.busday_count(earlier.date(), later.date()))


def freshness(
    name: str, last: pd.Timestamp | None, as_of: pd.Timestamp, limit: int = STALE_AFTER_DAYS
) -> Freshness:
    if last is None:
        return Freshness(name, None, None, True)
    lag = trading_days_between(last, as_of)
    return Freshness(name, last, lag, lag > limit)


def _state(row: pd.Series, family: str, column: str) -> str | None:
    """The family's state on the row, ``UNKNOWN`` when its input is stale or missing."""
    known = _get(row, known_column(family))
    return UNKNOWN if known is False else _get(row, column)


def snapshot(
    series: WatchSeries, as_of: pd.Timestamp, *, data: dict[str, Any] | None = None
) -> Snapshot:
    """The watchlist on ``as_of``, which must be a day of ``series.days``; ``data`` describes
    the data source (see :func:`alu.watchlist.build.data_block`)."""
    pos = series.days.get_loc(as_of)
    previous_day = series.days[pos - 1] if pos > 0 else None
    row = series.signals.iloc[pos]
    before = series.signals.iloc[pos - 1] if pos > 0 else None
    p = series.params
    limit = int(p.get("max_stale_days", STALE_AFTER_DAYS))
    band = spread = inventory = None
    fresh: list[Freshness] = []
    if BANDS in series.families:
        band = BandView(
            **{**_pick(row, BAND_FIELDS), "state": _state(row, BANDS, "band_state")},
            previous_state=_get(before, "band_state"),
            reference_name=series.reference_name,
            upper=p["upper"],
            lower=p["lower"],
            closes_in_zone=_whole(row, "zone_run"),
        )
        fresh.append(freshness("band reference", band.date, as_of, limit))
    if SPREAD in series.families:
        spread = SpreadView(
            **{**_pick(row, SPREAD_FIELDS), "regime": _state(row, SPREAD, "spread_regime")},
            previous_regime=_get(before, "spread_regime"),
            change_days=p["spread_change_days"],
            narrowing=bool(_get(row, "spread_narrowing")),
        )
        fresh.append(freshness("LME spread", spread.date, as_of, limit))
    if INVENTORY in series.families:
        inventory = InventoryView(
            **{**_pick(row, INVENTORY_FIELDS), "trend": _state(row, INVENTORY, "inventory_trend")},
            previous_trend=_get(before, "inventory_trend"),
            short_days=p["stock_short_days"],
            long_days=p["stock_long_days"],
        )
        fresh.append(freshness("LME stock", inventory.date, as_of, limit))
    instruments = {s: instrument_view(series, s, as_of) for s in series.instruments}
    fresh[:0] = [freshness(s, v.date, as_of, limit) for s, v in instruments.items()]
    return Snapshot(
        as_of=as_of,
        previous_day=previous_day,
        band=band,
        spread=spread,
        inventory=inventory,
        catalysts=catalyst_view(series, row, before, as_of),
        instruments=instruments,
        alerts=alerts_between(series, as_of, as_of),
        freshness=fresh,
        notes=series.notes,
        data=dict(data or {}),
        strategies=series.strategies,
    )


def catalyst_view(
    series: WatchSeries, row: pd.Series, before: pd.Series | None, as_of: pd.Timestamp
) -> CatalystView:
    nxt = None
    if _get(row, "next_event_date") is not None:
        nxt = Event(row["next_event_date"], row["next_event_name"], row["next_event_kind"])
    recent = events_between(
        series.catalysts, as_of - pd.Timedelta(days=RECENT_EVENT_DAYS), as_of
    ).loc[: as_of - pd.Timedelta(days=1)]
    return CatalystView(
        next_event=nxt,
        days_to_next=_whole(row, "days_to_next_event"),
        in_window=bool(row["in_catalyst_window"]),
        previous_in_window=None if before is None else bool(before["in_catalyst_window"]),
        window_event=_get(row, "window_event"),
        window_before=series.params["window_before"],
        window_after=series.params["window_after"],
        recent=tuple(
            Event(date, name, kind)
            for date, name, kind in zip(recent.index, recent["name"], recent["kind"], strict=True)
        ),
        recent_days=RECENT_EVENT_DAYS,
    )


def instrument_view(series: WatchSeries, symbol: str, as_of: pd.Timestamp) -> InstrumentView:
    """The instrument at its last trading day on or before ``as_of``."""
    inst = series.instruments[symbol]
    pos = inst.close.index.searchsorted(as_of, side="right") - 1
    if pos < 0:
        return InstrumentView(symbol, inst.description, None, None, {})
    stances: dict[str, dict[str, StanceView]] = {}
    known = inst.known.iloc[pos]
    for strategy in series.strategies:
        stances[strategy.name] = {}
        stale = any(not known.get(f, True) for f in strategy.dated_families)
        for direction in DIRECTIONS:
            column = inst.stances[(strategy.name, direction)]
            decided = int(column.iloc[pos])
            held = int(column.iloc[pos - 1]) if pos > 0 else 0
            stances[strategy.name][direction] = StanceView(
                STANCE_NAMES[decided], STANCE_NAMES[held], order_name(held, decided), stale
            )
    return InstrumentView(
        symbol=symbol,
        description=inst.description,
        close=float(inst.close.iloc[pos]),
        date=inst.close.index[pos],
        stances=stances,
    )


def _get(row: pd.Series | None, column: str) -> Any:
    """A plain Python value from a signal-table row; None when missing or unknown."""
    if row is None or column not in row.index:
        return None
    value = row[column]
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, pd.Timestamp | np.datetime64):
        return pd.Timestamp(value)
    return value


def _pick(row: pd.Series, fields: dict[str, str]) -> dict[str, Any]:
    return {field: _get(row, column) for field, column in fields.items()}


def _whole(row: pd.Series | None, column: str) -> int | None:
    value = _get(row, column)
    return None if value is None else int(value)

"""From a Market to a watchlist: choose the day, compute the series once, read them off.

- :func:`watch`: the :class:`~alu.watchlist.snapshot.Snapshot` as of one day.
- :func:`history`: every alert over a period (the series are computed once, up to the period's
  end, and consecutive days diffed).

Days: a watchlist can be as of any day from the first to the last date in the data (the watch
calendar of every input, see :mod:`alu.watchlist.series`). A day on which no input has a row (a
weekend, a holiday everywhere) shows the last watch day before it, and says so: nothing new was
usable on it. A day outside the data is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from alu.data.market import Market
from alu.errors import AluError
from alu.strategies.base import Strategy
from alu.watchlist.alerts import Alert, alerts_between
from alu.watchlist.series import WatchSeries, build_series, market_calendar
from alu.watchlist.snapshot import Snapshot, snapshot

DEFAULT_HISTORY_DAYS = 30


@dataclass(frozen=True)
class History:
    """The alerts of every day in ``[start, end]``; ``days`` counts the watch days in it."""

    start: pd.Timestamp
    end: pd.Timestamp
    days: int
    alerts: list[Alert]
    notes: tuple[str, ...]
    data: dict[str, Any] = field(default_factory=dict)
    strategies: tuple[Strategy, ...] = ()  # those with stances, in the order they are listed

    def to_json(self) -> dict[str, Any]:
        """What ``alu watchlist --history --format json`` prints."""
        from alu.watchlist.views import history_json

        return history_json(self)

    def to_csv(self) -> str:
        """What ``alu watchlist --history --format csv`` prints."""
        from alu.watchlist.views import history_csv

        return history_csv(self)


def check_day(calendar: pd.DatetimeIndex, day: pd.Timestamp, name: str) -> None:
    """Refuse a day outside ``[first, last]`` of the data, naming the keyword (``date``,
    ``start``, ``end``: the option on the command line) and the data's range."""
    if len(calendar) == 0:
        raise AluError("the data has no dated rows")
    first, last = calendar[0], calendar[-1]
    span = f"the data runs {first:%Y-%m-%d} to {last:%Y-%m-%d}"
    if day < first:
        raise AluError(
            f"{{{name}}} is before the first date in the data; {span}", params={name: day}
        )
    if day > last:
        raise AluError(f"{{{name}}} is after the last date in the data; {span}", params={name: day})


def as_of_day(
    calendar: pd.DatetimeIndex, requested: pd.Timestamp | None
) -> tuple[pd.Timestamp, list[str]]:
    """The watch day to show for ``requested`` (default: the last), and a note when it moved."""
    if requested is None:
        if len(calendar) == 0:
            raise AluError("the data has no dated rows")
        return calendar[-1], []
    check_day(calendar, requested, "date")
    day = calendar[calendar.searchsorted(requested, side="right") - 1]
    if day == requested:
        return day, []
    return day, [
        f"no input has data on {requested:%Y-%m-%d} ({requested:%a}): "
        f"showing {day:%Y-%m-%d}, the last day with data before it"
    ]


def watch(
    market: Market,
    *,
    day: pd.Timestamp | None = None,
    symbols: list[str] | None = None,
    params: Mapping[str, Any] | None = None,
    strategies: Iterable[Strategy] | None = None,
) -> Snapshot:
    """The watchlist as of ``day`` (default: the latest date in the data).

    ``symbols`` default to ``AA, CENX`` and the aluminium leg (``ALI=F``, or ``LME3M`` when the
    data has no ``ALI=F`` prices), as :meth:`Market.resolve_symbols` gives them. ``params``
    override the strategies' defaults (see :func:`alu.watchlist.series.watch_params`).
    ``strategies``: those to show (default: the built-in ones; see
    :func:`alu.strategies.strategy_catalog` for a user's own).
    """
    resolved, notes = market.resolve_symbols(symbols)
    as_of, moved = as_of_day(market_calendar(market, resolved), day)
    series = build_series(
        market,
        resolved,
        end=as_of,
        params=params,
        notes=[*notes, *moved],
        strategies=strategies,
    )
    return snapshot(series, as_of, data=data_block(market, series))


def history(
    market: Market,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    symbols: list[str] | None = None,
    params: Mapping[str, Any] | None = None,
    strategies: Iterable[Strategy] | None = None,
) -> History:
    """Every alert from ``start`` to ``end`` (defaults: the last date in the data, and
    :data:`DEFAULT_HISTORY_DAYS` calendar days before ``end``); ``params`` and ``strategies`` as
    for :func:`watch`."""
    resolved, notes = market.resolve_symbols(symbols)
    calendar = market_calendar(market, resolved)
    if end is not None:
        check_day(calendar, end, "end")
    if start is not None:
        check_day(calendar, start, "start")
    last, _ = as_of_day(calendar, end)
    first = start
    if first is None:
        first = max(calendar[0], last - pd.Timedelta(days=DEFAULT_HISTORY_DAYS))
    series = build_series(
        market, resolved, end=last, params=params, notes=notes, strategies=strategies
    )
    inside = series.days[(series.days >= first) & (series.days <= last)]
    return History(
        start=first,
        end=end if end is not None else last,
        days=len(inside),
        alerts=alerts_between(series, first, last),
        notes=series.notes,
        data=data_block(market, series),
        strategies=series.strategies,
    )


def data_block(market: Market, series: WatchSeries) -> dict[str, Any]:
    """Where the data came from: the source, its files, the band reference and any warnings."""
    source = market.source
    return {
        "source": source.label,
        "kind": source.kind,
        "path": str(source.path),
        "synthetic": source.synthetic,
        "band_reference": series.reference_name,
        "symbols": {
            symbol: {"description": inst.description, "file": str(market.instrument(symbol).file)}
            for symbol, inst in series.instruments.items()
        },
        "lme": str(market.lme_path) if market.has_lme() else None,
        "catalysts": len(series.catalysts),
        "warnings": list(dict.fromkeys(market.warnings)),
    }

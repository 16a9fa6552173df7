"""``alu thesis``: the squeeze verdict as of a day, using only what was usable at its close.

The conditions are the squeeze long rule's own (:func:`alu.strategies.library.
squeeze_long_conditions`): bands not BEAR; spread in BACKWARDATION and not narrowing; stocks
FALLING; no catalyst window. They are read on the watchlist's calendar (every day on which any
input has a row, :mod:`alu.watchlist.series`) from the same as-of signal table, so
``alu thesis --date D`` and ``alu watchlist --date D`` show the same states.

Verdict per day: ``UNKNOWN`` when the input of any condition is stale (the watchlist's freshness
rule: more than 5 weekdays old, or no value yet); else ``ON`` when every condition holds,
``OFF`` when none does, ``MIXED`` otherwise.

Episodes: maximal runs of ``ON`` days. An instrument's return over an episode is from the fill
after its first day (the fill price of the instrument's first trading day after the start: the
open, or the close of a leg without an open) to the fill after its last day; an episode still
running at ``as_of`` (or whose exit fill is not in the data yet) is marked to the last close on or
before ``as_of`` and flagged ``open``. Episodes that start within :data:`CLUSTER_GAP_DAYS` watch
days of the previous one's end are the same spell interrupted (a catalyst window, a one-day dip of
the trend) and count as one **independent** episode.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from alu.data.market import Market
from alu.output import jsonable, num
from alu.research.freshness import INPUT_NAMES, stale_mask
from alu.signals.states import BULL, NEUTRAL
from alu.strategies.base import BANDS, CATALYSTS, INVENTORY, SPREAD
from alu.strategies.columns import TableColumns
from alu.strategies.library import SQUEEZE_CONDITIONS, squeeze_long_conditions
from alu.watchlist.build import as_of_day, data_block
from alu.watchlist.series import build_series, market_calendar
from alu.watchlist.snapshot import Freshness, freshness

ON, MIXED, OFF, UNKNOWN = "ON", "MIXED", "OFF", "UNKNOWN"
VERDICTS = (ON, MIXED, OFF, UNKNOWN)
# The family whose input each condition reads (its freshness decides UNKNOWN).
CONDITION_FAMILY = dict(zip(SQUEEZE_CONDITIONS, (BANDS, SPREAD, INVENTORY, CATALYSTS), strict=True))
CLUSTER_GAP_DAYS = 20
# Fewer independent episodes than this: "too few to test"; fewer than FEW_EPISODES: "few".
TOO_FEW_EPISODES = 10
FEW_EPISODES = 30


@dataclass(frozen=True)
class ConditionView:
    """One condition on ``as_of``: its ``state`` in words, whether it ``holds`` and since when
    (``since``: the first day of the current run of holding, or of failing), since when the
    state itself is what it is (``state_since``), its input's freshness and the figures behind
    it (``value`` in ``unit``, dated ``date``; ``detail`` in words)."""

    name: str
    state: str | None
    holds: bool
    since: pd.Timestamp
    state_since: pd.Timestamp | None
    stale: bool
    value: float | None
    unit: str | None
    date: pd.Timestamp | None
    detail: str


@dataclass(frozen=True)
class Episode:
    """A run of ON days: ``start``..``end`` (``days`` watch days); ``returns[symbol]`` from the
    fill after ``start`` to the fill after ``end`` (fraction; None when the instrument has no
    trading day after ``start`` by ``as_of``); ``open`` when it runs on at ``as_of`` or an exit
    fill is not in the data yet (then marked to the last close); ``spell`` numbers the
    independent episodes (see the module docstring)."""

    start: pd.Timestamp
    end: pd.Timestamp
    days: int
    returns: dict[str, float | None]
    open: bool
    spell: int


@dataclass(frozen=True)
class Thesis:
    """The verdict as of ``as_of`` with its conditions, the history of episodes and the daily
    verdicts behind them (``daily``: one row per watch day up to ``as_of``, a bool column per
    condition and ``verdict``)."""

    as_of: pd.Timestamp
    verdict: str
    conditions: tuple[ConditionView, ...]
    episodes: tuple[Episode, ...]
    independent_episodes: int
    evaluable_since: pd.Timestamp | None
    freshness: tuple[Freshness, ...]
    daily: pd.DataFrame
    closes: dict[str, pd.Series]
    data: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def conditions_frame(self) -> pd.DataFrame:
        """The conditions as a table (one row each)."""
        return pd.DataFrame([vars(c) for c in self.conditions]).set_index("name")

    @property
    def episodes_frame(self) -> pd.DataFrame:
        """The episodes as a table: start, end, days, open, spell and one return column per
        symbol."""
        rows = [
            {
                "start": e.start,
                "end": e.end,
                "days": e.days,
                "open": e.open,
                "spell": e.spell,
                **e.returns,
            }
            for e in self.episodes
        ]
        return pd.DataFrame(rows, columns=["start", "end", "days", "open", "spell", *self.closes])

    def to_json(self) -> dict[str, Any]:
        return jsonable(
            {
                "as_of": self.as_of,
                "verdict": self.verdict,
                "conditions": [vars(c) for c in self.conditions],
                "episodes": [vars(e) for e in self.episodes],
                "independent_episodes": self.independent_episodes,
                "evaluable_since": self.evaluable_since,
                "freshness": [vars(f) for f in self.freshness],
                "data": self.data,
                "notes": list(self.notes),
            }
        )


def daily_verdicts(table: pd.DataFrame) -> pd.DataFrame:
    """Per day of a signal table: each condition's ``holds`` (bool), its input's staleness
    (``stale: NAME``) and the verdict (see the module docstring)."""
    conditions = squeeze_long_conditions(TableColumns(table))
    out = pd.DataFrame({c.name: c.holds for c in conditions}, index=table.index)
    stale = np.zeros(len(table), dtype=bool)
    for c in conditions:
        mask = stale_mask(table, CONDITION_FAMILY[c.name])
        out[f"stale: {c.name}"] = mask
        stale |= mask
    held = out[list(SQUEEZE_CONDITIONS)].to_numpy()
    verdict = np.where(held.all(axis=1), ON, np.where(held.any(axis=1), MIXED, OFF))
    out["verdict"] = np.where(stale, UNKNOWN, verdict).astype(object)
    return out


def runs(values: np.ndarray) -> np.ndarray:
    """For each position, the position where its run of equal values started."""
    values = np.asarray(values, dtype=object)
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    changed = np.r_[True, values[1:] != values[:-1]]
    return np.maximum.accumulate(np.where(changed, np.arange(len(values)), 0))


def episode_spans(verdict: pd.Series) -> list[tuple[int, int]]:
    """(first, last) positions of every run of ON in ``verdict``."""
    on = (verdict == ON).to_numpy()
    edges = np.diff(np.r_[0, on.astype(np.int8), 0])
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def spells(spans: list[tuple[int, int]], gap: int = CLUSTER_GAP_DAYS) -> list[int]:
    """The independent-episode number of each span: a span starting fewer than ``gap`` days
    after the previous one's end continues its spell."""
    out: list[int] = []
    for k, (first, _) in enumerate(spans):
        if k and first - spans[k - 1][1] <= gap:
            out.append(out[-1])
        else:
            out.append(len(set(out)) + 1)
    return out


def fill_after(bars: pd.DataFrame, fill: pd.Series, day: pd.Timestamp) -> tuple[float, bool]:
    """The fill price of the first trading day after ``day`` in ``bars`` (already cut at as-of);
    when there is none, the last close and False."""
    pos = bars.index.searchsorted(day, side="right")
    if pos < len(bars):
        return float(fill.iloc[pos]), True
    return float(bars["close"].iloc[-1]), False


def episode_returns(
    bars: pd.DataFrame, fill: pd.Series, start: pd.Timestamp, end: pd.Timestamp, running: bool
) -> tuple[float | None, bool]:
    """Return from the fill after ``start`` to the fill after ``end`` (see :class:`Episode`)."""
    if bars.index.searchsorted(start, side="right") >= len(bars):
        return None, True
    entry, _ = fill_after(bars, fill, start)
    if running:
        return float(bars["close"].iloc[-1]) / entry - 1.0, True
    exit_price, filled = fill_after(bars, fill, end)
    return exit_price / entry - 1.0, not filled


def thesis(
    market: Market,
    *,
    day: pd.Timestamp | None = None,
    symbols: list[str] | None = None,
    params: Mapping[str, Any] | None = None,
) -> Thesis:
    """The squeeze verdict as of ``day`` (default: the last date in the data).

    ``symbols`` as for :func:`alu.watchlist.build.watch` (default AA, CENX and the aluminium
    leg); ``params`` override the signal parameters (``--param``), as in the watchlist.
    """
    resolved, notes = market.resolve_symbols(symbols)
    as_of, moved = as_of_day(market_calendar(market, resolved), day)
    series = build_series(market, resolved, end=as_of, params=params, notes=[*notes, *moved])
    notes = list(series.notes)
    table = series.signals
    daily = daily_verdicts(table)
    if "reference_price" in table:
        daily["reference_price"] = table["reference_price"]
    pos = len(table) - 1
    conditions = tuple(
        _condition_view(table, daily, name, series.params) for name in SQUEEZE_CONDITIONS
    )
    conditions = tuple(
        _record_low(market.lme(), c) if CONDITION_FAMILY[c.name] == INVENTORY else c
        for c in conditions
    )
    verdict = str(daily["verdict"].iloc[pos])

    spans = episode_spans(daily["verdict"])
    numbers = spells(spans)
    episodes = []
    for (first, last), spell in zip(spans, numbers, strict=True):
        start, end = table.index[first], table.index[last]
        running = last == pos
        returns: dict[str, float | None] = {}
        still_open = running
        for symbol in resolved:
            inst = market.instrument(symbol)
            bars = inst.bars.loc[:as_of]
            fill = inst.fill_price.loc[:as_of]
            value, unfilled = episode_returns(bars, fill, start, end, running)
            returns[symbol] = value
            still_open = still_open or unfilled
        episodes.append(Episode(start, end, last - first + 1, returns, still_open, spell))
    independent = len(set(numbers))
    evaluable = daily.index[daily["verdict"] != UNKNOWN]
    since = evaluable[0] if len(evaluable) else None
    notes.extend(_evidence_notes(len(episodes), independent, since))
    fresh = [freshness(s, _last_close(series.instruments[s].close), as_of) for s in resolved]
    for family in (BANDS, SPREAD, INVENTORY):
        if family in series.families:
            column = {BANDS: "reference_date", SPREAD: "spread_date", INVENTORY: "stock_date"}
            fresh.append(freshness(INPUT_NAMES[family], _date(table, column[family]), as_of))
    if verdict == UNKNOWN:
        notes.append(_unknown_note(daily, table, as_of))
    return Thesis(
        as_of=as_of,
        verdict=verdict,
        conditions=conditions,
        episodes=tuple(episodes),
        independent_episodes=independent,
        evaluable_since=since,
        freshness=tuple(fresh),
        daily=daily,
        closes={s: series.instruments[s].close for s in resolved},
        data=data_block(market, series),
        notes=tuple(notes),
    )


def _last_close(close: pd.Series) -> pd.Timestamp | None:
    return close.index[-1] if len(close) else None


def _date(table: pd.DataFrame, column: str) -> pd.Timestamp | None:
    if column not in table or pd.isna(table[column].iloc[-1]):
        return None
    return pd.Timestamp(table[column].iloc[-1])


def _evidence_notes(n: int, independent: int, since: pd.Timestamp | None) -> list[str]:
    if since is None:
        return ["the conditions cannot be evaluated on any day of this data (no fresh LME input)"]
    span = f"since {since:%Y-%m-%d}"
    if independent < TOO_FEW_EPISODES:
        word = "episode" if independent == 1 else "episodes"
        return [
            f"{independent} independent {word} {span} ({n} run(s) of ON days): too few to test; "
            "the returns below are anecdotes, not evidence"
        ]
    if independent < FEW_EPISODES:
        return [
            f"{independent} independent episodes {span} ({n} runs of ON days): few; "
            "read any average over them with caution"
        ]
    return [f"{independent} independent episodes {span} ({n} runs of ON days)"]


def _unknown_note(daily: pd.DataFrame, table: pd.DataFrame, as_of: pd.Timestamp) -> str:
    known = daily.index[daily["verdict"] != UNKNOWN]
    stale = [name for name in SQUEEZE_CONDITIONS if bool(daily[f"stale: {name}"].iloc[-1])]
    text = f"verdict UNKNOWN on {as_of:%Y-%m-%d}: stale input for {'; '.join(stale)}"
    inputs = [
        pd.Timestamp(table[c].iloc[-1])
        for c in ("reference_date", "spread_date")
        if c in table and pd.notna(table[c].iloc[-1])
    ]
    if len(known) and len(inputs):
        last = max(inputs)
        text += (
            f"; the inputs were last dated {last:%Y-%m-%d} (verdict then "
            f"{daily['verdict'].asof(last)}): --date {last:%Y-%m-%d} shows it"
        )
    return text


def _get(table: pd.DataFrame, column: str) -> Any:
    if column not in table:
        return None
    value = table[column].iloc[-1]
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, np.floating | float):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _condition_view(
    table: pd.DataFrame, daily: pd.DataFrame, name: str, params: Mapping[str, Any]
) -> ConditionView:
    family = CONDITION_FAMILY[name]
    state, value, unit, date, detail = _describe(table, family, params)
    states = np.array(_state_series(table, family), dtype=object)
    held = daily[name].to_numpy(dtype=bool)
    since = table.index[runs(held)[-1]]
    state_since = None if state is None else table.index[runs(states)[-1]]
    return ConditionView(
        name=name,
        state=state,
        holds=bool(held[-1]),
        since=since,
        state_since=state_since,
        stale=bool(daily[f"stale: {name}"].iloc[-1]),
        value=value,
        unit=unit,
        date=date,
        detail=detail,
    )


def _state_series(table: pd.DataFrame, family: str) -> list[Any]:
    if family == BANDS:
        return table["band_state"].tolist() if "band_state" in table else [None] * len(table)
    if family == SPREAD:
        if "spread_regime" not in table:
            return [None] * len(table)
        narrowing = table["spread_narrowing"].fillna(False).to_numpy(dtype=bool)
        return [
            None if not isinstance(r, str) else (f"{r}, narrowing" if n else r)
            for r, n in zip(table["spread_regime"], narrowing, strict=True)
        ]
    if family == INVENTORY:
        if "inventory_trend" not in table:
            return [None] * len(table)
        return table["inventory_trend"].tolist()
    return ["in window" if w else "outside" for w in table["in_catalyst_window"].fillna(False)]


def _describe(table: pd.DataFrame, family: str, params: Mapping[str, Any]):
    """(state, value, unit, date, detail) of a family on the table's last day."""
    if family == BANDS:
        state = _get(table, "band_state")
        price, date = _get(table, "reference_price"), _get(table, "reference_date")
        zone, run = _get(table, "zone"), _get(table, "zone_run")
        upper, lower = params["upper"], params["lower"]
        where = {
            "ABOVE_UPPER": f"above {upper:,.0f}",
            "BETWEEN": f"between {lower:,.0f} and {upper:,.0f}",
            "BELOW_LOWER": f"below {lower:,.0f}",
        }
        detail = "no band reference price yet"
        if price is not None:
            closes = "close" if run == 1 else "closes"
            detail = (
                f"reference {num(price)} $/t on {date:%Y-%m-%d}; "
                f"{int(run)} {closes} in a row {where.get(zone, zone)}; "
                f"{'holds' if state in (BULL, NEUTRAL) else 'fails'}: not BEAR needed"
            )
        return state, price, "usd_t", date, detail
    if family == SPREAD:
        regime = _get(table, "spread_regime")
        narrowing = bool(_get(table, "spread_narrowing"))
        state = None if regime is None else (f"{regime}, narrowing" if narrowing else regime)
        value, date = _get(table, "spread_usd_t"), _get(table, "spread_date")
        change = _get(table, "spread_change_usd_t")
        detail = "no LME spread yet"
        if value is not None:
            detail = (
                f"cash - 3-month {num(value)} $/t on {date:%Y-%m-%d}; "
                f"{num(change)} $/t over {params['spread_change_days']} LME days"
            )
        return state, value, "usd_t", date, detail
    if family == INVENTORY:
        state = _get(table, "inventory_trend")
        value, date = _get(table, "stock_t"), _get(table, "stock_date")
        detail = "no LME stock figure usable yet"
        if value is not None:
            change = _get(table, "stock_pct_change_long")
            detail = (
                f"{value:,.0f} t dated {date:%Y-%m-%d} (usable from the next day); "
                f"{_pct(change)} over {params['stock_long_days']} LME days"
            )
        return state, value, "t", date, detail
    in_window = bool(_get(table, "in_catalyst_window"))
    state = "in window" if in_window else "outside"
    days = _get(table, "days_to_next_event")
    name = _get(table, "next_event_name")
    nxt = _get(table, "next_event_date")
    if in_window:
        detail = f"inside the window of: {_get(table, 'window_event')}"
    elif name is None:
        detail = "no known catalyst ahead"
    else:
        detail = f"next: {name} on {nxt:%Y-%m-%d}, in {int(days)} days"
    return state, days, "days", nxt, detail


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:+.1f}%"


def _record_low(lme: pd.DataFrame | None, view: ConditionView) -> ConditionView:
    """The inventory condition with "the lowest of the record" added when its usable figure is
    the minimum of every figure dated up to it."""
    if lme is None or view.value is None or view.date is None:
        return view
    history = lme["lme_stock"].loc[: view.date].dropna()
    if not len(history) or view.value > history.min():
        return view
    detail = f"{view.detail}; the lowest of the record since {history.index[0]:%Y-%m-%d}"
    return replace(view, detail=detail)

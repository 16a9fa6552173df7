"""The watchlist and its alert history as JSON objects and CSV text.

JSON (one object): ``as_of``, ``previous_day``, ``signals`` (``band``, ``spread``,
``inventory``, ``catalysts``; null for a family the data cannot feed), ``instruments``
(``{SYMBOL: {description, close, date, stances: {strategy: {long|both: {stance, held,
order, stale}}}}}``), ``alerts``, ``freshness``, ``data`` and ``notes``. Dates are ``YYYY-MM-DD``,
fractions are fractions, unknown values are null.

CSV of a snapshot, one row per signal and per instrument x strategy x direction, columns
:data:`SNAPSHOT_COLUMNS`:

- ``kind`` ``signal``: ``name`` is ``band``, ``spread``, ``inventory`` or ``catalysts``;
  ``state`` the band state / spread regime / inventory trend / ``in`` or ``out`` of a catalyst
  window, ``previous`` the same on the previous watch day; ``value`` the reference price ($/t),
  the spread ($/t), the usable stock (t) or the days to the next event, ``unit`` says which;
  ``date`` the date of that value (catalysts: the next event's date); ``detail`` the rest.
- ``kind`` ``stance``: ``name`` is the symbol; ``state`` the stance decided at the close
  (``long``/``flat``/``short``), ``previous`` the stance held during the day, ``order`` what that
  change does at the next open (``entry``/``exit``/``reversal``, empty when none); ``value`` the
  last close and ``date`` its date; ``detail`` the instrument.
- ``lag_days`` and ``stale``: the freshness of the row's input (empty for catalysts); a stance
  row is also ``stale`` when a family its strategy uses is UNKNOWN (flat for want of data).

CSV of a history, one row per alert, columns :data:`HISTORY_COLUMNS`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from typing import Any

from alu.output import csv_cell, jsonable, pct
from alu.watchlist.build import History
from alu.watchlist.snapshot import Freshness, Snapshot

SNAPSHOT_COLUMNS = (
    "as_of",
    "kind",
    "name",
    "strategy",
    "direction",
    "state",
    "previous",
    "order",
    "value",
    "unit",
    "date",
    "lag_days",
    "stale",
    "detail",
)
HISTORY_COLUMNS = (
    "date",
    "kind",
    "subject",
    "strategy",
    "direction",
    "previous",
    "current",
    "text",
)


def snapshot_json(snap: Snapshot) -> dict[str, Any]:
    """The snapshot as one JSON-ready object (see the module docstring)."""
    return {
        "as_of": snap.as_of,
        "previous_day": snap.previous_day,
        "signals": {
            "band": _plain(snap.band),
            "spread": _plain(snap.spread),
            "inventory": _plain(snap.inventory),
            "catalysts": _plain(snap.catalysts),
        },
        "instruments": {symbol: _plain(view) for symbol, view in snap.instruments.items()},
        "alerts": [jsonable(vars(a)) for a in snap.alerts],
        "freshness": [_plain(f) for f in snap.freshness],
        "data": snap.data,
        "notes": list(snap.notes),
    }


def history_json(hist: History) -> dict[str, Any]:
    return {
        "start": hist.start,
        "end": hist.end,
        "days": hist.days,
        "alerts": [jsonable(vars(a)) for a in hist.alerts],
        "data": hist.data,
        "notes": list(hist.notes),
    }


def snapshot_csv(snap: Snapshot) -> str:
    """The snapshot as CSV text (see the module docstring for the columns)."""
    fresh = {f.input: f for f in snap.freshness}
    rows = []

    def signal(name, state, previous, value, unit, date, freshness, detail):
        rows.append(
            {
                "kind": "signal",
                "name": name,
                "state": state,
                "previous": previous,
                "value": value,
                "unit": unit,
                "date": date,
                **_fresh(freshness),
                "detail": detail,
            }
        )

    if (b := snap.band) is not None:
        signal(
            "band",
            b.state,
            b.previous_state,
            b.reference_price,
            "usd_t",
            b.date,
            fresh.get("band reference"),
            f"{b.reference_name}; {b.closes_in_zone} closes {b.zone}; "
            f"to {b.upper:g}: {_n(b.to_upper_usd_t)} usd_t ({_pct(b.to_upper_pct)}); "
            f"to {b.lower:g}: {_n(b.to_lower_usd_t)} usd_t ({_pct(b.to_lower_pct)})",
        )
    if (s := snap.spread) is not None:
        signal(
            "spread",
            s.regime,
            s.previous_regime,
            s.value,
            "usd_t",
            s.date,
            fresh.get("LME spread"),
            f"z {_n(s.z)}; change {_n(s.change_usd_t)} usd_t in {s.change_days} LME days; "
            f"narrowing {'yes' if s.narrowing else 'no'}",
        )
    if (i := snap.inventory) is not None:
        signal(
            "inventory",
            i.trend,
            i.previous_trend,
            i.stock,
            "t",
            i.date,
            fresh.get("LME stock"),
            f"percentile {pct(i.percentile, 2)}; change {_n(i.change_short_t, 0)} t in "
            f"{i.short_days} LME days, {_n(i.change_long_t, 0)} t in {i.long_days}; "
            f"z {_n(i.z)}",
        )
    c = snap.catalysts
    nxt = c.next_event
    signal(
        "catalysts",
        "in" if c.in_window else "out",
        None if c.previous_in_window is None else ("in" if c.previous_in_window else "out"),
        c.days_to_next,
        "days",
        None if nxt is None else nxt.date,
        None,
        "; ".join(
            [
                "next: none known" if nxt is None else f"next: {nxt.name} ({nxt.kind})",
                *([f"window of: {c.window_event}"] if c.in_window else []),
                *(f"recent: {e.date:%Y-%m-%d} {e.name} ({e.kind})" for e in c.recent),
            ]
        ),
    )
    for symbol, view in snap.instruments.items():
        for strategy, by_direction in view.stances.items():
            for direction, stance in by_direction.items():
                rows.append(
                    {
                        "kind": "stance",
                        "name": symbol,
                        "strategy": strategy,
                        "direction": direction,
                        "state": stance.stance,
                        "previous": stance.held,
                        "order": stance.order,
                        "value": view.close,
                        "date": view.date,
                        **_fresh(fresh.get(symbol), signal_stale=stance.stale),
                        "detail": view.description,
                    }
                )
    return _csv(SNAPSHOT_COLUMNS, [{"as_of": snap.as_of, **row} for row in rows])


def history_csv(hist: History) -> str:
    return _csv(HISTORY_COLUMNS, [vars(a) for a in hist.alerts])


def _plain(view: Any) -> Any:
    return None if view is None else jsonable(asdict(view))


def _fresh(item: Freshness | None, *, signal_stale: bool = False) -> dict[str, Any]:
    """The row's freshness; a stance row is also stale when a signal it rests on is."""
    if item is None:
        return {"stale": True} if signal_stale else {}
    return {"lag_days": item.lag_days, "stale": item.stale or signal_stale}


def _n(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:+.{digits}f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.2%}"


def _csv(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return csv_cell(value)
    value = jsonable(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(round(value, 6))
    return str(value)

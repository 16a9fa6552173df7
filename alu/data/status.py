"""What the local store holds: one entry per series, for ``alu data status``.

Series: each price symbol (``prices/AA``: its Close), the three LME columns
(``lme/cash_settlement``, ``lme/three_month``, ``lme/lme_stock``; each counted on the rows
where it has a value) and the catalyst calendars (the bundled one, and the store's own
``catalysts.csv`` when there is one). Per series: rows, first and last date, calendar days from
the last date to ``as_of`` (negative for a calendar that runs into the future), its source and
times from ``store.json``, gaps longer than a week (count and the longest few) and missing
values. The data-quality warnings of :mod:`alu.data.quality` come as one list.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from alu.data import journal
from alu.data.quality import gaps, lme_warnings, price_warnings
from alu.data.schemas import read_catalysts
from alu.data.source import bundled_catalysts_path, holds_data
from alu.data.store import LME_SERIES, Store, price_series
from alu.errors import AluError

#: How many of the longest gaps an entry lists.
LONGEST_GAPS = 3
GAP_DAYS = 7
LME_VALUE_COLUMNS = ("cash_settlement", "three_month", "lme_stock")

FILL_HINT = (
    "fill it with `alu data fetch` (AA, CENX and ALI=F daily bars from Yahoo) and "
    "`alu data import lme FILE` (the LME record: a date,cash_settlement,three_month,lme_stock "
    "CSV or the Westmetall LME aluminium page saved as HTML); until then `alu backtest` uses "
    "the bundled synthetic sample"
)


def store_status(store: Store, *, as_of: date) -> dict[str, Any]:
    """The status document of ``store`` (JSON-ready) as of the day ``as_of``."""
    doc: dict[str, Any] = {
        "store": str(store.root),
        "as_of": as_of.isoformat(),
        "empty": not (store.root.is_dir() and holds_data(store.root)),
        "series": [],
        "warnings": [],
    }
    if doc["empty"]:
        doc["hint"] = FILL_HINT
        return doc
    doc["repairs"] = store.repair()
    stray = journal.leftovers(store.root)
    if stray:
        doc["warnings"].append(
            {
                "series": "store",
                "kind": "leftovers",
                "message": f"{len(stray)} temporary files of an interrupted write "
                "(the next alu data import or fetch removes them)",
                "count": len(stray),
                "dates": [],
            }
        )
    meta = _meta_or_error(store, doc)
    day = pd.Timestamp(as_of)
    for symbol in store.price_symbols():
        key = price_series(symbol)
        try:
            parsed = store.read_prices(symbol)
        except AluError as exc:
            doc["series"].append(_unreadable(key, f"prices/{symbol}.csv", exc))
            continue
        assert parsed is not None
        frame = parsed.frame
        entry = _entry(key, f"prices/{symbol}.csv", frame["Close"], day, meta.get(key, {}))
        entry["missing"] = _missing(frame)
        doc["series"].append(entry)
        doc["warnings"].extend(w.to_json() for w in price_warnings(frame, series=key))
    if store.lme_path.is_file():
        try:
            parsed = store.read_lme()
        except AluError as exc:
            doc["series"].append(_unreadable(LME_SERIES, "lme.csv", exc))
        else:
            assert parsed is not None
            for column in LME_VALUE_COLUMNS:
                name = f"{LME_SERIES}/{column}"
                values = parsed.frame[column]
                entry = _entry(name, "lme.csv", values, day, meta.get(LME_SERIES, {}))
                entry["missing"] = {column: int(values.isna().sum())}
                doc["series"].append(entry)
            doc["warnings"].extend(w.to_json() for w in lme_warnings(parsed.frame))
    doc["series"].extend(_catalysts(store, day, meta))
    return doc


def _entry(
    name: str, file: str, values: pd.Series, day: pd.Timestamp, meta: dict[str, Any]
) -> dict[str, Any]:
    held = values.dropna()
    index = pd.DatetimeIndex(held.index)
    found = gaps(index, longer_than_days=GAP_DAYS)
    longest = sorted(found, key=lambda g: (-g.days, g.after))[:LONGEST_GAPS]
    return {
        "name": name,
        "file": file,
        "rows": len(held),
        "first": f"{index[0]:%Y-%m-%d}" if len(index) else None,
        "last": f"{index[-1]:%Y-%m-%d}" if len(index) else None,
        "days_since_last": int((day - index[-1]).days) if len(index) else None,
        "source": meta.get("source", "unknown (not in store.json: placed by hand?)"),
        "fetched_at": meta.get("fetched_at"),
        "imported_at": meta.get("imported_at"),
        "updated_at": meta.get("updated_at"),
        "adjustment": meta.get("adjustment"),
        "gaps": {
            "longer_than_days": GAP_DAYS,
            "count": len(found),
            "longest": [g.to_json() for g in longest],
        },
        "error": None,
    }


def _catalysts(store: Store, day: pd.Timestamp, meta: dict[str, dict[str, Any]]) -> list[dict]:
    files = [("catalysts (bundled)", bundled_catalysts_path(), {"source": "bundled calendar"})]
    if store.catalysts_path.is_file():
        files.append(("catalysts", store.catalysts_path, meta.get("catalysts", {})))
    out = []
    for name, path, info in files:
        try:
            frame = read_catalysts(path).frame
        except AluError as exc:
            out.append(_unreadable(name, str(path), exc))
            continue
        index = pd.DatetimeIndex(frame.index)
        upcoming = index[index >= day]
        out.append(
            {
                "name": name,
                "file": str(path) if name.endswith("(bundled)") else "catalysts.csv",
                "rows": len(frame),
                "first": f"{index[0]:%Y-%m-%d}",
                "last": f"{index[-1]:%Y-%m-%d}",
                "days_since_last": int((day - index[-1]).days),
                "next_event": f"{upcoming[0]:%Y-%m-%d}" if len(upcoming) else None,
                "source": info.get("source", "placed by hand (not in store.json)"),
                "gaps": None,
                "error": None,
            }
        )
    return out


def _missing(frame: pd.DataFrame) -> dict[str, int]:
    return {c: int(n) for c, n in frame.isna().sum().items() if n and c != "Volume"}


def _unreadable(name: str, file: str, exc: AluError) -> dict[str, Any]:
    return {"name": name, "file": file, "rows": None, "error": str(exc)}


def _meta_or_error(store: Store, doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    try:
        return store.meta()["series"]
    except AluError as exc:
        doc["series"].append(_unreadable("store.json", "store.json", exc))
        return {}

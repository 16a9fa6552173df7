"""The API's keyword values parsed and checked, once for every caller (Python and the CLI).

Each refusal names the keyword (``start: unparseable date ...``); the command line shows the
option of the same name instead (:class:`alu.errors.AluError`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from alu.errors import UNSET, AluError

if TYPE_CHECKING:
    from alu.data.market import Market

Day = str | date | pd.Timestamp | None

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: The execution-model keywords: ``sizing`` (it sets ``fraction`` and ``vol_target``) and those
#: named like the parameter they set.
MODEL_OPTIONS = (
    "sizing",
    "max_leverage",
    "vol_window",
    "rebalance_days",
    "stop_loss",
    "trailing_stop",
    "maintenance_margin",
    "max_stale_days",
)
MODEL_KEYWORDS = (
    "max_leverage",
    "vol_window",
    "rebalance_days",
    "stop_loss",
    "trailing_stop",
    "maintenance_margin",
    "max_stale_days",
)


def day(value: Day, name: str) -> pd.Timestamp | None:
    """A day given as ``YYYY-MM-DD`` text, a date or a Timestamp (None passes through)."""
    if value is None:
        return None
    if isinstance(value, pd.Timestamp | date):
        return pd.Timestamp(value).normalize()
    text = str(value).strip()
    if not _DATE.match(text):
        raise AluError(
            f"{{{name}}}: unparseable date '{text}' (expected YYYY-MM-DD)", params={name: UNSET}
        )
    try:
        return pd.Timestamp(text)
    except ValueError:
        raise AluError(
            f"{{{name}}}: unparseable date '{text}' (no such day)", params={name: UNSET}
        ) from None


def window(start: Day, end: Day) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """``start``/``end`` as Timestamps, refusing a start after the end."""
    first, last = day(start, "start"), day(end, "end")
    if first is not None and last is not None and first > last:
        raise AluError("{start} is after {end}", params={"start": first, "end": last})
    return first, last


def symbols(value: str | Iterable[str] | None) -> list[str] | None:
    """``"AA,CENX,ALI=F"`` or a list, upper-cased, blanks dropped; None for the default."""
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else list(value)
    out = [str(s).strip().upper() for s in items if str(s).strip()]
    if not out:
        raise AluError("{symbols}: no symbols given", params={"symbols": UNSET})
    return out


def fraction(value: float, name: str, *, maximum: float = 0.5) -> float:
    """A cost fraction in ``[0, maximum]``."""
    if not 0 <= value <= maximum:
        raise AluError(
            f"{{{name}}} must be a fraction between 0 and {maximum}, got {value}",
            params={name: UNSET},
        )
    return float(value)


def assignments(params: Mapping[str, Any] | Iterable[str] | None) -> dict[str, Any]:
    """Parameter overrides: a mapping, or ``["key=value", ...]`` as the CLI gives them."""
    if params is None:
        return {}
    if isinstance(params, Mapping):
        return dict(params)
    out: dict[str, Any] = {}
    for item in params:
        key, sep, value = str(item).partition("=")
        if not sep or not key.strip() or not value.strip():
            raise AluError(f"{{params}} expects key=value, got '{item}'", params={"params": UNSET})
        out[key.strip()] = value.strip()
    return out


def model_keywords(values: Mapping[str, Any]) -> dict[str, Any]:
    """The execution-model keywords among ``values`` (a function's arguments)."""
    return {name: values[name] for name in MODEL_OPTIONS}


def model_overrides(sizing: str | None = None, **values: Any) -> dict[str, Any]:
    """The execution-model keywords (``sizing``, ``stop_loss``, ...) as parameter values, each
    checked against its parameter's bounds and named by its keyword when refused."""
    from alu.strategies.execution import EXECUTION_PARAMS, STALE_PARAM, parse_sizing

    declared = {p.name: p for p in (*EXECUTION_PARAMS, STALE_PARAM)}
    out: dict[str, Any] = {}
    if sizing is not None:
        out.update(parse_sizing(sizing))
    for name in MODEL_KEYWORDS:
        value = values.get(name)
        if value is not None:
            try:
                out[name] = declared[name].coerce(value)
            except AluError as exc:
                raise AluError(
                    f"{exc.template} ({{{name}}})", params={**exc.params, name: UNSET}
                ) from None
    return out


def overrides(params: Any, model: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` and the execution-model keywords in one dict; a parameter set both ways is
    refused."""
    given = assignments(params)
    both = sorted(set(given) & set(model))
    if both:
        raise AluError(
            f"parameter {both[0]} is set by {{params}} and by its own keyword; give it once",
            params={"params": UNSET},
        )
    return {**given, **model}


def split(value: str | float | date | None) -> pd.Timestamp | float | None:
    """``split``: a date, or a fraction of the period in (0, 1)."""
    if value is None:
        return None
    if isinstance(value, float | int) and not isinstance(value, bool):
        number = float(value)
    else:
        text = str(value).strip()
        if isinstance(value, date) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return day(value if isinstance(value, date) else text, "split")
        try:
            number = float(text)
        except ValueError:
            raise AluError(
                f"{{split}}: expected a date YYYY-MM-DD or a fraction, got '{text}'",
                params={"split": UNSET},
            ) from None
    if not 0 < number < 1:
        raise AluError(
            f"{{split}}: a fraction must be between 0 and 1, got {value}", params={"split": UNSET}
        )
    return number


def open_market(
    data_dir: str | Path | None,
    *,
    end: pd.Timestamp | None = None,
    keep_suspect: bool = False,
) -> Market:
    """The market of ``data_dir`` (or the local store, or the bundled sample), cut at ``end``."""
    from alu.data.market import Market
    from alu.data.source import resolve_source

    folder = None if data_dir is None else Path(data_dir).expanduser()
    return Market(resolve_source(folder), end=end, keep_suspect=keep_suspect)

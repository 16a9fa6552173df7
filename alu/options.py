"""Parsing and checking of command-line values shared by the commands (dates, symbols, costs)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from alu.errors import AluError

if TYPE_CHECKING:
    from alu.data.market import Market

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_day(text: str | None, option: str) -> pd.Timestamp | None:
    """``YYYY-MM-DD`` as a Timestamp (None passes through)."""
    if text is None:
        return None
    text = text.strip()
    if not _DATE.match(text):
        raise AluError(f"{option}: unparseable date '{text}' (expected YYYY-MM-DD)")
    try:
        return pd.Timestamp(text)
    except ValueError:
        raise AluError(f"{option}: unparseable date '{text}' (no such day)") from None


def parse_window(
    start: str | None, end: str | None
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """``--start``/``--end`` as Timestamps, refusing a start after the end."""
    first, last = parse_day(start, "--start"), parse_day(end, "--end")
    if first is not None and last is not None and first > last:
        raise AluError(f"--start {first:%Y-%m-%d} is after --end {last:%Y-%m-%d}")
    return first, last


def parse_symbols(text: str | None) -> list[str] | None:
    """``AA,CENX,ALI=F`` as a list (upper-cased, blanks dropped); None for the default."""
    if text is None:
        return None
    symbols = [s.strip().upper() for s in text.split(",") if s.strip()]
    if not symbols:
        raise AluError("--symbols: no symbols given")
    return symbols


def check_fraction(value: float, option: str, *, maximum: float = 0.5) -> float:
    """A cost fraction in ``[0, maximum]``."""
    if not 0 <= value <= maximum:
        raise AluError(f"{option} must be a fraction between 0 and {maximum}, got {value}")
    return value


@dataclass(frozen=True)
class Trading:
    """The trading options ``backtest`` and ``compare`` share, checked."""

    start: pd.Timestamp | None
    end: pd.Timestamp | None
    fees: float
    slippage: float


def parse_trading(*, start: str | None, end: str | None, fees: float, slippage: float) -> Trading:
    """``--start/--end/--fees/--slippage`` checked (dates parse, start <= end, fractions)."""
    first, last = parse_window(start, end)
    return Trading(
        first, last, check_fraction(fees, "--fees"), check_fraction(slippage, "--slippage")
    )


@dataclass(frozen=True)
class ModelOptions:
    """The execution-model flags (``--sizing``, ``--stop-loss``, ...), as given (None: unset)."""

    sizing: str | None = None
    max_leverage: float | None = None
    vol_window: int | None = None
    rebalance_days: int | None = None
    stop_loss: float | None = None
    trailing_stop: float | None = None
    maintenance_margin: float | None = None
    max_stale_days: int | None = None

    def overrides(self) -> dict[str, float | int]:
        """The flags as parameter values (``--stop-loss 0.1`` -> ``stop_loss=0.1``), each
        checked against its parameter's bounds and named by its flag when refused."""
        from alu.strategies.execution import EXECUTION_PARAMS, STALE_PARAM, parse_sizing

        declared = {p.name: p for p in (*EXECUTION_PARAMS, STALE_PARAM)}
        out: dict[str, float | int] = {}
        if self.sizing is not None:
            out.update(parse_sizing(self.sizing))
        for name in (
            "max_leverage",
            "vol_window",
            "rebalance_days",
            "stop_loss",
            "trailing_stop",
            "maintenance_margin",
            "max_stale_days",
        ):
            value = getattr(self, name)
            if value is not None:
                flag = "--" + name.replace("_", "-")
                out[name] = declared[name].coerce(value, origin=flag)
        return out


def merge_overrides(model: ModelOptions | None, param: list[str] | None) -> dict[str, object]:
    """``--param`` assignments and the execution-model flags in one dict; a parameter set both
    ways is refused."""
    from alu.strategies.params import parse_assignments

    assigned: dict[str, object] = dict(parse_assignments(param))
    flags = model.overrides() if model is not None else {}
    both = sorted(set(assigned) & set(flags))
    if both:
        raise AluError(f"parameter {both[0]} is set by --param and by its own option; give it once")
    return {**assigned, **flags}


def open_universe(
    data_dir: Path | None,
    symbols: str | None,
    *,
    end: pd.Timestamp | None,
    keep_suspect: bool = False,
) -> tuple[Market, list[str], list[str]]:
    """The market of ``--data-dir`` (or the store, or the sample) cut at ``end``, the symbols
    to trade and notes about substitutions (``ALI=F`` -> ``LME3M``). ``keep_suspect`` keeps the
    LME rows the quality checks call suspect in the signals and the rolled leg."""
    from alu.data.market import Market
    from alu.data.source import resolve_source

    market = Market(resolve_source(data_dir), end=end, keep_suspect=keep_suspect)
    resolved, notes = market.resolve_symbols(parse_symbols(symbols))
    return market, resolved, notes

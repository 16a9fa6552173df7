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


def open_universe(
    data_dir: Path | None, symbols: str | None, *, end: pd.Timestamp | None
) -> tuple[Market, list[str], list[str]]:
    """The market of ``--data-dir`` (or the store, or the sample) cut at ``end``, the symbols
    to trade and notes about substitutions (``ALI=F`` -> ``LME3M``)."""
    from alu.data.market import Market
    from alu.data.source import resolve_source

    market = Market(resolve_source(data_dir), end=end)
    resolved, notes = market.resolve_symbols(parse_symbols(symbols))
    return market, resolved, notes

"""The market as the tool sees it: instruments, the LME record and the catalyst calendar.

Files are read lazily (only what a command needs) and validated by :mod:`alu.data.schemas`.
Prices are used split- and dividend-adjusted when a price file has ``Adj Close``: Open, High,
Low and Close are scaled by ``Adj Close / Close`` so returns include dividends.

The aluminium leg: ``ALI=F`` (COMEX aluminium futures, $/t: Yahoo's continuous front month, not
roll-adjusted, so its returns include roll jumps) when the data has ``prices/ALI=F.csv``;
otherwise, when it has ``lme.csv``, ``LME3M``: a long position in the LME 3-month forward rolled
daily at constant maturity (:mod:`alu.data.roll`), whose returns include the roll yield. It has no
Open, so it fills at the close of the fill day. The band reference stays the raw 3-month price.

Suspect LME rows (:func:`alu.data.quality.suspect_lme_days`: a spread outside -250..+400 $/t, a
3-month price more than 10 % from cash, weekend rows) are left out of the signals and the rolled
leg unless ``keep_suspect``; :meth:`Market.excluded_lme_days` lists them for the output.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from alu.data.quality import suspect_lme_days
from alu.data.roll import rolled_index
from alu.data.schemas import read_catalysts, read_lme, read_prices
from alu.data.source import DataSource, bundled_catalysts_path
from alu.errors import AluError, did_you_mean
from alu.files import check_regular_file
from alu.strategies.inputs import SignalInputs
from alu.strategies.universe import Leg, Universe

ALUMINIUM_FUTURES = "ALI=F"
LME_LEG = "LME3M"
DEFAULT_SYMBOLS = ("AA", "CENX", ALUMINIUM_FUTURES)

DESCRIPTIONS = {
    "AA": "Alcoa, US$/share",
    "CENX": "Century Aluminum, US$/share",
    ALUMINIUM_FUTURES: "COMEX aluminium futures, US$/t (Yahoo's continuous front month, not "
    "roll-adjusted: its returns include roll jumps)",
    LME_LEG: "LME aluminium 3-month forward rolled daily at constant maturity (index, US$/t "
    "basis): its returns include the roll yield",
}


@dataclass(frozen=True)
class Instrument:
    """A tradable series: daily bars on its own trading calendar.

    ``bars`` is indexed by trading day (only days with a close) with columns ``open``, ``high``,
    ``low``, ``close`` (adjusted, see module docstring) and ``volume``; ``open`` may be missing,
    in which case fills use that day's close.
    """

    symbol: str
    bars: pd.DataFrame
    description: str
    file: Path

    @property
    def fill_price(self) -> pd.Series:
        """The price a next-open fill gets before slippage: Open, or Close where Open is missing."""
        return self.bars["open"].fillna(self.bars["close"])


@dataclass
class Market:
    """Lazy access to one data source, optionally cut at ``end`` (rows after it are never read)."""

    source: DataSource
    end: pd.Timestamp | None = None
    keep_suspect: bool = False
    warnings: list[str] = field(default_factory=list)
    _cache: dict[str, object] = field(default_factory=dict, repr=False)

    # -- files -------------------------------------------------------------------------------

    @property
    def lme_path(self) -> Path:
        return self.source.path / "lme.csv"

    def price_path(self, symbol: str) -> Path:
        return self.source.path / "prices" / f"{symbol}.csv"

    def has_lme(self) -> bool:
        """True when the data has ``lme.csv``; refuses one that is not a regular file."""
        return check_regular_file(self.lme_path, what="LME")

    def price_symbols(self) -> list[str]:
        """Symbols with a price file, sorted."""
        folder = self.source.path / "prices"
        return sorted(p.stem for p in folder.glob("*.csv")) if folder.is_dir() else []

    def available_symbols(self) -> list[str]:
        """Every symbol a backtest can use here (``LME3M`` when there is an ``lme.csv``)."""
        names = self.price_symbols()
        return [*names, LME_LEG] if self.has_lme() else names

    def _cut(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame if self.end is None else frame.loc[: self.end]

    def lme(self) -> pd.DataFrame | None:
        """The LME record (``cash_settlement``, ``three_month`` $/t; ``lme_stock`` t), or None."""
        if "lme" not in self._cache:
            frame = None
            if self.has_lme():
                parsed = read_lme(self.lme_path)
                self.warnings.extend(parsed.warnings)
                frame = self._cut(parsed.frame)
            self._cache["lme"] = frame
        return self._cache["lme"]  # type: ignore[return-value]

    def excluded_lme_days(self) -> pd.DatetimeIndex:
        """The suspect LME rows left out of the signals and the rolled leg (none when
        ``keep_suspect`` or without an LME record)."""
        lme = self.lme()
        if lme is None or self.keep_suspect:
            return pd.DatetimeIndex([])
        return suspect_lme_days(lme)

    def trusted_lme(self) -> pd.DataFrame | None:
        """The LME record the signals and the rolled leg use: :meth:`lme` without the suspect
        rows (unless ``keep_suspect``)."""
        if "trusted_lme" not in self._cache:
            lme = self.lme()
            excluded = self.excluded_lme_days()
            self._cache["trusted_lme"] = (
                lme if lme is None or not len(excluded) else lme.drop(index=excluded)
            )
        return self._cache["trusted_lme"]  # type: ignore[return-value]

    def catalysts(self) -> pd.DataFrame:
        """The bundled catalyst calendar, extended by the data dir's own ``catalysts.csv``."""
        if "catalysts" not in self._cache:
            parsed = read_catalysts(bundled_catalysts_path())
            frames = [parsed.frame]
            own = self.source.path / "catalysts.csv"
            if check_regular_file(own, what="catalyst calendar"):
                user = read_catalysts(own)
                self.warnings.extend(user.warnings)
                frames.append(user.frame)
            merged = pd.concat(frames)
            keyed = merged.set_index("name", append=True)
            merged = merged.loc[~keyed.index.duplicated(keep="last")].sort_index(kind="stable")
            self._cache["catalysts"] = merged
        return self._cache["catalysts"]  # type: ignore[return-value]

    # -- instruments -------------------------------------------------------------------------

    def resolve_symbols(self, requested: list[str] | None) -> tuple[list[str], list[str]]:
        """The symbols to trade and notes about substitutions.

        ``ALI=F`` becomes ``LME3M`` when there is no ``prices/ALI=F.csv`` but there is an
        ``lme.csv``. Unknown symbols are refused with the list of available ones.
        """
        wanted = list(requested) if requested else list(DEFAULT_SYMBOLS)
        have = set(self.price_symbols())
        out: list[str] = []
        notes: list[str] = []
        for symbol in wanted:
            if symbol == ALUMINIUM_FUTURES and symbol not in have and self.has_lme():
                notes.append(
                    f"no prices/{ALUMINIUM_FUTURES}.csv in this data: the aluminium leg is the "
                    f"LME 3-month price, shown as {LME_LEG}"
                )
                symbol = LME_LEG
            elif symbol not in have and not (symbol == LME_LEG and self.has_lme()):
                available = self.available_symbols()
                raise AluError(
                    f"unknown symbol '{symbol}': no prices/{symbol}.csv in the "
                    f"{self.source.label}{did_you_mean(symbol, available)}; "
                    f"available: {', '.join(available) or 'none'}"
                )
            if symbol not in out:
                out.append(symbol)
        return out, notes

    def instrument(self, symbol: str) -> Instrument:
        """The bars of ``symbol`` (``LME3M``: the LME 3-month price, no Open)."""
        key = f"bars:{symbol}"
        if key not in self._cache:
            self._cache[key] = self._load_instrument(symbol)
        return self._cache[key]  # type: ignore[return-value]

    def _load_instrument(self, symbol: str) -> Instrument:
        if symbol == LME_LEG:
            lme = self.trusted_lme()
            if lme is None:
                raise AluError(f"{LME_LEG} needs lme.csv, which the {self.source.label} lacks")
            close = rolled_index(lme["cash_settlement"], lme["three_month"])
            if close.empty:
                raise AluError(f"{self.lme_path} has no day with both a cash and a 3-month price")
            bars = pd.DataFrame(
                {"open": np.nan, "high": np.nan, "low": np.nan, "close": close, "volume": np.nan},
                index=close.index,
            )
            return Instrument(symbol, bars, DESCRIPTIONS[LME_LEG], self.lme_path)
        parsed = read_prices(self.price_path(symbol))
        self.warnings.extend(parsed.warnings)
        bars = adjusted_bars(self._cut(parsed.frame))
        if bars.empty:
            raise AluError(f"no prices with a Close in {self.price_path(symbol)}")
        description = DESCRIPTIONS.get(symbol, f"{symbol}, from prices/{symbol}.csv")
        return Instrument(symbol, bars, description, self.price_path(symbol))

    # -- what a backtest reads ------------------------------------------------------------------

    def universe(self, symbols: list[str] | None = None, *, signals: bool = True) -> Universe:
        """The plain data a backtest or a sweep of ``symbols`` reads (see :class:`Universe`;
        default: every available symbol, each read when first used); ``signals=False`` leaves
        out the signal inputs (a strategy without signal families)."""
        symbols = self.available_symbols() if symbols is None else list(symbols)
        legs = {}
        for symbol in symbols:
            if symbol == ALUMINIUM_FUTURES:
                legs[symbol] = Leg(
                    "front-month futures",
                    f"{ALUMINIUM_FUTURES} is Yahoo's continuous front-month series, not "
                    "roll-adjusted: its returns include roll jumps",
                )
            elif symbol == LME_LEG:
                legs[symbol] = Leg(
                    "rolled LME 3-month forward (constant maturity)",
                    f"{LME_LEG} is the LME 3-month forward rolled daily at constant maturity: "
                    "its returns include the roll yield",
                    self.trusted_lme()["three_month"].dropna(),  # type: ignore[index]
                )
        return Universe(
            bars=LazyBars(self, symbols),
            inputs=self.signal_inputs() if signals else None,
            legs=legs,
            excluded_lme_days=self.excluded_lme_days(),
        )

    def describe(self, symbols: list[str], *, signals: bool = True) -> dict[str, object]:
        """The ``data`` block of outputs: where every series came from and what it covers."""
        source = self.source
        out: dict[str, object] = {
            "source": source.label,
            "kind": source.kind,
            "path": str(source.path),
            "synthetic": source.synthetic,
            "symbols": {
                symbol: {
                    "description": inst.description,
                    "file": str(inst.file),
                    "first": f"{inst.bars.index[0]:%Y-%m-%d}",
                    "last": f"{inst.bars.index[-1]:%Y-%m-%d}",
                }
                for symbol, inst in ((s, self.instrument(s)) for s in symbols)
            },
        }
        lme = self.lme()
        if signals:
            out["band_reference"] = self.signal_inputs().reference_name
            if lme is not None:
                out["lme"] = {
                    "file": str(self.lme_path),
                    "first": f"{lme.index[0]:%Y-%m-%d}",
                    "last": f"{lme.index[-1]:%Y-%m-%d}",
                }
            out["catalysts"] = len(self.catalysts())
        if lme is not None:
            out["suspect_lme_rows_left_out"] = [f"{d:%Y-%m-%d}" for d in self.excluded_lme_days()]
        out["warnings"] = list(dict.fromkeys(self.warnings))
        return out

    # -- signal inputs -----------------------------------------------------------------------

    def signal_inputs(self) -> SignalInputs:
        """The inputs of the four signal families (see :class:`SignalInputs`), built once."""
        if "inputs" not in self._cache:
            self._cache["inputs"] = self._signal_inputs()
        return self._cache["inputs"]  # type: ignore[return-value]

    def _signal_inputs(self) -> SignalInputs:
        lme = self.trusted_lme()
        reference, name = None, "none"
        if lme is not None and lme["three_month"].notna().any():
            reference, name = lme["three_month"].dropna(), "LME 3-month ($/t)"
        elif ALUMINIUM_FUTURES in self.price_symbols():
            reference = self.instrument(ALUMINIUM_FUTURES).bars["close"]
            name = f"{ALUMINIUM_FUTURES} close ($/t)"
        if reference is not None:
            reference = reference.rename("reference_price")
        return SignalInputs(reference, name, lme, self.catalysts())


class LazyBars(Mapping[str, pd.DataFrame]):
    """The bars of ``symbols``, each read from its file when first used."""

    def __init__(self, market: Market, symbols: list[str]) -> None:
        self._market = market
        self._symbols = list(symbols)

    def __getitem__(self, symbol: str) -> pd.DataFrame:
        if symbol not in self._symbols:
            raise KeyError(symbol)
        return self._market.instrument(symbol).bars

    def __iter__(self) -> Iterator[str]:
        return iter(self._symbols)

    def __len__(self) -> int:
        return len(self._symbols)


def adjusted_bars(frame: pd.DataFrame) -> pd.DataFrame:
    """Yahoo-format columns to adjusted ``open/high/low/close/volume`` on days with a close.

    With ``Adj Close``, each price is multiplied by ``Adj Close / Close`` of its day (carried
    forward over days where ``Adj Close`` is missing; 1 before the first).
    """
    close = frame["Close"]
    factor = pd.Series(1.0, index=frame.index)
    if "Adj Close" in frame and frame["Adj Close"].notna().any():
        factor = (frame["Adj Close"] / close).ffill().fillna(1.0)
    bars = pd.DataFrame(
        {
            "open": frame["Open"] * factor,
            "high": frame["High"] * factor,
            "low": frame["Low"] * factor,
            "close": close * factor,
            "volume": frame.get("Volume", np.nan),
        },
        index=frame.index,
    )
    return bars.loc[bars["close"].notna()]

"""``alu research``: does each signal predict returns? Forward returns by state, rank ICs.

Forward return over ``h`` trading days of a signal known at the close of day ``t``: from the
fill price of day ``t + 1`` (the engine's fill: the next open, or the next close of a leg without
an open) to the close of day ``t + h``, on the instrument's own trading days::

    r_h(t) = close[t + h] / fill[t + 1] - 1

The signals are the backtest's: the family frames on their own calendars joined as-of to the
instrument's days (:func:`alu.strategies.base.signal_table`: LME stocks from the day after their
date), so nothing dated after ``t`` reaches ``r_h(t)``'s signal. Days on which a family's input
is stale (the watchlist's rule: more than 5 weekdays old) have no state for it. For a leg
without an open (``LME3M``) the 1-day forward return is ``close[t+1] / close[t+1] - 1 = 0``: such a
leg cannot be traded before that close, and its statistics say so (t undefined).

By state, for every signal state x instrument x horizon: ``n`` days with the state and a forward
return; ``n_independent``, the days left when each kept day must be at least ``h`` days after the
previous kept one (non-overlapping windows); ``mean``; ``excess_mean`` over the unconditional
mean (all days on which the signal has a state, in the window); ``hit_rate`` (share of positive
returns); ``t_hac``, the Newey-West t-statistic of the mean with ``h - 1`` lags over the state's
days in time order (:func:`alu.research.hac.hac_mean`), and its 95 % interval ``ci_low`` /
``ci_high`` (mean +- 1.96 standard errors); ``few`` flags fewer than :data:`FEW_INDEPENDENT` (30)
independent observations, too few for the asymptotic t-statistic to be trusted.

Rank IC, for every continuous signal x instrument x horizon: Spearman's correlation of the signal
with the forward return and its Newey-West t-statistic (:func:`alu.research.hac.rank_ic`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from alu.data.market import Market
from alu.output import jsonable
from alu.research.freshness import stale_mask
from alu.research.hac import hac_mean, rank_ic
from alu.research.source import data_block
from alu.research.thesis import MIXED, OFF, ON, daily_verdicts
from alu.signals.states import (
    BACKWARDATION,
    BEAR,
    BUILDING,
    BULL,
    CONTANGO,
    FALLING,
    FLAT,
    NEUTRAL,
)
from alu.strategies.base import (
    BANDS,
    CATALYSTS,
    INVENTORY,
    SPREAD,
    FamilyFrames,
    family_frames,
    missing_inputs,
    signal_table,
)
from alu.strategies.inputs import SignalInputs
from alu.watchlist.series import ALL_FAMILIES, watch_params

DEFAULT_HORIZONS = (1, 5, 20, 60)
NARROWING, NOT_NARROWING = "NARROWING", "NOT_NARROWING"
SQUEEZE = "squeeze"
# signal -> (family, its states in display order)
STATE_SIGNALS: dict[str, tuple[str, tuple[str, ...]]] = {
    "band_state": (BANDS, (BULL, NEUTRAL, BEAR)),
    "spread_regime": (SPREAD, (BACKWARDATION, FLAT, CONTANGO)),
    "spread_narrowing": (SPREAD, (NARROWING, NOT_NARROWING)),
    "inventory_trend": (INVENTORY, (FALLING, FLAT, BUILDING)),
    SQUEEZE: (CATALYSTS, (ON, MIXED, OFF)),
}
# continuous signal -> (family, unit)
IC_SIGNALS: dict[str, tuple[str, str]] = {
    "spread_usd_t": (SPREAD, "$/t"),
    "spread_z": (SPREAD, "z-score"),
    "stock_percentile": (INVENTORY, "fraction"),
    "to_upper_usd_t": (BANDS, "$/t"),
    "to_lower_usd_t": (BANDS, "$/t"),
}
BY_STATE_COLUMNS = (
    "signal",
    "state",
    "symbol",
    "horizon",
    "n",
    "n_independent",
    "mean",
    "excess_mean",
    "hit_rate",
    "t_hac",
    "ci_low",
    "ci_high",
    "few",
)
IC_COLUMNS = ("signal", "symbol", "horizon", "ic", "t_hac", "n", "n_independent", "few")
# Fewer independent observations than this: the Newey-West t-statistic is unreliable (flagged).
FEW_INDEPENDENT = 30
Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Research:
    """Forward returns by state (``by_state``, columns :data:`BY_STATE_COLUMNS`) and rank ICs
    (``ic``, columns :data:`IC_COLUMNS`) over signal days ``start``..``end``."""

    horizons: tuple[int, ...]
    symbols: tuple[str, ...]
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    by_state: pd.DataFrame
    ic: pd.DataFrame
    data: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return jsonable(
            {
                "horizons": list(self.horizons),
                "symbols": list(self.symbols),
                "start": self.start,
                "end": self.end,
                "by_state": self.by_state.to_dict(orient="records"),
                "ic": self.ic.to_dict(orient="records"),
                "data": self.data,
                "notes": list(self.notes),
            }
        )


def forward_returns(fill: pd.Series, close: pd.Series, horizon: int) -> pd.Series:
    """``close[t + h] / fill[t + 1] - 1`` per day ``t`` (NaN where ``t + h`` is past the data)."""
    if horizon < 1:
        raise ValueError(f"a horizon is a whole number of days >= 1, got {horizon}")
    return close.shift(-horizon) / fill.shift(-1) - 1.0


def non_overlapping(positions: np.ndarray, horizon: int) -> int:
    """How many of ``positions`` (sorted day numbers) are kept when each kept one must be at
    least ``horizon`` days after the previous kept one (the first is kept)."""
    count, last = 0, None
    for p in positions.tolist():
        if last is None or p - last >= horizon:
            count, last = count + 1, p
    return count


def signal_states(table: pd.DataFrame, families: tuple[str, ...]) -> dict[str, pd.Series]:
    """Each state signal per day of ``table`` (None where it has no state or a stale input)."""
    out: dict[str, pd.Series] = {}
    index = table.index
    if BANDS in families:
        out["band_state"] = _fresh(table["band_state"], table, BANDS)
    if SPREAD in families:
        regime = _fresh(table["spread_regime"], table, SPREAD)
        narrowing = table["spread_narrowing"].fillna(False).to_numpy(dtype=bool)
        out["spread_regime"] = regime
        out["spread_narrowing"] = pd.Series(
            np.where(regime.notna(), np.where(narrowing, NARROWING, NOT_NARROWING), None),
            index=index,
            dtype=object,
        )
    if INVENTORY in families:
        out["inventory_trend"] = _fresh(table["inventory_trend"], table, INVENTORY)
    if all(f in families for f in ALL_FAMILIES):
        verdict = daily_verdicts(table)["verdict"]
        out[SQUEEZE] = verdict.where(verdict.isin([ON, MIXED, OFF]), None).astype(object)
    return out


def _fresh(values: pd.Series, table: pd.DataFrame, family: str) -> pd.Series:
    stale = stale_mask(table, family)
    kept = values.astype(object).where(~stale & values.notna().to_numpy(), None)
    return kept.astype(object)


def observations(
    market: Market,
    symbol: str,
    frames: FamilyFrames,
    families: tuple[str, ...],
    horizons: Sequence[int],
    *,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Per trading day ``t`` of ``symbol`` (up to ``end``): every state signal
    (:func:`signal_states`), every continuous signal (NaN where its input is stale) and the
    forward return ``fwd_H`` for each horizon ``H``: the rows :func:`research` aggregates."""
    inst = market.instrument(symbol)
    bars = inst.bars if end is None else inst.bars.loc[:end]
    fill = inst.fill_price.loc[bars.index]
    table = signal_table(frames, bars.index)
    out = pd.DataFrame(signal_states(table, families), index=bars.index)
    for name, (family, _) in IC_SIGNALS.items():
        if family in families:
            out[name] = table[name].where(~stale_mask(table, family)).astype(np.float64)
    for h in horizons:
        out[f"fwd_{h}"] = forward_returns(fill, bars["close"], h)
    return out


def research(
    market: Market,
    *,
    horizons: Sequence[int] = DEFAULT_HORIZONS,
    symbols: list[str] | None = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    params: Mapping[str, Any] | None = None,
) -> Research:
    """Forward returns by signal state and rank ICs (see the module docstring).

    ``start``/``end`` bound the signal days; nothing dated after ``end`` is read (forward
    windows that would end after it are dropped). ``params`` override the signal parameters.
    """
    horizons = tuple(sorted({int(h) for h in horizons}))
    if not horizons or horizons[0] < 1:
        raise ValueError("horizons must be whole numbers of days >= 1")
    resolved, notes = market.resolve_symbols(symbols)
    notes = list(notes)
    params = watch_params(params)
    inputs: SignalInputs = market.signal_inputs()
    if end is not None:
        inputs = inputs.truncated(end)
    families = tuple(f for f in ALL_FAMILIES if not missing_inputs(inputs, (f,)))
    lacking = [f for f in ALL_FAMILIES if f not in families]
    if lacking:
        notes.append(
            f"this data lacks the input of {', '.join(lacking)}: those signals are left out"
        )
    frames = family_frames(inputs, families, params)
    state_rows: list[dict[str, Any]] = []
    ic_rows: list[dict[str, Any]] = []
    for symbol in resolved:
        obs = observations(market, symbol, frames, families, horizons, end=end)
        inside = np.ones(len(obs), dtype=bool) if start is None else obs.index >= start
        day = np.arange(len(obs))
        for h in horizons:
            fwd = obs[f"fwd_{h}"].to_numpy(dtype=np.float64)
            usable = inside & np.isfinite(fwd)
            for signal in STATE_SIGNALS:
                if signal in obs:
                    values = obs[signal].to_numpy()
                    state_rows += _state_rows(signal, values, fwd, usable, day, symbol, h)
            for signal in IC_SIGNALS:
                if signal not in obs:
                    continue
                x = obs[signal].to_numpy(dtype=np.float64)
                keep = usable & np.isfinite(x)
                test = rank_ic(x[keep], fwd[keep], h - 1)
                independent = non_overlapping(day[keep], h)
                ic_rows.append(
                    {
                        "signal": signal,
                        "symbol": symbol,
                        "horizon": h,
                        "ic": test.ic,
                        "t_hac": test.t,
                        "n": test.n,
                        "n_independent": independent,
                        "few": independent < FEW_INDEPENDENT,
                    }
                )
    notes.append(
        f"rows with fewer than {FEW_INDEPENDENT} independent (non-overlapping) observations are "
        "flagged few: a Newey-West t-statistic from so little evidence is unreliable"
    )
    if frames.bands is not None:
        notes.append(
            "to_upper_usd_t and to_lower_usd_t are the band reference price less a constant: "
            "they rank the days alike, so their ICs are equal"
        )
    if any(inst == "LME3M" for inst in resolved) and 1 in horizons:
        notes.append(
            "LME3M has no open: it fills at the next close, so its 1-day forward return is 0 "
            "(no statistic)"
        )
    return Research(
        horizons=horizons,
        symbols=tuple(resolved),
        start=start,
        end=end,
        by_state=pd.DataFrame(state_rows, columns=list(BY_STATE_COLUMNS)),
        ic=pd.DataFrame(ic_rows, columns=list(IC_COLUMNS)),
        data=data_block(market, resolved, inputs.reference_name),
        notes=tuple(notes),
    )


def _state_rows(
    signal: str,
    values: np.ndarray,
    fwd: np.ndarray,
    usable: np.ndarray,
    day: np.ndarray,
    symbol: str,
    horizon: int,
) -> list[dict[str, Any]]:
    has_state = usable & pd.notna(values)
    base = float(fwd[has_state].mean()) if has_state.any() else float("nan")
    rows = []
    for state in STATE_SIGNALS[signal][1]:
        keep = has_state & (values == state)
        x = fwd[keep]
        test = hac_mean(x, horizon - 1)
        independent = non_overlapping(day[keep], horizon)
        half = Z_95 * test.se
        rows.append(
            {
                "signal": signal,
                "state": state,
                "symbol": symbol,
                "horizon": horizon,
                "n": int(keep.sum()),
                "n_independent": independent,
                "mean": test.mean,
                "excess_mean": test.mean - base,
                "hit_rate": float((x > 0).mean()) if len(x) else float("nan"),
                "t_hac": test.t,
                "ci_low": test.mean - half,
                "ci_high": test.mean + half,
                "few": independent < FEW_INDEPENDENT,
            }
        )
    return rows

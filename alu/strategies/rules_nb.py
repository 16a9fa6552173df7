"""numba twins of the built-in rules (:mod:`alu.strategies.library`), for sweeps.

A sweep evaluates a built-in strategy's rule for a chunk of variants in one pass per instrument,
day by day and variant by variant, without a days x variants temporary per operation. Each twin
reads, per signal family, the family's columns for the chunk's distinct settings on the family's
own calendar (settings x source days: one row per distinct setting, whatever the number of
variants sharing it), each variant's row among them, and the instrument's as-of rows into that
calendar (one row array per staleness limit, -1 where the family is UNKNOWN: the unknown values
are read there, as a signal table holds them). Like :meth:`alu.strategies.base.Strategy.
stance_array`, the stance is flat on every day on which a dated family the strategy uses is
UNKNOWN.

The rule itself stays written once in :mod:`alu.strategies.library` (numpy, for one setting or
many): a twin is its transcription to a per-day loop, held to it by the tests on every built-in
strategy, both directions, mixed staleness limits and the real files
(tests/strategies/test_rule_twins.py). A user's strategy has no twin: the sweep evaluates its rule
on column arrays (:meth:`alu.strategies.sweep_signals.SweepSignals.stances`).

Kernel arguments, in order: for each family of :attr:`RuleTwin.families`, the values of its
columns (2-D, distinct settings x source days; a catalyst column on the instrument's days), the
(setting, staleness limit) pairs the chunk's variants use (two int64 arrays: the setting's row in
the values, the limit's row in the as-of rows), the as-of rows (2-D int64, limits x instrument
days; for the catalysts the identity) and each variant's pair (int64); then the strategy's own
parameters (float64, one per variant); then ``allow_short``, ``skip`` (the first instrument day
written), ``out`` (int8, variants x days) and ``at`` (the column of ``out`` that day ``skip``
goes to). A twin works out each family's conditions once per pair on the instrument's days, then
combines them per variant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numba import njit

from alu.signals.nb import gather_rows_nb
from alu.signals.states import MISSING_CODE, STATE_CODES
from alu.strategies.base import BANDS, CATALYSTS, INVENTORY, SPREAD
from alu.strategies.library import bands_rule, inventory_rule, spread_rule, squeeze_rule

_MISSING = np.int8(MISSING_CODE)
_BULL = np.int8(STATE_CODES["BULL"])
_NEUTRAL = np.int8(STATE_CODES["NEUTRAL"])
_BEAR = np.int8(STATE_CODES["BEAR"])
_BACKWARDATION = np.int8(STATE_CODES["BACKWARDATION"])
_CONTANGO = np.int8(STATE_CODES["CONTANGO"])
_FALLING = np.int8(STATE_CODES["FALLING"])
_BUILDING = np.int8(STATE_CODES["BUILDING"])

# Bits of a family's conditions on one instrument day, per (setting, staleness limit) pair, and
# of a variant's rule: every constant a uint8, so that numba keeps the bit arithmetic in bytes and
# the compiler vectorises the loops that combine them.
_ONE = np.uint8(1)
_TWO = np.uint8(2)
_THREE = np.uint8(3)
_FOUR = np.uint8(4)
_UNKNOWN = np.uint8(4)


@njit(cache=True, nogil=True)
def _on_days(values, setting, rows, unknown, out):
    """Row ``setting`` of ``values`` (a family's column, settings x source days) at the
    instrument's as-of ``rows`` into ``out`` (1-D), ``unknown`` where there is none:
    :func:`alu.signals.nb.gather_rows_nb` for one setting."""
    which = np.full(1, setting, dtype=np.int64)
    gather_rows_nb(values, which, rows, unknown, out.reshape((1, out.shape[0])))
    return out


@njit(cache=True, nogil=True)
def _first_known(pair_limit, rows, out):
    """``out[p]``: the first instrument day on which pair ``p``'s family is known (the number
    of days when never)."""
    n = rows.shape[1]
    for p in range(pair_limit.shape[0]):
        r = rows[pair_limit[p]]
        t = 0
        while t < n and r[t] < 0:
            t += 1
        out[p] = t
    return out


@njit(cache=True, nogil=True)
def _stance_on_days(source, pair_setting, pair_limit, rows, pair_of, skip, out, at):
    """A rule without memory: each variant's stance on the instrument's days is its setting's
    stance on the family's days (``source``, settings x source days) at its as-of rows, flat
    where there is none (UNKNOWN)."""
    n = rows.shape[1]
    for v in range(pair_of.shape[0]):
        p = pair_of[v]
        found = rows[pair_limit[p], skip:]
        target = out[v, at : at + n - skip]
        _on_days(source, pair_setting[p], found, np.int8(0), target)


@njit(cache=True, nogil=True)
def bands_stance_nb(band, band_setting, band_limit, band_rows, band_of, allow_short, skip, out, at):
    """:func:`alu.strategies.library.bands_rule`: +1 while BULL; -1 while BEAR when shorting."""
    short = np.int8(allow_short)
    stance = np.empty(band.shape, dtype=np.int8)
    for s in range(band.shape[0]):
        codes = band[s]
        row = stance[s]
        for u in range(band.shape[1]):
            b = codes[u]
            row[u] = np.int8(b == _BULL) - (np.int8(b == _BEAR) & short)
    _stance_on_days(stance, band_setting, band_limit, band_rows, band_of, skip, out, at)


@njit(cache=True, nogil=True)
def spread_stance_nb(
    regime,
    narrowing,
    spread_setting,
    spread_limit,
    spread_rows,
    spread_of,
    allow_short,
    skip,
    out,
    at,
):
    """:func:`alu.strategies.library.spread_rule`: +1 in backwardation not narrowing; -1 in
    contango when shorting."""
    short = np.int8(allow_short)
    stance = np.empty(regime.shape, dtype=np.int8)
    for s in range(regime.shape[0]):
        codes = regime[s]
        narrow = narrowing[s]
        row = stance[s]
        for u in range(regime.shape[1]):
            g = codes[u]
            long = np.int8(g == _BACKWARDATION) & (np.int8(narrow[u]) ^ np.int8(1))
            row[u] = long - (np.int8(g == _CONTANGO) & short)
    _stance_on_days(stance, spread_setting, spread_limit, spread_rows, spread_of, skip, out, at)


@njit(cache=True, nogil=True)
def inventory_stance_nb(
    percentile,
    trend,
    stock_setting,
    stock_limit,
    stock_rows,
    stock_of,
    entry_pct,
    exit_pct,
    allow_short,
    skip,
    out,
    at,
):
    """:func:`alu.strategies.library.inventory_rule`: long from low and FALLING until not low
    or BUILDING; the mirror image short."""
    n = stock_rows.shape[1]
    n_pairs = stock_setting.shape[0]
    # per pair: the percentile on the instrument's days (NaN where unknown) and the trend bits
    pct = np.empty((n_pairs, n))
    bits = np.empty((n_pairs, n), dtype=np.uint8)
    first = _first_known(stock_limit, stock_rows, np.empty(n_pairs, dtype=np.int64))
    codes = np.empty(n, dtype=np.int8)
    for p in range(n_pairs):
        rows = stock_rows[stock_limit[p]]
        _on_days(percentile, stock_setting[p], rows, np.nan, pct[p])
        _on_days(trend, stock_setting[p], rows, _MISSING, codes)
        bits_p = bits[p]
        for t in range(n):
            u = rows[t]
            g = codes[t]
            bits_p[t] = np.uint8(g == _FALLING) | np.uint8(g == _BUILDING) << 1 | _UNKNOWN * (u < 0)
    # per variant: the day's events as bits (1 enter long, 2 leave long, 4 enter short, 8 leave
    # short, 16 unknown), then the latches
    events = np.empty(n, dtype=np.uint8)
    for v in range(stock_of.shape[0]):
        p = stock_of[v]
        days = pct[p]
        flags = bits[p]
        entry = entry_pct[v]
        exit = exit_pct[v]
        high_entry = 1 - entry
        high_exit = 1 - exit
        start = min(first[p], n)
        known_days = days[start:]
        known_flags = flags[start:]
        known_events = events[start:]
        for t in range(n - start):  # (loops from 0: numba drops its negative-index checks)
            q = known_days[t]
            f = known_flags[t]
            falling = f & _ONE
            building = (f >> _ONE) & _ONE
            long_events = (
                (np.uint8(q <= entry) & falling)
                | (np.uint8(q > exit) | building) << _ONE
                | (f & _UNKNOWN) << _TWO
            )
            if allow_short:  # (a loop-invariant test: the long-only loop skips two comparisons)
                long_events |= (np.uint8(q >= high_entry) & building) << _TWO | (
                    np.uint8(q < high_exit) | falling
                ) << _THREE
            known_events[t] = long_events
        _latch_write(events, start, n, allow_short, skip, out[v], at)


@njit(cache=True, nogil=True)
def _latch_write(events, start, n, allow_short, skip, out, at):
    """The stance from a variant's event bits on days ``start..n`` (1 enter long, 2 leave
    long, 4 enter short, 8 leave short, 16 unknown; leaving wins a tie): long minus short, flat
    where unknown and before ``start``; days from ``skip`` written from ``out[at]``."""
    target = out[at : at + n - skip]
    for t in range(max(0, min(start, n) - skip)):
        target[t] = 0
    long = np.uint8(0)
    short = np.uint8(0)
    first = max(start, skip)
    before = events[start:first]  # days whose stance is not written: the latches only
    for t in range(before.shape[0]):
        e = before[t]
        long = (long | e) & ((e >> _ONE) ^ _ONE) & _ONE
        short = (short | (e >> _TWO)) & ((e >> _THREE) ^ _ONE) & _ONE
    if not allow_short:
        short = np.uint8(0)
    written = events[first:n]
    target = out[at + first - skip : at + n - skip]
    for t in range(written.shape[0]):
        e = written[t]
        long = (long | e) & ((e >> _ONE) ^ _ONE) & _ONE
        if allow_short:
            short = (short | (e >> _TWO)) & ((e >> _THREE) ^ _ONE) & _ONE
        known = ((e >> _FOUR) ^ _ONE) & _ONE
        target[t] = np.int8(long & known) - np.int8(short & known)


@njit(cache=True, nogil=True)
def squeeze_stance_nb(
    band,
    band_setting,
    band_limit,
    band_rows,
    band_of,
    regime,
    narrowing,
    spread_setting,
    spread_limit,
    spread_rows,
    spread_of,
    trend,
    stock_setting,
    stock_limit,
    stock_rows,
    stock_of,
    window,
    window_setting,
    window_limit,
    window_rows,
    window_of,
    allow_short,
    skip,
    out,
    at,
):
    """:func:`alu.strategies.library.squeeze_rule`: long from the four conditions until one
    breaks; the unwinding short when shorting.

    Each family's conditions are found once per (setting, staleness limit) pair on the
    instrument's days, as bits: bit 1 the long condition holds, bit 2 it breaks the long (the
    short's condition), bit 4 the family is UNKNOWN; then each variant combines its pairs."""
    n = band_rows.shape[1]
    b_bits = np.empty((band_setting.shape[0], n), dtype=np.uint8)
    for p in range(band_setting.shape[0]):
        rows = band_rows[band_limit[p]]
        codes = _on_days(band, band_setting[p], rows, _MISSING, np.empty(n, np.int8))
        row = b_bits[p]
        for t in range(n):
            b = codes[t]
            holds = (b == _BULL) | (b == _NEUTRAL)
            row[t] = np.uint8(holds) | np.uint8(b == _BEAR) << 1 | _UNKNOWN * (rows[t] < 0)
    s_bits = np.empty((spread_setting.shape[0], n), dtype=np.uint8)
    for p in range(spread_setting.shape[0]):
        narrow = narrowing[spread_setting[p]]
        rows = spread_rows[spread_limit[p]]
        codes = _on_days(regime, spread_setting[p], rows, _MISSING, np.empty(n, np.int8))
        row = s_bits[p]
        for t in range(n):
            u = rows[t]
            g = codes[t]
            ok = g == _BACKWARDATION and not narrow[u]
            row[t] = np.uint8(ok) | np.uint8(g == _CONTANGO) << 1 | _UNKNOWN * (u < 0)
    i_bits = np.empty((stock_setting.shape[0], n), dtype=np.uint8)
    for p in range(stock_setting.shape[0]):
        rows = stock_rows[stock_limit[p]]
        codes = _on_days(trend, stock_setting[p], rows, _MISSING, np.empty(n, np.int8))
        row = i_bits[p]
        for t in range(n):
            g = codes[t]
            falling = np.uint8(g == _FALLING)
            row[t] = falling | np.uint8(g == _BUILDING) << 1 | _UNKNOWN * (rows[t] < 0)
    w_bits = np.empty((window_setting.shape[0], n), dtype=np.uint8)
    for p in range(window_setting.shape[0]):
        flags = window[window_setting[p]]
        rows = window_rows[window_limit[p]]
        row = w_bits[p]
        for t in range(n):
            row[t] = np.uint8(flags[rows[t]])
    b_first = _first_known(band_limit, band_rows, np.empty(band_limit.shape[0], np.int64))
    s_first = _first_known(spread_limit, spread_rows, np.empty(spread_limit.shape[0], np.int64))
    i_first = _first_known(stock_limit, stock_rows, np.empty(stock_limit.shape[0], np.int64))
    events = np.empty(n, dtype=np.uint8)
    for v in range(band_of.shape[0]):
        # before every family is known nothing can be entered (and the stance is flat)
        start = min(max(b_first[band_of[v]], s_first[spread_of[v]], i_first[stock_of[v]]), n)
        bb = b_bits[band_of[v], start:]
        sb = s_bits[spread_of[v], start:]
        ib = i_bits[stock_of[v], start:]
        wb = w_bits[window_of[v], start:]
        known_events = events[start:]
        for t in range(n - start):  # (loops from 0: numba drops its negative-index checks)
            b = bb[t]
            s = sb[t]
            i = ib[t]
            w = wb[t]
            # long: every condition holds / one breaks (BEAR, spread not ok, BUILDING, a
            # window); short: BEAR, CONTANGO, BUILDING and no window / not all of them
            enter_short = ((b & s & i) >> _ONE) & (w ^ _ONE) & _ONE
            known_events[t] = (
                (b & s & i & (w ^ _ONE) & _ONE)
                | ((((b | i) >> _ONE) | (s ^ _ONE) | w) & _ONE) << _ONE
                | enter_short << _TWO
                | (enter_short ^ _ONE) << _THREE
                | ((b | s | i) & _UNKNOWN) << _TWO
            )
        _latch_write(events, start, n, allow_short, skip, out[v], at)


@dataclass(frozen=True)
class RuleTwin:
    """A built-in rule's twin: its kernel, the families and columns it reads (in the kernel's
    argument order) and the strategy's own parameters it takes."""

    kernel: Callable[..., None]
    columns: tuple[tuple[str, tuple[str, ...]], ...]
    own: tuple[str, ...] = ()

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(family for family, _ in self.columns)


TWINS: dict[Callable[..., object], RuleTwin] = {
    bands_rule: RuleTwin(bands_stance_nb, ((BANDS, ("band_state",)),)),
    spread_rule: RuleTwin(spread_stance_nb, ((SPREAD, ("spread_regime", "spread_narrowing")),)),
    inventory_rule: RuleTwin(
        inventory_stance_nb,
        ((INVENTORY, ("stock_percentile", "inventory_trend")),),
        ("entry_pct", "exit_pct"),
    ),
    squeeze_rule: RuleTwin(
        squeeze_stance_nb,
        (
            (BANDS, ("band_state",)),
            (SPREAD, ("spread_regime", "spread_narrowing")),
            (INVENTORY, ("inventory_trend",)),
            (CATALYSTS, ("in_catalyst_window",)),
        ),
    ),
}

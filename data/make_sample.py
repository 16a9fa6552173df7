"""Generate the bundled SYNTHETIC sample data set of ``alu`` (``data/sample/``).

Nothing written here is market data. The files imitate the shape of the real inputs (LME
aluminium prices and stocks, Yahoo-format daily bars for AA, CENX and ALI=F) and loosely follow
the broad history of 2008-2026, so that the signals, backtests and tests have something realistic
to run on without a network connection or a data licence.

Design:

- One latent daily process lives on a plain Monday-Friday grid: the LME 3-month price (an
  anchor path through rough historical levels plus mean-reverting noise), LME stocks (a smooth
  path through rough historical levels with delivery and cancellation steps), the cash-3M spread
  (AR(1) noise around a level set by the stock, with squeezes when stock is low), a slowly varying
  COMEX basis, and the two equities (beta to aluminium plus mean-reverting idiosyncratic noise).
- The LME file samples that process on an England & Wales bank-holiday calendar; the price files
  sample it on an NYSE calendar, so both share the same underlying moves but not the same days.

Determinism: only uniform doubles from ``np.random.Generator(np.random.PCG64(seed)).random`` are
drawn (their bit stream is stable across numpy versions); normals come from Box-Muller, all
arithmetic is done on Python floats with the ``math`` module, dates are fixed (the series end on
2026-11-20) and numbers are written with fixed formats. Two runs give byte-identical files.

Usage::

    python data/make_sample.py [--out DIR]     # default: data/sample next to this script
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import numpy as np

SEED = 20261120
FIRST_DAY = date(2008, 1, 2)
LAST_DAY = date(2026, 11, 20)
LATENT_FIRST_DAY = date(2007, 12, 31)  # one business day before FIRST_DAY: gives a first "prev"

DEFAULT_OUT = Path(__file__).resolve().parent / "sample"

Knots = Sequence[tuple[str, float]]

# --------------------------------------------------------------------------------------------
# Anchor paths (rough historical levels; interpolated log-linearly between knots)
# --------------------------------------------------------------------------------------------

# LME 3-month aluminium, US$/t.
PRICE_KNOTS: Knots = (
    ("2008-01-02", 2400), ("2008-03-14", 2900), ("2008-07-11", 3150), ("2008-09-30", 2550),
    ("2008-12-31", 1530), ("2009-02-27", 1330), ("2009-06-30", 1620), ("2009-12-31", 2250),
    ("2010-06-30", 1950), ("2010-12-31", 2450), ("2011-04-29", 2750), ("2011-12-30", 2000),
    ("2012-03-15", 2300), ("2012-08-01", 1900), ("2012-12-31", 2100), ("2013-06-28", 1820),
    ("2013-12-31", 1780), ("2014-09-01", 2100), ("2014-12-31", 1880), ("2015-06-30", 1700),
    ("2015-11-30", 1480), ("2016-06-30", 1650), ("2016-12-30", 1750), ("2017-06-30", 1900),
    ("2017-12-29", 2250), ("2018-01-31", 2450), ("2018-04-19", 2600), ("2018-12-31", 1900),
    ("2019-06-28", 1780), ("2019-12-31", 1780), ("2020-04-08", 1540), ("2020-12-31", 2000),
    ("2021-06-30", 2450), ("2021-10-15", 3250), ("2021-12-31", 2800), ("2022-03-07", 3750),
    ("2022-06-30", 2450), ("2022-09-30", 2200), ("2022-12-30", 2400), ("2023-06-30", 2200),
    ("2023-12-29", 2350), ("2024-05-20", 2600), ("2024-08-01", 2250), ("2024-12-31", 2550),
    ("2025-03-31", 2600), ("2025-06-30", 2550), ("2025-09-30", 2700), ("2025-12-31", 2900),
    ("2026-03-02", 3050), ("2026-06-30", 3150), ("2026-11-20", 3150),
)  # fmt: skip

# LME aluminium stocks, million tonnes.
STOCK_KNOTS: Knots = (
    ("2008-01-02", 0.93), ("2008-06-30", 1.15), ("2008-12-31", 2.30), ("2009-06-30", 4.40),
    ("2010-06-30", 4.50), ("2011-06-30", 4.60), ("2012-06-29", 4.90), ("2013-06-28", 5.20),
    ("2014-03-31", 5.30), ("2014-06-30", 5.15), ("2014-12-31", 4.20), ("2015-06-30", 3.70),
    ("2015-12-31", 2.90), ("2016-06-30", 2.40), ("2016-12-30", 2.20), ("2017-06-30", 1.50),
    ("2017-12-29", 1.10), ("2018-06-29", 1.15), ("2018-12-31", 1.20), ("2019-06-28", 1.05),
    ("2019-12-31", 1.40), ("2020-06-30", 1.65), ("2020-12-31", 1.45), ("2021-03-31", 1.95),
    ("2021-09-30", 1.15), ("2021-12-31", 0.85), ("2022-02-28", 0.60), ("2022-06-30", 0.40),
    ("2022-12-30", 0.33), ("2023-06-30", 0.30), ("2023-12-29", 0.33), ("2024-03-28", 0.55),
    ("2024-05-24", 1.20), ("2024-07-31", 0.98), ("2024-10-31", 0.75), ("2024-12-31", 0.50),
    ("2025-03-31", 0.40), ("2025-06-30", 0.37),
    ("2025-12-31", 0.30), ("2026-06-30", 0.28), ("2026-11-20", 0.29),
)  # fmt: skip

# Cash-3M spread level (US$/t, positive = backwardation) as a function of stock (Mt).
SPREAD_BY_STOCK: Sequence[tuple[float, float]] = (
    (0.25, 55.0), (0.35, 28.0), (0.55, 2.0), (0.80, -10.0), (1.0, -16.0), (2.0, -26.0),
    (3.5, -45.0), (5.5, -72.0),
)  # fmt: skip

# Dated squeezes (start date, size in US$/t) on top of the random ones.
SQUEEZES: Sequence[tuple[str, float]] = (
    ("2021-10-14", 110.0), ("2022-03-04", 150.0), ("2023-02-06", 90.0), ("2025-05-12", 160.0),
    ("2026-04-13", 190.0), ("2026-09-15", 120.0),
)  # fmt: skip

# Volatility regime multiplier (linear between knots, 1 outside).
VOL_KNOTS: Knots = (
    ("2008-09-01", 1.0), ("2008-10-20", 1.8), ("2009-03-31", 1.4), ("2009-09-30", 1.0),
    ("2011-08-01", 1.0), ("2011-09-15", 1.35), ("2011-12-30", 1.0), ("2020-02-20", 1.0),
    ("2020-03-20", 1.8), ("2020-06-30", 1.0), ("2022-02-21", 1.0), ("2022-03-08", 1.7),
    ("2022-06-30", 1.1), ("2022-12-30", 1.0),
)  # fmt: skip

# Equity anchor paths, US$/share.
AA_KNOTS: Knots = (
    ("2008-01-02", 52), ("2008-07-11", 66), ("2008-12-31", 22), ("2009-03-06", 11),
    ("2009-12-31", 24), ("2010-06-30", 19), ("2011-04-29", 30), ("2011-12-30", 16),
    ("2012-06-29", 16), ("2013-06-28", 15), ("2014-09-02", 28), ("2015-06-30", 20),
    ("2015-12-31", 13), ("2016-02-01", 11), ("2016-11-30", 30), ("2017-12-29", 48),
    ("2018-04-19", 58), ("2018-12-31", 27), ("2019-12-31", 20), ("2020-03-23", 10),
    ("2020-12-31", 23), ("2021-06-30", 37), ("2021-10-15", 50), ("2022-04-14", 72),
    ("2022-10-14", 38), ("2023-06-30", 34), ("2023-10-31", 25), ("2024-05-20", 40),
    ("2024-12-31", 40), ("2025-04-08", 25), ("2025-09-30", 33), ("2025-12-31", 40),
    ("2026-06-30", 45), ("2026-11-20", 48),
)  # fmt: skip

CENX_KNOTS: Knots = (
    ("2008-01-02", 30), ("2008-06-30", 40), ("2008-12-31", 10), ("2009-03-06", 4.5),
    ("2009-12-31", 14), ("2010-06-30", 10), ("2011-04-29", 19), ("2011-12-30", 9),
    ("2012-06-29", 8), ("2013-06-28", 8.5), ("2014-09-02", 28), ("2015-06-30", 11),
    ("2015-12-31", 4.5), ("2016-06-30", 7), ("2017-12-29", 22), ("2018-04-19", 19),
    ("2018-12-31", 8), ("2019-12-31", 7.5), ("2020-03-23", 5), ("2020-12-31", 11),
    ("2021-06-30", 14), ("2021-10-15", 19), ("2022-04-14", 27), ("2022-10-14", 7),
    ("2023-06-30", 9), ("2023-12-29", 11), ("2024-05-20", 17), ("2024-11-29", 20),
    ("2025-04-08", 14), ("2025-10-31", 30), ("2026-03-31", 36), ("2026-11-20", 40),
)  # fmt: skip

# AA quarterly dividend per share, by ex-date: $0.10 in 2008, $0.03 from 2009 to 2016, none from
# 2017 to Q3 2021, $0.10 from Q4 2021. Ex-dates: the first US trading day on or after the 5th of
# February, May, August and November.
AA_EX_DAYS = ((2, 5), (5, 5), (8, 5), (11, 5))


def aa_dividend(ex_day: date) -> float:
    """AA dividend per share going ex on ``ex_day`` (0 when none is paid)."""
    if ex_day.year == 2008:
        return 0.10
    if ex_day.year <= 2016:
        return 0.03
    return 0.10 if ex_day >= date(2021, 10, 1) else 0.0


# Random stream ids (each is an independent PCG64 stream seeded with SEED + id).
_ALU, _STOCK_TARGET, _STOCK_FLOW, _SPREAD, _BASIS = 1, 2, 3, 4, 5
_AA, _CENX, _ALI_BARS, _AA_BARS, _CENX_BARS = 6, 7, 8, 9, 10


# --------------------------------------------------------------------------------------------
# Random numbers
# --------------------------------------------------------------------------------------------


class _Stream:
    """Uniform doubles from PCG64 and Box-Muller normals computed with :mod:`math`."""

    def __init__(self, stream_id: int) -> None:
        self._gen = np.random.Generator(np.random.PCG64(SEED + stream_id))

    def uniforms(self, n: int) -> list[float]:
        return [float(u) for u in self._gen.random(n).tolist()]

    def normals(self, n: int) -> list[float]:
        u = self.uniforms(2 * n)
        out = []
        for i in range(n):
            radius = math.sqrt(-2.0 * math.log(1.0 - u[2 * i]))
            out.append(radius * math.cos(2.0 * math.pi * u[2 * i + 1]))
        return out


def _ar1(normals: Sequence[float], half_life: float) -> list[float]:
    """AR(1) path with unit stationary variance, started at 0."""
    phi = 0.5 ** (1.0 / half_life)
    scale = math.sqrt(1.0 - phi * phi)
    out, x = [], 0.0
    for e in normals:
        x = phi * x + scale * e
        out.append(x)
    return out


# --------------------------------------------------------------------------------------------
# Calendars
# --------------------------------------------------------------------------------------------


def easter(year: int) -> date:
    """Easter Sunday (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def uk_holidays(year: int) -> set[date]:
    """England & Wales bank holidays (the LME's non-trading weekdays)."""
    days: set[date] = set()
    new_year = date(year, 1, 1)
    days.add(new_year + timedelta(days={5: 2, 6: 1}.get(new_year.weekday(), 0)))
    e = easter(year)
    days |= {e - timedelta(days=2), e + timedelta(days=1)}
    days.add(date(2020, 5, 8) if year == 2020 else _nth_weekday(year, 5, 0, 1))
    if year == 2012:
        days |= {date(2012, 6, 4), date(2012, 6, 5)}
    elif year == 2022:
        days |= {date(2022, 6, 2), date(2022, 6, 3)}
    else:
        days.add(_last_weekday(year, 5, 0))
    days.add(_last_weekday(year, 8, 0))
    christmas = date(year, 12, 25)
    wd = christmas.weekday()
    if wd == 5:  # Sat: Mon 27 and Tue 28
        days |= {date(year, 12, 27), date(year, 12, 28)}
    elif wd == 6:  # Sun: Boxing Day Mon 26, Christmas Tue 27
        days |= {date(year, 12, 26), date(year, 12, 27)}
    elif wd == 4:  # Fri: Boxing Day (Sat) moves to Mon 28
        days |= {christmas, date(year, 12, 28)}
    else:
        days |= {christmas, date(year, 12, 26)}
    one_offs = {2011: date(2011, 4, 29), 2022: date(2022, 9, 19), 2023: date(2023, 5, 8)}
    if year in one_offs:
        days.add(one_offs[year])
    return days


def _observed_us(day: date) -> date:
    """NYSE observance: Saturday -> Friday, Sunday -> Monday."""
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def us_holidays(year: int) -> set[date]:
    """NYSE full-day closures on weekdays."""
    days: set[date] = set()
    new_year = date(year, 1, 1)
    if new_year.weekday() == 6:
        days.add(date(year, 1, 2))
    elif new_year.weekday() < 5:
        days.add(new_year)  # on a Saturday it is not observed (NYSE rule)
    days.add(_nth_weekday(year, 1, 0, 3))  # Martin Luther King Jr. Day
    days.add(_nth_weekday(year, 2, 0, 3))  # Washington's Birthday
    days.add(easter(year) - timedelta(days=2))  # Good Friday
    days.add(_last_weekday(year, 5, 0))  # Memorial Day
    fixed = [date(year, 7, 4), date(year, 12, 25)]
    if year >= 2022:
        fixed.append(date(year, 6, 19))  # Juneteenth
    days.update(_observed_us(day) for day in fixed)
    days.add(_nth_weekday(year, 9, 0, 1))  # Labor Day
    days.add(_nth_weekday(year, 11, 3, 4))  # Thanksgiving
    specials = {
        2012: (date(2012, 10, 29), date(2012, 10, 30)),
        2018: (date(2018, 12, 5),),
        2025: (date(2025, 1, 9),),
    }
    days.update(specials.get(year, ()))
    return days


def business_days(first: date, last: date) -> list[date]:
    """Monday-Friday dates from ``first`` to ``last`` inclusive."""
    out, day = [], first
    while day <= last:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def trading_days(holidays: Callable[[int], set[date]]) -> list[date]:
    """Weekdays from FIRST_DAY to LAST_DAY minus the given holidays."""
    closed: set[date] = set()
    for year in range(FIRST_DAY.year, LAST_DAY.year + 1):
        closed |= holidays(year)
    return [d for d in business_days(FIRST_DAY, LAST_DAY) if d not in closed]


# --------------------------------------------------------------------------------------------
# Latent process
# --------------------------------------------------------------------------------------------


def _interp(days: Sequence[date], knots: Knots, *, log: bool) -> list[float]:
    """Piecewise-linear (or log-linear) interpolation of knots; flat outside them."""
    xs = [date.fromisoformat(k).toordinal() for k, _ in knots]
    ys = [math.log(v) if log else float(v) for _, v in knots]
    out, j = [], 0
    for day in days:
        t = day.toordinal()
        if t <= xs[0]:
            y = ys[0]
        elif t >= xs[-1]:
            y = ys[-1]
        else:
            while xs[j + 1] < t:
                j += 1
            w = (t - xs[j]) / (xs[j + 1] - xs[j])
            y = ys[j] + w * (ys[j + 1] - ys[j])
        out.append(math.exp(y) if log else y)
    return out


def _spread_level(stock_mt: float) -> float:
    """Mean cash-3M spread for a stock level, interpolated in log stock."""
    pts = SPREAD_BY_STOCK
    x = math.log(stock_mt)
    if x <= math.log(pts[0][0]):
        return pts[0][1]
    for (s0, v0), (s1, v1) in pairwise(pts):
        x0, x1 = math.log(s0), math.log(s1)
        if x <= x1:
            return v0 + (x - x0) / (x1 - x0) * (v1 - v0)
    return pts[-1][1]


class Latent:
    """The latent daily process on the Monday-Friday grid."""

    def __init__(self) -> None:
        self.days = business_days(LATENT_FIRST_DAY, LAST_DAY)
        n = len(self.days)
        self.vol = _interp(self.days, VOL_KNOTS, log=False)
        self.al_anchor = _interp(self.days, PRICE_KNOTS, log=True)

        # 3-month price: anchor times exp(AR(1)), daily shock sd about 1.25% (more in crises).
        phi = 0.5 ** (1.0 / 20.0)
        shocks = _Stream(_ALU).normals(n)
        x, self.al_dev, self.three_month = 0.0, [], []
        for i in range(n):
            x = phi * x + 0.0125 * (0.5 + 0.5 * self.vol[i]) * shocks[i]
            self.al_dev.append(x)
            self.three_month.append(self.al_anchor[i] * math.exp(x))

        self.stock = self._stock(n)
        self.spread = self._spread(n)

        # COMEX basis: slowly varying, strictly within +-2.8%.
        basis = _ar1(_Stream(_BASIS).normals(n), 120.0)
        self.basis = [math.exp(0.028 * math.tanh(0.7 * b)) for b in basis]

        self.aa = self._equity(_AA, AA_KNOTS, beta=1.2, idio=0.0245, n=n)
        self.cenx = self._equity(_CENX, CENX_KNOTS, beta=1.6, idio=0.0330, n=n)

    def _stock(self, n: int) -> list[float]:
        """Stock in tonnes: partial adjustment towards a noisy target, plus lumpy flows."""
        anchor = _interp(self.days, STOCK_KNOTS, log=True)
        wobble = _ar1(_Stream(_STOCK_TARGET).normals(n), 45.0)
        flow = _Stream(_STOCK_FLOW)
        noise, u_event, u_size = flow.normals(n), flow.uniforms(n), flow.uniforms(n)
        level, out = anchor[0] * 1e6, []
        for i in range(n):
            base = anchor[i] * 1e6
            target = base * math.exp(0.022 * wobble[i])
            step = 0.07 * (target - level) + 0.0012 * base * noise[i]
            if u_event[i] < 0.035:  # a delivery into warehouse
                step += base * (0.004 + 0.016 * u_size[i])
            elif u_event[i] > 0.965:  # a block of cancelled warrants leaves
                step -= base * (0.004 + 0.016 * u_size[i])
            level += step
            out.append(level)
        return out

    def _spread(self, n: int) -> list[float]:
        """Cash-3M spread: level from stock, AR(1) noise, squeezes when stock is low."""
        stream = _Stream(_SPREAD)
        noise = _ar1(stream.normals(n), 8.0)
        u_event, u_size = stream.uniforms(n), stream.uniforms(n)
        dated = {date.fromisoformat(d): size for d, size in SQUEEZES}
        decay = 0.5 ** (1.0 / 7.0)
        squeeze, out = 0.0, []
        for i in range(n):
            mt = self.stock[i] / 1e6
            squeeze *= decay
            if mt < 0.6 and u_event[i] < 0.006 * (0.6 - mt) / 0.3:
                squeeze += 50.0 + 110.0 * u_size[i]
            squeeze += dated.get(self.days[i], 0.0)
            sd = 13.0 + 14.0 * max(0.0, 1.0 - mt)
            value = _spread_level(mt) + sd * noise[i] + squeeze
            cap = min(390.0, 0.085 * self.three_month[i])
            out.append(max(-240.0, min(cap, value)))
        return out

    def _equity(
        self, stream_id: int, knots: Knots, *, beta: float, idio: float, n: int
    ) -> list[float]:
        """Close path: anchor * exp(beta * aluminium deviation + AR(1) idiosyncratic part)."""
        anchor = _interp(self.days, knots, log=True)
        shocks = _Stream(stream_id).normals(n)
        phi = 0.5 ** (1.0 / 45.0)
        y, out = 0.0, []
        for i in range(n):
            y = phi * y + idio * self.vol[i] * shocks[i]
            out.append(anchor[i] * math.exp(beta * self.al_dev[i] + y))
        return out


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


def _half(x: float) -> float:
    """Round to the nearest 0.5."""
    return round(2.0 * x) / 2.0


def _lme_rows(latent: Latent, days: Sequence[date], where: dict[date, int]) -> list[str]:
    rows = ["date,cash_settlement,three_month,lme_stock"]
    for day in days:
        i = where[day]
        three_month = _half(latent.three_month[i])
        cash = _half(latent.three_month[i] + latent.spread[i])
        stock = 25 * round(latent.stock[i] / 25.0)
        rows.append(f"{day.isoformat()},{cash:.1f},{three_month:.1f},{stock:d}")
    return rows


def _bars(
    closes: Sequence[float],
    prev_close: float,
    stream_id: int,
    *,
    gap_sd: float,
    range_sd: Sequence[float],
    volume_base: float,
    volume_sd: float,
    volume_move: float,
) -> list[tuple[float, float, float, float, int]]:
    """Open/High/Low/Close (rounded to cents) and Volume around a close path."""
    n = len(closes)
    stream = _Stream(stream_id)
    gaps, highs, lows, vols = (stream.normals(n) for _ in range(4))
    out = []
    for i, close in enumerate(closes):
        open_ = prev_close * math.exp(gap_sd * gaps[i])
        high = max(open_, close) * math.exp(range_sd[i] * abs(highs[i]))
        low = min(open_, close) * math.exp(-range_sd[i] * abs(lows[i]))
        move = abs(math.log(close / prev_close))
        volume = volume_base * math.exp(volume_sd * vols[i] + volume_move * move)
        o, h, lo, c = (round(v, 2) for v in (open_, high, low, close))
        out.append((o, h, lo, c, round(volume)))
        prev_close = close
    return out


def _aa_dividends(us_days: Sequence[date]) -> dict[date, float]:
    """AA ex-dividend dates (first US trading day on/after each scheduled day) and amounts."""
    out = {}
    for year in range(FIRST_DAY.year, LAST_DAY.year + 1):
        for month, day in AA_EX_DAYS:
            ex = next((d for d in us_days if d >= date(year, month, day)), None)
            if ex is not None and ex > us_days[0] and aa_dividend(ex) > 0:
                out[ex] = aa_dividend(ex)
    return out


def _price_rows(
    us_days: Sequence[date],
    bars: Sequence[tuple[float, float, float, float, int]],
    dividends: dict[date, float] | None = None,
) -> list[str]:
    """Yahoo-format rows; Adj Close back-adjusted for the dividends (factor 1 on the last row)."""
    factors = [1.0] * len(us_days)
    position = {d: i for i, d in enumerate(us_days)}
    running = 1.0
    for k, amount in sorted(((position[d], a) for d, a in (dividends or {}).items()), reverse=True):
        running *= 1.0 - amount / bars[k - 1][3]
        for i in range(k):
            factors[i] = running
    rows = ["Date,Open,High,Low,Close,Adj Close,Volume"]
    for day, (o, h, lo, c, v), f in zip(us_days, bars, factors, strict=True):
        adj = round(c * f, 2)
        rows.append(f"{day.isoformat()},{o:.2f},{h:.2f},{lo:.2f},{c:.2f},{adj:.2f},{v:d}")
    return rows


def _write(path: Path, rows: Sequence[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(rows) + "\n")


def generate(out_dir: Path) -> None:
    """Write ``lme.csv`` and ``prices/{AA,CENX,ALI=F}.csv`` into ``out_dir``."""
    out_dir = Path(out_dir)
    latent = Latent()
    where = {d: i for i, d in enumerate(latent.days)}
    lme_days = trading_days(uk_holidays)
    us_days = trading_days(us_holidays)
    _write(out_dir / "lme.csv", _lme_rows(latent, lme_days, where))

    idx = [where[d] for d in us_days]
    prev = idx[0] - 1  # the latent day before the first US day

    ali = [latent.three_month[i] * latent.basis[i] for i in idx]
    ali_prev = latent.three_month[prev] * latent.basis[prev]
    ali_bars = _bars(
        ali, ali_prev, _ALI_BARS, gap_sd=0.004, range_sd=[0.005 * latent.vol[i] for i in idx],
        volume_base=1000.0, volume_sd=0.35, volume_move=15.0,
    )  # fmt: skip
    _write(out_dir / "prices" / "ALI=F.csv", _price_rows(us_days, ali_bars))

    aa_bars = _bars(
        [latent.aa[i] for i in idx], latent.aa[prev], _AA_BARS, gap_sd=0.01,
        range_sd=[0.014 * latent.vol[i] for i in idx],
        volume_base=4.5e6, volume_sd=0.35, volume_move=8.0,
    )  # fmt: skip
    _write(out_dir / "prices" / "AA.csv", _price_rows(us_days, aa_bars, _aa_dividends(us_days)))

    cenx_bars = _bars(
        [latent.cenx[i] for i in idx], latent.cenx[prev], _CENX_BARS, gap_sd=0.01,
        range_sd=[0.018 * latent.vol[i] for i in idx],
        volume_base=9.0e5, volume_sd=0.4, volume_move=8.0,
    )  # fmt: skip
    _write(out_dir / "prices" / "CENX.csv", _price_rows(us_days, cenx_bars))


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output directory (default: {DEFAULT_OUT})"
    )
    args = parser.parse_args(argv)
    generate(args.out)
    print(f"wrote synthetic sample data to {args.out}")


if __name__ == "__main__":
    main()

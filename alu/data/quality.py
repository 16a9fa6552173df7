"""Data-quality checks: pure functions on validated frames, shown by ``alu data status`` and on
import.

These are warnings, not refusals: the values are plausible as numbers but suspicious as market
data. Defaults (every one a keyword parameter):

- **stale stock**: ``lme_stock`` unchanged for ``min_rows`` [5] or more consecutive rows: the
  upstream publisher probably stopped updating it.
- **spread out of range**: ``cash_settlement - three_month`` outside ``low_usd_t`` [-250] ..
  ``high_usd_t`` [+400] $/t; aluminium's spread has stayed inside that band since 2008 except
  in typos.
- **3-month far from cash**: ``|three_month - cash_settlement| / cash_settlement`` above
  ``max_fraction`` [0.10]: a likely typo (e.g. 2008-01-30 in the Westmetall record: cash 2631,
  3-month 2339).
- **weekend rows**: dates on a Saturday or Sunday (no LME or US market trades then).
- **gaps**: calendar days between consecutive values longer than ``longer_than_days`` [7].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: How many examples a warning message lists before "and N more".
EXAMPLES = 4


@dataclass(frozen=True)
class QualityWarning:
    """One finding about one series: a kind, a one-line message and the dates involved."""

    series: str
    kind: str
    message: str
    dates: tuple[str, ...]

    def line(self) -> str:
        return f"{self.series}: {self.message}"

    def to_json(self) -> dict[str, object]:
        return {
            "series": self.series,
            "kind": self.kind,
            "message": self.message,
            "count": len(self.dates),
            "dates": list(self.dates),
        }


@dataclass(frozen=True)
class Run:
    """Consecutive rows holding the same value."""

    first: pd.Timestamp
    last: pd.Timestamp
    rows: int
    value: float


@dataclass(frozen=True)
class Gap:
    """Calendar days between two consecutive values (``after`` and ``before`` hold values)."""

    after: pd.Timestamp
    before: pd.Timestamp

    @property
    def days(self) -> int:
        return int((self.before - self.after).days)

    def to_json(self) -> dict[str, object]:
        return {
            "from": f"{self.after:%Y-%m-%d}",
            "to": f"{self.before:%Y-%m-%d}",
            "days": self.days,
        }


def stale_runs(values: pd.Series, *, min_rows: int = 5) -> list[Run]:
    """Runs of ``min_rows`` or more consecutive equal values (missing values end a run)."""
    data = values.to_numpy(dtype=np.float64)
    if len(data) == 0:
        return []
    same = np.zeros(len(data), dtype=bool)
    same[1:] = data[1:] == data[:-1]  # NaN never equals NaN
    starts = np.flatnonzero(~same)
    ends = np.append(starts[1:], len(data)) - 1
    index = values.index
    return [
        Run(index[s], index[e], int(e - s + 1), float(data[s]))
        for s, e in zip(starts, ends, strict=True)
        if e - s + 1 >= min_rows and not np.isnan(data[s])
    ]


def spread_out_of_range(
    lme: pd.DataFrame, *, low_usd_t: float = -250.0, high_usd_t: float = 400.0
) -> pd.Series:
    """The spread ``cash_settlement - three_month`` ($/t) on the days it is outside the band."""
    spread = (lme["cash_settlement"] - lme["three_month"]).dropna()
    return spread[(spread < low_usd_t) | (spread > high_usd_t)].rename("spread_usd_t")


def three_month_far_from_cash(lme: pd.DataFrame, *, max_fraction: float = 0.10) -> pd.Series:
    """``three_month / cash_settlement - 1`` on the days its size is above ``max_fraction``."""
    cash, three = lme["cash_settlement"], lme["three_month"]
    far = (three - cash).abs() > max_fraction * cash  # exact at the boundary, unlike a ratio
    return (three / cash - 1)[far].rename("three_month_vs_cash")


def weekend_days(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The dates of ``index`` that fall on a Saturday or Sunday."""
    return index[index.day_of_week >= 5]


def gaps(index: pd.DatetimeIndex, *, longer_than_days: int = 7) -> list[Gap]:
    """Stretches of more than ``longer_than_days`` calendar days between consecutive dates."""
    if len(index) < 2:
        return []
    days = np.diff(index.to_numpy()).astype("timedelta64[D]").astype(np.int64)
    where = np.flatnonzero(days > longer_than_days)
    return [Gap(index[i], index[i + 1]) for i in where]


def lme_warnings(
    lme: pd.DataFrame,
    *,
    series: str = "lme",
    min_rows: int = 5,
    low_usd_t: float = -250.0,
    high_usd_t: float = 400.0,
    max_fraction: float = 0.10,
) -> list[QualityWarning]:
    """Every LME check above, as warnings (the parameters are those of the checks)."""
    out: list[QualityWarning] = []
    runs = stale_runs(lme["lme_stock"], min_rows=min_rows)
    if runs:
        shown = [
            f"{r.value:.0f} t from {r.first:%Y-%m-%d} to {r.last:%Y-%m-%d} ({r.rows} rows)"
            for r in runs
        ]
        out.append(
            QualityWarning(
                series,
                "stale_stock",
                f"lme_stock unchanged for {min_rows} or more rows in {_count(runs, 'run')} "
                f"(stale upstream?): {_examples(shown)}",
                tuple(f"{r.last:%Y-%m-%d}" for r in runs),
            )
        )
    spread = spread_out_of_range(lme, low_usd_t=low_usd_t, high_usd_t=high_usd_t)
    if len(spread):
        shown = [f"{day:%Y-%m-%d} {value:+.1f}" for day, value in spread.items()]
        out.append(
            QualityWarning(
                series,
                "spread_out_of_range",
                f"spread (cash - 3-month) outside {low_usd_t:+.0f}..{high_usd_t:+.0f} $/t on "
                f"{_count(spread, 'day')} (likely typo): {_examples(shown)}",
                _days(spread.index),
            )
        )
    far = three_month_far_from_cash(lme, max_fraction=max_fraction)
    if len(far):
        shown = [
            f"{day:%Y-%m-%d} cash {lme.at[day, 'cash_settlement']:g}, "
            f"3-month {lme.at[day, 'three_month']:g} ({value:+.1%})"
            for day, value in far.items()
        ]
        out.append(
            QualityWarning(
                series,
                "three_month_far_from_cash",
                f"three_month more than {max_fraction:.0%} away from cash on "
                f"{_count(far, 'day')} (likely typo): {_examples(shown)}",
                _days(far.index),
            )
        )
    out.extend(_weekend_warning(lme.index, series))
    return out


def suspect_lme_days(
    lme: pd.DataFrame,
    *,
    low_usd_t: float = -250.0,
    high_usd_t: float = 400.0,
    max_fraction: float = 0.10,
) -> pd.DatetimeIndex:
    """The LME rows the checks above call suspect (a spread out of range, a 3-month price far
    from cash, a weekend date): left out of the signals and the rolled leg unless the user keeps
    them (``--keep-suspect``)."""
    spread = spread_out_of_range(lme, low_usd_t=low_usd_t, high_usd_t=high_usd_t).index
    far = three_month_far_from_cash(lme, max_fraction=max_fraction).index
    return spread.union(far).union(weekend_days(lme.index))


def price_warnings(frame: pd.DataFrame, *, series: str) -> list[QualityWarning]:
    """The checks that apply to daily bars: weekend rows."""
    return _weekend_warning(frame.index, series)


def _weekend_warning(index: pd.DatetimeIndex, series: str) -> list[QualityWarning]:
    weekend = weekend_days(index)
    if not len(weekend):
        return []
    shown = [f"{day:%Y-%m-%d} ({day:%a})" for day in weekend]
    return [
        QualityWarning(
            series,
            "weekend_rows",
            f"{_count(weekend, 'weekend row')}: {_examples(shown)}",
            _days(weekend),
        )
    ]


def _days(index: pd.Index) -> tuple[str, ...]:
    return tuple(f"{day:%Y-%m-%d}" for day in index)


def _count(items: object, noun: str) -> str:
    n = len(items)  # type: ignore[arg-type]
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _examples(shown: list[str]) -> str:
    head = "; ".join(shown[:EXAMPLES])
    return head if len(shown) <= EXAMPLES else f"{head}; and {len(shown) - EXAMPLES} more"

"""A hand-made data dir for the watchlist: four weeks of LME rows, prices and two catalysts,
small enough that every value can be worked out by hand (see the comments in ``LME``).

Parameters (:data:`PARAMS`) shrink the windows so z-scores and percentiles exist within four
weeks: spread change over 3 LME days and z over 5; stock changes over 2 and 5 figures,
percentile over 10 (from 5), z over 5. Bands stay at 3,200 / 3,000 (buffer 0.5 %, 3 closes):
BULL entry > 3,216, BULL exit < 3,184, BEAR entry < 2,985.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from alu.data.market import Market
from alu.data.source import DataSource
from alu.watchlist.build import watch
from alu.watchlist.snapshot import Snapshot

PARAMS = {
    "spread_change_days": 3,
    "spread_z_window": 5,
    "stock_short_days": 2,
    "stock_long_days": 5,
    "pct_window": 10,
    "pct_min_periods": 5,
    "stock_z_window": 5,
}

# date, cash, 3-month, stock.  spread = cash - 3M; regime: BACKWARDATION > +5, CONTANGO < -5.
LME = [
    ("2024-01-02", 3090, 3100, 1000),  # spread -10 CONTANGO
    ("2024-01-03", 3150, 3150, 990),  # 0 FLAT
    ("2024-01-04", 3220, 3210, 980),  # +10 BACKWARDATION
    ("2024-01-05", 3240, 3220, 970),  # +20; 3M > 3,216: 1st close
    ("2024-01-08", 3260, 3230, 960),  # +30; 2nd close
    ("2024-01-09", 3270, 3240, 950),  # +30; 3rd close: BULL. stock trend FALLING (950/1000)
    ("2024-01-10", 3275, 3250, 940),  # +25
    ("2024-01-11", 3200, 3180, 930),  # +20, narrowing (20 - 30 <= -10); 3M < 3,184: NEUTRAL
    ("2024-01-12", 3160, 3150, 940),  # +10, narrowing
    ("2024-01-15", 3100, 3100, 950),  # 0 FLAT (a US holiday: no prices)
    ("2024-01-16", 3040, 3050, 960),  # -10 CONTANGO; stock trend BUILDING (960/950)
    ("2024-01-17", 2960, 2980, 970),  # -20; 3M < 2,985: 1st close
    ("2024-01-18", 2930, 2950, 980),  # 2nd
    ("2024-01-19", 2920, 2940, 990),  # 3rd: BEAR
    ("2024-01-22", 2910, 2930, 1000),
    ("2024-01-23", 2900, 2920, 1010),
    ("2024-01-24", 2880, 2900, 1020),
    ("2024-01-25", 2900, 2910, 1030),  # -10
    ("2024-01-26", 2925, 2920, 1040),  # +5 FLAT (not above the deadband)
]

CATALYSTS = """date,name,kind,announced,window_before,window_after
2024-01-05,Test sanctions,sanctions,2024-01-05,0,3
2024-01-29,Test tariff,tariff,2024-01-10,,
"""
# Test sanctions: known from 2024-01-06 (the day after its announcement), window 01-05..01-08:
#   in the window on 2024-01-08 only (not on 01-05, when it was not yet known).
# Test tariff: known from 2024-01-11, window 01-24..02-03 (5 days either side by default).

LAST = pd.Timestamp("2024-01-26")


def us_days() -> list[str]:
    """The LME days without 2024-01-15 (Martin Luther King Day)."""
    return [row[0] for row in LME if row[0] != "2024-01-15"]


def price_file(days: list[str], first_close: float, step: float) -> str:
    lines = ["Date,Open,High,Low,Close,Volume"]
    for k, day in enumerate(days):
        close = first_close + step * k
        lines.append(
            f"{day},{close - 0.1:.2f},{close + 0.5:.2f},{close - 0.5:.2f},{close:.2f},1000"
        )
    return "\n".join(lines) + "\n"


def build_watch_dir(root: Path, *, futures: bool = True) -> Path:
    (root / "prices").mkdir(parents=True)
    rows = ["date,cash_settlement,three_month,lme_stock"]
    rows += [f"{d},{cash},{three},{stock}" for d, cash, three, stock in LME]
    (root / "lme.csv").write_text("\n".join(rows) + "\n")
    (root / "catalysts.csv").write_text(CATALYSTS)
    days = us_days()
    (root / "prices" / "AA.csv").write_text(price_file(days, 30.0, 0.25))
    # CENX stops on 2024-01-17: 7 weekdays behind 2024-01-26, stale.
    (root / "prices" / "CENX.csv").write_text(
        price_file(days[: days.index("2024-01-17") + 1], 20.0, -0.5)
    )
    if futures:
        (root / "prices" / "ALI=F.csv").write_text(price_file(days, 3000.0, 10.0))
    return root


@pytest.fixture
def watch_dir(tmp_path: Path) -> Path:
    return build_watch_dir(tmp_path / "watch")


@pytest.fixture
def watch_params() -> dict[str, int]:
    """The small windows the hand-made data dir is worked out with."""
    return dict(PARAMS)


@pytest.fixture
def watch_args() -> list[str]:
    """:data:`PARAMS` as ``--param key=value`` options."""
    return [arg for name, value in PARAMS.items() for arg in ("--param", f"{name}={value}")]


@pytest.fixture
def build_dir() -> Callable[..., Path]:
    """The builder of the hand-made data dir (``futures=False``: no ALI=F prices)."""
    return build_watch_dir


@pytest.fixture
def at(watch_dir: Path) -> Callable[..., Snapshot]:
    """``at("YYYY-MM-DD")``: the watchlist on the hand-made data as of that day (default: the
    last); ``root=`` another data dir."""

    def snapshot(day: str | None = None, *, root: Path | None = None) -> Snapshot:
        market = Market(DataSource("data-dir", root or watch_dir))
        return watch(market, day=None if day is None else pd.Timestamp(day), params=PARAMS)

    return snapshot

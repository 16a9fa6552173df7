"""Data-quality checks on hand-made frames: each rule at its boundary."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alu.data import quality


def lme(rows: list[tuple[str, float, float, float]]) -> pd.DataFrame:
    days, cash, three, stock = zip(*rows, strict=True)
    return pd.DataFrame(
        {"cash_settlement": cash, "three_month": three, "lme_stock": stock},
        index=pd.DatetimeIndex(days, name="date"),
    )


def test_stale_runs_need_five_equal_rows_and_a_gap_breaks_them():
    days = pd.bdate_range("2025-09-01", periods=12)
    values = [1, 2, 2, 2, 2, 3, 3, 3, 3, 3, np.nan, 3]
    runs = quality.stale_runs(pd.Series(values, index=days, dtype=float))
    assert [(r.first, r.last, r.rows, r.value) for r in runs] == [
        (days[5], days[9], 5, 3.0)  # the four 2s are not enough; NaN ends the run of 3s
    ]
    assert quality.stale_runs(pd.Series([2.0] * 4, index=days[:4]), min_rows=4)[0].rows == 4
    assert quality.stale_runs(pd.Series([], dtype=float)) == []


def test_spread_band_and_distance_from_cash():
    frame = lme(
        [
            ("2024-01-02", 5000.0, 4600.0, 1),  # spread +400: inside (8 % apart)
            ("2024-01-03", 5000.5, 4600.0, 2),  # +400.5: outside
            ("2024-01-04", 5000.0, 5250.0, 3),  # -250: inside
            ("2024-01-05", 5000.0, 5250.5, 4),  # -250.5: outside
            ("2024-01-06", 2000.0, 2200.0, 5),  # 3-month 10 % above cash: inside
            ("2024-01-08", 2631.0, 2339.0, 6),  # the 2008-01-30 typo: +292, but 11.1 % apart
            ("2024-01-09", 2500.0, np.nan, 7),
        ]
    )
    spread = quality.spread_out_of_range(frame)
    assert list(spread.index) == list(pd.to_datetime(["2024-01-03", "2024-01-05"]))
    far = quality.three_month_far_from_cash(frame)
    assert list(far.index) == [pd.Timestamp("2024-01-08")]
    assert far.loc["2024-01-08"] == (2339 / 2631 - 1)
    assert quality.three_month_far_from_cash(frame, max_fraction=0.2).empty


def test_weekend_rows_and_gaps():
    index = pd.DatetimeIndex(["2024-01-05", "2024-01-06", "2024-01-13", "2024-01-22"])
    assert list(quality.weekend_days(index)) == list(pd.to_datetime(["2024-01-06", "2024-01-13"]))
    found = quality.gaps(index)
    assert [(g.after, g.before, g.days) for g in found] == [
        (pd.Timestamp("2024-01-13"), pd.Timestamp("2024-01-22"), 9)  # 7 days is not a gap
    ]


def test_lme_warnings_are_one_line_each_with_their_dates():
    days = pd.bdate_range("2025-12-15", periods=7)
    frame = lme([(f"{d:%Y-%m-%d}", 2500.0, 2510.0, 519600.0) for d in days])
    frame.loc[pd.Timestamp("2025-12-20")] = [2500.0, 2510.0, 519600.0]  # a Saturday
    frame = frame.sort_index()
    frame.loc["2025-12-17", "three_month"] = 3000.0
    found = {w.kind: w for w in quality.lme_warnings(frame)}
    assert set(found) == {
        "stale_stock",
        "spread_out_of_range",
        "three_month_far_from_cash",
        "weekend_rows",
    }
    assert found["stale_stock"].dates == ("2025-12-23",)
    assert "519600 t from 2025-12-15 to 2025-12-23 (8 rows)" in found["stale_stock"].message
    assert found["weekend_rows"].message == "1 weekend row: 2025-12-20 (Sat)"
    assert found["spread_out_of_range"].dates == ("2025-12-17",)
    assert all("\n" not in w.line() for w in found.values())
    assert quality.price_warnings(frame, series="prices/AA")[0].series == "prices/AA"

"""As-of joins: latest value on or before each day; stocks only from the next trading day."""

from __future__ import annotations

import math

import pandas as pd

from alu.signals.align import asof_join

LME = pd.DataFrame(
    {"stock_t": [100.0, 90.0, 80.0], "falling": [False, True, True]},
    index=pd.to_datetime(["2024-01-04", "2024-01-05", "2024-01-08"]),  # Thu, Fri, Mon
)
US_DAYS = pd.to_datetime(["2024-01-03", "2024-01-05", "2024-01-08", "2024-01-09"])


def test_asof_on_or_before():
    out = asof_join(LME, US_DAYS, date_column="stock_date")
    assert math.isnan(out["stock_t"].iloc[0])
    assert out["stock_t"].tolist()[1:] == [90.0, 80.0, 80.0]
    assert out["stock_date"].iloc[2] == pd.Timestamp("2024-01-08")
    assert pd.isna(out["stock_date"].iloc[0])


def test_published_next_day_lags_to_the_first_trading_day_after():
    out = asof_join(LME, US_DAYS, published_next_day=True, date_column="stock_date")
    # 01-05: only Thursday's figure; 01-08 (Mon): Friday's; 01-09: Monday's.
    assert out["stock_t"].tolist()[1:] == [100.0, 90.0, 80.0]
    assert out["stock_date"].tolist()[1:] == list(
        pd.to_datetime(["2024-01-04", "2024-01-05", "2024-01-08"])
    )


def test_flags_before_the_first_row_are_false_never_back_filled():
    out = asof_join(LME, US_DAYS, published_next_day=True)
    assert out["falling"].tolist() == [False, False, True, True]

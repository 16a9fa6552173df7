"""The store's pieces: the merge rules, the file text round trip, symbols, commits."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from alu.data.schemas import LME_COLUMNS, read_prices
from alu.data.store import Store, check_symbol, merge_series, prices_to_csv
from alu.data.table import read_table
from alu.errors import AluError


def frame(rows: dict[str, list[float]], columns=("cash_settlement", "three_month", "lme_stock")):
    return pd.DataFrame(
        list(rows.values()), index=pd.DatetimeIndex(list(rows), name="date"), columns=columns
    )


def test_merge_counts_added_unchanged_filled_and_conflicts():
    held = frame({"2024-01-02": [1.0, 2.0, 3.0], "2024-01-03": [1.0, np.nan, 3.0]})
    incoming = frame(
        {
            "2024-01-02": [1.0, 2.0, np.nan],  # same (a missing value erases nothing)
            "2024-01-03": [1.0, 2.5, 3.0],  # fills the gap
            "2024-01-04": [4.0, 5.0, 6.0],  # new
        }
    )
    merge = merge_series(held, incoming, columns=LME_COLUMNS)
    assert (merge.added, merge.unchanged, merge.filled, merge.conflicts) == (1, 1, 1, 0)
    assert merge.frame.loc["2024-01-02", "lme_stock"] == 3.0
    assert merge.frame.loc["2024-01-03", "three_month"] == 2.5
    assert list(merge.frame.columns) == ["cash_settlement", "three_month", "lme_stock"]


def test_merge_conflicts_are_reported_and_only_replaced_on_request():
    held = frame({"2024-01-02": [1.0, 2.0, 3.0], "2024-01-03": [1.0, 2.0, 3.0]})
    incoming = frame({"2024-01-03": [1.0, 2.0, 9.0], "2024-01-02": [1.5, 2.0, 3.0]}).sort_index()
    kept = merge_series(held, incoming, columns=LME_COLUMNS)
    assert kept.conflicts == 2 and kept.replaced == 0 and not kept.changed
    c = kept.first_conflict
    assert (c.day, c.column, c.held, c.incoming) == (
        pd.Timestamp("2024-01-02"),
        "cash_settlement",
        1.0,
        1.5,
    )
    assert c.describe() == "2024-01-02 cash_settlement: the store has 1, the file has 1.5"
    replaced = merge_series(held, incoming, columns=LME_COLUMNS, replace=True)
    assert replaced.replaced == 2 and replaced.changed
    assert replaced.frame.loc["2024-01-03", "lme_stock"] == 9.0


def test_merge_into_nothing_takes_everything():
    incoming = frame({"2024-01-02": [1.0, 2.0, 3.0]})
    merge = merge_series(None, incoming, columns=LME_COLUMNS)
    assert merge.added == 1 and merge.changed and merge.frame.equals(incoming)


def test_price_text_round_trips_exactly(tmp_path):
    bars = pd.DataFrame(
        {
            "Open": [99.724503, 3e-6],
            "High": [100.400345, 0.1 + 0.2],
            "Low": [96.570564, 2e-6],
            "Close": [97.246407, np.nan],
            "Adj Close": [70.436211, 2.5],
            "Volume": [1291386.0, np.nan],
        },
        index=pd.DatetimeIndex(["2000-01-03", "2000-01-04"], name="Date"),
    )
    text = prices_to_csv(bars)
    assert text.splitlines() == [
        "Date,Open,High,Low,Close,Adj Close,Volume",
        "2000-01-03,99.724503,100.400345,96.570564,97.246407,70.436211,1291386",
        "2000-01-04,3e-06,0.30000000000000004,2e-06,,2.5,",
    ]
    back = read_prices(tmp_path / "x.csv", table=read_table(tmp_path / "x.csv", text=text)).frame
    pd.testing.assert_frame_equal(back, bars.rename_axis("date"), check_freq=False)
    assert prices_to_csv(bars, decimals=5).splitlines()[2].startswith("2000-01-04,0.0,0.3,0.0,")


@pytest.mark.parametrize(
    ("text", "symbol"), [("aa", "AA"), (" ALI=F ", "ALI=F"), ("^GSPC", "^GSPC"), ("BRK-B", "BRK-B")]
)
def test_symbols(text, symbol):
    assert check_symbol(text) == symbol


@pytest.mark.parametrize("text", ["", "../x", "a/b", ".x", "-x", "=x", "A B", "LME3M", "X" * 21])
def test_bad_symbols(text):
    with pytest.raises(AluError, match="symbol"):
        check_symbol(text)


def test_commit_keeps_a_bounded_log_and_other_series(tmp_path):
    store = Store(tmp_path / "store")
    for i in range(25):
        store.commit({}, {"lme": {"source": "x", "log": {"n": i}}})
    store.commit(
        {store.price_path("AA"): "Date,Open,High,Low,Close\n"}, {"prices/AA": {"source": "y"}}
    )
    meta = json.loads(store.meta_path.read_text())["series"]
    assert [e["n"] for e in meta["lme"]["log"]] == list(range(5, 25))
    assert meta["prices/AA"] == {"source": "y"}
    assert store.price_symbols() == ["AA"]


def test_unreadable_metadata_is_refused_naming_it(tmp_path):
    store = Store(tmp_path)
    store.meta_path.write_text("{not json")
    with pytest.raises(AluError, match="unreadable store metadata") as info:
        store.meta()
    assert info.value.path == store.meta_path

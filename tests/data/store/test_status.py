"""``alu data status``: per series rows, dates, days since the last value, source, gaps and the
data-quality warnings, as a table or JSON."""

from __future__ import annotations

import json
from pathlib import Path

LME = (
    "date,cash_settlement,three_month,lme_stock\n"
    "2024-01-02,2200,2230,500000\n"
    "2024-01-03,2210,2240,500000\n"
    "2024-01-04,2220,,500000\n"
    "2024-01-05,2230,2260,500000\n"
    "2024-01-06,2230,2260,500000\n"  # a Saturday, the 5th equal stock figure
    "2024-01-22,2600,2250,499000\n"  # 16 days later; spread +350; 3-month 13.5 % below cash
)
PRICES = "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,10,11,9,10.5,10.4,1000\n"


def fill(cli, tmp_path: Path) -> None:
    (tmp_path / "lme.csv").write_text(LME)
    (tmp_path / "aa.csv").write_text(PRICES)
    assert cli("data", "import", "lme", tmp_path / "lme.csv")[0] == 0
    assert cli("data", "import", "prices", "AA", tmp_path / "aa.csv")[0] == 0


def test_an_empty_store_says_so_and_how_to_fill_it(cli, store_root):
    code, out, err = cli("data", "status")
    assert code == 0, err
    assert str(store_root) in out
    assert "holds no data yet" in out and "alu data fetch" in out and "alu data import lme" in out
    code, out, _ = cli("data", "status", "--json")
    doc = json.loads(out)
    assert doc["empty"] is True and doc["series"] == [] and "alu data fetch" in doc["hint"]


def test_status_json_per_series(cli, tmp_path, store_root):
    fill(cli, tmp_path)
    code, out, err = cli("data", "status", "--json", "--as-of", "2024-02-01")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["store"] == str(store_root) and doc["as_of"] == "2024-02-01"
    series = {s["name"]: s for s in doc["series"]}
    assert list(series) == [
        "prices/AA",
        "lme/cash_settlement",
        "lme/three_month",
        "lme/lme_stock",
        "catalysts (bundled)",
    ]
    aa = series["prices/AA"]
    assert (aa["rows"], aa["first"], aa["last"], aa["days_since_last"]) == (
        1,
        "2024-01-02",
        "2024-01-02",
        30,
    )
    assert aa["source"].startswith("file ") and aa["source"].endswith("aa.csv")
    assert aa["imported_at"] and aa["fetched_at"] is None
    three = series["lme/three_month"]
    assert three["rows"] == 5 and three["missing"] == {"three_month": 1}
    assert three["days_since_last"] == 10
    assert three["gaps"] == {
        "longer_than_days": 7,
        "count": 1,
        "longest": [{"from": "2024-01-06", "to": "2024-01-22", "days": 16}],
    }
    kinds = {w["kind"]: w for w in doc["warnings"]}
    assert set(kinds) == {"stale_stock", "weekend_rows", "three_month_far_from_cash"}
    assert kinds["stale_stock"]["dates"] == ["2024-01-06"]
    assert kinds["weekend_rows"]["dates"] == ["2024-01-06"]
    assert kinds["three_month_far_from_cash"]["dates"] == ["2024-01-22"]
    assert series["catalysts (bundled)"]["rows"] > 0


def test_status_table(cli, tmp_path):
    fill(cli, tmp_path)
    code, out, err = cli("data", "status", "--as-of", "2024-02-01")
    assert code == 0, err
    assert "lme 3-month" in out and "2024-01-22" in out
    assert "longest gaps 2024-01-06..2024-01-22 (16 d)" in out
    assert "warning: lme: lme_stock unchanged for 5 or more rows" in out
    assert "warning: lme: 1 weekend row: 2024-01-06 (Sat)" in out
    assert "lme 3-month: 1 rows with a missing three_month" in out


def test_an_unreadable_store_file_is_reported_with_code_1(cli, tmp_path, store_root):
    fill(cli, tmp_path)
    (store_root / "prices" / "CENX.csv").write_text("Date,Open\n")
    code, out, err = cli("data", "status", "--as-of", "2024-02-01")
    assert code == 1
    assert "unreadable in the store: prices/CENX" in err and len(err.strip().splitlines()) == 1
    assert "CENX.csv: missing required columns" in out or "header but no data rows" in out


def test_a_bad_as_of_is_refused(cli):
    code, _, err = cli("data", "status", "--as-of", "yesterday")
    assert code == 2 and "--as-of: unparseable date 'yesterday'" in err

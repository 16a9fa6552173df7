"""The real files of ../shared/data/real imported into a temporary store (skipped when absent):
known values, byte-stable round trips and the quality warnings the record is known to need."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from alu.data.schemas import read_lme, read_prices

LME_FILE = "LME_aluminium_daily_westmetall.csv"


def test_real_lme_file_round_trips_through_the_store(cli, real_dir, store_root, snapshot):
    source = real_dir / LME_FILE
    code, out, err = cli("data", "import", "lme", source)
    assert code == 0, err
    assert "4712 rows read, 4712 added" in out
    assert "81 rows with a missing three_month (kept as missing)" in out
    stored = read_lme(store_root / "lme.csv").frame
    pd.testing.assert_frame_equal(stored, read_lme(source).frame)
    assert len(stored) == 4712 and int(stored["three_month"].isna().sum()) == 81
    assert stored.loc["2022-03-07"].tolist() == [3984.5, 3968.0, 786475.0]
    before = snapshot()
    code, out, _ = cli("data", "import", "lme", source)
    assert code == 0 and "holds nothing new" in out
    assert snapshot() == before


def test_real_lme_file_raises_the_known_quality_warnings(cli, real_dir):
    code, out, err = cli("data", "import", "lme", real_dir / LME_FILE)
    assert code == 0, err
    code, out, err = cli("data", "status", "--json", "--as-of", "2026-11-21")
    assert code == 0, err
    doc = json.loads(out)
    warnings = {w["kind"]: w for w in doc["warnings"]}
    # Runs of 5+ equal stock figures. The flat run ending 2025-08-21 has only 4 rows
    # (2025-08-18..21), so the 5-row rule does not flag it.
    assert warnings["stale_stock"]["dates"] == ["2025-09-15", "2025-12-23", "2026-08-21"]
    assert warnings["three_month_far_from_cash"]["dates"] == ["2008-01-30"]
    assert "cash 2631, 3-month 2339 (-11.1%)" in warnings["three_month_far_from_cash"]["message"]
    assert warnings["weekend_rows"]["dates"] == ["2008-11-08"]
    assert "spread_out_of_range" not in warnings
    series = {s["name"]: s for s in doc["series"]}
    three = series["lme/three_month"]
    assert three["gaps"]["longest"][0] == {"from": "2008-02-19", "to": "2008-06-17", "days": 119}
    assert series["lme/cash_settlement"]["last"] == "2026-08-21"
    assert series["lme/cash_settlement"]["days_since_last"] == 92


@pytest.mark.parametrize("symbol", ["AA", "CENX"])
def test_real_yahoo_files_round_trip(cli, real_dir, store_root, snapshot, symbol):
    source = real_dir / f"{symbol}_daily_yahoo.csv"
    code, out, err = cli("data", "import", "prices", symbol, source)
    assert code == 0, err
    assert "6084 rows read, 6084 added" in out
    stored = read_prices(store_root / "prices" / f"{symbol}.csv").frame
    pd.testing.assert_frame_equal(stored, read_prices(source).frame)
    if symbol == "AA":
        assert stored.loc["2000-01-03", "Close"] == 97.246407
        assert stored.loc["2000-01-03", "Adj Close"] == 70.436211
    before = snapshot()
    assert cli("data", "import", "prices", symbol, source)[0] == 0
    assert snapshot() == before


def test_a_file_on_another_adjustment_basis_is_refused(cli, real_dir, snapshot):
    assert cli("data", "import", "prices", "AA", real_dir / "AA_daily_yahoo.csv")[0] == 0
    before = snapshot()
    merged = real_dir / "AA_daily_merged_adjusted_2000_2026.csv"
    code, _out, err = cli("data", "import", "prices", "AA", merged)
    assert code == 2
    assert f"error: {merged}:2: conflicts with the store on " in err
    assert "first 2000-01-03 Open: the store has 99.724503, the file has 70.376" in err
    assert snapshot() == before

"""Loaders against the real files in ../shared/data/real (skipped when absent)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alu.data.market import Market
from alu.data.schemas import read_lme, read_prices
from alu.data.source import DataSource


def test_yahoo_file(real_dir):
    parsed = read_prices(real_dir / "AA_daily_yahoo.csv")
    frame = parsed.frame
    assert len(frame) == 6084
    assert frame.index[0] == pd.Timestamp("2000-01-03") and frame.index[-1] == pd.Timestamp(
        "2024-03-08"
    )
    assert frame.loc["2000-01-03", "Close"] == pytest.approx(97.246407)
    assert frame.loc["2000-01-03", "Adj Close"] == pytest.approx(70.436211)
    assert parsed.warnings == []


def test_westmetall_lme_file_with_its_known_defects(real_dir):
    parsed = read_lme(real_dir / "LME_aluminium_daily_westmetall.csv")
    frame = parsed.frame
    assert len(frame) == 4712
    assert frame.loc["2022-03-07", "cash_settlement"] == 3984.5
    assert frame.loc["2022-03-07", "three_month"] == 3968.0
    assert frame.loc["2022-03-07", "lme_stock"] == 786475.0
    assert int(frame["three_month"].isna().sum()) == 81  # 2008-02-20..06-16 and 2011-10-13
    assert int(frame["lme_stock"].isna().sum()) == 2  # 2011-10-13 and 2017-05-25
    assert any("81 rows with a missing three_month" in w for w in parsed.warnings)
    assert (
        pd.Timestamp("2008-11-08") in frame.index
    )  # the weekend row is kept (and warned in status)
    assert frame["lme_stock"].min() == 246925.0  # August 2026: below the 2022 low
    assert frame["lme_stock"].idxmin() >= pd.Timestamp("2026-01-01")
    assert frame["lme_stock"].max() > 5_400_000  # the 2013-14 peak


def test_merged_files_load_as_a_data_dir(real_data_dir):
    market = Market(DataSource("data-dir", real_data_dir))
    symbols, notes = market.resolve_symbols(None)
    assert symbols == ["AA", "CENX", "LME3M"] and notes
    aa = market.instrument("AA").bars
    assert aa.index[0] == pd.Timestamp("2000-01-03") and aa.index[-1] == pd.Timestamp("2026-10-09")
    assert aa.loc["2026-10-09", "close"] == pytest.approx(42.20)
    cenx = market.instrument("CENX").bars
    # CENX's Adj Close equals Close from 2002-09-17 on, so recent prices are unscaled.
    assert cenx.loc["2026-10-09", "close"] == pytest.approx(36.76)
    inputs = market.signal_inputs()
    assert inputs.reference_name.startswith("LME 3-month")
    assert np.isfinite(inputs.reference).all()

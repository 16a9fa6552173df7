"""The bundled synthetic sample: reproducible from its committed script, and realistic enough to
exercise every rule (two calendars, stock range, backwardation episodes, band crossings)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from alu.data.source import sample_dir
from alu.signals.bands import band_state

SCRIPT = Path(__file__).resolve().parents[2] / "data" / "make_sample.py"


@pytest.fixture(scope="module")
def lme():
    return pd.read_csv(sample_dir() / "lme.csv", index_col="date", parse_dates=True)


@pytest.fixture(scope="module")
def aa():
    return pd.read_csv(sample_dir() / "prices" / "AA.csv", index_col="Date", parse_dates=True)


def test_regenerating_gives_identical_files(tmp_path):
    spec = importlib.util.spec_from_file_location("make_sample", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(tmp_path)
    for name in ("lme.csv", "prices/AA.csv", "prices/CENX.csv", "prices/ALI=F.csv"):
        assert (tmp_path / name).read_bytes() == (sample_dir() / name).read_bytes(), name


def test_calendars_differ(lme, aa):
    lme_days, us_days = set(lme.index), set(aa.index)
    assert pd.Timestamp("2025-11-27") in lme_days - us_days  # Thanksgiving: LME open
    assert pd.Timestamp("2024-04-01") in us_days - lme_days  # Easter Monday: NYSE open
    assert lme.index[0] == pd.Timestamp("2008-01-02") and lme.index[-1] == pd.Timestamp(
        "2026-11-20"
    )


def test_stocks_spread_and_bands_are_realistic(lme):
    stock = lme["lme_stock"]
    assert 200_000 <= stock.min() <= 300_000 and 5_300_000 <= stock.max() <= 5_600_000
    spread = lme["cash_settlement"] - lme["three_month"]
    assert spread.median() < 0  # mostly contango
    backwardation = spread > 5
    assert 0.05 < backwardation.mean() < 0.4
    # backwardation episodes come with low stocks
    assert stock[backwardation].median() < 0.5 * stock[~backwardation].median()
    three = lme["three_month"]
    for level in (3000, 3200):
        crossings = ((three.shift() <= level) & (three > level)).sum()
        assert crossings >= 4, level
    states = set(band_state(three))
    assert states == {"BULL", "NEUTRAL", "BEAR"}


def test_equities_move_with_aluminium_at_equity_volatility(aa):
    returns = aa["Close"].pipe(lambda s: s / s.shift() - 1).dropna()
    vol = returns.std() * 252**0.5
    assert 0.3 < vol < 0.7
    futures = pd.read_csv(sample_dir() / "prices" / "ALI=F.csv", index_col="Date", parse_dates=True)
    corr = returns.corr(futures["Close"].pct_change().dropna())
    assert 0.3 < corr < 0.7

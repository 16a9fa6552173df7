"""The market model: symbols, the LME3M stand-in, adjusted prices, the source rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alu.data.market import Market, adjusted_bars
from alu.data.source import DataSource, bundled_catalysts_path, resolve_source, sample_dir
from alu.errors import AluError


def test_sample_is_the_fallback_and_labelled_synthetic(monkeypatch, tmp_path):
    monkeypatch.setenv("ALU_HOME", str(tmp_path / "empty-store"))
    source = resolve_source(None)
    assert source.kind == "sample" and source.synthetic
    assert "SYNTHETIC" in source.label
    assert (source.path / "lme.csv").is_file()


def test_store_is_used_when_it_holds_data(monkeypatch, make_data_dir):
    store = make_data_dir(symbols=("AA",), lme=False, name="store")
    monkeypatch.setenv("ALU_HOME", str(store))
    assert resolve_source(None).kind == "store"


def test_data_dir_wins_and_must_exist(tmp_path, make_data_dir):
    root = make_data_dir()
    assert resolve_source(root) == DataSource("data-dir", root)
    with pytest.raises(AluError, match="data dir not found"):
        resolve_source(tmp_path / "missing")
    (tmp_path / "blank").mkdir()
    with pytest.raises(AluError, match="holds neither lme.csv nor prices"):
        resolve_source(tmp_path / "blank")


def test_lme3m_stands_in_for_missing_futures(make_data_dir):
    market = Market(DataSource("data-dir", make_data_dir(symbols=("AA", "CENX"))))
    symbols, notes = market.resolve_symbols(None)
    assert symbols == ["AA", "CENX", "LME3M"]
    assert "LME3M" in notes[0]
    bars = market.instrument("LME3M").bars
    assert bars["open"].isna().all()
    lme = pd.read_csv(sample_dir() / "lme.csv", index_col=0, parse_dates=True).astype(float)
    # The rolled constant-maturity index, worked day by day from the formula.
    both = lme.dropna(subset=["cash_settlement", "three_month"])
    expected = [both["three_month"].iloc[0]]
    for s, t in zip(both.index[:-1], both.index[1:], strict=True):
        d = (t - s).days
        f_t, c_t = both.at[t, "three_month"], both.at[t, "cash_settlement"]
        expected.append(expected[-1] * (f_t - (f_t - c_t) * d / 91) / both.at[s, "three_month"])
    np.testing.assert_allclose(bars["close"].to_numpy(), expected, rtol=1e-12)
    assert bars.index.equals(both.index)


def test_unknown_symbol_lists_what_is_available(make_data_dir):
    market = Market(DataSource("data-dir", make_data_dir(symbols=("AA",), lme=False)))
    with pytest.raises(AluError, match="unknown symbol 'AAA'.*did you mean 'AA'.*available: AA"):
        market.resolve_symbols(["AAA"])
    with pytest.raises(AluError, match="unknown symbol 'ALI=F'"):
        market.resolve_symbols(["ALI=F"])  # no lme.csv to stand in


def test_end_cuts_every_series(sample_market):
    end = pd.Timestamp("2020-06-30")
    market = Market(sample_market.source, end=end)
    assert market.instrument("AA").bars.index[-1] <= end
    assert market.lme().index[-1] <= end


def test_adjusted_bars_scale_by_adj_close():
    frame = pd.DataFrame(
        {
            "Open": [10.0, 20.0],
            "High": [11.0, 21.0],
            "Low": [9.0, 19.0],
            "Close": [10.0, 20.0],
            "Adj Close": [5.0, 20.0],
            "Volume": [1.0, 2.0],
        },
        index=pd.to_datetime(["2024-01-02", "2024-01-03"]),
    )
    bars = adjusted_bars(frame)
    assert bars["open"].tolist() == [5.0, 20.0] and bars["high"].tolist() == [5.5, 21.0]


def test_bundled_catalysts_hold_the_required_events():
    from alu.data.schemas import read_catalysts

    frame = read_catalysts(bundled_catalysts_path()).frame
    dates = {f"{d:%Y-%m-%d}" for d in frame.index}
    for required in (
        "2018-03-08",
        "2025-03-12",
        "2025-06-04",
        "2026-06-01",
        "2026-07-01",
        "2024-04-13",
    ):
        assert required in dates
    assert (frame["source"] != "").all()


def test_user_catalysts_extend_the_bundled_calendar(make_data_dir):
    root = make_data_dir()
    (root / "catalysts.csv").write_text("date,name,kind\n2026-12-01,My event,supply_policy\n")
    events = Market(DataSource("data-dir", root)).catalysts()
    assert "My event" in events["name"].tolist()
    assert "USMCA joint review" in " ".join(events["name"])

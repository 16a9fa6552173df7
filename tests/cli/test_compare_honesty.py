"""``alu compare``'s comparisons that cannot fool (issue 12): --min-trades, null PBO and DSR with
their reason, honest trial counts in the DSR, the minimum backtest length, scoped columns."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from alu.backtest.compare import build_comparison, ranking_returns
from alu.backtest.engine import Costs
from alu.backtest.sweep import SweepSpec, run_sweep
from alu.stats import deflated_sharpe_ratio, return_moments
from alu.stats.trials import count_trials, min_backtest_length
from alu.strategies.variants import variants_from_grids

# upper = 9,000 $/t is never reached: those variants never trade.
GRID = ["--grid", "upper=3200,9000", "--grid", "confirm=1,3"]
BASE = ["compare", "--strategy", "bands", "--start", "2019-01-01", *GRID]


def test_variants_without_trades_are_set_aside(cli):
    code, out, err = cli(*BASE, "--json", "-")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["min_trades"] == 1 and doc["set_aside"] == 2
    ranked = [v for v in doc["variants"] if v["ranked"]]
    aside = [v for v in doc["variants"] if not v["ranked"]]
    assert [v["rank"] for v in ranked] == [1, 2] and all(v["rank"] is None for v in aside)
    assert all(v["params"]["upper"] == 9000 for v in aside)
    assert doc["variants"][:2] == ranked  # ranked first
    code, out, _ = cli(*BASE)
    text = " ".join(out.split())
    assert "2 variant(s) set aside, not ranked: fewer than 1 trade(s)" in text


def test_min_trades_is_per_symbol_and_can_be_raised(cli):
    code, out, _ = cli(*BASE, "--min-trades", "1000", "--json", "-")
    assert code == 0
    doc = json.loads(out)
    assert doc["set_aside"] == 4 and not any(v["ranked"] for v in doc["variants"])
    code, out, _ = cli(*BASE, "--min-trades", "0", "--json", "-")
    assert json.loads(out)["set_aside"] == 0


def test_pbo_and_dsr_are_null_with_the_reason_when_the_metric_is_mostly_undefined(cli):
    # Long-only bands never trade before 2021 on the sample: every in-sample Sharpe is undefined.
    code, out, _ = cli(*BASE, "--split", "2020-06-30", "--json", "-")
    assert code == 0
    doc = json.loads(out)
    assert doc["pbo"] is None and doc["pbo_detail"] is None
    assert doc["pbo_null_reason"] == "the sharpe is undefined for 4 of 4 variants in-sample"
    assert doc["dsr_null_reason"] == doc["pbo_null_reason"]
    assert all(v["deflated_sharpe"] is None for v in doc["variants"])
    _code, out, _ = cli(*BASE, "--split", "2020-06-30")
    assert "(PBO): n/a (the sharpe is undefined for 4 of 4 variants in-sample)" in " ".join(
        out.split()
    )


@pytest.fixture(scope="module")
def comparison(sample_market):
    variants = variants_from_grids("bands", ["confirm=1,2,3,5", "buffer=0,0.01,0.02"], {})
    spec = SweepSpec(variants, ["AA", "CENX", "ALI=F"], costs=Costs(), split=0.6)
    return build_comparison(run_sweep(sample_market.universe(), spec), rank_by="sharpe")


def test_dsr_uses_the_effective_number_of_trials(comparison):
    returns = ranking_returns(comparison.sweep)
    trials, first = count_trials(returns, chunk_columns=5)
    # Chunked sums: equal up to the order of the additions.
    got = comparison.trials
    assert (got.raw, got.distinct, got.dispersed) == trials[:3]
    assert got.mean_correlation == pytest.approx(trials.mean_correlation, rel=1e-12)
    assert got.effective == pytest.approx(trials.effective, rel=1e-12)
    assert trials.raw == 12 and 1 <= trials.effective <= trials.distinct <= 12
    m = return_moments(returns)
    variance = np.var(m.sharpe[first][np.isfinite(m.sharpe[first])], ddof=1)
    expected = deflated_sharpe_ratio(
        m.sharpe, m.n_obs, m.skew, m.kurtosis, n_trials=trials.effective, sharpe_variance=variance
    )
    np.testing.assert_allclose(comparison.deflated_sharpe, expected, rtol=1e-9)
    doc = comparison.to_json()
    assert doc["trials"]["raw"] == 12
    assert doc["trials"]["effective"] == pytest.approx(trials.effective, rel=1e-12)
    assert any("effective of 12 tried" in n for n in comparison.notes)


def test_minimum_backtest_length_note(comparison):
    mbl = comparison.min_backtest
    top = int(comparison.order[0])
    sharpe = comparison.sweep.metrics["in_sample"]["portfolio"]["sharpe"][top]
    assert mbl["sharpe"] == sharpe
    if sharpe > 0:
        assert mbl["years_needed"] == pytest.approx(
            min_backtest_length(comparison.trials.effective, sharpe)
        )
        assert mbl["years_available"] == pytest.approx(comparison.sweep.split_index / 252)
        assert mbl["enough"] == (mbl["years_available"] >= mbl["years_needed"])
    assert mbl["text"] in comparison.notes


def test_split_labels_every_column_with_its_sample(cli):
    code, out, _ = cli(*BASE, "--split", "2023-06-30", "--csv", "-")
    header = next(csv.reader(io.StringIO(out)))
    metric_columns = [h for h in header if h not in ("rank", "name", "strategy")]
    metric_columns = [h for h in metric_columns if not h.startswith("param.")]
    assert all(h.split(".")[0] in ("full", "in_sample", "out_of_sample") for h in metric_columns)
    assert "full.portfolio.sharpe" in header and "in_sample.deflated_sharpe" in header
    code, out, _ = cli(*BASE, "--split", "2023-06-30")
    assert code == 0
    head = next(line for line in out.splitlines() if line.lstrip().startswith("#"))
    for label in (
        "sharpe IS",
        "sharpe OOS",
        "return full",
        "max DD full",
        "trades full",
        "AA IS",
        "DSR IS",
    ):
        assert label in head
    # Without a split, nothing to say: the old headers.
    _code, out, _ = cli(*BASE, "--csv", "-")
    assert "portfolio.sharpe" in next(csv.reader(io.StringIO(out)))

"""`alu compare` end to end: table, JSON, CSV, split, walk-forward, heatmap, bad input."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

GRID = ["--grid", "confirm=1,3", "--grid", "buffer=0,0.01"]
BASE = ["compare", "--strategy", "bands", "--start", "2019-01-01", *GRID]


def one_line_error(result, pattern):
    code, out, err = result
    assert code == 2, (code, out, err)
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: "), err
    assert re.search(pattern, err), err
    assert "Traceback" not in out + err


def test_table_ranks_variants_and_reports_pbo(cli):
    code, out, err = cli(*BASE)
    assert code == 0, err
    assert "4 variants" in out and "SYNTHETIC" in out
    assert "PBO" in out and "DSR" in out
    assert err == ""  # no progress bar when not on a terminal


def test_json_holds_every_variant_ranked(cli, tmp_path):
    path = tmp_path / "c.json"
    code, _, err = cli(*BASE, "--json", path, "--rank-by", "total_return")
    assert code == 0, err
    doc = json.loads(path.read_text())
    assert doc["n_variants"] == 4 and len(doc["variants"]) == 4
    assert 0 <= doc["pbo"] <= 1
    returns = [v["portfolio"]["metrics"]["total_return"] for v in doc["variants"]]
    assert returns == sorted(returns, reverse=True)
    for rank, variant in enumerate(doc["variants"], start=1):
        assert variant["rank"] == rank
        assert set(variant["symbols"]) == {"AA", "CENX", "ALI=F"}
        assert variant["deflated_sharpe"] is None or 0 <= variant["deflated_sharpe"] <= 1
        assert {"params", "symbols", "portfolio", "deflated_sharpe"} <= set(variant)


def test_compare_figures_equal_backtest(cli):
    code, out, _ = cli(*BASE, "--json", "-")
    variant = json.loads(out)["variants"][0]
    params = [f"--param={k}={v}" for k, v in variant["params"].items()]
    code, out, _ = cli(
        "backtest", "--strategy", "bands", "--start", "2019-01-01", *params, "--json", "-"
    )
    assert code == 0
    single = json.loads(out)
    for symbol, block in variant["symbols"].items():
        for metric, value in block["metrics"].items():
            expected = single["symbols"][symbol]["metrics"][metric]
            assert (value is None and expected is None) or value == pytest.approx(
                expected, rel=1e-9
            )


def test_minimise_drawdown_ranking(cli):
    code, out, _ = cli(*BASE, "--json", "-", "--rank-by", "max_drawdown")
    assert code == 0
    drawdowns = [v["portfolio"]["metrics"]["max_drawdown"] for v in json.loads(out)["variants"]]
    assert drawdowns == sorted(drawdowns)


def test_split_ranks_in_sample_and_shows_both(cli):
    code, out, err = cli(*BASE, "--split", "2022-06-30", "--json", "-")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["split"] == "2022-06-30" and doc["ranked_on"] == "in_sample"
    sharpes = [v["portfolio"]["in_sample"]["sharpe"] for v in doc["variants"]]
    assert sharpes == sorted(sharpes, key=lambda s: -s if s is not None else float("inf"))
    assert "out_of_sample" in doc["variants"][0]["portfolio"]
    code, out, _ = cli(*BASE, "--split", "0.5")
    assert code == 0 and "sharpe IS" in out and "sharpe OOS" in out


def test_walk_forward(cli):
    code, out, err = cli(*BASE, "--walk-forward", "3", "--direction", "both", "--json", "-")
    assert code == 0, err
    wf = json.loads(out)["walk_forward"]
    assert len(wf["windows"]) == 3
    assert all(w["variant"] for w in wf["windows"])
    assert wf["windows"][0]["out_of_sample"][0] > wf["windows"][0]["in_sample"][1]
    assert set(wf["metrics"]) >= {"total_return", "sharpe", "max_drawdown"}
    # Long-only bands never trade in some windows: no variant is chosen, the window is flat.
    code, out, _ = cli(*BASE, "--walk-forward", "3")
    assert "held flat" in out and "no variant had a defined in-sample metric" in out


def test_csv_one_row_per_variant(cli):
    code, out, _ = cli(*BASE, "--csv", "-")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 4
    assert {
        "rank",
        "name",
        "param.confirm",
        "portfolio.sharpe",
        "AA.total_return",
        "deflated_sharpe",
    } <= set(rows[0])


def test_heatmap_of_a_2d_grid(cli, tmp_path):
    path = tmp_path / "heat.html"
    code, _, err = cli(*BASE, "--plot", path)
    assert code == 0, err
    html = path.read_text()
    assert "Heatmap" in html or "heatmap" in html
    assert '<script src="http' not in html


def test_variants_file(cli):
    code, out, err = cli(
        "compare",
        "--variants",
        "strategies/variants.example.toml",
        "--start",
        "2019-01-01",
        "--json",
        "-",
    )
    assert code == 0, err
    names = {v["name"] for v in json.loads(out)["variants"]}
    assert "buy and hold" in names and "bands[confirm=3]" in names


def test_single_variant_has_null_pbo(cli, tmp_path):
    path = tmp_path / "one.toml"
    path.write_text('[[variant]]\nname = "only"\nstrategy = "bands"\n')
    code, out, _ = cli("compare", "--variants", path, "--json", "-")
    assert code == 0 and json.loads(out)["pbo"] is None


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (["compare", "--grid", "uper=1,2"], r"unknown parameter 'uper'"),
        (
            ["compare", "--strategy", "sqeeze", "--grid", "confirm=1,2"],
            r"unknown strategy 'sqeeze'",
        ),
        (["compare", "--grid", "confirm="], r"empty grid"),
        (["compare", "--grid", "confirm=1:2:3:4"], r"malformed range"),
        (["compare"], r"nothing to compare"),
        (
            [
                "compare",
                "--grid",
                "confirm=1:50",
                "--grid",
                "upper=3000:3500:1",
                "--max-variants",
                "1000",
            ],
            r"25,050 variants.*--yes",
        ),
        (
            ["compare", "--grid", "confirm=1,2", "--rank-by", "sharp"],
            r"unknown metric 'sharp'.*did you mean 'sharpe'",
        ),
        (
            ["compare", "--grid", "confirm=1,2", "--split", "2030-01-01"],
            r"--split 2030-01-01 leaves fewer than two days",
        ),
        (
            ["compare", "--grid", "confirm=1,2", "--split", "1.5"],
            r"fraction must be between 0 and 1",
        ),
        (["compare", "--grid", "confirm=1,2", "--walk-forward", "1"], r"at least 2 windows"),
        (["compare", "--grid", "confirm=1,2", "--plot", "x.html"], r"heatmap of a 2-D grid"),
        (["compare", "--grid", "confirm=1,2", "--json", "/nonexistent/x.json"], r"does not exist"),
        (["compare", "--variants", "missing.toml"], r"missing.toml: file not found"),
    ],
)
def test_bad_input(cli, args, pattern):
    one_line_error(cli(*args), pattern)


def test_toml_syntax_error_names_the_line(cli, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[[variant]]\nname = "x"\nstrategy = bands\n')
    one_line_error(
        cli("compare", "--variants", path), rf"{re.escape(str(path))}:3: TOML syntax error"
    )


def test_undefined_rank_metric_is_said(cli):
    # Long-only bands never trade before 2021 on the sample: every in-sample Sharpe is undefined.
    code, out, _ = cli(*BASE, "--split", "2020-06-30")
    assert code == 0
    assert "undefined for 4 of 4 variants in-sample" in " ".join(out.split())
    assert "the ranking means nothing" in " ".join(out.split())


def test_variants_with_identical_returns_are_said(cli, tmp_path):
    path = tmp_path / "twins.toml"
    path.write_text(
        '[[variant]]\nname = "a"\nstrategy = "bands"\n'
        '[[variant]]\nname = "b"\nstrategy = "bands"\nparams = { confirm = 3 }\n'
        '[[variant]]\nname = "c"\nstrategy = "bands"\nparams = { confirm = 1 }\n'
    )
    code, out, _ = cli("compare", "--variants", path)
    assert code == 0
    assert "only 2 of 3 variants have distinct returns" in " ".join(out.split())
    code, out, _ = cli(*BASE)
    assert "distinct returns" not in out


def test_compare_sweeps_the_execution_model(cli, tmp_path):
    """--grid stop_loss=... is a sweep like any other; each variant carries its stop."""
    out = tmp_path / "c.json"
    code, _, err = cli(
        "compare",
        "-s",
        "bands",
        "--grid",
        "stop_loss=0.05,0.1,0.2",
        "--sizing",
        "fraction=0.5",
        "--json",
        out,
        "--quiet",
    )
    assert code == 0, err
    doc = json.loads(out.read_text())
    stops = sorted(v["params"]["stop_loss"] for v in doc["variants"])
    assert stops == [0.05, 0.1, 0.2]
    assert all(v["params"]["fraction"] == 0.5 for v in doc["variants"])

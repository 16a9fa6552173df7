"""`alu backtest` and `alu strategies` end to end, and every error path."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def one_line_error(code, out, err, pattern):
    assert code == 2, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert re.search(pattern, lines[0]), lines[0]
    assert "Traceback" not in err + out


def test_backtest_on_the_bundled_sample(cli):
    code, out, err = cli("backtest")
    assert code == 0, err
    assert "SYNTHETIC" in out
    for word in ("AA", "CENX", "ALI=F", "portfolio", "Sharpe", "max drawdown", "buy & hold"):
        assert word in out


def test_backtest_json_shape(cli, tmp_path):
    path = tmp_path / "result.json"
    code, _, err = cli(
        "backtest",
        "--strategy",
        "bands",
        "--direction",
        "both",
        "--json",
        path,
        "--param",
        "upper=3250",
        "--start",
        "2015-01-01",
    )
    assert code == 0, err
    doc = json.loads(path.read_text())
    assert doc["strategy"] == "bands" and doc["params"]["upper"] == 3250.0
    assert doc["data"]["synthetic"] is True and "SYNTHETIC" in doc["data"]["source"]
    assert set(doc["symbols"]) == {"AA", "CENX", "ALI=F"}
    for entry in doc["symbols"].values():
        assert DATE.match(entry["start"]) and entry["start"] >= "2015-01-01"
        metrics = entry["metrics"]
        for key in (
            "total_return",
            "cagr",
            "sharpe",
            "sortino",
            "max_drawdown",
            "trades",
            "win_rate",
            "exposure",
            "buy_hold_return",
        ):
            assert key in metrics
        assert 0 <= metrics["exposure"] <= 1
        for trade in entry["trades"]:
            assert set(trade) == {
                "entry_date",
                "exit_date",
                "entry_price",
                "exit_price",
                "direction",
                "return",
                "exit_reason",
            }
            assert DATE.match(trade["entry_date"])
            assert trade["exit_date"] is None or DATE.match(trade["exit_date"])
            assert trade["direction"] in ("long", "short")
        assert entry["metrics"]["trades"] == len(entry["trades"])
    assert "metrics" in doc["portfolio"]


def test_backtest_json_to_stdout_is_pure_json(cli):
    code, out, _ = cli("backtest", "-s", "buy_hold", "--json", "-")
    assert code == 0
    doc = json.loads(out)
    assert doc["symbols"]["AA"]["metrics"]["trades"] == 1
    assert doc["symbols"]["AA"]["trades"][0]["exit_date"] is None


def test_lme_leg_is_named_when_futures_are_missing(cli, make_data_dir):
    root = make_data_dir(symbols=("AA", "CENX"))
    code, out, err = cli("backtest", "--data-dir", root, "--json", "-")
    assert code == 0, err
    doc = json.loads(out)
    assert "LME3M" in doc["symbols"] and "ALI=F" not in doc["symbols"]
    assert any("LME3M" in note for note in doc["notes"])
    code, out, _ = cli("backtest", "--data-dir", root)
    assert "LME3M" in out and "aluminium leg is the LME 3-month price" in " ".join(out.split())


def test_backtest_on_real_data(cli, real_data_dir):
    code, out, err = cli("backtest", "--data-dir", real_data_dir, "--json", "-")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["data"]["synthetic"] is False
    assert doc["symbols"]["AA"]["end"] == "2026-10-09"
    assert doc["symbols"]["LME3M"]["end"] == "2026-08-21"


def test_strategies_table_and_json(cli):
    code, out, _ = cli("strategies")
    assert code == 0
    for name in ("squeeze", "bands", "spread", "inventory", "buy_hold"):
        assert name in out
    code, out, _ = cli("strategies", "--json")
    items = json.loads(out)
    assert [i["name"] for i in items] == ["squeeze", "bands", "spread", "inventory", "buy_hold"]
    squeeze = items[0]
    assert {"name", "description", "params"} <= set(squeeze)
    assert squeeze["params"]["upper"]["default"] == 3200.0
    assert squeeze["params"]["confirm"]["type"] == "int"


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (
            ["backtest", "--strategy", "sqeeze"],
            r"unknown strategy 'sqeeze'.*did you mean 'squeeze'",
        ),
        (["backtest", "--param", "uper=3300"], r"unknown parameter 'uper'.*did you mean 'upper'"),
        (["backtest", "--param", "upper"], r"--param expects key=value"),
        (["backtest", "--param", "confirm=two"], r"parameter confirm: 'two' is not a number"),
        (["backtest", "--symbols", "AA,XYZ"], r"unknown symbol 'XYZ'.*available: "),
        (["backtest", "--start", "2024-02-30"], r"--start: unparseable date '2024-02-30'"),
        (["backtest", "--end", "yesterday"], r"--end: unparseable date 'yesterday'"),
        (
            ["backtest", "--start", "2024-05-01", "--end", "2024-01-01"],
            r"--start 2024-05-01 is after --end 2024-01-01",
        ),
        (
            ["backtest", "--start", "2030-01-01"],
            r"AA has 0 trading day\(s\) in the window 2030-01-01 to ",
        ),
        (["backtest", "--fees", "-0.1"], r"--fees must be a fraction"),
        (["backtest", "--direction", "sideways"], r"sideways"),
        (["backtest", "--no-such-option"], r"No such option: --no-such-option"),
        (["backtest", "--data-dir", "/nonexistent/dir"], r"data dir not found"),
        (
            ["backtest", "--json", "/nonexistent/dir/out.json"],
            r"directory /nonexistent/dir does not exist",
        ),
        (["nonsense"], r"No such command 'nonsense'"),
    ],
)
def test_bad_input_is_one_line_exit_2(cli, args, pattern):
    one_line_error(*cli(*args), pattern)


def test_missing_lme_for_a_strategy_that_needs_it(cli, make_data_dir):
    root = make_data_dir(symbols=("AA", "CENX"), lme=False)
    one_line_error(
        *cli("backtest", "--data-dir", root, "--symbols", "AA"),
        r"strategy squeeze needs lme.csv \(the spread and inventory signals\) and a band reference",
    )
    code, _, err = cli("backtest", "--data-dir", root, "-s", "buy_hold", "--symbols", "AA")
    assert code == 0, err


def test_bad_file_in_the_data_dir_names_file_and_line(cli, make_data_dir):
    root = make_data_dir()
    lines = (root / "lme.csv").read_text().splitlines()
    lines[5] = lines[5].replace(",", ",x", 1)
    (root / "lme.csv").write_text("\n".join(lines) + "\n")
    code, out, err = cli("backtest", "--data-dir", root)
    one_line_error(code, out, err, rf"{re.escape(str(root / 'lme.csv'))}:6: non-numeric text")


def test_bands_can_reference_futures_without_lme(cli, make_data_dir):
    root = make_data_dir(symbols=("AA", "ALI=F"), lme=False)
    code, out, err = cli(
        "backtest", "--data-dir", root, "-s", "bands", "--symbols", "AA,ALI=F", "--json", "-"
    )
    assert code == 0, err
    assert json.loads(out)["data"]["band_reference"].startswith("ALI=F close")


def test_installed_console_script_runs():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "alu",
            "backtest",
            "-s",
            "buy_hold",
            "--symbols",
            "AA",
            "--json",
            "-",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["symbols"]["AA"]["metrics"]["trades"] == 1
    proc = subprocess.run(
        [sys.executable, "-m", "alu", "backtest", "-s", "nope"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and proc.stderr.startswith("error: unknown strategy")


def test_the_default_window_starts_when_the_signals_are_known(cli, make_data_dir):
    """AA has prices long before the LME record: the window starts when the strategy's signals
    are known, and buy-and-hold covers the same window (like with like)."""
    root = make_data_dir(symbols=("AA",))
    lines = (root / "lme.csv").read_text().splitlines()
    kept = [lines[0], *[row for row in lines[1:] if row >= "2012-01-01"]]
    (root / "lme.csv").write_text("\n".join(kept) + "\n")
    code, out, err = cli("backtest", "--data-dir", root, "--symbols", "AA", "--json", "-")
    assert code == 0, err
    doc = json.loads(out)
    window = doc["window"]
    assert window["start"] >= "2012-01-03" and "known" in window["reason"]
    assert doc["symbols"]["AA"]["start"] == window["start"]
    code, out, _ = cli(
        "backtest", "--data-dir", root, "--symbols", "AA", "-s", "buy_hold", "--json", "-"
    )
    doc = json.loads(out)
    assert doc["window"]["reason"] == "the first day every symbol has a price"
    assert doc["symbols"]["AA"]["start"] < "2012-01-01"


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (["--stop-loss", "-0.1"], r"stop_loss: -0.1 is below the minimum 0 \(--stop-loss\)"),
        (["--stop-loss", "1.5"], r"stop_loss: 1.5 is above the maximum 1 \(--stop-loss\)"),
        (["--trailing-stop", "2"], r"trailing_stop: 2.0 is above the maximum 1"),
        (["--maintenance-margin", "1.2"], r"maintenance_margin: 1.2 is above the maximum 1"),
        (["--maintenance-margin", "-1"], r"maintenance_margin: -1.0 is below the minimum 0"),
        (["--sizing", "vol-target=0"], r"--sizing vol-target=0: a zero or negative vol target"),
        (["--sizing", "kelly"], r"--sizing: unknown sizing mode 'kelly'"),
        (["--sizing", "fraction=abc"], r"--sizing fraction: 'abc' is not a number"),
        (["--sizing", "fraction=2"], r"fraction \(2.0\) is above max_leverage \(1.0\)"),
        (["--vol-window", "1"], r"vol_window: 1 is below the minimum 2"),
        (["--max-stale-days", "-1"], r"max_stale_days: -1 is below the minimum 0"),
        (["--stop-loss", "0.1", "--param", "stop_loss=0.2"], r"stop_loss is set by --param and"),
        (["--param", "fraction=0"], r"fraction must be above 0"),
    ],
)
def test_bad_model_values_are_one_line_exit_2(cli, refused, args, pattern):
    refused(cli("backtest", *args), pattern)


def test_model_options_reach_the_engine_and_the_json(cli):
    code, out, err = cli(
        "backtest",
        "-s",
        "bands",
        "--direction",
        "both",
        "--sizing",
        "vol-target=0.2",
        "--max-leverage",
        "2",
        "--stop-loss",
        "0.05",
        "--trailing-stop",
        "0.1",
        "--json",
        "-",
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["params"]["vol_target"] == 0.2 and doc["params"]["stop_loss"] == 0.05
    reasons = {t["exit_reason"] for s in doc["symbols"].values() for t in s["trades"]}
    assert "stop" in reasons and reasons <= {"signal", "stop", "liquidation", "end"}
    assert doc["window"]["start"] <= doc["symbols"]["AA"]["start"]


def test_strategies_lists_the_execution_parameters(cli):
    code, out, _ = cli("strategies", "--json")
    assert code == 0
    for item in json.loads(out):
        params = item["params"]
        for name in (
            "fraction",
            "vol_target",
            "max_leverage",
            "vol_window",
            "rebalance_days",
            "stop_loss",
            "trailing_stop",
            "maintenance_margin",
        ):
            assert name in params, (item["name"], name)
        assert params["maintenance_margin"]["default"] == 0.25
        if item["name"] != "buy_hold":
            assert params["max_stale_days"]["default"] == 5

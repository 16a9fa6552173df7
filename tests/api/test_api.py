"""The Python API: results carry their frames, equal what the commands print, and refuse bad
values naming the keyword (the CLI names the option)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import alu
from alu.backtest.metrics import NAMES
from alu.errors import AluError


@pytest.fixture(scope="module")
def bands_both():
    return alu.backtest(
        strategy="bands", direction="both", stop_loss=0.05, start="2015-01-01", fees=0.002
    )


def test_backtest_to_json_is_what_the_command_writes(cli, bands_both):
    code, out, err = cli(
        "backtest", "-s", "bands", "--direction", "both", "--stop-loss", "0.05",
        "--start", "2015-01-01", "--fees", "0.002", "--json", "-",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out) == json.loads(json.dumps(bands_both.to_json()))


def test_backtest_frames(bands_both):
    metrics = bands_both.metrics
    assert list(metrics.index) == ["AA", "CENX", "ALI=F", "portfolio"]
    assert list(metrics.columns) == list(NAMES)
    equity = bands_both.equity
    assert list(equity.columns) == ["AA", "CENX", "ALI=F", "portfolio"]
    np.testing.assert_allclose(equity.sum(axis=1) - equity["portfolio"], equity["portfolio"])
    trades = bands_both.trades
    assert len(trades) == metrics.loc["portfolio", "trades"]
    assert set(trades["exit_reason"]) <= {"signal", "stop", "liquidation", "end"}
    assert (trades["exit_reason"] == "stop").any()
    assert pd.api.types.is_datetime64_any_dtype(trades["entry_date"])
    assert bands_both.window["start"] == "2015-01-01"
    assert bands_both.data["synthetic"] is True


def test_backtest_writes_its_report_and_charts(bands_both, tmp_path):
    page = bands_both.report(tmp_path / "r.html")
    assert page.stat().st_size > 100_000
    pngs = bands_both.png(tmp_path / "png")
    assert pngs and all(p.suffix == ".png" and p.stat().st_size > 0 for p in pngs)


def test_compare_to_json_is_what_the_command_writes(cli, tmp_path):
    result = alu.compare(
        strategy="bands", grid={"confirm": [1, 3], "buffer": "0:0.01:0.005"}, split=0.6
    )
    out = tmp_path / "c.json"
    code, _, err = cli(
        "compare", "-s", "bands", "--grid", "confirm=1,3", "--grid", "buffer=0:0.01:0.005",
        "--split", "0.6", "--json", out, "--quiet",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out.read_text()) == json.loads(json.dumps(result.to_json()))
    table = result.table
    assert len(table) == 6 and list(table["rank"][:3]) == [1, 2, 3]
    assert "in_sample.portfolio.sharpe" in table.columns
    assert result.pbo is None or 0 <= result.pbo <= 1


@pytest.mark.parametrize(
    ("call", "keyword", "option"),
    [
        (lambda: alu.compare(strategy="bands", grid={"confirm": [1]}, walk_forward=1),
         "walk_forward needs", "--walk-forward needs"),
        (lambda: alu.backtest(start="2024-13-01"), "start: unparseable date",
         "--start: unparseable date"),
        (lambda: alu.backtest(stop_loss=2), "(stop_loss)", "(--stop-loss)"),
        (lambda: alu.backtest(fees=0.9), "fees must be a fraction", "--fees must be a fraction"),
        (lambda: alu.research(horizons="0"), "horizons: '0'", "--horizons: '0'"),
    ],
)  # fmt: skip
def test_errors_name_the_keyword_and_the_cli_the_option(call, keyword, option):
    with pytest.raises(AluError) as caught:
        call()
    assert keyword in str(caught.value)
    assert option in caught.value.for_cli()


def test_the_packages_are_callable_whatever_was_imported_first():
    code = (
        "import alu.backtest.engine, alu.watchlist.build, alu\n"
        "snap = alu.watchlist(date='2024-01-10')\n"
        "bt = alu.backtest(strategy='buy_hold', symbols='AA', start='2024-01-01')\n"
        "print(snap.to_json()['as_of'], round(float(bt.metrics.loc['AA', 'exposure']), 3))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "2024-01-10"


def test_importing_alu_is_light():
    code = "import sys, alu; print(sorted({'pandas', 'numpy', 'vectorbt'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr

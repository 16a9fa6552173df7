"""`alu backtest --report FILE.html --png DIR` end to end, its refusals, and the promise that
commands which draw nothing never import plotly or matplotlib."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from alu.reports.readback import decode, read_page, trace


def test_report_and_pngs_are_written_and_listed(cli, tmp_path):
    report = tmp_path / "r.html"
    charts = tmp_path / "charts"
    code, out, err = cli(
        "backtest", "-s", "buy_hold", "--symbols", "AA,CENX", "--report", report, "--png", charts
    )
    assert code == 0, err
    lines = [line for line in out.splitlines() if line.startswith(("report: ", "png: "))]
    assert lines[0].startswith(f"report: {report} (") and lines[0].endswith(" MB)")
    names = ["market.png", "AA.png", "CENX.png", "portfolio.png"]
    assert [line.split()[1] for line in lines[1:]] == [str(charts / n) for n in names]
    assert sorted(p.name for p in charts.iterdir()) == sorted(names)
    page = read_page(report.read_text(encoding="utf-8"))
    assert page.title == "alu backtest: buy_hold [SYNTHETIC]"
    titles = [a["text"] for a in page.figures["timeline"]["layout"]["annotations"]]
    assert titles[0].endswith("(default parameters: not used by buy_hold)")


def test_json_on_stdout_stays_pure_and_the_listing_goes_to_stderr(cli, tmp_path):
    report = tmp_path / "r.html"
    code, out, err = cli("backtest", "--symbols", "AA", "--json", "-", "--report", report)
    assert code == 0, err
    doc = json.loads(out)
    assert err.startswith(f"report: {report} (")
    page = read_page(report.read_text(encoding="utf-8"))
    final = decode(trace(page.figures["timeline"], "AA/equity", "equity")["y"])[-1]
    assert final / doc["initial_cash"] - 1 == pytest.approx(
        doc["symbols"]["AA"]["metrics"]["total_return"], rel=1e-12
    )


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (["--report", "{tmp}/missing/r.html"], r"--report .*: directory .*missing does not exist"),
        (["--report", "{tmp}"], r"--report .*: is a directory"),
        (["--png", "{tmp}/a_file"], r"--png .*a_file: is a file, not a directory"),
        (["--png", "{tmp}/missing/charts"], r"--png .*: parent directory .*missing does not exist"),
        (["--report", "{tmp}/r.html", "--png", "{tmp}/a_file"], r"is a file, not a directory"),
        (
            ["--report", "{tmp}/r.html", "--json", "{tmp}/missing/r.json"],
            r"--json .*r.json: directory .*missing does not exist",
        ),
    ],
)
def test_bad_targets_are_one_line_exit_2_and_nothing_is_written(
    cli, refused, tmp_path, args, pattern
):
    (tmp_path / "a_file").write_bytes(b"not a directory")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    refused(cli("backtest", "-s", "buy_hold", *args), pattern)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_a_backtest_error_writes_no_report(cli, refused, tmp_path):
    report = tmp_path / "r.html"
    refused(cli("backtest", "--start", "2030-01-01", "--report", report), r"0 trading day")
    assert list(tmp_path.iterdir()) == []


def test_commands_that_draw_nothing_do_not_import_plotting_libraries():
    code = (
        "import sys\n"
        "from alu.cli import main\n"
        "main(['strategies'])\n"
        "main(['--help'])\n"
        "print(sorted(m for m in ('plotly', 'matplotlib') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stderr

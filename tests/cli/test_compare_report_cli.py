"""`alu compare --report FILE.html` (and `--plot`) end to end, and the targets refused before the
sweep runs."""

from __future__ import annotations

import html
import json

import pytest

from alu.reports.readback import decode, read_page, trace

BASE = [
    "compare",
    "--strategy",
    "bands",
    "--start",
    "2019-01-01",
    "--grid",
    "confirm=1,3",
    "--grid",
    "buffer=0,0.01",
]


def test_report_is_written_and_listed(cli, tmp_path):
    report = tmp_path / "compare.html"
    code, out, err = cli(*BASE, "--split", "0.6", "--walk-forward", "2", "--report", report)
    assert code == 0, err
    assert f"wrote {report}" in out
    page = read_page(report.read_text(encoding="utf-8"))
    assert page.title == "alu compare: bands [SYNTHETIC]"
    assert list(page.figures) == ["is-oos", "heatmap", "walk-forward", "pbo"]
    assert len(page.tables["ranking"].rows) == 4


def test_report_table_has_the_terminal_tables_columns(cli, tmp_path):
    report = tmp_path / "compare.html"
    code, out, _ = cli(*BASE, "--symbols", "AA,CENX", "--split", "0.6", "--report", report)
    assert code == 0
    headers = read_page(report.read_text(encoding="utf-8")).tables["ranking"].headers
    assert headers == [
        "#",
        "confirm",
        "buffer",
        "sharpe IS",
        "sharpe OOS",
        "return full",
        "max DD full",
        "trades full",
        "AA sharpe IS",
        "CENX sharpe IS",
        "DSR IS",
    ]
    header_line = next(line for line in out.splitlines() if line.lstrip().startswith("#"))
    assert [h.strip() for h in header_line.split("┃")] == headers


def test_json_on_stdout_stays_pure_with_a_report(cli, tmp_path):
    report = tmp_path / "compare.html"
    code, out, err = cli(*BASE, "--json", "-", "--report", report)
    assert code == 0, err
    doc = json.loads(out)
    assert err == f"wrote {report}\n"
    page = read_page(report.read_text(encoding="utf-8"))
    points = decode(trace(page.figures["is-oos"], "scatter", "variants")["text"])
    assert list(points) == [html.escape(v["name"]) for v in doc["variants"]]  # the same ranking


def test_plot_page_uses_the_report_shell(cli, tmp_path):
    plot = tmp_path / "heat.html"
    code, _, err = cli(*BASE, "--plot", plot)
    assert code == 0, err
    page = read_page(plot.read_text(encoding="utf-8"))
    assert page.title == "alu compare: bands: heatmap [SYNTHETIC]"
    cells = trace(page.figures["heatmap"], "heatmap", "full")
    assert cells["y"] == ["1", "3"] and cells["x"] == ["0", "0.01"]
    assert page.script_srcs == []


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (["--report", "{tmp}/missing/r.html"], r"--report .*: directory .*missing does not exist"),
        (["--report", "{tmp}"], r"--report .*: is a directory"),
        (["--plot", "{tmp}"], r"--plot .*: is a directory"),
        (["--plot", "{tmp}/missing/h.html"], r"--plot .*: directory .*missing does not exist"),
        (["--plot", "{tmp}/same.html", "--report", "{tmp}/same.html"], r"name the same file"),
        (
            ["--report", "{tmp}/r.html", "--json", "{tmp}/missing/c.json"],
            r"--json .*c.json: directory .*missing does not exist",
        ),
        (["--report", "{tmp}/r.html", "--split", "2030-01-01"], r"--split 2030-01-01 leaves"),
        (["--report", "{tmp}/r.html", "--rank-by", "sharp"], r"unknown metric 'sharp'"),
    ],
)
def test_bad_targets_and_failed_sweeps_write_nothing(cli, refused, tmp_path, args, pattern):
    """Each refusal is one line, exit 2, and leaves the directory as it was: a bad target is
    refused before the sweep runs (so the good --json target is not written either)."""
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--json" not in args:
        args += ["--json", str(tmp_path / "c.json")]
    refused(cli(*BASE, *args), pattern)
    assert list(tmp_path.iterdir()) == []


def test_report_of_a_sweep_that_is_not_a_2d_grid_has_no_heatmap(cli, tmp_path):
    report = tmp_path / "compare.html"
    code, _, err = cli(
        "compare", "--strategy", "bands", "--grid", "confirm=1:3", "--report", report
    )
    assert code == 0, err
    page = read_page(report.read_text(encoding="utf-8"))
    assert "heatmap" not in page.figures and "is-oos" in page.figures

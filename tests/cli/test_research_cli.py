"""``alu thesis``, ``alu research`` and ``alu events`` end to end: formats, the research page
read back, bad input refused in one line, and no vectorbt."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from alu.reports.readback import decode, read_page, trace
from alu.research.views import EVENTS_CSV_COLUMNS, RESEARCH_CSV_COLUMNS


def test_thesis_json_and_table(cli):
    code, out, err = cli("thesis", "--format", "json", "--date", "2022-06-30")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["as_of"] == "2022-06-30"
    assert {"as_of", "verdict", "conditions", "episodes", "freshness", "data", "notes"} <= set(doc)
    assert doc["data"]["synthetic"] is True
    code, out, err = cli("thesis", "--date", "2022-06-30")
    assert code == 0, err
    assert "verdict: " + doc["verdict"] in out and "SYNTHETIC" in out


def test_research_json_and_csv(cli):
    args = ("research", "--horizons", "5,20", "--symbols", "AA", "--start", "2015-01-01")
    code, out, err = cli(*args, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["horizons"] == [5, 20] and doc["start"] == "2015-01-01"
    assert {r["symbol"] for r in doc["by_state"]} == {"AA"}
    code, out, err = cli(*args, "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert tuple(rows[0]) == RESEARCH_CSV_COLUMNS
    assert len(rows) == len(doc["by_state"]) + len(doc["ic"])
    assert {r["table"] for r in rows} == {"by_state", "ic"}


def test_events_json_and_csv(cli):
    args = ("events", "--symbols", "AA,CENX", "--kinds", "tariff,sanctions", "--window=-3:3")
    code, out, err = cli(*args, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["model"] == "constant_mean" and doc["window"] == [-3, 3]
    assert {"date", "name", "kind", "symbol", "car", "t"} <= set(doc["events"][0])
    assert {"kind", "symbol", "n", "caar", "t_cs", "t_bmp"} <= set(doc["by_kind"][0])
    assert len(doc["events"][0]["ar"]) == 7
    code, out, err = cli(*args, "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert tuple(rows[0]) == EVENTS_CSV_COLUMNS
    assert len(rows) == len(doc["events"]) + len(doc["by_kind"])


def test_one_research_page_with_all_three(cli, tmp_path):
    page_path = tmp_path / "research.html"
    code, out, err = cli(
        "research",
        "--horizons",
        "5,20",
        "--report",
        page_path,
        "--with",
        "thesis,events",
        "--format",
        "json",
    )
    assert code == 0, err
    doc = json.loads(out)
    page = read_page(page_path.read_text())
    assert {"conditions", "freshness", "episodes", "by-state", "ic", "by-kind", "events"} <= set(
        page.tables
    )
    assert set(page.figures) == {"episodes", "forward", "ic", "car"}
    assert page.script_srcs == []  # self-contained
    row = doc["by_state"][0]
    key = f"{row['signal']}|{row['state']}|{row['symbol']}|{row['horizon']}"
    cell = page.tables["by-state"].row(key)
    assert float(cell["mean"][1]) == pytest.approx(row["mean"])
    bars = trace(page.figures["forward"], row["signal"], f"{row['symbol']} {row['horizon']}d")
    assert decode(bars["y"])[0] == pytest.approx(row["mean"])
    ic = doc["ic"][0]
    line = trace(page.figures["ic"], ic["symbol"], ic["signal"])
    assert decode(line["y"])[0] == pytest.approx(ic["ic"])
    assert "SYNTHETIC" in page.title


def test_thesis_report_alone(cli, tmp_path):
    page_path = tmp_path / "thesis.html"
    code, _, err = cli("thesis", "--report", page_path, "--format", "json")
    assert code == 0, err
    page = read_page(page_path.read_text())
    assert set(page.figures) == {"episodes"}
    assert page.tables["conditions"].keys[0] == "bands not BEAR"


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (("thesis", "--date", "2030-01-01"), "after the last date in the data"),
        (("thesis", "--with", "events"), "--with adds sections to the --report page"),
        (("research", "--horizons", "0,5"), "--horizons: '0' is not a whole number"),
        (("research", "--start", "2020-01-01", "--end", "2019-01-01"), "is after --end"),
        (("research", "--symbols", "XYZ"), "unknown symbol 'XYZ'"),
        (("events", "--window", "5:-5"), "--window"),
        (("events", "--benchmark", "SPY"), "no prices/SPY.csv.*alu data fetch --symbols SPY"),
        (("events", "--kinds", "tarif"), "did you mean 'tariff'"),
        (("events", "--estimation", "2"), "--estimation needs at least 3 days"),
        (("events", "--report", "/nonexistent/x.html"), "does not exist"),
        (("research", "--report", "r.html", "--with", "nonsense"), "--with: unknown part"),
    ],
)
def test_bad_input_is_one_line(cli, refused, args, pattern):
    refused(cli(*args), pattern)


def test_research_commands_import_no_vectorbt(tmp_path):
    """The research commands read prices directly: none of the backtest's modules load (the
    bare alu.backtest package is imported by alu itself: calling it runs alu.api.backtest)."""
    page = tmp_path / "page.html"
    script = (
        "import sys\n"
        "from alu.cli import main\n"
        "assert main(['thesis', '--format', 'json']) == 0\n"
        "assert main(['research', '--horizons', '5', '--format', 'csv']) == 0\n"
        f"assert main(['events', '--format', 'json', '--report', {str(page)!r}]) == 0\n"
        "heavy = ('vectorbt', 'numba', 'backtest')\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in heavy}"
        " | {m for m in sys.modules if m.startswith('alu.backtest.')})\n"
        "sys.stderr.write(repr(loaded))\n"
    )
    env = {"ALU_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"

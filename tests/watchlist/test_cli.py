"""``alu watchlist`` end to end: the three views, --out, --history and every bad input."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from alu.watchlist.views import HISTORY_COLUMNS, SNAPSHOT_COLUMNS

ANSI = re.compile(r"\x1b\[")


def test_json_is_one_object_with_the_documented_keys(cli, watch_dir, watch_args):
    code, out, err = cli("watchlist", "--data-dir", watch_dir, "--format", "json", *watch_args)
    assert code == 0, err
    doc = json.loads(out)  # exactly one JSON value: the whole output parses
    assert {"as_of", "signals", "instruments", "alerts", "data"} <= set(doc)
    assert doc["as_of"] == "2024-01-26" and doc["previous_day"] == "2024-01-25"
    signals = doc["signals"]
    assert set(signals) == {"band", "spread", "inventory", "catalysts"}
    band, spread, inv, cat = (signals[k] for k in ("band", "spread", "inventory", "catalysts"))
    assert band["state"] == "BEAR" and band["reference_price"] == 2920.0
    assert band["date"] == "2024-01-26" and band["closes_in_zone"] == 8
    assert spread["value"] == 5.0 and spread["date"] == "2024-01-26"
    assert spread["regime"] == "FLAT" and spread["narrowing"] is False
    assert inv["stock"] == 1030.0 and inv["date"] == "2024-01-25" and inv["trend"] == "BUILDING"
    assert cat["next_event"] == {"date": "2024-01-29", "name": "Test tariff", "kind": "tariff"}
    assert cat["days_to_next"] == 3 and cat["in_window"] is True
    assert cat["recent"] == [{"date": "2024-01-05", "name": "Test sanctions", "kind": "sanctions"}]
    assert list(doc["instruments"]) == ["AA", "CENX", "ALI=F"]
    aa = doc["instruments"]["AA"]
    assert aa["date"] == "2024-01-26" and aa["close"] == 34.25
    assert aa["stances"]["spread"]["both"] == {
        "stance": "flat",
        "held": "short",
        "order": "exit",
        "stale": False,
    }
    assert aa["stances"]["bands"]["both"] == {
        "stance": "short",
        "held": "short",
        "order": None,
        "stale": False,
    }
    assert [a["kind"] for a in doc["alerts"]] == ["spread_regime", "stance", "stance"]
    assert doc["alerts"][1] == {
        "date": "2024-01-26",
        "kind": "stance",
        "subject": "AA",
        "previous": "short",
        "current": "flat",
        "text": "AA spread (long/short): short -> flat, exit at the next open",
        "strategy": "spread",
        "direction": "both",
    }
    assert doc["data"]["synthetic"] is False and str(watch_dir) in doc["data"]["source"]
    stale = {f["input"]: f["stale"] for f in doc["freshness"]}
    assert stale["CENX"] is True and stale["AA"] is False


def test_sample_json_says_synthetic(cli):
    code, out, err = cli("watchlist", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["as_of"] == "2026-11-20"
    assert doc["data"]["synthetic"] is True and "SYNTHETIC" in doc["data"]["source"]


def test_csv_one_row_per_signal_and_per_instrument_strategy_direction(cli, watch_dir, watch_args):
    code, out, err = cli("watchlist", "--data-dir", watch_dir, "--format", "csv", *watch_args)
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert tuple(rows[0]) == SNAPSHOT_COLUMNS
    assert all(len(row) == len(SNAPSHOT_COLUMNS) for row in rows)
    records = list(csv.DictReader(io.StringIO(out)))
    assert len(records) == 4 + 3 * 5 * 2
    assert [r["name"] for r in records[:4]] == ["band", "spread", "inventory", "catalysts"]
    assert {r["as_of"] for r in records} == {"2024-01-26"}
    inventory = records[2]
    assert (inventory["state"], inventory["value"], inventory["date"]) == (
        "BUILDING",
        "1030.0",
        "2024-01-25",
    )
    assert (inventory["unit"], inventory["lag_days"], inventory["stale"]) == ("t", "1", "false")
    catalysts = records[3]
    assert (catalysts["state"], catalysts["value"], catalysts["date"]) == ("in", "3", "2024-01-29")
    by_key = {(r["name"], r["strategy"], r["direction"]): r for r in records[4:]}
    spread = by_key[("AA", "spread", "both")]
    assert (spread["state"], spread["previous"], spread["order"]) == ("flat", "short", "exit")
    assert (spread["value"], spread["date"]) == ("34.25", "2024-01-26")
    cenx = by_key[("CENX", "inventory", "long")]
    assert (cenx["date"], cenx["lag_days"], cenx["stale"], cenx["order"]) == (
        "2024-01-17",
        "7",
        "true",
        "exit",
    )


def test_table_fits_one_screen_and_is_clean_when_piped(cli, watch_dir, watch_args):
    for args in (("watchlist",), ("watchlist", "--data-dir", watch_dir, *watch_args)):
        code, out, err = cli(*args)
        assert code == 0, err
        lines = out.splitlines()
        assert len(lines) <= 40, out
        assert max(len(line) for line in lines) <= 100, out
        assert not ANSI.search(out)
        assert all(line == line.rstrip() for line in lines)
    for word in ("bands", "spread", "inventory", "catalysts", "squeeze", "buy_hold", "STALE"):
        assert word in out
    assert "entering" not in out and "spread regime CONTANGO -> FLAT" in out
    assert "flat->SHORT" not in out and "short->FLAT" in out  # AA spread, long/short


def test_table_colours_direction_on_a_terminal(at):
    from rich.console import Console

    from alu.watchlist.table import render_snapshot

    snap = at()
    buffer = io.StringIO()
    render_snapshot(
        snap, Console(file=buffer, force_terminal=True, color_system="standard", width=100)
    )
    text = buffer.getvalue()
    assert "\x1b[31mBEAR" in text  # red: the bear band state
    assert "\x1b[32mlong" in text  # green: buy_hold's long stance


def test_out_writes_the_file_instead_of_stdout(cli, watch_dir, watch_args, tmp_path):
    for fmt in ("json", "csv", "table"):
        target = tmp_path / f"watch.{fmt}"
        args = ("watchlist", "--data-dir", watch_dir, "--format", fmt, *watch_args)
        code, out, err = cli(*args, "--out", target)
        assert code == 0 and out == "" and err == "", err
        code, printed, _ = cli(*args)
        assert target.read_text() == printed
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind


def test_history_views(cli, watch_dir, watch_args):
    base = ("watchlist", "--data-dir", watch_dir, "--history", *watch_args)
    code, out, err = cli(*base, "--start", "2024-01-16", "--end", "2024-01-19", "--format", "csv")
    assert code == 0, err
    records = list(csv.DictReader(io.StringIO(out)))
    assert tuple(next(csv.reader(io.StringIO(out)))) == HISTORY_COLUMNS
    assert [r["date"] for r in records] == sorted(r["date"] for r in records)
    assert {r["date"] for r in records} == {"2024-01-16", "2024-01-17", "2024-01-18", "2024-01-19"}
    band = [r for r in records if r["kind"] == "band_state"]
    assert [(b["date"], b["previous"], b["current"]) for b in band] == [
        ("2024-01-19", "NEUTRAL", "BEAR")
    ]
    code, out, err = cli(*base, "--start", "2024-01-16", "--end", "2024-01-19", "--format", "json")
    doc = json.loads(out)
    assert (doc["start"], doc["end"], doc["days"]) == ("2024-01-16", "2024-01-19", 4)
    assert len(doc["alerts"]) == len(records) and doc["data"]["synthetic"] is False
    code, out, err = cli(*base)
    assert code == 0 and "2024-01-19" in out and "NEUTRAL -> BEAR" in out
    assert not ANSI.search(out)


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (
            ("--date", "2023-12-29"),
            r"--date 2023-12-29 is before the first date in the data; the data runs 2024-01-02 to 2024-01-26",
        ),
        (("--date", "2024-02-01"), r"--date 2024-02-01 is after the last date in the data"),
        (("--date", "yesterday"), r"--date: unparseable date 'yesterday' \(expected YYYY-MM-DD\)"),
        (("--date", "2024-02-30"), r"--date: unparseable date '2024-02-30' \(no such day\)"),
        (("--start", "2024-01-10"), r"--start/--end need --history"),
        (("--history", "--date", "2024-01-10"), r"with --history give the period as --start/--end"),
        (
            ("--history", "--start", "2024-01-20", "--end", "2024-01-10"),
            r"--start 2024-01-20 is after --end 2024-01-10",
        ),
        (("--history", "--end", "2024-02-10"), r"--end 2024-02-10 is after the last date"),
        (("--history", "--start", "2023-01-01"), r"--start 2023-01-01 is before the first date"),
        (("--format", "xml"), r"Invalid value for '--format'"),
        (
            ("--param", "pct_windw=3"),
            r"unknown parameter 'pct_windw' \(did you mean 'pct_window'\?\)",
        ),
        (
            ("--out", "/nonexistent/dir/watch.txt"),
            r"--out /nonexistent/dir/watch.txt: directory /nonexistent/dir does not exist",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(cli, watch_dir, watch_args, args, pattern):
    code, out, err = cli("watchlist", "--data-dir", watch_dir, *watch_args, *args)
    assert (code, out) == (2, ""), err
    [line] = err.splitlines()
    assert line.startswith("error: ") and re.search(pattern, line), line


EXAMPLES = Path(__file__).resolve().parents[2] / "strategies" / "examples"


def test_watchlist_imports_neither_vectorbt_nor_numba(tmp_path):
    """The watchlist stops after the signals: none of the backtest's heavy imports load (nor
    with strategy files)."""
    script = (
        "import sys\n"
        "from alu.cli import main\n"
        "for fmt in ('table', 'json', 'csv'):\n"
        "    assert main(['watchlist', '--format', fmt]) == 0\n"
        "assert main(['watchlist', '--history', '--format', 'csv']) == 0\n"
        f"files = ['--strategy-file', {str(EXAMPLES / 'strategies.example.toml')!r},\n"
        f"         '--strategy-file', {str(EXAMPLES / 'strategies_example.py')!r}]\n"
        "assert main(['watchlist', '--format', 'json', *files]) == 0\n"
        "heavy = ('vectorbt', 'numba', 'scipy', 'yfinance', 'matplotlib', 'plotly', 'backtest')\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "sys.stderr.write(repr(loaded))\n"
    )
    env = {"ALU_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "[]"

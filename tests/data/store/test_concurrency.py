"""Concurrent writers, as real processes started together: every row and every symbol of every
import survives, ``store.json`` records every one, and a writer that cannot get the lock in time
says so (exit code 1) without touching the store."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from alu.data.schemas import read_lme, read_prices

LME_HEADER = "date,cash_settlement,three_month,lme_stock\n"
PRICE_HEADER = "Date,Open,High,Low,Close,Adj Close,Volume\n"


def lme_file(tmp_path: Path, i: int) -> Path:
    day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=i)
    path = tmp_path / f"lme_{i}.csv"
    path.write_text(f"{LME_HEADER}{day:%Y-%m-%d},{2200 + i},{2230 + i},{500000 + i}\n")
    return path


def price_file(tmp_path: Path, i: int) -> Path:
    path = tmp_path / f"prices_{i}.csv"
    path.write_text(f"{PRICE_HEADER}2024-01-02,10,11,9,10.{i},10.{i},{1000 + i}\n")
    return path


def finish(procs) -> list[tuple[int, str, str]]:
    out = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=60)
        out.append((proc.returncode, stdout, stderr))
    return out


def concurrent_lme_imports(n, spawn, tmp_path, store_root):
    files = [lme_file(tmp_path, i) for i in range(n)]
    results = finish([spawn("data", "import", "lme", f) for f in files])
    for code, out, err in results:
        assert code == 0, err
        assert "1 added" in out
    frame = read_lme(store_root / "lme.csv").frame
    assert len(frame) == n
    assert list(frame["three_month"]) == [2230.0 + i for i in range(n)]
    log = json.loads((store_root / "store.json").read_text())["series"]["lme"]["log"]
    assert sorted(entry["file"] for entry in log) == sorted(str(f.resolve()) for f in files)
    assert all(entry["added"] == 1 for entry in log)
    assert not [p.name for p in store_root.iterdir() if p.name.startswith(".")]


def test_two_lme_imports_started_together_keep_both_rows(spawn, tmp_path, store_root):
    concurrent_lme_imports(2, spawn, tmp_path, store_root)


def test_eight_lme_imports_started_together_keep_every_row(spawn, tmp_path, store_root):
    concurrent_lme_imports(8, spawn, tmp_path, store_root)


def test_eight_price_imports_of_new_symbols_are_all_recorded(spawn, tmp_path, store_root):
    symbols = [f"S{i}" for i in range(8)]
    procs = [
        spawn("data", "import", "prices", s, price_file(tmp_path, i)) for i, s in enumerate(symbols)
    ]
    for code, _out, err in finish(procs):
        assert code == 0, err
    meta = json.loads((store_root / "store.json").read_text())["series"]
    assert sorted(meta) == sorted(f"prices/{s}" for s in symbols)
    for i, symbol in enumerate(symbols):
        frame = read_prices(store_root / "prices" / f"{symbol}.csv").frame
        assert frame["Close"].tolist() == [float(f"10.{i}")]
        assert len(meta[f"prices/{symbol}"]["log"]) == 1


def test_four_fetches_of_different_symbols_are_all_recorded(spawn, store_root):
    symbols = [f"F{i}" for i in range(4)]  # yfinance makes each process slow to start
    days = ["2024-03-04", "2024-03-05", "2024-03-06"]
    procs = [spawn("data", "fetch", "--symbols", s, fake_yf_days=days) for s in symbols]
    for code, out, err in finish(procs):
        assert code == 0, err
        assert ": new" in out
    meta = json.loads((store_root / "store.json").read_text())["series"]
    assert sorted(meta) == sorted(f"prices/{s}" for s in symbols)
    for symbol in symbols:
        frame = read_prices(store_root / "prices" / f"{symbol}.csv").frame
        assert [f"{d:%Y-%m-%d}" for d in frame.index] == days
        assert meta[f"prices/{symbol}"]["source"] == "yfinance"


def test_fetch_and_imports_together_lose_nothing(spawn, tmp_path, store_root):
    days = ["2024-03-04", "2024-03-05"]
    procs = [
        spawn("data", "fetch", "--symbols", "AA", fake_yf_days=days),
        spawn("data", "import", "prices", "CENX", price_file(tmp_path, 1)),
        spawn("data", "import", "lme", lme_file(tmp_path, 0)),
        spawn("data", "import", "lme", lme_file(tmp_path, 1)),
    ]
    for code, _out, err in finish(procs):
        assert code == 0, err
    meta = json.loads((store_root / "store.json").read_text())["series"]
    assert sorted(meta) == ["lme", "prices/AA", "prices/CENX"]
    assert len(meta["lme"]["log"]) == 2
    assert len(read_lme(store_root / "lme.csv").frame) == 2


HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(30)
"""


def test_a_writer_waits_for_the_lock_then_gives_up_with_code_1(
    spawn, tmp_path, store_root, snapshot
):
    store_root.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(store_root)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = snapshot()
        proc = spawn("data", "import", "lme", lme_file(tmp_path, 0), env={"ALU_LOCK_WAIT": "0.5"})
        ((code, out, err),) = finish([proc])
    finally:
        holder.kill()
        holder.communicate()
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "another alu command is writing to the store" in lines[0]
    assert "more than 0.5 s" in lines[0]
    assert out == ""
    assert snapshot() == before


def test_the_lock_is_released_when_its_holder_is_killed(spawn, tmp_path, store_root):
    store_root.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(store_root)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "locked"
    holder.kill()  # SIGKILL: no chance to unlock
    holder.communicate()
    fd = os.open(store_root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again
    finally:
        os.close(fd)
    ((code, _out, err),) = finish([spawn("data", "import", "lme", lme_file(tmp_path, 0))])
    assert code == 0, err

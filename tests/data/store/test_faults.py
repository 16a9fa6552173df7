"""A commit that fails or is killed at any step leaves the old store or the new one, never a
mix, and the next command repairs what is left (``ALU_FAULT``, :mod:`alu.faults`; kills are
real ``SIGKILL``s of real processes). Also the half-commits of issue 10: a ``store.json`` of the
wrong shape, a directory or a link where a store file belongs are refused before anything is
written."""

from __future__ import annotations

import json
import os
import random
import signal
import time
from pathlib import Path

import pytest

from alu.data import journal
from alu.data.schemas import read_lme

LME_HEADER = "date,cash_settlement,three_month,lme_stock\n"
SEED = "2024-01-02,2200.5,2230,500000\n2024-01-03,2210,2241.5,498750\n"
NEW_ROW = "2024-01-04,2220,2250,497000\n"
PRICE_HEADER = "Date,Open,High,Low,Close,Adj Close,Volume\n"
PRICES = "2024-01-02,10,11,9,10.5,10.4,1000\n"

#: Every step of a commit of one data file and store.json.
STEPS = [
    "commit:start",
    "commit:after-temp-files",
    "commit:after-journal",
    "commit:after-rename-1",
    "commit:after-data-rename",
    "commit:after-rename-2",
    "commit:after-meta-rename",
    "commit:after-journal-removed",
]


@pytest.fixture
def seeded(cli, tmp_path, snapshot, store_root):
    """A store with two LME rows and AA prices; returns (snapshot before, the import file)."""
    seed = tmp_path / "seed.csv"
    seed.write_text(LME_HEADER + SEED)
    prices = tmp_path / "aa.csv"
    prices.write_text(PRICE_HEADER + PRICES)
    assert cli("data", "import", "lme", seed)[0] == 0
    assert cli("data", "import", "prices", "AA", prices)[0] == 0
    new = tmp_path / "new.csv"
    new.write_text(LME_HEADER + NEW_ROW)
    return snapshot(), new


def state(store_root: Path, before: dict[str, str], snapshot) -> str:
    """'old' (byte-identical to ``before``) or 'new' (the row and its log entry committed,
    everything else as before); fails on anything else. Stray temporary files (dot files, removed
    by the next writer) are not part of the store's state."""
    now = {k: v for k, v in snapshot().items() if not Path(k).name.startswith(".")}
    if now == before:
        return "old"
    frame = read_lme(store_root / "lme.csv").frame
    assert [f"{d:%Y-%m-%d}" for d in frame.index] == ["2024-01-02", "2024-01-03", "2024-01-04"]
    assert frame["three_month"].tolist() == [2230, 2241.5, 2250]
    meta = json.loads((store_root / "store.json").read_text())["series"]
    assert len(meta["lme"]["log"]) == 2 and meta["lme"]["log"][-1]["added"] == 1, meta
    assert {k: v for k, v in now.items() if k not in ("lme.csv", "store.json")} == {
        k: v for k, v in before.items() if k not in ("lme.csv", "store.json")
    }
    return "new"


def no_leftovers(store_root: Path) -> None:
    assert not journal.pending(store_root)
    assert journal.leftovers(store_root) == []


@pytest.mark.parametrize("step", STEPS)
def test_a_failing_step_leaves_the_old_store_or_the_new(
    step, cli, seeded, snapshot, store_root, monkeypatch
):
    before, new = seeded
    monkeypatch.setenv("ALU_FAULT", step)
    code, out, err = cli("data", "import", "lme", new)
    assert code == 1, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "injected fault" in lines[0]
    expected = "new" if step == "commit:after-journal-removed" else "old"
    assert state(store_root, before, snapshot) == expected
    no_leftovers(store_root)
    monkeypatch.delenv("ALU_FAULT")
    code, out, err = cli("data", "import", "lme", new)  # the next import: works or has nothing new
    assert code == 0, err
    assert state(store_root, before, snapshot) == "new"


@pytest.mark.parametrize("step", STEPS)
def test_kill_9_at_any_step_then_the_next_command_repairs(
    step, spawn, cli, seeded, snapshot, store_root
):
    before, new = seeded
    proc = spawn("data", "import", "lme", new, env={"ALU_FAULT": f"{step}:kill"})
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    # What the killed process left: a journal means its commit point was reached.
    journaled = journal.pending(store_root)
    committed = journaled or step == "commit:after-journal-removed"
    stray = journal.leftovers(store_root)
    code, out, err = cli("data", "status")  # a reader: completes a journaled commit
    assert code == 0, err
    if journaled:
        assert "note: completed an interrupted write to the store (lme.csv, store.json)" in err
    elif stray:
        assert f"{len(stray)} temporary files of an interrupted write" in out
    assert state(store_root, before, snapshot) == ("new" if committed else "old")
    code, out, err = cli("data", "import", "lme", new)  # a writer: removes stray files
    assert code == 0, err
    if stray and not journaled:
        assert "leftover temporary file" in out
    no_leftovers(store_root)
    assert state(store_root, before, snapshot) == "new"


def test_kill_9_at_random_moments_leaves_the_old_store_or_the_new(
    spawn, cli, seeded, snapshot, store_root, tmp_path
):
    before, _ = seeded
    big = tmp_path / "big.csv"  # enough new rows that the commit takes a moment
    rows = [
        f"2025-{m:02d}-{d:02d},{2000 + d},{2010 + d},{400000 + d}\n"
        for m in range(1, 13)
        for d in range(1, 29)
    ]
    big.write_text(LME_HEADER + "".join(rows))
    rng = random.Random(10)
    seen = set()
    for _ in range(4):
        proc = spawn("data", "import", "lme", big)
        time.sleep(rng.uniform(0.4, 1.4))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        assert cli("data", "status")[0] == 0
        assert journal.leftovers(store_root) == [] or not journal.pending(store_root)
        # A kill while staging leaves temporary files (the next writer removes them): they are
        # not part of the store, old or new.
        stray = {str(p.relative_to(store_root)) for p in journal.leftovers(store_root)}
        now = {name: digest for name, digest in snapshot().items() if name not in stray}
        if now == before:
            seen.add("old")
        else:
            assert len(read_lme(store_root / "lme.csv").frame) == 2 + len(rows)
            assert json.loads((store_root / "store.json").read_text())["series"]["lme"]["log"][-1][
                "added"
            ] == len(rows)
            seen.add("new")
            break
    assert seen  # each round was old or new; nothing else


# -- half-commits of issue 10: refused before anything is written ----------------------------


@pytest.mark.parametrize(
    "content",
    [
        '{"version":1,"series":{"lme":"oops"}}',
        '{"version":1,"series":[]}',
        '{"version":1,"series":{"lme":{"log":"x"}}}',
        '{"version":1,"series":{"lme":{"source":{"deep":1}}}}',
        '{"version":1,"series":{"../etc":{}}}',
        '{"version":99,"series":{}}',
        "[" * 100_000 + "]" * 100_000,
        "{not json",
        "\xff\xfe",
    ],
)
def test_a_bad_store_json_is_refused_before_any_data_file_is_touched(
    content, cli, seeded, snapshot, store_root
):
    before, new = seeded
    (store_root / "store.json").write_text(content, encoding="latin-1")
    before = snapshot()
    code, out, err = cli("data", "import", "lme", new)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert (
        len(lines) == 1
        and lines[0].startswith(f"error: {store_root / 'store.json'}: ")
        and "store metadata" in lines[0]
    ), err
    assert "Traceback" not in err
    assert snapshot() == before
    code, out, err = cli("data", "status")
    assert code == 1 and "Traceback" not in out + err
    assert err.strip().splitlines() == ["error: unreadable in the store: store.json"]


def test_a_huge_store_json_is_refused_without_reading_it(cli, seeded, snapshot, store_root):
    _, new = seeded
    with open(store_root / "store.json", "ab") as handle:
        handle.truncate(5 * 1024 * 1024)
    before = snapshot()
    code, _out, err = cli("data", "import", "lme", new)
    assert code == 2 and "more than the 4,194,304 this tool writes" in err
    assert snapshot() == before


@pytest.mark.parametrize("name", ["store.json", "lme.csv", "prices/AA.csv"])
@pytest.mark.parametrize("kind", ["directory", "symlink", "fifo"])
def test_a_store_file_that_is_not_a_regular_file_is_refused(
    name, kind, cli, seeded, store_root, tmp_path, snapshot
):
    _, new = seeded
    target = store_root / name
    target.unlink()
    if kind == "directory":
        target.mkdir()
    elif kind == "symlink":
        elsewhere = tmp_path / "elsewhere.csv"
        elsewhere.write_text(LME_HEADER + SEED)
        target.symlink_to(elsewhere)
    else:
        os.mkfifo(target)
    before = snapshot()
    more_prices = tmp_path / "more.csv"
    more_prices.write_text(PRICE_HEADER + "2024-01-03,10,11,9,10.5,10.4,1000\n")
    args = (
        ("data", "import", "prices", "AA", more_prices)
        if name.startswith("prices")
        else ("data", "import", "lme", new)
    )
    code, out, err = cli(*args)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {target}: "), err
    assert "move it out of the store" in lines[0]
    assert snapshot() == before
    assert target.is_dir() if kind == "directory" else True
    if kind == "symlink":
        assert target.is_symlink() and (tmp_path / "elsewhere.csv").read_text() == LME_HEADER + SEED


def test_a_journal_that_cannot_be_completed_is_undone(
    cli, seeded, snapshot, store_root, monkeypatch
):
    """Killed after the journal, then a staged file is damaged: the repair undoes the commit."""
    before, _new = seeded
    lme = (store_root / "lme.csv").read_bytes()
    meta = (store_root / "store.json").read_bytes()
    monkeypatch.setattr(journal, "fault", _die_at("commit:after-rename-1"))
    with pytest.raises(_Died):
        journal.commit(
            store_root, [("lme.csv", lme + NEW_ROW.encode()), ("store.json", meta + b" ")]
        )
    assert snapshot() == before  # the in-process failure was undone
    # now the leftovers of a crash after the first rename, with store.json's staged copy damaged
    txn = "123-0badc0de"
    (store_root / f".lme.csv.{txn}.tmp").write_bytes(lme + NEW_ROW.encode())
    os.link(store_root / "lme.csv", store_root / f".lme.csv.{txn}.old")
    os.link(store_root / "store.json", store_root / f".store.json.{txn}.old")
    (store_root / f".store.json.{txn}.tmp").write_bytes(b"damaged")  # not what the journal says
    entries = [
        journal._Entry("lme.csv", True, journal.hashlib.sha256(lme + NEW_ROW.encode()).hexdigest()),
        journal._Entry("store.json", True, journal.hashlib.sha256(meta + b" ").hexdigest()),
    ]
    journal._write_journal(store_root, txn, entries)
    os.replace(store_root / f".lme.csv.{txn}.tmp", store_root / "lme.csv")  # first rename done
    _code, _out, err = cli("data", "status")
    assert "note: undid an interrupted write to the store (lme.csv, store.json)" in err
    assert snapshot() == before
    no_leftovers(store_root)


class _Died(BaseException):
    pass


def _die_at(name):
    def fault(step):
        if step == name:
            raise _Died

    return fault


def test_an_unreadable_journal_is_one_line_with_code_1(cli, seeded, store_root):
    _, new = seeded
    (store_root / journal.JOURNAL_FILE).write_text('{"version": 1, "txn": "../x", "files": []}')
    code, _out, err = cli("data", "import", "lme", new)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "unreadable journal of an interrupted write" in lines[0]

"""Where a sweep runs does not change what it finds: threads, a dask.distributed cluster (a worker
killed mid-run included) and the per-chunk reductions give the same result, bit for bit, as one
chunk after another in this process."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest

import alu
from alu.errors import AluError
from alu.output import dumps

GRID = {"confirm": "1:12", "buffer": "0:0.02:0.002"}  # 132 variants


def run(**kwargs):
    result = alu.compare(
        "bands", GRID, start="2019-01-01", split="2022-06-30", walk_forward=3, **kwargs
    )
    return dumps(result.to_json()), result


@pytest.fixture(scope="module")
def serial():
    return run(workers=1, chunk_size=200)


def test_chunking_and_threads_do_not_change_the_result(serial):
    text, result = serial
    assert result.comparison.pbo is not None and result.comparison.walk_forward is not None
    for chunk_size, workers in ((1, 2), (5, 1), (16, 2), (50, 3)):
        again, _ = run(workers=workers, chunk_size=chunk_size)
        assert again == text, (chunk_size, workers)


def test_workers_must_be_positive():
    with pytest.raises(AluError, match=r"workers=0 must be at least 1"):
        alu.compare("bands", GRID, workers=0)
    with pytest.raises(AluError, match=r"chunk_size=0 must be at least 1"):
        alu.compare("bands", GRID, chunk_size=0)


def test_unreachable_scheduler_is_one_line(monkeypatch):
    pytest.importorskip("distributed")
    from alu.backtest import parallel

    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT", "1s")
    with pytest.raises(AluError, match=r"scheduler=tcp://127.0.0.1:9: cannot reach") as info:
        alu.compare("bands", {"confirm": "1,2"}, scheduler="tcp://127.0.0.1:9")
    assert info.value.exit_code == 1


def test_dask_cluster_with_a_worker_killed_mid_run(serial):
    """Two worker processes; one is killed (SIGKILL) once the first chunk is back: its chunks
    run again elsewhere and the result is the serial one. (No client of the test's own: the
    sweep's is the only one in this process.)"""
    distributed = pytest.importorskip("distributed")
    text, _ = serial
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    try:
        victim = cluster.workers[0]
        pid = victim.pid
        assert pid is not None and {w.pid for w in cluster.workers.values()} != {None}
        killed = threading.Event()

        def progress(_done: int) -> None:
            if not killed.is_set():
                killed.set()
                os.kill(pid, signal.SIGKILL)

        again, _ = run(
            scheduler=cluster.scheduler_address, chunk_size=5, progress=progress, workers=2
        )
        assert killed.is_set()
        assert again == text
        # the nanny starts a new process in place of the killed one
        cluster.wait_for_workers(2, timeout=60)
        deadline = time.monotonic() + 60
        while victim.pid in (pid, None) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert victim.pid not in (pid, None)
    finally:
        cluster.close()


def test_local_cluster_route(serial):
    pytest.importorskip("distributed")
    text, _ = serial
    again, _ = run(scheduler="local", workers=2, chunk_size=40)
    assert again == text
    assert json.loads(again)["n_variants"] == 132


def test_streamed_json_and_csv_equal_the_whole_documents(serial, tmp_path):
    """Large outputs are written a block of variants at a time; the bytes are those of the
    whole document (compact JSON) and of the table."""
    import csv as csv_module
    import io

    from alu.backtest.compare import Comparison

    _, result = serial
    comparison = result.comparison
    Comparison.BLOCK = 7  # many blocks (class attribute, restored below)
    try:
        streamed = "".join(comparison.json_pieces())
        table = "".join(comparison.csv_pieces())
    finally:
        Comparison.BLOCK = 2_000
    assert streamed == dumps(result.to_json(), compact=True)
    rows = list(csv_module.reader(io.StringIO(table)))
    frame = result.table
    assert rows[0] == list(frame.columns) and len(rows) == len(frame) + 1
    for got, want in zip(rows[1:], frame.itertuples(index=False), strict=True):
        for cell, value in zip(got, want, strict=True):
            if isinstance(value, float):
                assert (cell == "" and value != value) or float(cell) == value
            elif value is None:
                assert cell == ""
            else:
                assert cell == str(value)
    path = tmp_path / "c.json"
    result.write_json(path)  # 132 variants: compact, streamed
    assert path.read_text() == dumps(result.to_json(), compact=True)


def test_a_notebooks_own_client_is_used_not_doubled(serial):
    """With a client of the same scheduler already open in the process (a notebook's), the
    sweep uses it and leaves it open."""
    distributed = pytest.importorskip("distributed")
    text, _ = serial
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    )
    try:
        with distributed.Client(cluster) as client:
            again, _ = run(scheduler=cluster.scheduler_address, chunk_size=40)
            assert again == text
            assert client.status == "running"
    finally:
        cluster.close()

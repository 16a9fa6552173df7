"""Where a sweep's chunks run: in this process, on threads, or on a dask.distributed cluster.

:func:`chunk_results` yields the :class:`alu.backtest.sweep.ChunkResult` of every chunk of a
plan, in whatever order they finish (the accumulator does not depend on it):

- chunks a resumed sweep finds on disk (:mod:`alu.backtest.resume`) are read, not computed;
- ``workers == 1``: one after another in this process;
- ``workers > 1``: a pool of long-lived threads in this process. The numba kernels release the
  GIL and numpy releases it inside its loops, so the threads run on the cores side by side, share
  the plan and the compiled kernels, and no data is copied between processes;
- ``scheduler``: a dask.distributed cluster (an address, or ``"local"`` for a LocalCluster of
  ``workers`` processes): the plan is scattered to every worker once, each chunk is a task that
  returns only its reductions, and a lost worker's tasks are run again by the scheduler.

A finished chunk is written to the resume directory (when there is one) before it is handed on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

from alu.backtest.sweep import ChunkResult, SweepPlan, run_chunk
from alu.errors import AluError

#: Chunks in flight per worker: enough to keep every thread busy, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 2
#: How long to try reaching a scheduler given by its address.
CONNECT_TIMEOUT = "10s"


def chunk_results(
    plan: SweepPlan,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    resume: Path | None = None,
    note: Callable[[str], None] | None = None,
) -> Iterator[ChunkResult]:
    """Every chunk's reductions (see the module docstring)."""
    store = None
    todo = list(plan.chunks)
    if resume is not None:
        from alu.backtest.resume import ChunkStore

        store = ChunkStore(Path(resume), plan, note=note)
        kept = []
        for chunk in todo:
            result = store.load(chunk)
            if result is None:
                kept.append(chunk)
            else:
                yield result
        if note is not None:
            done = len(todo) - len(kept)
            note(
                f"--resume {resume}: {done:,} of {len(todo):,} chunk(s) read back, "
                f"{len(kept):,} to compute"
            )
        todo = kept
    if scheduler is not None:
        source = _dask_results(plan, todo, scheduler, workers)
    elif workers <= 1 or len(todo) <= 1:
        source = (run_chunk(plan, a, b) for a, b in todo)
    else:
        source = _threaded_results(plan, todo, workers)
    try:
        for result in source:
            if store is not None:
                store.save(result)
            yield result
    finally:
        if store is not None:
            store.close()


def _threaded_results(
    plan: SweepPlan, todo: list[tuple[int, int]], workers: int
) -> Iterator[ChunkResult]:
    """The chunks on a pool of ``workers`` threads, a bounded number in flight."""
    pending = iter(todo)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="alu-sweep") as pool:
        running = set()
        for chunk in pending:
            running.add(pool.submit(run_chunk, plan, *chunk))
            if len(running) >= workers * IN_FLIGHT_PER_WORKER:
                break
        while running:
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                yield future.result()
                chunk = next(pending, None)
                if chunk is not None:
                    running.add(pool.submit(run_chunk, plan, *chunk))


# -- dask.distributed ---------------------------------------------------------------------------


def _dask_chunk(plan: SweepPlan, start: int, stop: int) -> ChunkResult:
    """A chunk as a dask task (the plan is the scattered one, kept by the worker)."""
    return run_chunk(plan, start, stop)


def open_client(scheduler: str, workers: int):
    """A dask.distributed client of ``scheduler`` (an address, or ``"local"``: a LocalCluster
    of ``workers`` single-threaded processes), the cluster to close after (or None), and
    whether the client is ours to close: a notebook's own client of the same scheduler is
    used, not doubled (two clients in one process do not share their futures' event loop)."""
    try:
        from distributed import Client, LocalCluster, default_client
    except ImportError:
        raise AluError(
            "{scheduler} needs dask.distributed: install alu with its dask extra "
            "(pip install 'alu[dask]')",
            params={"scheduler": scheduler},
            exit_code=1,
        ) from None
    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        return Client(cluster), cluster, True
    try:
        existing = default_client()
    except ValueError:  # no client in this process
        existing = None
    if existing is not None and getattr(existing.scheduler, "address", None) == scheduler:
        return existing, None, False
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT), None, True
    except (OSError, TimeoutError, ValueError) as exc:
        raise AluError(
            f"{{scheduler}}: cannot reach a dask scheduler there ({exc})",
            params={"scheduler": scheduler},
            exit_code=1,
        ) from None


def _dask_results(
    plan: SweepPlan, todo: list[tuple[int, int]], scheduler: str, workers: int
) -> Iterator[ChunkResult]:
    """The chunks as tasks on a dask.distributed cluster; only their reductions come back."""
    client, cluster, owned = open_client(scheduler, workers)
    try:
        if not todo:
            return
        from distributed import as_completed

        shared = client.scatter(plan, broadcast=True, hash=False)
        futures = [
            client.submit(_dask_chunk, shared, a, b, key=f"alu-chunk-{plan.token[:12]}-{a}-{b}")
            for a, b in todo
        ]
        for future in as_completed(futures):
            result = future.result()
            future.release()
            yield result
    finally:
        if owned:
            client.close()
        if cluster is not None:
            cluster.close()

"""A resumable sweep's chunks on disk (``--resume DIR``).

Each finished chunk's reductions (:class:`alu.backtest.sweep.ChunkResult`) are written to
``DIR/chunk-<start>-<stop>.npz`` through a temporary file, flushed and renamed: a chunk file is
whole or absent, whatever kills the sweep. ``DIR/sweep.json`` says what the chunks belong to: the
digests of the plan's data, grid, options and code (:func:`alu.backtest.sweep.plan_digests`). A
sweep started again with the same arguments reads the chunks that are there and computes the
others; the reductions are stored bit for bit, so the result is the one an uninterrupted sweep
gives. When anything they depend on changed, the old chunks are removed, with one line saying
what changed. One sweep at a time uses a directory (a lock says so to a second one).

Only files this module writes (``sweep.json``, ``chunk-*.npz`` and their temporary files) are
ever removed.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from alu.backtest.sweep import ChunkResult, SweepPlan
from alu.errors import AluError
from alu.faults import fault
from alu.output import write_bytes, write_text

MANIFEST = "sweep.json"
#: The fault point between a chunk's temporary file and its rename (tests: ALU_FAULT).
STEP = "resume:before-rename"
FORMAT = 1
#: What each digest covers, as the message about a changed cache says it.
CHANGED = {
    "data": "data files",
    "grid": "grid (the variants)",
    "options": "options (window, costs, direction, split, walk-forward, chunk size)",
    "code": "alu code",
}


class ChunkStore:
    """The chunks of ``plan`` kept in ``folder`` (created when missing). ``note`` receives the
    one-line messages (a cache invalidated, a chunk file unreadable)."""

    def __init__(
        self, folder: Path, plan: SweepPlan, *, note: Callable[[str], None] | None = None
    ) -> None:
        self.folder = Path(folder)
        self.plan = plan
        self.note = note or (lambda _: None)
        params = {"resume": self.folder}
        if self.folder.exists() and not self.folder.is_dir():
            raise AluError("{resume}: not a directory", params=params)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._lock = os.open(self.folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise AluError(f"{{resume}}: cannot use it ({exc.strerror})", params=params) from None
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock)
            raise AluError(
                "{resume} is in use by another sweep; wait for it or give another directory",
                params=params,
            ) from None
        for leftover in self.folder.glob(".chunk-*.tmp"):  # a write killed half way
            leftover.unlink(missing_ok=True)
        self.digests = plan.digests
        self.saved = 0
        self._check_manifest()

    def close(self) -> None:
        """Release the directory (also done when the process ends)."""
        if self._lock >= 0:
            os.close(self._lock)
            self._lock = -1

    # -- the manifest ------------------------------------------------------------------------

    def _check_manifest(self) -> None:
        path = self.folder / MANIFEST
        old = None
        if path.exists():
            try:
                old = json.loads(path.read_text(encoding="utf-8"))
                old_digests = old["digests"] if old.get("format") == FORMAT else None
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                old_digests = None
            if old_digests != self.digests:
                if isinstance(old_digests, dict):
                    changed = [CHANGED[k] for k in CHANGED if old_digests.get(k) != self.digests[k]]
                    what = "the " + ", ".join(changed) + " changed"
                else:
                    what = "its record is unreadable or from another version"
                removed = self._remove_chunks()
                self.note(
                    f"--resume {self.folder}: {what} since its chunks were written; "
                    f"{removed:,} cached chunk(s) removed, the sweep starts again"
                )
                old = None
        elif any(self.folder.glob("chunk-*.npz")):
            removed = self._remove_chunks()
            self.note(f"--resume {self.folder}: {removed:,} chunk file(s) without a record removed")
        if old is None:
            record = {
                "format": FORMAT,
                "digests": self.digests,
                "variants": self.plan.n_variants,
                "chunks": len(self.plan.chunks),
            }
            write_text(path, json.dumps(record, indent=2) + "\n")

    def _remove_chunks(self) -> int:
        removed = 0
        for path in self.folder.glob("chunk-*.npz"):
            path.unlink(missing_ok=True)
            removed += 1
        (self.folder / MANIFEST).unlink(missing_ok=True)
        return removed

    # -- chunks --------------------------------------------------------------------------------

    def path(self, chunk: tuple[int, int]) -> Path:
        return self.folder / f"chunk-{chunk[0]:010d}-{chunk[1]:010d}.npz"

    def load(self, chunk: tuple[int, int]) -> ChunkResult | None:
        """The chunk's reductions if they are on disk and whole, else None."""
        path = self.path(chunk)
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as saved:
                if bytes(saved["token"]).decode("ascii") != self.plan.token:
                    raise ValueError("written by another sweep")
                arrays = {name: saved[name] for name in ChunkResult.ARRAYS}
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            self.note(f"--resume {self.folder}: {path.name} is unreadable ({exc}); computed again")
            path.unlink(missing_ok=True)
            return None
        return ChunkResult(chunk[0], chunk[1], **arrays)

    def save(self, result: ChunkResult) -> None:
        """Write the chunk's reductions (whole or not at all)."""
        buffer = io.BytesIO()
        arrays = {name: getattr(result, name) for name in ChunkResult.ARRAYS}
        token = np.frombuffer(self.plan.token.encode("ascii"), dtype=np.uint8)
        np.savez(buffer, token=token, **arrays)
        chunk = self.path((result.start, result.stop))
        write_bytes(chunk, buffer.getvalue(), option="--resume", step=STEP)
        self.saved += 1
        fault(f"resume:after-chunk-{self.saved}")  # tests: ALU_FAULT=resume:after-chunk-3:kill

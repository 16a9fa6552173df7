"""One writer at a time: an exclusive advisory lock on the store's folder.

Every command that writes the store (``alu data import``, ``alu data fetch``) holds this lock
from the moment it reads the store until its commit is on disk, so two writers can never merge
into the same old state and lose each other's rows. The lock is ``flock(2)`` on a file that
stays in the store (empty): the kernel releases it when its holder exits, however it exits
(``kill -9`` included), so a crashed writer never leaves a stale lock behind.

A writer waits for the lock up to :data:`DEFAULT_WAIT_S` seconds (``$ALU_LOCK_WAIT`` changes
it), then gives up with exit code 1 (an environment problem: someone else is writing). The
wait covers a concurrent ``alu data fetch``, which holds the lock for at most its 60 s limit.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from alu.errors import AluError

#: Seconds a writer waits for another writer to finish.
DEFAULT_WAIT_S = 120.0
WAIT_ENV = "ALU_LOCK_WAIT"
_POLL_S = 0.02


def wait_seconds() -> float:
    """How long to wait for the lock: ``$ALU_LOCK_WAIT`` seconds, else :data:`DEFAULT_WAIT_S`."""
    text = os.environ.get(WAIT_ENV)
    if not text:
        return DEFAULT_WAIT_S
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 86_400:
        raise AluError(f"{WAIT_ENV}={text!r}: expected seconds between 0 and 86400")
    return value


class StoreLock:
    """``with StoreLock(root):`` holds the store's writer lock (creating the store folder)."""

    def __init__(self, root: Path, *, wait_s: float | None = None) -> None:
        self.root = Path(root)
        self.wait_s = wait_seconds() if wait_s is None else wait_s
        self._fd: int | None = None

    def acquire(self, *, blocking: bool = True) -> bool:
        """Take the lock; False when ``blocking`` is off and another process holds it."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except (FileExistsError, NotADirectoryError):
            raise AluError(f"the store {self.root} is not a directory", exit_code=1) from None
        except OSError as exc:
            raise AluError(
                f"cannot lock the store at {self.root}: {exc.strerror or exc}", exit_code=1
            ) from None
        deadline = time.monotonic() + self.wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not blocking:
                    os.close(fd)
                    return False
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise AluError(
                        f"another alu command is writing to the store at {self.root} and has "
                        f"held its lock for more than {self.wait_s:g} s; run this again when it "
                        "has finished",
                        exit_code=1,
                    ) from None
                time.sleep(_POLL_S)
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> StoreLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

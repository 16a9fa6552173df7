"""Reading a user's file safely: regular files only (a link to one is fine), bounded in size,
opened without blocking (a FIFO cannot hang a command). The bottom layer: every reader uses it,
from data files to strategy and variants files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from alu.errors import AluError

#: The most a data file may hold (bytes): far above any daily history.
MAX_DATA_BYTES = 256 * 1024 * 1024


def read_bytes(
    path: Path, *, display: Path | None = None, limit: int = MAX_DATA_BYTES, what: str = "data"
) -> bytearray:
    """The bytes of a regular file (a symbolic link to one is fine), at most ``limit`` of them.

    Refused in one line: a missing file, a directory, anything that is not a regular file
    (devices, FIFOs, sockets: checked on the open descriptor, opened without blocking), a file
    larger than ``limit``; a permission error is an environment problem (exit code 1).
    """
    shown = display or path
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise AluError("file not found", path=shown) from None
    except PermissionError:
        raise AluError("permission denied", path=shown, exit_code=1) from None
    except OSError as exc:
        raise AluError(f"cannot open: {exc.strerror or exc}", path=shown) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise AluError(f"is a directory, expected {_a(what)} file", path=shown)
        if not stat.S_ISREG(info.st_mode):
            raise AluError(
                f"is not a regular file ({_kind(info.st_mode)}), expected {_a(what)} file",
                path=shown,
            )
        if info.st_size > limit:
            raise AluError(
                f"file is {info.st_size / 1e6:,.1f} MB, more than the {limit / 1e6:,.0f} MB "
                f"limit for {_a(what)} file",
                path=shown,
            )
        buffer = bytearray(min(info.st_size, limit) + 1)  # one read, no copies
        view = memoryview(buffer)
        total = 0
        with os.fdopen(os.dup(fd), "rb", buffering=0) as handle:
            while total < len(buffer):
                got = handle.readinto(view[total:])
                if not got:
                    break
                total += got
            view.release()
            del buffer[total:]
            while total <= limit:  # longer than its size said (it grew, or /proc)
                more = handle.read(min(1 << 20, limit + 1 - total))
                if not more:
                    break
                buffer += more
                total += len(more)
        if total > limit:
            raise AluError(
                f"file is more than the {limit / 1e6:,.0f} MB limit for {_a(what)} file",
                path=shown,
            )
    except PermissionError:
        raise AluError("permission denied", path=shown, exit_code=1) from None
    except OSError as exc:
        raise AluError(f"cannot read: {exc.strerror or exc}", path=shown) from None
    finally:
        os.close(fd)
    return buffer


def check_regular_file(path: Path, *, what: str = "data") -> bool:
    """True when ``path`` is a regular file (through links), False when nothing is there;
    refuses a directory, a device, a FIFO, a socket or a broken link in one line."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise AluError("is a broken symbolic link", path=path) from None
        return False
    except OSError as exc:
        raise AluError(f"cannot read: {exc.strerror or exc}", path=path) from None
    if stat.S_ISREG(info.st_mode):
        return True
    if stat.S_ISDIR(info.st_mode):
        raise AluError(f"is a directory, expected {_a(what)} file", path=path)
    raise AluError(
        f"is not a regular file ({_kind(info.st_mode)}), expected {_a(what)} file", path=path
    )


def _a(what: str) -> str:
    """``what`` with its article: "a data", "an LME", "a TOML variants"."""
    return f"an {what}" if what[:1].lower() in "aeio" or what.startswith("LME") else f"a {what}"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"

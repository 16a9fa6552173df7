"""Writing results: JSON-safe values, the one writer of every file the tool writes, numbers.

Every output target (``--json``, ``--csv``, ``--out``, ``--report``, ``--plot``, ``--png``
files) goes through :func:`resolve_target` and :func:`write_text` / :func:`write_bytes`:

- ``-``, ``/dev/stdout``, ``/dev/stderr`` and ``/dev/fd/N`` (an open descriptor, e.g. bash's
  ``>(jq .)``) are **streams**: written to, never opened by name or replaced;
- ``/dev/null`` (the null device, however it is reached) **discards** the output, as a user
  means by it; it stays the character device it is;
- a **regular file** is replaced atomically (a temporary file in its directory, flushed, renamed
  over it), keeping its permission bits; a **new path** is created the same way (0666 less the
  umask);
- a **symbolic link** to a regular file is written through: the file it points to is replaced
  and the link stays a link; a link to nothing is refused (no file is created through a link);
- anything else (a directory, another device, a FIFO, a socket) is refused in one line before
  any work is done, and checked again when written.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np

from alu.errors import AluError
from alu.faults import fault

_PLAIN = frozenset({str, int, bool, type(None)})


def jsonable(value: Any) -> Any:
    """``value`` with NaN/inf as None, numpy scalars as Python numbers, dates as YYYY-MM-DD."""
    kind = type(value)  # exact-type fast paths first: large results are mostly these
    if kind is float:
        return value if math.isfinite(value) else None
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {str(k): jsonable(v) for k, v in value.items()}
    if kind is list:
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date):
        if isinstance(value, datetime) and value != value:  # NaT
            return None
        return value.strftime("%Y-%m-%d")
    if value is None or isinstance(value, str):
        return value
    if value != value:  # pandas NA / NaT
        return None
    return str(value)


_FD_PATH = re.compile(r"^/(?:dev/fd|proc/self/fd)/(\d+)$")


@dataclass(frozen=True)
class Target:
    """Where an output goes: a ``stream`` (file descriptor ``fd``), ``discard`` (the null
    device) or a ``file`` (``path``: the regular file to replace or create, links resolved)."""

    kind: Literal["stream", "discard", "file"]
    shown: str
    path: Path | None = None
    fd: int | None = None

    @property
    def is_stdout(self) -> bool:
        return self.kind == "stream" and self.fd == 1


def resolve_target(target: str | Path, option: str = "") -> Target:
    """Classify an output target by the rules of the module docstring; refuse the others."""
    shown = str(target)

    def refuse(problem: str) -> AluError:
        where = f"{option} {shown}" if option else f"cannot write {shown}"
        return AluError(f"{where}: {problem}")

    if shown in ("-", "/dev/stdout"):
        return Target("stream", shown, fd=1)
    if shown == "/dev/stderr":
        return Target("stream", shown, fd=2)
    match = _FD_PATH.match(shown)
    if match:
        fd = int(match.group(1))
        try:
            os.fstat(fd)
        except OSError:
            raise refuse(f"file descriptor {fd} is not open") from None
        return Target("stream", shown, fd=fd)
    path = Path(shown).expanduser()
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise refuse(
                "is a symbolic link to a missing file (no file is created through a link)"
            ) from None
        parent = path.parent
        if not parent.is_dir():
            raise refuse(f"directory {parent} does not exist") from None
        return Target("file", shown, path=path)
    except NotADirectoryError:
        raise refuse(f"{path.parent} is not a directory") from None
    except OSError as exc:
        raise refuse(exc.strerror or str(exc)) from None
    mode = info.st_mode
    if stat.S_ISREG(mode):
        return Target("file", shown, path=Path(os.path.realpath(path)))
    if stat.S_ISCHR(mode) and _is_null_device(info):
        return Target("discard", shown)
    if stat.S_ISDIR(mode):
        raise refuse("is a directory; give a file name")
    if stat.S_ISFIFO(mode):
        raise refuse("is a named pipe (FIFO); give a file, or '-' for standard output")
    if stat.S_ISSOCK(mode):
        raise refuse("is a socket; give a file, or '-' for standard output")
    raise refuse("is a device; give a file, or '-' for standard output")


def _is_null_device(info: os.stat_result) -> bool:
    try:
        null = os.stat(os.devnull)
    except OSError:
        return False
    return stat.S_ISCHR(null.st_mode) and info.st_rdev == null.st_rdev


def is_stdout(target: str | Path | None) -> bool:
    """True when ``target`` writes to standard output (``-``, ``/dev/stdout``, ``/dev/fd/1``)."""
    if target is None:
        return False
    shown = str(target)
    return shown in ("-", "/dev/stdout") or shown in ("/dev/fd/1", "/proc/self/fd/1")


def write_bytes(target: str | Path, data: bytes, *, option: str = "", step: str = "") -> int:
    """Write ``data`` to ``target`` (see the module docstring); returns the bytes written.
    ``step``: a fault point (:mod:`alu.faults`) between writing a regular file's temporary
    copy and renaming it into place, for the tests."""
    return write_pieces(target, [data], option=option, step=step)


def write_pieces(
    target: str | Path, pieces: Iterable[bytes | str], *, option: str = "", step: str = ""
) -> int:
    """Write ``pieces`` one after another to ``target`` (see the module docstring; text as
    UTF-8), never holding more than one piece: large outputs stream. Returns the bytes
    written. A regular file is replaced only once every piece is written."""
    where = resolve_target(target, option)
    encoded = (p.encode("utf-8") if isinstance(p, str) else p for p in pieces)
    try:
        if where.kind == "discard":
            return sum(len(p) for p in encoded)
        if where.kind == "stream":
            total = 0
            for piece in encoded:
                _write_fd(where.fd, piece)  # type: ignore[arg-type]
                total += len(piece)
            return total
        return _replace_file(where.path, encoded, step)  # type: ignore[arg-type]
    except OSError as exc:
        head = f"{option} {where.shown}" if option else f"cannot write {where.shown}"
        raise AluError(f"{head}: {exc.strerror or exc}", exit_code=1) from None


def write_text(target: str | Path, text: str, *, option: str = "") -> int:
    """Write ``text`` (UTF-8) to ``target`` (see the module docstring); returns the bytes."""
    return write_bytes(target, text.encode("utf-8"), option=option)


def _write_fd(fd: int, data: bytes) -> None:
    if fd in (1, 2):  # through Python's stream, so it stays in order with everything printed
        stream = sys.stdout if fd == 1 else sys.stderr
        stream.flush()
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            buffer.write(data)
        else:
            stream.write(data.decode("utf-8"))
        stream.flush()
        return
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _replace_file(path: Path, pieces: Iterable[bytes], step: str = "") -> int:
    """Write ``path`` through a temporary file in its directory and a rename: never half
    written; an existing file keeps its permission bits. Returns the bytes written."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        mode = 0o666 & ~mask
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        total = 0
        with os.fdopen(fd, "wb") as handle:
            for piece in pieces:
                handle.write(piece)
                total += len(piece)
            handle.flush()
            os.fsync(handle.fileno())
        if step:
            fault(step)
        os.chmod(tmp, mode)
        check = resolve_target(path)  # still a regular file or nothing (not swapped meanwhile)
        if check.kind != "file":
            raise IsADirectoryError(0, "is no longer a regular file")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return total


def write_text_atomic(path: Path, text: str) -> None:
    """``text`` to ``path`` by the rules of :func:`write_text` (kept for its callers)."""
    write_text(path, text)


def publish(tmp: Path, path: Path) -> None:
    """Rename a finished temporary file onto ``path`` (a regular file or a new path, checked by
    :func:`resolve_target`) with the permissions a new file gets (0666 less the umask)."""
    where = resolve_target(path)
    if where.kind != "file":
        raise AluError(f"cannot write {path}: not a regular file")
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)
    os.replace(tmp, where.path)  # type: ignore[arg-type]


def dumps(obj: Any, *, compact: bool = False) -> str:
    """JSON text: indented for reading, or compact for large documents."""
    if compact:
        return json.dumps(jsonable(obj), separators=(",", ":"), allow_nan=False) + "\n"
    return json.dumps(jsonable(obj), indent=2, allow_nan=False) + "\n"


def write_json(target: str, obj: Any, *, compact: bool = False, option: str = "--json") -> None:
    """JSON to ``target`` (see :func:`write_text`; ``-`` is standard output)."""
    write_text(target, dumps(obj, compact=compact), option=option)


def floats(values: Any) -> list[float | None]:
    """An array of numbers as a JSON-ready list (NaN and infinities as None), in one pass."""
    array = np.asarray(values, dtype=np.float64)
    out = array.tolist()
    if not np.isfinite(array).all():
        for i in np.flatnonzero(~np.isfinite(array)):
            out[i] = None
    return out


# -- text that reaches a terminal or a spreadsheet -------------------------------------------

#: C0 and C1 control characters (ESC included), DEL, and the Unicode bidirectional overrides
#: that can make a name read differently from what it is.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROLS_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: A text cell starting with one of these is a formula to a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?%?$", re.ASCII)


def printable(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``), for messages."""
    return _CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def strip_controls(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` without control characters (for terminal tables, where an escape would shift
    the columns)."""
    return (_CONTROLS_BUT_NEWLINE if keep_newlines else _CONTROLS).sub("", text)


def csv_cell(value: Any) -> Any:
    """A value for a CSV cell that a spreadsheet shows as written: numbers unchanged (a negative
    number stays a number), ``None`` empty, text with control characters escaped and a leading
    ``= + - @`` tab or CR neutralised by a ``'`` (OWASP's advice for CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        text = "'" + text
    return printable(text)


def safe_console(**kwargs: Any):
    """A rich ``Console`` that strips control characters from everything it prints (names from
    files and arguments can hold ESC sequences); styles are still rendered."""
    from rich.console import Console
    from rich.segment import Segment

    class SafeConsole(Console):
        def _render_buffer(self, buffer):  # type: ignore[override]
            clean = (
                seg
                if seg.control or not _CONTROLS_BUT_NEWLINE.search(seg.text)
                else Segment(strip_controls(seg.text, keep_newlines=True), seg.style)
                for seg in buffer
            )
            return super()._render_buffer(clean)

    return SafeConsole(**kwargs)


def pct(value: float | None, digits: int = 1) -> str:
    """A fraction as a percentage for display ('-' when undefined)."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value * 100:.{digits}f}%"


def num(value: float | None, digits: int = 2) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:,.{digits}f}"

"""Writing results: JSON-safe values, atomic file writes, number formatting."""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from alu.errors import AluError

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


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename: never half-written."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise AluError(f"cannot write {path}: directory {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        publish(Path(tmp), path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def publish(tmp: Path, path: Path) -> None:
    """Rename a finished temporary file onto ``path`` with the permissions a new file gets.

    ``mkstemp`` creates files readable by their owner only (0600); the result should be as
    readable as any file the user creates (0666 less the umask).
    """
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)
    os.replace(tmp, path)


def dumps(obj: Any, *, compact: bool = False) -> str:
    """JSON text: indented for reading, or compact for large documents."""
    if compact:
        return json.dumps(jsonable(obj), separators=(",", ":"), allow_nan=False) + "\n"
    return json.dumps(jsonable(obj), indent=2, allow_nan=False) + "\n"


def write_json(target: str, obj: Any, *, compact: bool = False) -> None:
    """JSON to ``target``: a file path (written atomically) or ``-`` for standard output."""
    write_text(target, dumps(obj, compact=compact))


def floats(values: Any) -> list[float | None]:
    """An array of numbers as a JSON-ready list (NaN and infinities as None), in one pass."""
    array = np.asarray(values, dtype=np.float64)
    out = array.tolist()
    if not np.isfinite(array).all():
        for i in np.flatnonzero(~np.isfinite(array)):
            out[i] = None
    return out


def write_text(target: str, text: str) -> None:
    """``text`` to ``target``: a file path (written atomically) or ``-`` for standard output."""
    if target == "-":
        sys.stdout.write(text)
        return
    try:
        write_text_atomic(Path(target), text)
    except OSError as exc:
        raise AluError(f"cannot write {target}: {exc.strerror or exc}") from None


def pct(value: float | None, digits: int = 1) -> str:
    """A fraction as a percentage for display ('-' when undefined)."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value * 100:.{digits}f}%"


def num(value: float | None, digits: int = 2) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:,.{digits}f}"

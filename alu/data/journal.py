"""All-or-nothing commits of several store files, with a journal that survives a crash.

A commit replaces some data files and ``store.json`` together. Renaming them one by one is
atomic per file only, so the commit goes through a journal (``STORE/.alu-journal.json``):

1. **stage**: each new file is written beside its target as ``.NAME.TXN.tmp`` (flushed to
   disk); each existing target gets a hard link ``.NAME.TXN.old`` (its old content, kept);
2. **journal**: the list of targets, whether each had an old version, and the SHA-256 of each
   new file is written and renamed into place: this is the **commit point**;
3. **apply**: the staged files are renamed over their targets, data files first and
   ``store.json`` last;
4. **finish**: the journal is removed, then the ``.old`` links.

A failure inside the command (an ``OSError``, a refused step, Ctrl-C) undoes whatever was done:
renamed targets get their ``.old`` content back and new targets are removed, so the store is
exactly as before. A crash (``kill -9``, power loss) leaves either no journal (the store is
old; stray ``.tmp``/``.old`` files are removed by the next writer) or a journal, which the next
command that opens the store completes (every staged file's checksum is verified first) or,
when it cannot, undoes. Either way the store is the old one or the new one, never a mix.

Only the holder of the store's lock (:mod:`alu.data.lock`) commits or recovers.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from alu.errors import AluError
from alu.faults import fault

JOURNAL_FILE = ".alu-journal.json"
JOURNAL_VERSION = 1
#: A journal is a short list of file names and checksums; anything bigger is not ours.
MAX_JOURNAL_BYTES = 64 * 1024
#: The named steps of a commit, for :mod:`alu.faults` (``after-rename-N`` for each file too).
STEPS = (
    "commit:start",
    "commit:after-temp-files",
    "commit:after-journal",
    "commit:after-data-rename",
    "commit:after-meta-rename",
    "commit:after-journal-removed",
)

_TXN = re.compile(r"^[0-9]{1,10}-[0-9a-f]{8}$")
_SYMBOL_FILE = r"[A-Z0-9^][A-Z0-9=.\-^]{0,19}\.csv"
#: Files a commit may replace, relative to the store.
_TARGET = re.compile(rf"^(lme\.csv|catalysts\.csv|store\.json|prices/{_SYMBOL_FILE})$")
#: Temporary and backup files of a commit (and of earlier versions' writers) in the store root
#: and in ``prices/``.
_ROOT_LEFTOVER = re.compile(
    r"^\.(lme\.csv|catalysts\.csv|store\.json|\.alu-journal\.json)\.[^/]+\.(tmp|old)$"
)
_PRICES_LEFTOVER = re.compile(rf"^\.{_SYMBOL_FILE}\.[^/]+\.(tmp|old)$")


@dataclass(frozen=True)
class _Entry:
    target: str  # relative to the store
    backup: bool  # the target existed: its old content is linked as .NAME.TXN.old
    sha256: str  # of the new content


def check_target(path: Path) -> None:
    """Refuse a store file that exists but is not a regular file (never follow or replace it)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise AluError(f"cannot read: {exc.strerror or exc}", path=path, exit_code=1) from None
    if stat.S_ISREG(info.st_mode):
        return
    if stat.S_ISLNK(info.st_mode):
        what = "is a symbolic link; the store writes only regular files of its own"
    elif stat.S_ISDIR(info.st_mode):
        what = "is a directory, expected a data file"
    else:
        what = "is not a regular file"
    raise AluError(f"{what} (move it out of the store)", path=path)


def commit(root: Path, files: Sequence[tuple[str, bytes]]) -> None:
    """Replace ``files`` (store-relative name, new content) in ``root`` all together.

    Renamed in the order given: put ``store.json`` last. Raises :class:`AluError` (exit code 1)
    when the disk refuses a step; the store is then unchanged.
    """
    root = Path(root)
    txn = f"{os.getpid()}-{secrets.token_hex(4)}"
    entries: list[_Entry] = []
    created: list[Path] = []
    renamed: list[_Entry] = []
    journal_written = committed = False
    for name, _ in files:
        if not _TARGET.match(name):
            raise ValueError(f"not a store file: {name!r}")
        check_target(root / name)
    try:
        fault("commit:start")
        for name, data in files:
            target = root / name
            if not target.parent.is_dir():
                target.parent.mkdir()
                created.append(target.parent)
            _write_new(_temp(target, txn), data)
            existed = target.exists()
            if existed:
                os.link(target, _backup(target, txn))
            entries.append(_Entry(name, existed, hashlib.sha256(data).hexdigest()))
        fault("commit:after-temp-files")
        for folder in {(root / e.target).parent for e in entries}:
            _fsync_dir(folder)
        _write_journal(root, txn, entries)
        journal_written = True
        fault("commit:after-journal")
        for i, entry in enumerate(entries, start=1):
            if i == len(entries):
                fault("commit:after-data-rename")
            target = root / entry.target
            os.replace(_temp(target, txn), target)
            renamed.append(entry)
            fault(f"commit:after-rename-{i}")
        fault("commit:after-meta-rename")
        for folder in {(root / e.target).parent for e in entries}:
            _fsync_dir(folder)
        os.unlink(root / JOURNAL_FILE)
        committed = True
        _fsync_dir(root)
        fault("commit:after-journal-removed")
        _remove_staged(root, txn, entries)
    except BaseException as exc:
        if committed:  # the new store is complete; only tidying failed
            _remove_staged(root, txn, entries, quiet=True)
            if isinstance(exc, OSError):
                raise AluError(
                    f"the store at {root} was written, but tidying up failed: "
                    f"{exc.strerror or exc}",
                    exit_code=1,
                ) from None
            raise
        try:
            _undo(root, txn, [*entries], renamed, created, journal=journal_written)
        except OSError as undo_exc:
            raise AluError(
                f"cannot write to the store at {root} ({_why(exc)}), and undoing the partial "
                f"write failed too ({undo_exc.strerror or undo_exc}); the next alu command that "
                "opens the store completes or undoes it",
                exit_code=1,
            ) from None
        if isinstance(exc, OSError):
            raise AluError(
                f"cannot write to the store at {root}: {_why(exc)}; nothing was changed",
                exit_code=1,
            ) from None
        raise


def recover(root: Path) -> list[str]:
    """Complete or undo an interrupted commit and remove stray temporary files (hold the lock).

    Returns one note per repair, for the user.
    """
    root = Path(root)
    notes: list[str] = []
    journal = root / JOURNAL_FILE
    if os.path.lexists(journal):
        txn, entries = _read_journal(journal)
        try:
            if _roll_forward(root, txn, entries):
                notes.append(
                    f"completed an interrupted write to the store ({_names(entries)}): the "
                    "command that started it had finished preparing it"
                )
            else:
                _roll_back(root, txn, entries)
                notes.append(
                    f"undid an interrupted write to the store ({_names(entries)}): it could "
                    "not be completed, the files are as before it"
                )
            _remove_staged(root, txn, entries)
            os.unlink(journal)
            _fsync_dir(root)
        except OSError as exc:
            raise AluError(
                f"cannot repair an interrupted write to the store at {root}: {exc.strerror or exc}",
                exit_code=1,
            ) from None
    stray = leftovers(root)
    for path in stray:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise AluError(
                f"cannot remove a leftover temporary file: {exc.strerror or exc}",
                path=path,
                exit_code=1,
            ) from None
    if stray:
        shown = ", ".join(str(p.relative_to(root)) for p in stray[:3])
        more = f" and {len(stray) - 3} more" if len(stray) > 3 else ""
        notes.append(
            f"removed {len(stray)} leftover temporary file{'s' if len(stray) > 1 else ''} of an "
            f"interrupted write that never reached its commit point ({shown}{more})"
        )
    return notes


def pending(root: Path) -> bool:
    """True when the store has an unfinished journal (a crashed or an ongoing commit)."""
    return os.path.lexists(Path(root) / JOURNAL_FILE)


def leftovers(root: Path) -> list[Path]:
    """Temporary and backup files of interrupted writes, in the store root and ``prices/``."""
    root = Path(root)
    found: list[Path] = []
    for folder, pattern in ((root, _ROOT_LEFTOVER), (root / "prices", _PRICES_LEFTOVER)):
        try:
            names = sorted(os.listdir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:
            raise AluError(
                f"cannot list: {exc.strerror or exc}", path=folder, exit_code=1
            ) from None
        for name in names:
            path = folder / name
            if pattern.match(name) and stat.S_ISREG(os.lstat(path).st_mode):
                found.append(path)
    return found


# -- internals -------------------------------------------------------------------------------


def _temp(target: Path, txn: str) -> Path:
    return target.with_name(f".{target.name}.{txn}.tmp")


def _backup(target: Path, txn: str) -> Path:
    return target.with_name(f".{target.name}.{txn}.old")


def _why(exc: BaseException) -> str:
    return (exc.strerror or str(exc)) if isinstance(exc, OSError) else type(exc).__name__


def _names(entries: Sequence[_Entry]) -> str:
    return ", ".join(e.target for e in entries)


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (it must not exist), write ``data``, flush it to disk."""
    mask = os.umask(0)
    os.umask(mask)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666 & ~mask)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems cannot sync a directory; the renames still happened
    finally:
        os.close(fd)


def _write_journal(root: Path, txn: str, entries: Sequence[_Entry]) -> None:
    doc = {
        "version": JOURNAL_VERSION,
        "txn": txn,
        "files": [{"target": e.target, "backup": e.backup, "sha256": e.sha256} for e in entries],
    }
    journal = root / JOURNAL_FILE
    temp = _temp(journal, txn)
    _write_new(temp, (json.dumps(doc, indent=1) + "\n").encode())
    os.replace(temp, journal)
    _fsync_dir(root)


def _read_journal(path: Path) -> tuple[str, list[_Entry]]:
    bad = AluError(
        "unreadable journal of an interrupted write; compare the store's files with your "
        "sources, then move this file aside",
        path=path,
        exit_code=1,
    )
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_JOURNAL_BYTES:
            raise bad
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        raise bad from None
    try:
        txn = doc["txn"]
        files = doc["files"]
        ok = (
            doc["version"] == JOURNAL_VERSION
            and isinstance(txn, str)
            and _TXN.match(txn)
            and isinstance(files, list)
            and 0 < len(files) <= 1000
        )
        entries = []
        for item in files if ok else []:
            target, backup, sha = item["target"], item["backup"], item["sha256"]
            if not (
                isinstance(target, str)
                and _TARGET.match(target)
                and isinstance(backup, bool)
                and isinstance(sha, str)
                and re.fullmatch(r"[0-9a-f]{64}", sha)
            ):
                ok = False
                break
            entries.append(_Entry(target, backup, sha))
    except (KeyError, TypeError):
        ok = False
    if not ok:
        raise bad
    return txn, entries


def _sha256(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def _roll_forward(root: Path, txn: str, entries: Sequence[_Entry]) -> bool:
    """Apply a journaled commit; False (nothing changed) when any new file is not intact."""
    moves = []
    for e in entries:
        target = root / e.target
        temp = _temp(target, txn)
        if _sha256(temp) == e.sha256:
            moves.append((temp, target))
        elif _sha256(target) != e.sha256:
            return False
    for temp, target in moves:
        os.replace(temp, target)
    for folder in {(root / e.target).parent for e in entries}:
        _fsync_dir(folder)
    return True


def _roll_back(root: Path, txn: str, entries: Sequence[_Entry]) -> None:
    for e in reversed(entries):
        target = root / e.target
        backup = _backup(target, txn)
        if e.backup:
            if os.path.lexists(backup):
                os.replace(backup, target)
        elif _sha256(target) == e.sha256:
            target.unlink()


def _undo(
    root: Path,
    txn: str,
    entries: list[_Entry],
    renamed: list[_Entry],
    created: list[Path],
    *,
    journal: bool,
) -> None:
    """Put the store back as it was before a failed :func:`commit` (in the failing process)."""
    for e in reversed(renamed):
        target = root / e.target
        if e.backup:
            os.replace(_backup(target, txn), target)
        else:
            target.unlink(missing_ok=True)
    for target in {root / name for name in _all_targets(entries, root, txn)}:
        _temp(target, txn).unlink(missing_ok=True)
        _backup(target, txn).unlink(missing_ok=True)
    if journal:
        (root / JOURNAL_FILE).unlink(missing_ok=True)
    _temp(root / JOURNAL_FILE, txn).unlink(missing_ok=True)
    for folder in reversed(created):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _all_targets(entries: list[_Entry], root: Path, txn: str) -> list[str]:
    """Targets with staged files: the journaled entries, plus a half-staged one (found by its
    temporary file) when staging itself failed."""
    names = [e.target for e in entries]
    for folder in (root, root / "prices"):
        try:
            listing = os.listdir(folder)
        except OSError:
            continue
        for name in listing:
            for suffix in (f".{txn}.tmp", f".{txn}.old"):
                if name.startswith(".") and name.endswith(suffix):
                    target = folder / name[1 : -len(suffix)]
                    rel = str(target.relative_to(root))
                    if _TARGET.match(rel) and rel not in names:
                        names.append(rel)
    return names


def _remove_staged(root: Path, txn: str, entries: Sequence[_Entry], *, quiet: bool = False) -> None:
    for e in entries:
        target = root / e.target
        for path in (_temp(target, txn), _backup(target, txn)):
            try:
                path.unlink(missing_ok=True)
            except OSError:
                if not quiet:
                    raise

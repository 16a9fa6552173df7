"""The one exception type for problems the user can fix.

The CLI catches :class:`AluError` once and prints it as a single line (``error: ...``) with exit
code 2 (or the error's own ``exit_code``); anything else is a bug and may trace back.
"""

from __future__ import annotations

from pathlib import Path


class AluError(Exception):
    """A user-fixable problem: bad input, a missing file, an unknown name.

    ``path`` and ``line`` locate the problem in a file when there is one; they are rendered as
    ``path:line: message`` so an editor can jump to the spot.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        exit_code: int = 2,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.exit_code = exit_code

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return f"{where}{self.message}"


def did_you_mean(name: str, choices: list[str] | tuple[str, ...]) -> str:
    """A ``" (did you mean 'x'?)"`` hint for a mistyped name, or ``""`` when nothing is close."""
    import difflib

    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""

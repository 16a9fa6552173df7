"""The one exception type for problems the user can fix.

The CLI catches :class:`AluError` once and prints it as a single line (``error: ...``) with exit
code 2 (or the error's own ``exit_code``: 1 for an environment problem); anything else is a bug
and may trace back.

An error about a value the user gave names it the way the user gave it: domain code writes the
parameter as a ``{name}`` placeholder and passes ``params={"name": value}``; from Python it reads
``walk_forward=10000 needs ...`` (the keyword of :mod:`alu.api`), on the command line
``--walk-forward 10000 needs ...`` (the option of the same name).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: A parameter named without a value: ``params={"grid": UNSET}`` renders ``grid`` / ``--grid``.
UNSET: Any = object()

#: Where an API keyword and its CLI option are not spelled alike.
CLI_OPTIONS = {"params": "--param", "strategy": "--strategy", "variants": "--variants"}

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


class AluError(Exception):
    """A user-fixable problem: bad input, a missing file, an unknown name.

    ``path`` and ``line`` locate the problem in a file when there is one; they are rendered as
    ``path:line: message`` so an editor can jump to the spot. ``params`` maps the ``{name}``
    placeholders of ``message`` to the values the user gave (see the module docstring).
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        exit_code: int = 2,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        self.template = message
        self.params = dict(params or {})
        super().__init__(self.render())
        self.path = Path(path) if path is not None else None
        self.line = line
        self.exit_code = exit_code

    @property
    def message(self) -> str:
        """The message as the Python API shows it (parameters as ``name=value``)."""
        return self.render()

    def render(self, *, cli: bool = False) -> str:
        """The message with each ``{name}`` written as a keyword (``name=value``) or, with
        ``cli``, as its command-line option (``--name value``)."""

        def name(match: re.Match[str]) -> str:
            key = match.group(1)
            if key not in self.params:
                return match.group(0)
            value = self.params[key]
            if cli:
                flag = CLI_OPTIONS.get(key, "--" + key.replace("_", "-"))
                return flag if value is UNSET else f"{flag} {_shown(value)}"
            return key if value is UNSET else f"{key}={_shown(value)}"

        return _PLACEHOLDER.sub(name, self.template) if self.params else self.template

    def where(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "

    def __str__(self) -> str:
        return f"{self.where()}{self.render()}"

    def for_cli(self) -> str:
        """The one line the command line prints (options instead of keywords)."""
        return f"{self.where()}{self.render(cli=True)}"


def _shown(value: Any) -> str:
    if hasattr(value, "strftime") and value == value:
        return f"{value:%Y-%m-%d}"
    return str(value)


def did_you_mean(name: str, choices: list[str] | tuple[str, ...]) -> str:
    """A ``" (did you mean 'x'?)"`` hint for a mistyped name, or ``""`` when nothing is close."""
    import difflib

    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""

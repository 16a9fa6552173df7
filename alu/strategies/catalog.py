"""The strategies a command can run: the built-in ones and those of the user's strategy files.

There is no hidden registry: a command builds its catalog once from its ``--strategy-file``
options with :func:`strategy_catalog` and passes it down (``get_strategy(name, catalog)``,
the variants, the watchlist). From Python, :func:`load_strategies` reads one file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from alu.errors import AluError
from alu.strategies.base import Strategy
from alu.strategies.library import STRATEGIES

SUFFIXES = (".py", ".toml")


def load_strategies(path: str | Path) -> dict[str, Strategy]:
    """The strategies defined in ``path``, by name, in file order: a ``.py`` file
    (:mod:`alu.strategies.python_file`) or a ``.toml`` file (:mod:`alu.strategies.toml_file`).

    Raises :class:`~alu.errors.AluError` naming the file and line of any problem.
    """
    path = Path(path).expanduser()
    suffix = path.suffix.lower()
    if suffix == ".py":
        from alu.strategies.python_file import load_python_file

        found = load_python_file(path)
    elif suffix == ".toml":
        from alu.strategies.toml_file import load_toml_file

        found = load_toml_file(path)
    else:
        raise AluError("a strategy file is a .py or a .toml file", path=path)
    return {s.name: s for s in found}


def strategy_catalog(files: Iterable[str | Path] | None = None) -> dict[str, Strategy]:
    """The built-in strategies followed by those of ``files``, in order, by name.

    A name already taken (by a built-in strategy or another file's) is refused with one line
    naming both places. A file given twice is read once.
    """
    catalog = dict(STRATEGIES)
    seen: set[Path] = set()
    for file in files or ():
        path = Path(file).expanduser()
        key = path.resolve()
        if key in seen:
            continue
        seen.add(key)
        for name, strategy in load_strategies(path).items():
            taken = catalog.get(name)
            if taken is not None:
                raise AluError(
                    f"strategy '{name}' is already {_where(taken)}; rename one of them",
                    path=strategy.file,
                    line=strategy.line,
                )
            catalog[name] = strategy
    return catalog


def _where(strategy: Strategy) -> str:
    if strategy.file is None:
        return "a built-in strategy (alu/strategies/library.py)"
    line = f":{strategy.line}" if strategy.line is not None else ""
    return f"defined in {strategy.file}{line}"


def user_strategies(catalog: dict[str, Strategy]) -> list[Strategy]:
    """The strategies of ``catalog`` that come from files."""
    return [s for s in catalog.values() if s.file is not None]

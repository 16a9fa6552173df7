"""Strategies written in Python: a file that defines them with the means the built-in ones use.

A strategy file is an ordinary Python module, loaded on its own (its folder is not put on
``sys.path``). Its strategies are

- those in a module-level ``STRATEGIES`` (a list, tuple or dict of
  :class:`~alu.strategies.base.Strategy`), and
- the rules decorated with :func:`strategy` in it.

Each is checked when the file loads (a name the CLI can take, known families, parameters with
defaults inside their bounds and names apart from the signal parameters). Its rule is wrapped
so that it reads only the declared signal columns (:mod:`alu.strategies.signal_columns`) of
the families it lists, with the accessor of their kind and state names of their own, and
returns one stance (-1, 0 or +1) per day; any exception in it becomes one ``FILE:LINE:`` error
pointing into the file.
"""

from __future__ import annotations

import contextvars
import hashlib
import importlib.util
import re
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any, overload

import numpy as np

from alu.errors import AluError
from alu.strategies.base import FAMILIES, FAMILY_PARAMS, Rule, Strategy
from alu.strategies.columns import Columns
from alu.strategies.execution import EXECUTION_PARAMS, STALE_PARAM
from alu.strategies.expr import hint
from alu.strategies.params import Param
from alu.strategies.signal_columns import FLAG, NUMBER, SIGNAL_COLUMNS, STATE, SignalColumn

#: What a strategy may be called: it is typed on the command line and in variants files.
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
FAMILY_PARAM_NAMES = {
    p.name: family for family in FAMILIES for p in FAMILY_PARAMS[family] if p is not STALE_PARAM
}
#: Parameters every strategy carries (sizing, stops, margin, staleness): not a rule's to declare.
EXECUTION_NAMES = frozenset(p.name for p in (*EXECUTION_PARAMS, STALE_PARAM))

_COLLECTING: contextvars.ContextVar[list[Strategy] | None] = contextvars.ContextVar(
    "alu_strategy_file", default=None
)


@overload
def strategy(name: Rule, /) -> Strategy: ...


@overload
def strategy(
    name: str | None = None,
    *,
    families: Iterable[str] = (),
    params: Iterable[Param] = (),
    long_only: bool = False,
) -> Callable[[Rule], Strategy]: ...


def strategy(
    name: str | Rule | None = None,
    *,
    families: Iterable[str] = (),
    params: Iterable[Param] = (),
    long_only: bool = False,
) -> Strategy | Callable[[Rule], Strategy]:
    """Decorate a rule ``(cols, params, allow_short) -> stance`` to make it a strategy.

    ``name`` defaults to the function's name; ``families`` are the signal families it reads
    (``BANDS``, ``SPREAD``, ``INVENTORY``, ``CATALYSTS``); ``params`` its own parameters
    (:class:`~alu.strategies.params.Param`). The decorated name is the
    :class:`~alu.strategies.base.Strategy`; in a strategy file it is collected with the file.
    """
    if callable(name):
        return strategy()(name)

    def make(rule: Rule) -> Strategy:
        made = Strategy(
            name or getattr(rule, "__name__", ""), rule, tuple(families), tuple(params), long_only
        )
        collected = _COLLECTING.get()
        if collected is not None:
            collected.append(made)
        return made

    return make


def load_python_file(path: str | Path) -> list[Strategy]:
    """The strategies a Python file defines (see the module docstring), checked and wrapped."""
    path = Path(path)
    if not path.is_file():
        raise AluError("file not found" if not path.exists() else "not a file", path=path)
    digest = hashlib.sha1(str(path.resolve()).encode(), usedforsecurity=False).hexdigest()[:12]
    module_name = f"_alu_strategy_file_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise AluError("cannot be loaded as a Python module", path=path)
    module = importlib.util.module_from_spec(spec)
    collected: list[Strategy] = []
    token = _COLLECTING.set(collected)
    sys.modules[module_name] = module  # kept once loaded: dataclasses and pickle look it up
    try:
        try:
            spec.loader.exec_module(module)
        except SyntaxError as exc:
            raise AluError(f"syntax error: {exc.msg}", path=path, line=exc.lineno) from None
        except (Exception, SystemExit) as exc:
            raise _in_file(exc, path, "loading the file") from None
        finally:
            _COLLECTING.reset(token)
        return _strategies_of(module, collected, path)
    except AluError:
        sys.modules.pop(module_name, None)
        raise


def _strategies_of(module: Any, collected: list[Strategy], path: Path) -> list[Strategy]:
    """The decorated strategies, then those of ``STRATEGIES``, checked (see module docstring)."""
    from alu.strategies.library import STRATEGIES as BUILT_IN

    found = list(collected)
    declared = getattr(module, "STRATEGIES", None)
    if declared is BUILT_IN:  # imported, not defined here
        declared = None
    if declared is not None:
        if isinstance(declared, Mapping):
            items = list(declared.values())
        elif isinstance(declared, list | tuple):
            items = list(declared)
        else:
            raise AluError(
                f"STRATEGIES must be a list of Strategy, got {type(declared).__name__}",
                path=path,
            )
        for i, item in enumerate(items):
            if not isinstance(item, Strategy):
                raise AluError(
                    f"STRATEGIES[{i}] is a {type(item).__name__}, not a Strategy", path=path
                )
            if not any(item is s for s in found):
                found.append(item)
    if not found:
        raise AluError(
            "defines no strategies: give a module-level STRATEGIES = [Strategy(...), ...] "
            "or decorate rules with @strategy",
            path=path,
        )
    out = [checked(s, path) for s in found]
    names: dict[str, Strategy] = {}
    for s in out:
        if s.name in names:
            first = names[s.name]
            raise AluError(
                f"strategy '{s.name}' is defined twice in this file (also at line {first.line})",
                path=path,
                line=s.line,
            )
        names[s.name] = s
    return out


def checked(s: Strategy, path: Path) -> Strategy:
    """``s`` checked as a strategy of file ``path``, its rule wrapped (see module docstring)."""
    line = _line_of(s.rule, path)

    def refuse(message: str) -> AluError:
        return AluError(f"strategy {s.name!r}: {message}", path=path, line=line)

    if not isinstance(s.name, str) or not NAME.fullmatch(s.name):
        raise AluError(
            f"strategy name {s.name!r}: use letters, digits, '_' and '-', starting with a letter",
            path=path,
            line=line,
        )
    if not callable(s.rule):
        raise refuse("its rule is not a function")
    if isinstance(s.families, str) or not isinstance(s.families, Iterable):
        raise refuse(f"families must be a list of family names, got {s.families!r}")
    families = tuple(s.families)
    for family in families:
        if family not in FAMILIES:
            raise refuse(
                f"unknown family {family!r}{hint(str(family), FAMILIES)}; "
                f"families: {', '.join(FAMILIES)}"
            )
    if len(set(families)) != len(families):
        raise refuse("a family is listed twice")
    if isinstance(s.own_params, Param) or not isinstance(s.own_params, Iterable):
        raise refuse("params must be a list of Param")
    params = tuple(s.own_params)
    seen: set[str] = set()
    for p in params:
        if not isinstance(p, Param):
            raise refuse(f"params must be Param(...), got {type(p).__name__}")
        check_param_name(p.name, refuse)
        if p.name in seen:
            raise refuse(f"parameter {p.name} is declared twice")
        seen.add(p.name)
        check_param(p, refuse)
    if not isinstance(s.long_only, bool):
        raise refuse(f"long_only must be True or False, got {s.long_only!r}")
    rule = s.rule if isinstance(s.rule, UserRule) else UserRule(s.rule, s.name, families, path)
    return replace(
        s, rule=rule, families=families, own_params=params, file=path, line=s.line or line
    )


def check_param_name(name: Any, refuse: Callable[[str], AluError]) -> None:
    """A strategy's own parameter needs an identifier apart from the signal columns and the
    signal families' parameters (those are shared: one signal table serves every strategy)."""
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise refuse(f"parameter name {name!r} is not a name (letters, digits and '_')")
    if name in FAMILY_PARAM_NAMES:
        raise refuse(
            f"parameter {name} is a parameter of the {FAMILY_PARAM_NAMES[name]} signals "
            f"(set it with --param {name}=... or in a variants file); give the strategy's "
            "own parameters other names"
        )
    if name in EXECUTION_NAMES:
        raise refuse(
            f"parameter {name} is an execution parameter every strategy carries (set it with "
            f"--param {name}=... or its own option); give the strategy's own parameters other "
            "names"
        )
    if name in SIGNAL_COLUMNS:
        raise refuse(f"parameter {name} has the name of a signal column; choose another")
    if name in ("and", "or", "not", "true", "false"):
        raise refuse(f"parameter {name} is a keyword of the expressions; choose another")


def check_param(p: Param, refuse: Callable[[str], AluError]) -> None:
    """A parameter's default is a number inside its own bounds."""
    for label, value in (("minimum", p.minimum), ("maximum", p.maximum)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise refuse(f"parameter {p.name}: {label} must be a number, got {value!r}")
    if p.minimum is not None and p.maximum is not None and p.minimum > p.maximum:
        raise refuse(f"parameter {p.name}: minimum {p.minimum} is above maximum {p.maximum}")
    if isinstance(p.default, bool) or not isinstance(p.default, int | float):
        raise refuse(f"parameter {p.name}: the default must be a number, got {p.default!r}")
    try:
        p.coerce(p.default)
    except AluError as exc:
        raise refuse(f"default: {exc.message}") from None


class UserRule:
    """A rule from a strategy file, held to the contract of the built-in rules on every call."""

    def __init__(self, func: Rule, name: str, families: tuple[str, ...], path: Path) -> None:
        self.func = func
        self.name = name
        self.families = families
        self.path = path
        self.__doc__ = getattr(func, "__doc__", None)

    def __call__(self, cols: Columns, params: Mapping[str, Any], allow_short: bool) -> np.ndarray:
        view = CheckedColumns(cols, self.name, self.families)
        try:
            stance = self.func(view, params, allow_short)
        except (Exception, SystemExit) as exc:
            raise _in_file(exc, self.path, f"strategy '{self.name}'") from None
        return self._checked(stance, len(cols), params)

    def _checked(self, stance: Any, n_days: int, params: Mapping[str, Any]) -> np.ndarray:
        line = _line_of(self.func, self.path)

        def refuse(message: str) -> AluError:
            return AluError(f"strategy '{self.name}': {message}", path=self.path, line=line)

        try:
            out = np.asarray(stance)
        except Exception:
            raise refuse(f"the rule returned {type(stance).__name__}, not an array") from None
        if out.dtype.kind not in "biuf":
            raise refuse(f"the rule returned an array of {out.dtype}, not stances")
        variants = next((len(v) for v in params.values() if np.ndim(v) == 1), None)
        shapes = [(n_days,)] + ([(n_days, variants)] if variants is not None else [])
        if out.shape not in shapes:
            wanted = " or ".join(str(s) for s in shapes)
            raise refuse(f"the rule returned shape {out.shape}; expected {wanted} (days first)")
        bad = ~np.isin(out, (-1, 0, 1))
        if bad.any():
            value = out[bad].flat[0]
            raise refuse(f"the rule returned {value!r}; a stance is -1, 0 or +1")
        return out.astype(np.int8)


class CheckedColumns:
    """The signal columns as a user's rule sees them: declared names only, of the families the
    strategy lists, read with the accessor of their kind."""

    def __init__(self, cols: Columns, strategy: str, families: tuple[str, ...]) -> None:
        self._cols = cols
        self._strategy = strategy
        self._families = families

    def __len__(self) -> int:
        return len(self._cols)

    def states(self, name: str, *values: str) -> np.ndarray:
        column = self._column(name, STATE)
        if not values:
            raise AluError(f"states({name!r}) needs at least one of {', '.join(column.states)}")
        for value in values:
            if value not in column.states:
                raise AluError(
                    f"{value!r} is not a state of {name}{hint(str(value), column.states)}; "
                    f"its states: {', '.join(column.states)}"
                )
        return self._cols.states(name, *values)

    def flag(self, name: str) -> np.ndarray:
        self._column(name, FLAG)
        return self._cols.flag(name)

    def number(self, name: str) -> np.ndarray:
        self._column(name, NUMBER)
        return self._cols.number(name)

    def _column(self, name: str, kind: str) -> SignalColumn:
        column = SIGNAL_COLUMNS.get(name)
        if column is None:
            raise AluError(
                f"unknown signal column {name!r}{hint(str(name), SIGNAL_COLUMNS)} "
                "(`alu strategies --columns` lists them)"
            )
        if column.family not in self._families:
            raise AluError(
                f"{name} is a column of the {column.family} signals, which strategy "
                f"'{self._strategy}' does not list in its families"
            )
        if column.kind != kind:
            accessor = {STATE: f"cols.states({name!r}, ...)", FLAG: f"cols.flag({name!r})"}.get(
                column.kind, f"cols.number({name!r})"
            )
            raise AluError(f"{name} is a {column.kind} column: read it with {accessor}")
        return column


def _in_file(exc: BaseException, path: Path, doing: str) -> AluError:
    """``exc`` as one error line at the deepest line of ``path`` in its traceback."""
    line = _deepest_line(exc.__traceback__, path)
    if isinstance(exc, AluError):
        if exc.path is not None:
            return exc
        message = exc.message
    elif isinstance(exc, SystemExit):
        message = f"the file called exit({exc.code!r})"
    else:
        text = str(exc).strip().splitlines()
        message = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
    return AluError(f"{doing}: {message}", path=path, line=line)


def _deepest_line(tb: TracebackType | None, path: Path) -> int | None:
    target = _same_file(path)
    line = None
    for frame, lineno in traceback.walk_tb(tb):
        if _same_file(frame.f_code.co_filename) == target:
            line = lineno
    return line


def _line_of(rule: Any, path: Path) -> int | None:
    func = rule.func if isinstance(rule, UserRule) else rule
    code = getattr(func, "__code__", None)
    if code is not None and _same_file(code.co_filename) == _same_file(path):
        return code.co_firstlineno
    return None


def _same_file(path: str | Path) -> str:
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return str(path)

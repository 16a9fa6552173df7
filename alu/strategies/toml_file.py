"""Strategies written in TOML: conditions over the signal columns, for people who do not write
Python.

One ``[[strategy]]`` table per strategy::

    [[strategy]]
    name = "low_stocks"                      # letters, digits, '_' and '-'
    description = "Long while stocks are low and falling."      # optional
    params = { entry_pct = { default = 0.2, min = 0, max = 1 }, exit_pct = 0.5 }  # optional
    long_entry = "stock_percentile <= entry_pct and inventory_trend == 'FALLING'"
    long_exit = "stock_percentile > exit_pct or inventory_trend == 'BUILDING'"
    short = "band_state == 'BEAR'"            # optional

Each side is either one condition (``long``: hold long while it is true) or a latched pair
(``long_entry`` / ``long_exit``: enter on a day the entry is true, hold until a day the exit is
true; the exit wins a day when both are), and the same for ``short``. A strategy without a short
side is long-only. A day that would be both long and short is flat, as in the built-in rules.
The conditions are read by :mod:`alu.strategies.expr`; the signal families a strategy needs are
the families of the columns (and signal parameters) its conditions read.

A parameter is a number (its default; an integer makes it a whole-number parameter) or a table
``{default, min, max, help}``. Its name must differ from the signal columns and the signal
families' parameters (``upper``, ``deadband``, ...: those are shared by every strategy and set
with ``--param``; the conditions may read them).

Every problem is one error naming the file and the line of the key at fault, with the column in
the expression and a did-you-mean hint where there is one.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from alu.errors import AluError
from alu.strategies.base import FAMILIES, Strategy, combine, hold
from alu.strategies.columns import Columns
from alu.strategies.expr import Condition, ExpressionError, compile_condition, hint, target_shape
from alu.strategies.params import Param
from alu.strategies.python_file import (
    FAMILY_PARAM_NAMES,
    NAME,
    check_param,
    check_param_name,
)

SIDES = ("long", "short")
CONDITION_KEYS = ("long", "long_entry", "long_exit", "short", "short_entry", "short_exit")
STRATEGY_KEYS = ("name", "description", "params", *CONDITION_KEYS)
PARAM_KEYS = ("default", "min", "max", "help")


@dataclass(frozen=True)
class Side:
    """One side of a TOML strategy: ``hold`` (one condition) or ``entry`` and ``exit``."""

    hold: Condition | None = None
    entry: Condition | None = None
    exit: Condition | None = None

    def holding(self, cols: Columns, params: Mapping[str, Any]) -> np.ndarray:
        if self.hold is not None:
            return self.hold.evaluate(cols, params)
        assert self.entry is not None and self.exit is not None
        return hold(self.entry.evaluate(cols, params), self.exit.evaluate(cols, params))

    def text(self, side: str) -> str:
        if self.hold is not None:
            return f"{side} while {_oneline(self.hold.text)}"
        assert self.entry is not None and self.exit is not None
        entry, exit_ = _oneline(self.entry.text), _oneline(self.exit.text)
        return f"enter {side} when {entry}; exit when {exit_}"


class ExpressionRule:
    """The rule of a TOML strategy: its sides' conditions, evaluated on either shape."""

    def __init__(self, long: Side | None, short: Side | None, doc: str) -> None:
        self.long = long
        self.short = short
        self.__doc__ = doc

    def __call__(self, cols: Columns, params: Mapping[str, Any], allow_short: bool) -> np.ndarray:
        shape = target_shape(cols, params)
        long = (
            self.long.holding(cols, params)
            if self.long is not None
            else np.zeros(shape, dtype=bool)
        )
        if allow_short and self.short is not None:
            short = self.short.holding(cols, params)
        else:
            short = np.zeros(shape, dtype=bool)
        return combine(long, short)


def load_toml_file(path: str | Path) -> list[Strategy]:
    """The strategies of a TOML file (see the module docstring)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AluError("file not found", path=path) from None
    except (UnicodeDecodeError, IsADirectoryError, PermissionError):
        raise AluError("not a readable UTF-8 TOML file", path=path) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise AluError(f"TOML syntax error: {message}", path=path, line=line) from None
    unknown = [key for key in doc if key != "strategy"]
    if unknown:
        raise AluError(
            f"unknown top-level key '{unknown[0]}'{hint(unknown[0], ['strategy'])}: "
            "a strategy file holds [[strategy]] tables",
            path=path,
            line=_Lines(text).top_level(unknown[0]),
        )
    entries = doc.get("strategy")
    if not isinstance(entries, list) or not entries:
        raise AluError("no [[strategy]] tables found", path=path)
    lines = _Lines(text)
    out: list[Strategy] = []
    for i, entry in enumerate(entries):
        made = _strategy(entry, i, path, lines)
        first = next((s for s in out if s.name == made.name), None)
        if first is not None:
            raise AluError(
                f"strategy '{made.name}' is defined twice in this file (also at line {first.line})",
                path=path,
                line=made.line,
            )
        out.append(made)
    return out


def _strategy(entry: Any, i: int, path: Path, lines: _Lines) -> Strategy:
    header = lines.header(i)

    def refuse(message: str, key: str | None = None, inner: str | None = None) -> AluError:
        line = lines.key(i, key, inner) if key else header
        return AluError(f"{where}: {message}", path=path, line=line)

    where = f"strategy {i + 1}"
    if not isinstance(entry, dict):
        raise AluError(f"{where} is not a table", path=path, line=header)
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise refuse('needs a name = "..."', "name" if "name" in entry else None)
    if not NAME.fullmatch(name):
        raise refuse(
            f"name {name!r}: use letters, digits, '_' and '-', starting with a letter", "name"
        )
    where = f"strategy '{name}'"
    for key in entry:
        if key not in STRATEGY_KEYS:
            raise refuse(
                f"unknown key '{key}'{hint(key, STRATEGY_KEYS)}; keys: {', '.join(STRATEGY_KEYS)}",
                key,
            )
    description = entry.get("description")
    if description is not None and not isinstance(description, str):
        raise refuse("description must be text", "description")
    params = _params(entry.get("params", {}), refuse)
    own = [p.name for p in params]
    sides: dict[str, Side | None] = {}
    conditions: list[Condition] = []
    for side in SIDES:
        present = [k for k in (side, f"{side}_entry", f"{side}_exit") if k in entry]
        if not present:
            sides[side] = None
            continue
        if side in present and len(present) > 1:
            raise refuse(
                f"give either {side} or {side}_entry and {side}_exit, not both", present[1]
            )
        if side not in present and len(present) == 1:
            missing = f"{side}_exit" if present[0].endswith("_entry") else f"{side}_entry"
            raise refuse(f"{present[0]} needs {missing} too", present[0])
        compiled = {k: _condition(entry[k], k, own, where, path, lines, i) for k in present}
        conditions.extend(compiled.values())
        if side in compiled:
            sides[side] = Side(hold=compiled[side])
        else:
            sides[side] = Side(entry=compiled[f"{side}_entry"], exit=compiled[f"{side}_exit"])
    if sides["long"] is None and sides["short"] is None:
        raise refuse(
            "no conditions: give long (or long_entry and long_exit), short (or short_entry and "
            "short_exit), or both"
        )
    read = {p for c in conditions for p in c.params}
    for p in params:
        if p.name not in read:
            raise refuse(f"parameter {p.name} is not used by any condition", "params", p.name)
    families = {f for c in conditions for f in c.families}
    doc = _doc(description, sides)
    rule = ExpressionRule(sides["long"], sides["short"], doc)
    return Strategy(
        name=name,
        rule=rule,  # type: ignore[arg-type]
        families=tuple(f for f in FAMILIES if f in families),
        own_params=tuple(params),
        long_only=sides["short"] is None,
        file=path,
        line=lines.key(i, "name"),
    )


def _params(table: Any, refuse) -> list[Param]:
    if not isinstance(table, dict):
        raise refuse("params must be a table: params = { name = default, ... }", "params")
    out = []
    for name, spec in table.items():

        def bad(message: str, name: str = name) -> AluError:
            return refuse(message, "params", name)

        if name in STRATEGY_KEYS:
            raise bad(
                f"'{name}' is inside the params table: in TOML, the keys after a "
                "[strategy.params] header belong to it; put the strategy's keys above it"
            )
        check_param_name(name, bad)
        if isinstance(spec, dict):
            extra = [k for k in spec if k not in PARAM_KEYS]
            if extra:
                raise bad(
                    f"parameter {name}: unknown key '{extra[0]}'{hint(extra[0], PARAM_KEYS)}; "
                    f"keys: {', '.join(PARAM_KEYS)}"
                )
            if "default" not in spec:
                raise bad(f"parameter {name} needs a default")
            default = spec["default"]
            help_text = spec.get("help", "")
            if not isinstance(help_text, str):
                raise bad(f"parameter {name}: help must be text")
            minimum, maximum = spec.get("min"), spec.get("max")
        else:
            default, help_text, minimum, maximum = spec, "", None, None
        if isinstance(default, bool) or not isinstance(default, int | float):
            raise bad(f"parameter {name}: the default must be a number, got {default!r}")
        param = Param(name, default, help_text or "parameter of this strategy", minimum, maximum)
        check_param(param, bad)
        out.append(param)
    return out


def _condition(
    value: Any, key: str, own: list[str], where: str, path: Path, lines: _Lines, i: int
) -> Condition:
    if not isinstance(value, str):
        raise AluError(
            f"{where}: {key} must be a condition in quotes, got {value!r}",
            path=path,
            line=lines.key(i, key),
        )
    try:
        return compile_condition(value, params=own, family_params=FAMILY_PARAM_NAMES)
    except ExpressionError as exc:
        line, place = _locate(value, exc, lines, i, key)
        raise AluError(f"{where}, {key}: {exc.problem}{place}", path=path, line=line) from None


def _locate(text: str, exc: ExpressionError, lines: _Lines, i: int, key: str):
    """The file line of an expression error and how to say where in the expression it is."""
    line = lines.key(i, key)
    if exc.column is None:
        return line, f" at the end of: {text}" if exc.at_end else ""
    if "\n" not in text:
        return line, f" at column {exc.column} of: {text}"
    before = text[: exc.column - 1]
    row = before.count("\n")
    column = exc.column - 1 - (before.rfind("\n") + 1) + 1
    opens_alone = line is not None and re.search(r"=\s*(\"\"\"|''')\s*$", lines.text(line))
    if line is not None:
        line += row + (1 if opens_alone else 0)
    return line, f" at column {column} of that line"


def _doc(description: str | None, sides: dict[str, Side | None]) -> str:
    """The rule's text for ``alu strategies``: the description, then each side's conditions."""
    rules = [s.text(side) for side, s in sides.items() if s is not None]
    summary = _oneline(description) if description else _sentence("; ".join(rules))
    body = "\n".join(f"- {_sentence(r)}" for r in rules)
    return f"{summary}\n\n{body}"


def _sentence(text: str) -> str:
    return f"{text[:1].upper()}{text[1:]}."


def _oneline(text: str) -> str:
    return " ".join(text.split())


class _Lines:
    """Where keys are in the TOML text (the parser does not say): line numbers, 1-based."""

    _HEADER = re.compile(r"^\s*\[\[\s*strategy\s*\]\]")
    _TABLE = re.compile(r"^\s*\[")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers = [n for n, s in enumerate(self.lines) if self._HEADER.match(s)]

    def text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def header(self, i: int) -> int | None:
        return self.headers[i] + 1 if i < len(self.headers) else None

    def top_level(self, key: str) -> int | None:
        pattern = re.compile(rf"^\s*(\[\s*)?[\"']?{re.escape(key)}[\"']?\s*(=|\]|\.)")
        for n, s in enumerate(self.lines):
            if pattern.match(s):
                return n + 1
        return None

    def key(self, i: int, key: str | None, inner: str | None = None) -> int | None:
        """The line of ``key`` in strategy table ``i`` (then of ``inner`` after it)."""
        if i >= len(self.headers) or key is None:
            return self.header(i)
        start = self.headers[i]
        end = self.headers[i + 1] if i + 1 < len(self.headers) else len(self.lines)
        found = None
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        table = re.compile(rf"^\s*\[\s*strategy\s*\.\s*{re.escape(key)}\s*\]")
        for n in range(start + 1, end):
            if pattern.match(self.lines[n]) or table.match(self.lines[n]):
                found = n
                break
        if found is None:
            return start + 1
        if inner is not None:
            word = re.compile(rf"(^|[\s{{,])[\"']?{re.escape(inner)}[\"']?\s*=")
            for n in range(found, end):
                if word.search(self.lines[n]):
                    return n + 1
        return found + 1

"""Conditions over signal columns and parameters, for strategies written in TOML.

A small language of its own, read by a tokenizer and a recursive-descent parser (never ``eval``,
never Python's ``ast``), checked once against the declared signal columns
(:mod:`alu.strategies.signal_columns`) and the strategy's parameters, then evaluated with numpy on
either shape a rule sees: 1-D (days, one parameter set) or 2-D (days x variants, a sweep, where a
parameter is an array with one value per variant).

Grammar, from the loosest binding to the tightest::

    condition  := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := sum [("<" | "<=" | ">" | ">=" | "==" | "!=") sum]   (comparisons do not chain)
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := ("-" | "+") unary | atom
    atom       := NUMBER | 'STATE' | "STATE" | NAME | "true" | "false" | "(" condition ")"

Types are checked before anything runs: arithmetic and ``< <= > >=`` take numbers (number
columns, parameters, literals); ``and``/``or``/``not`` take conditions (comparisons, flag columns,
``true``/``false``); a state column is only compared with ``==``/``!=`` to one of its own state
names (``band_state != 'BEAR'``); ``==``/``!=`` otherwise compare numbers. The whole expression
must be a condition.

Missing values: a number column is NaN before its signal has warmed up, and arithmetic carries
NaN along; **any comparison with a missing value is false**, ``!=`` included, as in the built-in
rules (``band_state != 'BEAR'`` is false where the band state is not known yet, and so is
``spread_z != 0`` where the z-score is NaN). A flag with no value reads false. Division by zero
gives an infinite or missing value, never an error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from alu.errors import AluError
from alu.strategies.columns import Columns
from alu.strategies.signal_columns import FLAG, NUMBER, SIGNAL_COLUMNS, SignalColumn

KEYWORDS = ("and", "or", "not", "true", "false")
COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")
#: Parentheses, ``not`` and signs nested deeper than this are refused, and so are trees more
#: operators deep than MAX_OPERATIONS: the parser and the checker recurse, and must never reach
#: Python's recursion limit.
MAX_DEPTH = 40
MAX_OPERATIONS = 100

NUM, COND, STATE_COL, STRING = "number", "condition", "state column", "state name"


class ExpressionError(AluError):
    """A syntax, name or type error in an expression, where it is: ``column`` (1-based) or
    ``at_end``; neither when the problem is the expression as a whole."""

    def __init__(self, message: str, column: int | None = None, *, at_end: bool = False) -> None:
        where = f" at column {column}" if column is not None else " at the end" if at_end else ""
        super().__init__(f"{message}{where}")
        self.problem = message
        self.column = column
        self.at_end = at_end


# -- tokens ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # "number", "name", "string", "op", "end"
    text: str
    pos: int  # 0-based offset


_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\n]+)
    |(?P<number>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<string>'[^'\r\n]*'|"[^"\r\n]*")
    |(?P<op><=|>=|==|!=|<|>|\+|-|\*|/|\(|\))
    """,
    re.VERBOSE,
)
_MISTAKES = {
    "=": "use '==' to compare",
    "&": "use 'and'",
    "|": "use 'or'",
    "!": "use 'not'",
    "~": "use 'not'",
    "%": "'%' is not an operator here: write fractions (0.2 for 20 %)",
    "[": "use parentheses ( ) to group",
    "]": "use parentheses ( ) to group",
    "{": "use parentheses ( ) to group",
    "}": "use parentheses ( ) to group",
}


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token; refuses what is not one."""
    tokens = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            char = text[pos]
            if char in "'\"":
                raise ExpressionError(f"unterminated state name {text[pos : pos + 12]!s}", pos + 1)
            hint = _MISTAKES.get(char)
            shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
            raise ExpressionError(
                f"unexpected character {shown}" + (f" ({hint})" if hint else ""), pos + 1
            )
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# -- syntax tree -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    kind: str  # "number", "name", "string", "bool", "neg", "pos", "arith", "compare", "and",
    # "or", "not"
    pos: int  # 0-based offset of the node's first character
    value: Any = None  # the literal, the name, or the operator
    left: Node | None = None
    right: Node | None = None


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def at(self, kind: str, *texts: str) -> bool:
        token = self.token
        return token.kind == kind and (not texts or token.text in texts)

    def fail(self, message: str, token: Token | None = None) -> ExpressionError:
        token = token or self.token
        if token.kind == "end":
            return ExpressionError(message, at_end=True)
        return ExpressionError(message, token.pos + 1)

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"nested more than {MAX_DEPTH} deep")

    def parse(self) -> Node:
        if self.at("end"):
            raise ExpressionError("empty expression")
        node = self.parse_or()
        if not self.at("end"):
            raise self.fail(f"unexpected {_describe(self.token)} after a complete expression")
        return node

    def parse_or(self) -> Node:
        node = self.parse_and()
        while self.at("name", "or"):
            self.take()
            node = Node("or", node.pos, "or", node, self.parse_and())
        return node

    def parse_and(self) -> Node:
        node = self.parse_not()
        while self.at("name", "and"):
            self.take()
            node = Node("and", node.pos, "and", node, self.parse_not())
        return node

    def parse_not(self) -> Node:
        if self.at("name", "not"):
            token = self.take()
            self.deeper()
            operand = self.parse_not()
            self.depth -= 1
            return Node("not", token.pos, "not", operand)
        return self.parse_comparison()

    def parse_comparison(self) -> Node:
        node = self.parse_sum()
        if self.at("op", *COMPARISONS):
            op = self.take()
            right = self.parse_sum()
            if self.at("op", *COMPARISONS):
                raise self.fail(
                    "comparisons do not chain: write 'a < b and b < c' instead of 'a < b < c'"
                )
            node = Node("compare", node.pos, op.text, node, right)
        return node

    def parse_sum(self) -> Node:
        node = self.parse_product()
        while self.at("op", "+", "-"):
            op = self.take()
            node = Node("arith", node.pos, op.text, node, self.parse_product())
        return node

    def parse_product(self) -> Node:
        node = self.parse_unary()
        while self.at("op", "*", "/"):
            op = self.take()
            node = Node("arith", node.pos, op.text, node, self.parse_unary())
        return node

    def parse_unary(self) -> Node:
        if self.at("op", "-", "+"):
            op = self.take()
            self.deeper()
            operand = self.parse_unary()
            self.depth -= 1
            return Node("neg" if op.text == "-" else "pos", op.pos, op.text, operand)
        return self.parse_atom()

    def parse_atom(self) -> Node:
        token = self.token
        if token.kind == "number":
            self.take()
            value = float(token.text)
            if not math.isfinite(value):
                raise self.fail(f"number {token.text} is too large", token)
            return Node("number", token.pos, value)
        if token.kind == "string":
            self.take()
            return Node("string", token.pos, token.text[1:-1])
        if token.kind == "name":
            if token.text in ("and", "or"):
                raise self.fail(f"'{token.text}' needs a condition before it")
            self.take()
            if token.text in ("true", "false"):
                return Node("bool", token.pos, token.text == "true")
            return Node("name", token.pos, token.text)
        if self.at("op", "("):
            self.take()
            self.deeper()
            node = self.parse_or()
            self.depth -= 1
            if not self.at("op", ")"):
                if self.at("end"):
                    raise ExpressionError(f"the '(' at column {token.pos + 1} is never closed")
                raise self.fail(f"expected ')' but found {_describe(self.token)}")
            self.take()
            return node
        if token.kind == "end":
            raise self.fail("the expression ends where a value was expected")
        raise self.fail(f"expected a value but found {_describe(token)}")


def _describe(token: Token) -> str:
    if token.kind == "end":
        return "the end"
    if token.kind == "number":
        return f"number {token.text}"
    if token.kind == "string":
        return f"state name {token.text}"
    if token.kind == "name":
        return f"'{token.text}'"
    return f"'{token.text}'"


def parse(text: str) -> Node:
    """The syntax tree of ``text`` (see the module docstring); refuses bad syntax."""
    if not isinstance(text, str):
        raise ExpressionError(f"expected text, got {type(text).__name__}")
    node = _Parser(text).parse()
    if _depth(node) > MAX_OPERATIONS:
        raise ExpressionError(f"more than {MAX_OPERATIONS} operations deep: split it up")
    return node


def _depth(root: Node) -> int:
    """How many operators deep the tree is (a leaf: 0), without recursion."""
    deepest = 0
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in (node.left, node.right) if child is not None)
    return deepest


# -- checking and evaluation -------------------------------------------------------------------

Fn = Callable[[Columns, Mapping[str, Any]], Any]


@dataclass(frozen=True)
class _Typed:
    type: str
    fn: Fn | None = None
    column: SignalColumn | None = None  # a state column
    text: str = ""  # a state name


@dataclass(frozen=True)
class Condition:
    """A checked condition: what it reads, and how to evaluate it.

    ``columns``: the signal columns it reads; ``params``: the parameters it reads (the strategy's
    own, or a family's, such as ``deadband``); ``families``: the signal families those need.
    """

    text: str
    columns: tuple[str, ...]
    params: tuple[str, ...]
    families: tuple[str, ...]
    fn: Fn

    def evaluate(self, cols: Columns, params: Mapping[str, Any]) -> np.ndarray:
        """A bool array: shape (days,), or (days, variants) when ``params`` hold arrays."""
        with np.errstate(all="ignore"):
            value = np.asarray(self.fn(cols, params), dtype=bool)
        return np.broadcast_to(value, target_shape(cols, params)).copy()


def target_shape(cols: Columns, params: Mapping[str, Any]) -> tuple[int, ...]:
    """(days,) for one parameter set; (days, variants) when a parameter is an array."""
    for value in params.values():
        if np.ndim(value) == 1:
            return (len(cols), len(value))
    return (len(cols),)


def compile_condition(
    text: str,
    *,
    params: Iterable[str] = (),
    family_params: Mapping[str, str] | None = None,
    columns: Mapping[str, SignalColumn] = SIGNAL_COLUMNS,
) -> Condition:
    """Parse and check ``text``: a condition over ``columns`` and the parameters ``params``
    (a strategy's own) and ``family_params`` (name -> family: reading one needs its family)."""
    checker = _Checker(columns, tuple(params), dict(family_params or {}))
    typed = checker.check(parse(text))
    if typed.type != COND:
        raise ExpressionError(_needs_condition(typed, text), 1)
    families = {columns[c].family for c in checker.columns}
    families |= {checker.family_params[p] for p in checker.params if p in checker.family_params}
    return Condition(
        text=text,
        columns=tuple(dict.fromkeys(checker.columns)),
        params=tuple(dict.fromkeys(checker.params)),
        families=tuple(sorted(families)),
        fn=typed.fn,  # type: ignore[arg-type]
    )


def _needs_condition(typed: _Typed, text: str) -> str:
    if typed.type == NUM:
        return f"'{text.strip()}' is a number, not a condition (compare it: ... > 0)"
    if typed.type == STATE_COL:
        column = typed.column
        assert column is not None
        return (
            f"{column.name} is a state column: compare it with one of its states, "
            f"e.g. {column.name} == '{column.states[0]}'"
        )
    return "a state name alone is not a condition: compare a state column with it"


class _Checker:
    def __init__(
        self,
        columns: Mapping[str, SignalColumn],
        params: tuple[str, ...],
        family_params: dict[str, str],
    ) -> None:
        self.known_columns = columns
        self.own_params = params
        self.family_params = family_params
        self.columns: list[str] = []
        self.params: list[str] = []

    def check(self, node: Node) -> _Typed:
        return getattr(self, f"_{node.kind}")(node)

    # leaves

    def _number(self, node: Node) -> _Typed:
        value = np.float64(node.value)
        return _Typed(NUM, lambda cols, params: value)

    def _bool(self, node: Node) -> _Typed:
        value = np.bool_(node.value)
        return _Typed(COND, lambda cols, params: value)

    def _string(self, node: Node) -> _Typed:
        return _Typed(STRING, text=node.value)

    def _name(self, node: Node) -> _Typed:
        name = node.value
        column = self.known_columns.get(name)
        if column is not None:
            self.columns.append(name)
            if column.kind == NUMBER:
                return _Typed(NUM, lambda cols, params: cols.number(name))
            if column.kind == FLAG:
                return _Typed(COND, lambda cols, params: cols.flag(name))
            return _Typed(STATE_COL, column=column)
        if name in self.own_params or name in self.family_params:
            self.params.append(name)
            return _Typed(NUM, lambda cols, params: np.asarray(params[name], dtype=np.float64))
        choices = [*self.known_columns, *self.own_params, *self.family_params, *KEYWORDS]
        raise ExpressionError(f"unknown name '{name}'{hint(name, choices)}", node.pos + 1)

    # operators

    def _operand(self, node: Node, wanted: str, what: str) -> _Typed:
        typed = self.check(node)
        if typed.type == wanted:
            return typed
        got = {
            NUM: "a number",
            COND: "a condition",
            STATE_COL: f"the state column {typed.column.name if typed.column else ''}",
            STRING: f"the state name '{typed.text}'",
        }[typed.type]
        advice = ""
        if typed.type == STATE_COL and typed.column is not None:
            advice = f" (compare it: {typed.column.name} == '{typed.column.states[0]}')"
        elif typed.type == NUM and wanted == COND:
            advice = " (compare it, e.g. ... > 0)"
        elif typed.type == STRING:
            advice = " (a state name is compared with a state column: band_state == 'BULL')"
        raise ExpressionError(f"{what} expects {wanted}s, got {got}{advice}", node.pos + 1)

    def _neg(self, node: Node) -> _Typed:
        fn = self._operand(node.left, NUM, f"'{node.value}'").fn  # type: ignore[arg-type]
        if node.kind == "neg":
            return _Typed(NUM, lambda cols, params: np.negative(fn(cols, params)))
        return _Typed(NUM, fn)

    _pos = _neg

    def _arith(self, node: Node) -> _Typed:
        what = f"'{node.value}'"
        left = self._operand(node.left, NUM, what).fn  # type: ignore[arg-type]
        right = self._operand(node.right, NUM, what).fn  # type: ignore[arg-type]
        op = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.true_divide}[node.value]
        return _Typed(NUM, lambda cols, params: op(left(cols, params), right(cols, params)))

    def _not(self, node: Node) -> _Typed:
        fn = self._operand(node.left, COND, "'not'").fn  # type: ignore[arg-type]
        return _Typed(COND, lambda cols, params: np.logical_not(fn(cols, params)))

    def _and(self, node: Node) -> _Typed:
        left = self._operand(node.left, COND, "'and'").fn  # type: ignore[arg-type]
        right = self._operand(node.right, COND, "'and'").fn  # type: ignore[arg-type]
        return _Typed(
            COND, lambda cols, params: np.logical_and(left(cols, params), right(cols, params))
        )

    def _or(self, node: Node) -> _Typed:
        left = self._operand(node.left, COND, "'or'").fn  # type: ignore[arg-type]
        right = self._operand(node.right, COND, "'or'").fn  # type: ignore[arg-type]
        return _Typed(
            COND, lambda cols, params: np.logical_or(left(cols, params), right(cols, params))
        )

    def _compare(self, node: Node) -> _Typed:
        op = node.value
        left, right = self.check(node.left), self.check(node.right)  # type: ignore[arg-type]
        if STATE_COL in (left.type, right.type) or STRING in (left.type, right.type):
            return self._state_compare(node, left, right)
        what = f"'{op}'"
        for typed, side in ((left, node.left), (right, node.right)):
            if typed.type != NUM:
                advice = ""
                if typed.type == COND and op in ("==", "!="):
                    advice = " (write the condition itself, or 'not' it)"
                raise ExpressionError(
                    f"{what} compares numbers, got a condition{advice}",
                    side.pos + 1,  # type: ignore[union-attr]
                )
        compare = {
            "<": np.less,
            "<=": np.less_equal,
            ">": np.greater,
            ">=": np.greater_equal,
            "==": np.equal,
            "!=": np.not_equal,
        }[op]
        lf, rf = left.fn, right.fn

        def evaluate(cols: Columns, params: Mapping[str, Any]) -> Any:
            a, b = lf(cols, params), rf(cols, params)  # type: ignore[misc]
            known = np.logical_not(np.isnan(a)) & np.logical_not(np.isnan(b))
            return compare(a, b) & known

        return _Typed(COND, evaluate)

    def _state_compare(self, node: Node, left: _Typed, right: _Typed) -> _Typed:
        op = node.value
        pair = {left.type: (left, node.left), right.type: (right, node.right)}
        if left.type == right.type or set(pair) != {STATE_COL, STRING}:
            bad_node = node.right if left.type in (STATE_COL, STRING) else node.left
            if left.type == right.type == STATE_COL:
                message = "two state columns cannot be compared; compare each with a state name"
            elif STATE_COL in pair:
                column = pair[STATE_COL][0].column
                assert column is not None
                message = (
                    f"{column.name} is compared with state names in quotes, "
                    f"e.g. {column.name} == '{column.states[0]}'"
                )
            else:
                message = "a state name is compared with a state column, e.g. band_state == 'BULL'"
            raise ExpressionError(message, bad_node.pos + 1)  # type: ignore[union-attr]
        if op not in ("==", "!="):
            raise ExpressionError(f"states are compared with == or !=, not '{op}'", node.pos + 1)
        column = pair[STATE_COL][0].column
        state, state_node = pair[STRING]
        assert column is not None and state_node is not None
        if state.text not in column.states:
            raise ExpressionError(
                f"'{state.text}' is not a state of {column.name}{hint(state.text, column.states)}"
                f"; its states: {', '.join(column.states)}",
                state_node.pos + 1,
            )
        values = (state.text,) if op == "==" else tuple(s for s in column.states if s != state.text)
        name = column.name
        return _Typed(COND, lambda cols, params: cols.states(name, *values))


def hint(name: str, choices: Iterable[str]) -> str:
    """A ``" (did you mean 'x'?)"`` hint: a different case first, then a close spelling."""
    import difflib

    choices = list(dict.fromkeys(choices))
    for choice in choices:
        if choice.lower() == name.lower():
            return f" (did you mean '{choice}'?)"
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        close = [lowered[c] for c in difflib.get_close_matches(name.lower(), list(lowered), 1)]
    return f" (did you mean '{close[0]}'?)" if close else ""

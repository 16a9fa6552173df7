"""The expression language of TOML strategies: syntax, types, missing values, errors, and
random expressions against a reference interpreter written independently (Python scalars, one
day at a time)."""

from __future__ import annotations

import math
import operator

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alu.errors import AluError
from alu.signals.states import MISSING_CODE, STATE_CODES
from alu.strategies.columns import StackedColumns, TableColumns
from alu.strategies.expr import ExpressionError, compile_condition, parse, tokenize
from alu.strategies.signal_columns import SIGNAL_COLUMNS

PARAMS = ("p", "q")
FAMILY_PARAMS = {"deadband": "spread", "upper": "bands"}


def cond(text, **kwargs):
    kwargs.setdefault("params", PARAMS)
    kwargs.setdefault("family_params", FAMILY_PARAMS)
    return compile_condition(text, **kwargs)


def table(**columns):
    n = len(next(iter(columns.values())))
    return TableColumns(pd.DataFrame(columns, index=pd.bdate_range("2024-01-01", periods=n)))


def evaluate(text, tbl, **params):
    return cond(text).evaluate(tbl, {"p": 1.0, "q": 2.0, **params}).tolist()


# -- fixed examples --------------------------------------------------------------------------


def test_precedence_and_associativity():
    tbl = table(spread_z=[1.0])
    assert evaluate("1 + 2 * 3 == 7", tbl) == [True]
    assert evaluate("(1 + 2) * 3 == 9", tbl) == [True]
    assert evaluate("8 - 4 - 2 == 2", tbl) == [True]  # left to right
    assert evaluate("8 / 4 / 2 == 1", tbl) == [True]
    assert evaluate("-2 * -3 == 6", tbl) == [True]
    assert evaluate("true or false and false", tbl) == [True]  # and binds tighter than or
    assert evaluate("not false and false", tbl) == [False]  # not binds tighter than and
    assert evaluate("not 1 > 2", tbl) == [True]  # comparison binds tighter than not


def test_state_comparisons_and_missing_values():
    tbl = table(band_state=["BULL", "NEUTRAL", "BEAR", None])
    assert evaluate("band_state == 'BEAR'", tbl) == [False, False, True, False]
    assert evaluate("band_state != 'BEAR'", tbl) == [True, True, False, False]  # missing: false
    assert evaluate('"BULL" == band_state', tbl) == [True, False, False, False]
    assert evaluate("not band_state == 'BEAR'", tbl) == [True, True, False, True]


def test_number_comparisons_with_a_missing_value_are_false():
    tbl = table(spread_z=[1.0, np.nan, -1.0])
    assert evaluate("spread_z != 0", tbl) == [True, False, True]
    assert evaluate("spread_z == spread_z", tbl) == [True, False, True]
    assert evaluate("spread_z > -100 or spread_z <= -100", tbl) == [True, False, True]
    assert evaluate("spread_z * 0 + 1 > 0", tbl) == [True, False, True]  # NaN carries along


def test_division_by_zero_is_not_an_error():
    tbl = table(spread_z=[1.0, 0.0, -1.0])
    assert evaluate("spread_z / 0 > 1000", tbl) == [True, False, False]  # inf, nan, -inf


def test_flags_read_missing_as_false_and_params_broadcast():
    tbl = table(spread_narrowing=[True, False], spread_z=[0.5, 3.0])
    assert evaluate("spread_narrowing", tbl) == [True, False]
    assert evaluate("spread_z > p", tbl, p=1.0) == [False, True]
    assert evaluate("p > 0", tbl) == [True, True]  # a parameter alone: every day
    assert evaluate("true", tbl) == [True, True]


def test_what_a_condition_reads():
    c = cond("spread_usd_t > deadband * p and inventory_trend == 'FALLING'")
    assert c.columns == ("spread_usd_t", "inventory_trend")
    assert c.params == ("deadband", "p")
    assert c.families == ("inventory", "spread")
    assert cond("reference_price > upper").families == ("bands",)
    assert cond("in_catalyst_window").families == ("catalysts",)
    assert cond("p < q").families == ()


def test_two_dimensional_with_one_parameter_per_variant():
    z = np.array([[0.5, 0.5], [2.0, 2.0], [np.nan, np.nan]])
    cols = StackedColumns(lambda name: z, 3)
    got = cond("spread_z > p").evaluate(cols, {"p": np.array([0.0, 1.0]), "q": np.array([1, 1])})
    assert got.tolist() == [[True, False], [True, True], [False, False]]
    const = cond("p > 0.5").evaluate(cols, {"p": np.array([0.0, 1.0]), "q": np.array([1, 1])})
    assert const.shape == (3, 2) and const.tolist() == [[False, True]] * 3


@pytest.mark.parametrize(
    ("text", "pattern", "column"),
    [
        ("band_stat == 'BULL'", r"unknown name 'band_stat' \(did you mean 'band_state'\?\)", 1),
        ("spread_z > P", r"unknown name 'P' \(did you mean 'p'\?\)", 12),
        ("spread_z > 1 AND p > 0", r"unexpected 'AND'", 14),
        (
            "band_state == 'bear'",
            r"'bear' is not a state of band_state \(did you mean 'BEAR'\?\)",
            15,
        ),
        (
            "band_state == 'CONTANGO'",
            r"not a state of band_state.*its states: BULL, NEUTRAL, BEAR",
            15,
        ),
        ("band_state > 'BULL'", r"states are compared with == or !=", 1),
        ("band_state == 1", r"band_state is compared with state names in quotes", 15),
        ("band_state == spread_regime", r"two state columns", 15),
        ("band_state", r"band_state is a state column", 1),
        ("spread_z", r"is a number, not a condition", 1),
        ("'BULL'", r"a state name alone is not a condition", 1),
        ("spread_z and p > 1", r"'and' expects conditions, got a number", 1),
        ("spread_narrowing + 1 > 0", r"'\+' expects numbers, got a condition", 1),
        ("spread_narrowing == true", r"'==' compares numbers, got a condition", 1),
        ("1 < p < 2", r"comparisons do not chain", 7),
        ("spread_z = 1", r"use '==' to compare", 10),
        ("spread_z > 1 && p > 0", r"use 'and'", 14),
        ("spread_z > 1 || p > 0", r"use 'or'", 14),
        ("!spread_narrowing", r"use 'not'", 1),
        ("spread_z > 20%", r"'%' is not an operator", 14),
        ("(spread_z > 1", r"the '\(' at column 1 is never closed", None),
        ("spread_z > 1)", r"unexpected '\)' after a complete expression", 13),
        ("spread_z >", r"ends where a value was expected at the end", None),
        ("band_state == 'BULL", r"unterminated state name", 15),
        ("", r"empty expression", None),
        ("   ", r"empty expression", None),
        ("and p > 1", r"'and' needs a condition before it", 1),
        ("spread_z > 1e999", r"too large", 12),
        ("spread_z > 1 p", r"unexpected 'p' after a complete expression", 14),
        ("spread_z ≥ 1", r"unexpected character '≥'", 10),
    ],
)
def test_errors_say_what_and_where(text, pattern, column):
    with pytest.raises(ExpressionError, match=pattern) as caught:
        cond(text)
    assert caught.value.column == column


def test_deep_nesting_is_refused_not_a_recursion_error():
    with pytest.raises(ExpressionError, match="nested more than"):
        cond("(" * 500 + "p" + ")" * 500 + " > 0")
    with pytest.raises(ExpressionError, match="nested more than"):
        cond("not " * 500 + "true")
    with pytest.raises(ExpressionError, match="operations deep"):
        cond(" + ".join(["p"] * 2000) + " > 0")


def test_never_eval_nor_python_names():
    for text in ("__import__('os') == 1", "p.real > 0", "[p][0] > 0", "p if p else q"):
        with pytest.raises(ExpressionError):
            cond(text)


def test_tokens_keep_their_offsets():
    tokens = tokenize("spread_z  >= 1.5e-3")
    assert [(t.kind, t.text, t.pos) for t in tokens] == [
        ("name", "spread_z", 0),
        ("op", ">=", 10),
        ("number", "1.5e-3", 13),
        ("end", "", 19),
    ]


# -- random expressions against a reference interpreter ------------------------------------

NUMBER_COLUMNS = ("spread_z", "stock_percentile", "spread_usd_t")
STATES = {name: SIGNAL_COLUMNS[name].states for name in ("band_state", "inventory_trend")}
FLAGS = ("spread_narrowing", "in_catalyst_window")
N_DAYS, N_VARIANTS = 5, 3

# Binding strength of each node for printing with the fewest parentheses (the documented grammar:
# or < and < not < comparison < + - < * / < unary sign < atom).
LEVEL = {"or": 1, "and": 2, "not": 3, "cmp": 4, "state": 4, "+": 5, "-": 5, "*": 6, "/": 6}


def numbers():
    literal = st.sampled_from([0.0, 1.0, 2.5, 0.2, 3.0, 1e300, 7.0]).map(lambda v: ("num", v))
    leaf = st.one_of(
        literal,
        st.sampled_from(NUMBER_COLUMNS).map(lambda c: ("col", c)),
        st.sampled_from(PARAMS).map(lambda p: ("param", p)),
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(["+", "-", "*", "/"]), inner, inner),
            inner.map(lambda x: ("neg", x)),
        ),
        max_leaves=6,
    )


def conditions():
    comparison = st.tuples(
        st.just("cmp"), st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), numbers(), numbers()
    )
    state = st.sampled_from(list(STATES)).flatmap(
        lambda c: st.tuples(
            st.just("state"),
            st.just(c),
            st.sampled_from(["==", "!="]),
            st.sampled_from(STATES[c]),
            st.booleans(),  # the state name on the left
        )
    )
    leaf = st.one_of(
        comparison,
        state,
        st.sampled_from(FLAGS).map(lambda f: ("flag", f)),
        st.booleans().map(lambda b: ("bool", b)),
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(["and", "or"]), inner, inner),
            inner.map(lambda x: ("not", x)),
        ),
        max_leaves=6,
    )


def level(node) -> int:
    kind = node[0]
    if kind in ("num", "col", "param", "flag", "bool"):
        return 8
    if kind == "neg":
        return 7
    return LEVEL[kind if kind not in ("cmp",) else "cmp"]


def render(node, draw_parens) -> tuple[str, bool]:
    """Text for ``node`` with the parentheses precedence needs, plus some drawn at random;
    and whether the whole text is in parentheses."""
    kind = node[0]
    if kind == "num":
        text = repr(node[1])
    elif kind in ("col", "param", "flag"):
        text = node[1]
    elif kind == "bool":
        text = "true" if node[1] else "false"
    elif kind == "neg":
        text = "-" + wrap(node[1], 7, draw_parens)
    elif kind == "not":
        text = "not " + wrap(node[1], 3, draw_parens)
    elif kind == "cmp":
        _, op, a, b = node
        text = f"{wrap(a, 5, draw_parens)} {op} {wrap(b, 5, draw_parens)}"
    elif kind == "state":
        _, column, op, value, left = node
        text = f"'{value}' {op} {column}" if left else f"{column} {op} '{value}'"
    else:  # binary, left-associative
        op, a, b = node
        own = LEVEL[op]
        text = f"{wrap(a, own, draw_parens)} {op} {wrap(b, own + 1, draw_parens)}"
    if draw_parens():
        return f"({text})", True
    return text, False


def wrap(node, needed: int, draw_parens) -> str:
    text, wrapped = render(node, draw_parens)
    return f"({text})" if level(node) < needed and not wrapped else text


def reference(node, day: dict) -> float | bool:
    """One day's value, in plain Python floats and bools, from the documented rules."""
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind in ("col", "param"):
        return day[node[1]]
    if kind == "flag":
        return bool(day[node[1]])
    if kind == "bool":
        return node[1]
    if kind == "neg":
        return -reference(node[1], day)
    if kind == "not":
        return not reference(node[1], day)
    if kind == "cmp":
        _, op, a, b = node
        x, y = reference(a, day), reference(b, day)
        if math.isnan(x) or math.isnan(y):
            return False
        return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y, "==": x == y, "!=": x != y}[op]
    if kind == "state":
        _, column, op, value, _ = node
        state = day[column]
        if state is None:
            return False
        return state == value if op == "==" else state != value
    op, a, b = node
    if op == "and":
        return reference(a, day) and reference(b, day)  # type: ignore[return-value]
    if op == "or":
        return reference(a, day) or reference(b, day)  # type: ignore[return-value]
    x, y = reference(a, day), reference(b, day)
    if op == "/":
        return ieee_divide(x, y)
    return {"+": operator.add, "-": operator.sub, "*": operator.mul}[op](x, y)


def ieee_divide(x: float, y: float) -> float:
    if y != 0 or math.isnan(y):
        return x / y
    if x == 0 or math.isnan(x):
        return math.nan
    return math.copysign(math.inf, x) * math.copysign(1.0, y)


def data():
    number = st.sampled_from([math.nan, 0.0, -0.0, 1.0, -2.5, 0.2, 3.0, 7.0])
    column = st.lists(number, min_size=N_DAYS * N_VARIANTS, max_size=N_DAYS * N_VARIANTS)
    fields = {name: column for name in NUMBER_COLUMNS}
    for name, states in STATES.items():
        fields[name] = st.lists(
            st.sampled_from([None, *states]),
            min_size=N_DAYS * N_VARIANTS,
            max_size=N_DAYS * N_VARIANTS,
        )
    for name in FLAGS:
        fields[name] = st.lists(
            st.booleans(), min_size=N_DAYS * N_VARIANTS, max_size=N_DAYS * N_VARIANTS
        )
    for name in PARAMS:
        fields[name] = st.lists(number, min_size=N_VARIANTS, max_size=N_VARIANTS)
    return st.fixed_dictionaries(fields)


def grid(values) -> np.ndarray:
    return np.array(values, dtype=object).reshape(N_DAYS, N_VARIANTS)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=conditions(), values=data(), seed=st.randoms(use_true_random=False))
def test_random_expressions_evaluate_like_the_reference(tree, values, seed):
    text, _ = render(tree, lambda: seed.random() < 0.15)
    condition = cond(text)
    arrays = {name: grid(v) for name, v in values.items() if name not in PARAMS}

    def fetch(name):
        if name in STATES:
            return np.vectorize(lambda s: MISSING_CODE if s is None else STATE_CODES[s])(
                arrays[name]
            ).astype(np.int8)
        return arrays[name].astype(bool if name in FLAGS else np.float64)

    params = {p: np.array(values[p], dtype=np.float64) for p in PARAMS}
    stacked = condition.evaluate(StackedColumns(fetch, N_DAYS), params)
    for v in range(N_VARIANTS):
        days = [
            {**{name: arrays[name][t, v] for name in arrays}, **{p: values[p][v] for p in PARAMS}}
            for t in range(N_DAYS)
        ]
        expected = [bool(reference(tree, day)) for day in days]
        assert stacked[:, v].tolist() == expected, text
        # The same variant as a one-parameter-set backtest reads it (a signal table, 1-D).
        frame = pd.DataFrame(
            {name: arrays[name][:, v] for name in arrays},
            index=pd.bdate_range("2024-01-01", periods=N_DAYS),
        )
        for name in NUMBER_COLUMNS:
            frame[name] = frame[name].astype(np.float64)
        for name in FLAGS:
            frame[name] = frame[name].astype(bool)
        single = condition.evaluate(TableColumns(frame), {p: values[p][v] for p in PARAMS})
        assert single.tolist() == expected, text


TOKENS = [
    *NUMBER_COLUMNS,
    *STATES,
    *FLAGS,
    *PARAMS,
    "deadband",
    "and",
    "or",
    "not",
    "true",
    "false",
    "(",
    ")",
    "+",
    "-",
    "*",
    "/",
    "<",
    "<=",
    ">",
    ">=",
    "==",
    "!=",
    "'BULL'",
    "'FALLING'",
    "'NOPE'",
    "1",
    "2.5",
    ".5",
    "1e3",
    "=",
    "!",
    "&",
    "'",
    '"',
    "x",
    "band_state",
]


@settings(max_examples=500, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=40),
        st.text(alphabet="abnotrd_ ()+-*/<>=!'\"0123456789.eE&|", max_size=40),
        st.lists(st.sampled_from(TOKENS), max_size=12).map(" ".join),
        st.lists(st.sampled_from(TOKENS), max_size=12).map("".join),
    )
)
def test_garbage_is_refused_with_an_alu_error_and_nothing_else(text):
    try:
        condition = cond(text)
    except ExpressionError as exc:
        assert isinstance(exc, AluError)
        assert exc.column is None or 1 <= exc.column <= len(text) + 1
        assert "\n" not in exc.message or "\n" in text
        return
    tbl = table(**{name: [1.0, np.nan] for name in NUMBER_COLUMNS}, band_state=["BULL", None])
    tbl.table["spread_narrowing"] = [True, False]
    tbl.table["in_catalyst_window"] = [False, True]
    tbl.table["inventory_trend"] = ["FALLING", None]
    got = condition.evaluate(tbl, {"p": 1.0, "q": 0.0, "deadband": 5.0})
    assert got.dtype == bool and got.shape == (2,)


def test_parse_refuses_non_text():
    with pytest.raises(ExpressionError, match="expected text"):
        parse(3)  # type: ignore[arg-type]

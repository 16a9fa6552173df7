"""Strategy files: what a TOML or Python file defines, and every way one is refused (one
AluError naming the file and the line)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alu.errors import AluError
from alu.strategies import (
    BANDS,
    STRATEGIES,
    Param,
    Strategy,
    get_strategy,
    load_strategies,
    strategy,
    strategy_catalog,
)
from alu.strategies.columns import TableColumns


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def refused(path: Path, pattern: str, line: int | None):
    with pytest.raises(AluError, match=pattern) as caught:
        strategy_catalog([path])
    error = caught.value
    assert error.path == path
    assert error.line == line, str(error)
    assert "\n" not in str(error)
    return error


def frame(**columns):
    n = len(next(iter(columns.values())))
    return pd.DataFrame(columns, index=pd.bdate_range("2024-01-01", periods=n))


def stance(s: Strategy, tbl: pd.DataFrame, allow_short=False, **overrides):
    return s.stance_from_table(tbl, s.resolve(overrides), allow_short=allow_short).tolist()


# -- TOML -------------------------------------------------------------------------------------


def test_toml_strategy_families_params_and_sides(tmp_path):
    path = write(
        tmp_path,
        "mine.toml",
        """
        [[strategy]]
        name = "wide-spread"
        description = "Long while the spread is wide."
        params = { min_usd_t = { default = 20.0, min = 0, max = 500, help = "spread above, $/t" }, days = 3 }
        long = "spread_usd_t > min_usd_t and days_to_next_event > days"

        [[strategy]]
        name = "latched"
        long_entry = "band_state == 'BULL'"
        long_exit = "band_state == 'BEAR'"
        short = "inventory_trend == 'BUILDING' and stock_percentile > 0.9"
        """,
    )
    found = load_strategies(path)
    assert list(found) == ["wide-spread", "latched"]
    wide, latched = found.values()
    assert wide.families == ("spread", "catalysts")
    assert wide.long_only and not latched.long_only
    assert latched.families == ("bands", "inventory")
    assert (wide.file, wide.line, latched.line) == (path, 2, 8)
    own = {p.name: p for p in wide.own_params}
    assert own["min_usd_t"] == Param("min_usd_t", 20.0, "spread above, $/t", 0, 500)
    assert own["days"].kind is int and own["days"].default == 3
    assert wide.description == "Long while the spread is wide."
    assert "spread_usd_t > min_usd_t" in wide.doc
    assert latched.description.startswith("Enter long when band_state == 'BULL'; exit when")
    with pytest.raises(AluError, match="above the maximum 500"):
        wide.resolve({"min_usd_t": "600"})
    with pytest.raises(AluError, match="expected a whole number"):
        wide.resolve({"days": "2.5"})
    tbl = frame(
        band_state=["NEUTRAL", "BULL", "NEUTRAL", "BEAR", "BULL"],
        inventory_trend=["BUILDING", "BUILDING", None, "BUILDING", "BUILDING"],
        stock_percentile=[0.95, 0.95, 0.95, 0.95, np.nan],
    )
    assert stance(latched, tbl) == [0, 1, 1, 0, 1]
    assert stance(latched, tbl, allow_short=True) == [-1, 0, 1, -1, 1]


def test_toml_conditions_read_signal_parameters_and_need_their_family(tmp_path):
    path = write(
        tmp_path,
        "p.toml",
        """
        [[strategy]]
        name = "near_upper"
        long = "reference_price > upper * 0.98 and in_catalyst_window"
        """,
    )
    s = load_strategies(path)["near_upper"]
    assert s.families == ("bands", "catalysts")
    tbl = frame(reference_price=[3100.0, 3150.0, 3200.0], in_catalyst_window=[True, True, False])
    assert stance(s, tbl) == [0, 1, 0]
    assert stance(s, tbl, upper="3250") == [0, 0, 0]


def test_a_strategy_that_reads_no_signal_is_every_day_long(tmp_path):
    path = write(tmp_path, "c.toml", '[[strategy]]\nname = "always"\nlong = "true"\n')
    s = load_strategies(path)["always"]
    assert s.families == () and s.long_only
    assert stance(s, frame(x=[1, 2, 3])) == [1, 1, 1]


TOML_ERRORS = [
    (
        "[[strategy]]\nname = 'x'\nlong = \"band_stat != 'BEAR'\"\n",
        r"mine.toml:3: strategy 'x', long: unknown name 'band_stat' \(did you mean 'band_state'\?\) at column 1 of: band_stat != 'BEAR'",
        3,
    ),
    (
        "[[strategy]]\nname = 'x'\nshort = \"spread_z > 1 &&\"\n",
        r"short: unexpected character '&' \(use 'and'\) at column 14",
        3,
    ),
    (
        "[[strategy]]\nname = 'x'\nlong = \"(spread_z > 1\"\n",
        r"the '\(' at column 1 is never closed",
        3,
    ),
    ("[[strategy]]\nname = 'x'\nlong = 'spread_z'\n", r"is a number, not a condition", 3),
    ("[[strategy]]\nname = 'x'\nlong = 3\n", r"long must be a condition in quotes, got 3", 3),
    (
        "[[strategy]]\nname = 'x'\nlong = 'true'\nlng = 'true'\n",
        r"unknown key 'lng' \(did you mean 'long'\?\)",
        4,
    ),
    (
        "[[strategy]]\nname = 'x'\nlong = 'true'\nlong_entry = 'true'\nlong_exit = 'false'\n",
        r"either long or long_entry and long_exit",
        4,
    ),
    ("[[strategy]]\nname = 'x'\nshort_entry = 'true'\n", r"short_entry needs short_exit too", 3),
    ("[[strategy]]\nname = 'x'\ndescription = 'nothing'\n", r"no conditions", 1),
    ("[[strategy]]\nlong = 'true'\n", r"strategy 1: needs a name", 1),
    ("[[strategy]]\nname = 'my strategy'\nlong = 'true'\n", r"name 'my strategy': use letters", 2),
    (
        "[[strategy]]\nname = 'x'\nparams = { upper = 3 }\nlong = 'true'\n",
        r"parameter upper is a parameter of the bands signals",
        3,
    ),
    (
        "[[strategy]]\nname = 'x'\nparams = { spread_z = 3 }\nlong = 'spread_z > 0'\n",
        r"parameter spread_z has the name of a signal column",
        3,
    ),
    (
        "[[strategy]]\nname = 'x'\nparams = { k = 'a' }\nlong = 'spread_z > k'\n",
        r"parameter k: the default must be a number",
        3,
    ),
    (
        "[[strategy]]\nname = 'x'\nparams = { k = true }\nlong = 'spread_z > k'\n",
        r"parameter k: the default must be a number",
        3,
    ),
    (
        "[[strategy]]\nname = 'x'\nparams = { k = { min = 0 } }\nlong = 'spread_z > k'\n",
        r"parameter k needs a default",
        3,
    ),
    (
        "[[strategy]]\nname = 'x'\nparams = { k = { default = 2, max = 1 } }\nlong = 'spread_z > k'\n",
        r"default: parameter k: 2 is above the maximum 1",
        3,
    ),
    (
        "[[strategy]]\nname = 'x'\nparams = { k = { default = 0.5, min = 1, max = 0 } }\nlong = 'spread_z > k'\n",
        r"minimum 1 is above maximum 0",
        3,
    ),
    (
        "[[strategy]]\nname = 'x'\nparams = { k = { default = 0.5, maxi = 1 } }\nlong = 'spread_z > k'\n",
        r"unknown key 'maxi' \(did you mean 'max'\?\)",
        3,
    ),
    (
        "[[strategy]]\nname = 'x'\nparams = { k = 1.0, j = 2.0 }\nlong = 'spread_z > k'\n",
        r"parameter j is not used by any condition",
        3,
    ),
    (
        "[[strategy]]\nname = 'x'\n\n[strategy.params]\nk = 1.0\nlong = 'spread_z > k'\n",
        r"'long' is inside the params table",
        6,
    ),
    (
        "[[strategy]]\nname = 'x'\nlong = 'true'\n\n[[strategy]]\nname = 'x'\nlong = 'true'\n",
        r"strategy 'x' is defined twice in this file \(also at line 2\)",
        6,
    ),
    (
        "[[strategy]]\nname = 'x'\nlong = 'true'\n[other]\na = 1\n",
        r"unknown top-level key 'other'",
        4,
    ),
    ("[variant]\nname = 'x'\n", r"unknown top-level key 'variant'", 1),
    ("# nothing\n", r"no \[\[strategy\]\] tables found", None),
    ("[[strategy]]\nname = 'x\nlong = 'true'\n", r"TOML syntax error", 2),
    (
        "[[strategy]]\nname = 'x'\nlong = '''\nspread_z > 1\n  and band_state == 'BAER'\n'''\n",
        r"mine.toml:5: strategy 'x', long: 'BAER' is not a state of band_state \(did you mean 'BEAR'\?\); its states: BULL, NEUTRAL, BEAR at column 21 of that line",
        5,
    ),
]


@pytest.mark.parametrize(("text", "pattern", "line"), TOML_ERRORS)
def test_toml_errors_name_the_file_and_line(tmp_path, text, pattern, line):
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    refused(path, pattern, line)


def test_toml_file_problems(tmp_path):
    refused(tmp_path / "missing.toml", "file not found", None)
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xfe[[strategy]]")
    refused(bad, "not a readable UTF-8 TOML file", None)
    other = write(tmp_path, "notes.txt", "hello")
    refused(other, r"a strategy file is a \.py or a \.toml file", None)


# -- Python -----------------------------------------------------------------------------------

PY_HEADER = "import numpy as np\nfrom alu.strategies import *\nfrom alu.strategies import strategy, Strategy, Param\n"


def test_python_file_with_a_list_a_decorator_and_a_dict(tmp_path):
    path = write(
        tmp_path,
        "mine.py",
        PY_HEADER
        + textwrap.dedent(
            '''
            @strategy(families=[BANDS], params=[Param("k", 2, "closes", 1, 10)])
            def breakout(cols, params, allow_short):
                """Long above the upper band.

                More words."""
                return (cols.number("to_upper_usd_t") > 0).astype(int)

            @strategy
            def flat(cols, params, allow_short):
                return np.zeros(len(cols), dtype=int)

            def rule(cols, params, allow_short):
                return combine(cols.states("band_state", BULL), cols.states("band_state", BEAR) & allow_short)

            STRATEGIES = [Strategy("listed", rule, (BANDS,)), breakout]
            '''
        ),
    )
    found = load_strategies(path)
    assert list(found) == ["breakout", "flat", "listed"]  # decorated first, then the list
    breakout = found["breakout"]
    assert breakout.families == ("bands",) and breakout.file == path and breakout.line == 5
    assert breakout.description == "Long above the upper band."
    assert [p.name for p in breakout.own_params] == ["k"]
    assert found["flat"].families == ()
    tbl = frame(band_state=["BULL", "BEAR"], to_upper_usd_t=[5.0, -5.0])
    assert stance(found["listed"], tbl, allow_short=True) == [1, -1]
    assert stance(breakout, tbl) == [1, 0]
    # A strategy made with the decorator outside a file is a plain Strategy.
    made = strategy("inline", families=[BANDS])(lambda cols, params, allow_short: cols)
    assert isinstance(made, Strategy) and made.name == "inline" and made.file is None


PY_ERRORS = [
    ("x = 1 +\n", r"bad.py:4: syntax error", 4),
    (
        "from alu.strategies import nope\n",
        r"bad.py:4: loading the file: ImportError: cannot import name 'nope'",
        4,
    ),
    (
        "def f():\n    raise ValueError('boom')\n\nf()\n",
        r"bad.py:5: loading the file: ValueError: boom",
        5,
    ),
    ("import sys\nsys.exit(3)\n", r"the file called exit\(3\)", 5),
    ("x = 1\n", r"defines no strategies", None),
    ("STRATEGIES = 'bands'\n", r"STRATEGIES must be a list of Strategy, got str", None),
    ("STRATEGIES = [1]\n", r"STRATEGIES\[0\] is a int, not a Strategy", None),
    (
        "def r(c, p, s):\n    return 0\nSTRATEGIES = [Strategy('x', r, ('band',))]\n",
        r"bad.py:4: strategy 'x': unknown family 'band' \(did you mean 'bands'\?\)",
        4,
    ),
    (
        "def r(c, p, s):\n    return 0\nSTRATEGIES = [Strategy('x', r, 'bands')]\n",
        r"families must be a list of family names",
        4,
    ),
    (
        "def r(c, p, s):\n    return 0\nSTRATEGIES = [Strategy('x', r, (BANDS, BANDS))]\n",
        r"a family is listed twice",
        4,
    ),
    (
        "def r(c, p, s):\n    return 0\nSTRATEGIES = [Strategy('x y', r, ())]\n",
        r"strategy name 'x y'",
        4,
    ),
    ("STRATEGIES = [Strategy('x', 3, ())]\n", r"its rule is not a function", None),
    (
        "def r(c, p, s):\n    return 0\nSTRATEGIES = [Strategy('x', r, (), (Param('upper', 1.0, ''),))]\n",
        r"parameter upper is a parameter of the bands signals",
        4,
    ),
    (
        "def r(c, p, s):\n    return 0\nSTRATEGIES = [Strategy('x', r, (), (Param('k', 5, '', 0, 1),))]\n",
        r"default: parameter k: 5 is above the maximum 1",
        4,
    ),
    (
        "def r(c, p, s):\n    return 0\nSTRATEGIES = [Strategy('x', r, (), (Param('k', 1, ''), Param('k', 2, '')))]\n",
        r"parameter k is declared twice",
        4,
    ),
    (
        "def r(c, p, s):\n    return 0\nSTRATEGIES = [Strategy('x', r, (), Param('k', 1, ''))]\n",
        r"params must be a list of Param",
        4,
    ),
    (
        "def r(c, p, s):\n    return 0\ndef q(c, p, s):\n    return 0\nSTRATEGIES = [Strategy('x', r, ()), Strategy('x', q, ())]\n",
        r"bad.py:6: strategy 'x' is defined twice in this file \(also at line 4\)",
        6,
    ),
]


@pytest.mark.parametrize(("body", "pattern", "line"), PY_ERRORS)
def test_python_errors_name_the_file_and_line(tmp_path, body, pattern, line):
    path = write(tmp_path, "bad.py", PY_HEADER + body)
    refused(path, pattern, line)
    assert not [
        m
        for m in __import__("sys").modules
        if m.startswith("_alu_strategy_file_")
        and getattr(__import__("sys").modules[m], "__file__", "") == str(path)
    ]


RULE_ERRORS = [
    (
        "return cols.states('band_stat', 'BULL')",
        r"unknown signal column 'band_stat' \(did you mean 'band_state'\?\)",
    ),
    (
        "return cols.states('band_state', 'BULLL')",
        r"'BULLL' is not a state of band_state \(did you mean 'BULL'\?\)",
    ),
    ("return cols.states('band_state', 'CONTANGO')", r"'CONTANGO' is not a state of band_state"),
    ("return cols.states('band_state')", r"needs at least one of BULL, NEUTRAL, BEAR"),
    (
        "return cols.number('band_state')",
        r"band_state is a state column: read it with cols.states\('band_state', ...\)",
    ),
    (
        "return cols.flag('to_upper_usd_t')",
        r"to_upper_usd_t is a number column: read it with cols.number\('to_upper_usd_t'\)",
    ),
    (
        "return cols.number('spread_z') > 0",
        r"spread_z is a column of the spread signals, which strategy 'x' does not list",
    ),
    ("return cols.number('zone')", r"unknown signal column 'zone'"),
    ("return 1 / 0", r"strategy 'x': ZeroDivisionError: division by zero"),
    ("return params['nope']", r"strategy 'x': KeyError: 'nope'"),
    (
        "return np.full(len(cols), 2)",
        r"the rule returned np.int64\(2\)|the rule returned 2; a stance is -1, 0 or \+1",
    ),
    ("return np.full(len(cols), np.nan)", r"a stance is -1, 0 or \+1"),
    ("return np.zeros(3)", r"the rule returned shape \(3,\); expected \(5,\)"),
    ("return 1", r"the rule returned shape \(\); expected \(5,\)"),
    ("return np.array(['long'] * len(cols))", r"the rule returned an array of <U4, not stances"),
]


@pytest.mark.parametrize(("body", "pattern"), RULE_ERRORS)
def test_a_rule_held_to_the_contract_at_run_time(tmp_path, body, pattern):
    path = write(
        tmp_path,
        "rule.py",
        PY_HEADER
        + f"\n\n@strategy('x', families=[BANDS])\ndef rule(cols, params, allow_short):\n    {body}\n",
    )
    s = load_strategies(path)["x"]
    tbl = frame(band_state=["BULL"] * 5, spread_z=[1.0] * 5, zone=["BETWEEN"] * 5)
    with pytest.raises(AluError, match=pattern) as caught:
        stance(s, tbl)
    assert caught.value.path == path
    assert caught.value.line in (6, 8)  # the line of the rule, or the line that failed
    assert "\n" not in str(caught.value)


def test_a_rule_may_return_one_column_in_a_sweep(tmp_path):
    """A rule that does not depend on the variants may return days only (as buy_hold does)."""
    path = write(
        tmp_path,
        "rule.py",
        PY_HEADER + "\n\n@strategy('x', families=[BANDS])\ndef rule(cols, params, allow_short):\n"
        "    return np.ones(len(cols), dtype=int)\n",
    )
    s = load_strategies(path)["x"]
    cols = TableColumns(frame(band_state=["BULL"] * 4))
    out = s.stance_array(cols, {"upper": np.array([1.0, 2.0])}, allow_short=False)
    assert out.shape == (4,)


# -- the catalog ------------------------------------------------------------------------------


def test_names_that_collide_are_refused_naming_both_places(tmp_path):
    first = write(tmp_path, "a.toml", "[[strategy]]\nname = 'mine'\nlong = 'true'\n")
    second = write(tmp_path, "b.py", PY_HEADER + "\n@strategy\ndef mine(c, p, s):\n    return 0\n")
    with pytest.raises(AluError) as caught:
        strategy_catalog([first, second])
    assert str(caught.value) == (
        f"{second}:5: strategy 'mine' is already defined in {first}:2; rename one of them"
    )
    builtin = write(tmp_path, "c.toml", "# mine\n[[strategy]]\nname = 'bands'\nlong = 'true'\n")
    with pytest.raises(AluError) as caught:
        strategy_catalog([builtin])
    assert str(caught.value) == (
        f"{builtin}:3: strategy 'bands' is already a built-in strategy "
        "(alu/strategies/library.py); rename one of them"
    )


def test_the_catalog_keeps_the_builtins_first_and_reads_a_file_once(tmp_path):
    path = write(tmp_path, "a.toml", "[[strategy]]\nname = 'mine'\nlong = 'true'\n")
    catalog = strategy_catalog([path, path, str(path)])
    assert list(catalog) == [*STRATEGIES, "mine"]
    assert get_strategy("mine", catalog).file == path
    with pytest.raises(AluError, match=r"unknown strategy 'mien' \(did you mean 'mine'\?\)"):
        get_strategy("mien", catalog)
    with pytest.raises(AluError, match=r"unknown strategy 'mine'"):
        get_strategy("mine")  # the built-in catalog does not know it
    assert strategy_catalog() == STRATEGIES
    assert BANDS == "bands"


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    condition=st.text(alphabet="abnotrd_spez ()+-*<>=!'0123456789.&|\\", max_size=30),
    key=st.sampled_from(["long", "short", "long_entry", "nme", "params"]),
)
def test_any_toml_condition_loads_or_is_one_error_at_its_line(tmp_path, condition, key):
    text = f"[[strategy]]\nname = 'x'\n{key} = {json.dumps(condition)}\n"
    if key == "long_entry":
        text += "long_exit = 'false'\n"
    path = tmp_path / "h.toml"
    path.write_text(text, encoding="utf-8")
    try:
        load_strategies(path)
    except AluError as exc:
        assert exc.path == path
        assert exc.line in (2, 3) or exc.message.startswith("TOML syntax error"), str(exc)
        assert "\n" not in str(exc)

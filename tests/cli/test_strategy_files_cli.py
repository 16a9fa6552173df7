"""`--strategy-file` end to end: listed, backtested, swept, watched; refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alu.strategies.signal_columns import columns_json

FILES = Path(__file__).resolve().parents[1] / "strategies" / "files"
TWINS_TOML = FILES / "like_builtins.toml"
TWINS_PY = FILES / "like_builtins.py"
START = ["--start", "2016-01-01"]


def run_json(cli, *args):
    target = [] if args[0] == "strategies" else ["-"]  # there --json is a flag
    code, out, err = cli(*args, "--json", *target)
    assert code == 0, err
    return json.loads(out)


def assert_close(a, b, path="") -> None:
    """The same JSON, numbers to 1e-9 (a sweep's sums may run in another order)."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), path
        for key in a:
            assert_close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert b == pytest.approx(a, rel=1e-9, abs=1e-12, nan_ok=True), path
    else:
        assert a == b, path


def test_strategies_lists_user_strategies_with_their_file(cli):
    items = run_json(cli, "strategies", "--strategy-file", TWINS_TOML, "--strategy-file", TWINS_PY)
    names = [i["name"] for i in items]
    assert names == [
        "squeeze", "bands", "spread", "inventory", "buy_hold",
        "toml_bands", "toml_inventory", "py_bands", "py_inventory",
    ]  # fmt: skip
    by_name = {i["name"]: i for i in items}
    assert by_name["bands"]["file"] is None and by_name["bands"]["families"] == ["bands"]
    toml = by_name["toml_inventory"]
    assert toml["file"] == str(TWINS_TOML) and toml["line"] == 10
    assert toml["params"]["entry_pct"] == {
        "default": 0.2,
        "type": "float",
        "help": "enter at or below this percentile",
        "minimum": 0,
        "maximum": 1,
    }
    assert "stock_percentile <= entry_pct" in toml["rules"]
    assert by_name["py_bands"]["description"] == "bands, in Python."
    code, out, err = cli("strategies", "--strategy-file", TWINS_TOML)
    assert code == 0, err
    assert f"from {TWINS_TOML}:4" in out
    assert "signal columns a rule may read" in out and "stock_percentile" in out


def test_strategies_columns_text_and_json(cli):
    assert run_json(cli, "strategies", "--columns") == json.loads(json.dumps(columns_json()))
    code, out, _ = cli("strategies", "--columns")
    assert code == 0
    assert "BULL, NEUTRAL, BEAR" in out and "squeeze" not in out


@pytest.mark.parametrize("direction", ["long", "both"])
def test_backtest_of_a_twin_equals_the_builtin(cli, direction):
    common = [*START, "--direction", direction]
    builtin = run_json(cli, "backtest", "-s", "inventory", *common)
    for twin, path in (("toml_inventory", TWINS_TOML), ("py_inventory", TWINS_PY)):
        got = run_json(cli, "backtest", "-s", twin, "--strategy-file", path, *common)
        assert got["strategy"] == twin and got["strategy_file"] == str(path)
        assert got["params"] == builtin["params"]
        assert got["symbols"] == builtin["symbols"]
        assert got["portfolio"] == builtin["portfolio"]
    assert builtin["strategy_file"] is None


def test_backtest_terminal_names_the_file(cli):
    code, out, err = cli("backtest", "-s", "toml_bands", "--strategy-file", TWINS_TOML, *START)
    assert code == 0, err
    assert "strategy toml_bands" in out and f"strategy file: {TWINS_TOML}" in out


def test_compare_grid_over_a_user_parameter_equals_the_builtin_grid(cli):
    grid = ["--grid", "entry_pct=0.1,0.3", "--grid", "exit_pct=0.4,0.6", *START]
    builtin = run_json(cli, "compare", "-s", "inventory", *grid)
    twin = run_json(cli, "compare", "-s", "toml_inventory", "--strategy-file", TWINS_TOML, *grid)
    assert twin["n_variants"] == 4
    key = lambda v: v["name"]  # noqa: E731
    for a, b in zip(
        sorted(builtin["variants"], key=key), sorted(twin["variants"], key=key), strict=True
    ):
        assert (a["name"], a["params"]) == (b["name"], b["params"])
        assert b["strategy"] == "toml_inventory"
        assert_close(a["portfolio"], b["portfolio"])
        assert_close(a["symbols"], b["symbols"])
    assert_close(builtin["pbo"], twin["pbo"])


def test_compare_variants_file_names_user_strategies(cli, tmp_path):
    variants = tmp_path / "v.toml"
    variants.write_text(
        '[[variant]]\nname = "mine"\nstrategy = "py_bands"\nparams = { confirm = [1, 3] }\n'
        '[[variant]]\nname = "theirs"\nstrategy = "bands"\n'
    )
    doc = run_json(cli, "compare", "--variants", variants, "--strategy-file", TWINS_PY, *START)
    assert sorted(v["name"] for v in doc["variants"]) == [
        "mine[confirm=1]",
        "mine[confirm=3]",
        "theirs",
    ]
    by_name = {v["name"]: v for v in doc["variants"]}
    assert_close(by_name["mine[confirm=3]"]["portfolio"], by_name["theirs"]["portfolio"])
    code, _, err = cli("compare", "--variants", variants, *START)
    assert code == 2 and "unknown strategy 'py_bands'" in err


def test_compare_notes_name_every_long_only_strategy(cli, tmp_path):
    path = tmp_path / "lo.toml"
    path.write_text('[[strategy]]\nname = "lo"\nparams = { k = 0.0 }\nlong = "spread_usd_t > k"\n')
    doc = run_json(
        cli, "compare", "-s", "lo", "--strategy-file", path, "-g", "k=0,10", "--direction", "both"
    )
    assert "lo is long-only: --direction both changes nothing for it" in doc["notes"]


def test_watchlist_shows_user_strategies(cli):
    code, out, err = cli("watchlist", "--strategy-file", TWINS_TOML, "--format", "json")
    assert code == 0, err
    stances = json.loads(out)["instruments"]["AA"]["stances"]
    assert list(stances)[-2:] == ["toml_bands", "toml_inventory"]
    assert stances["toml_bands"] == stances["bands"]
    assert stances["toml_inventory"] == stances["inventory"]
    code, out, err = cli("watchlist", "--strategy-file", TWINS_TOML)
    assert code == 0, err
    assert "toml_inventory" in out
    code, out, err = cli(
        "watchlist", "--strategy-file", TWINS_TOML, "--history", "--start", "2020-01-01",
        "--format", "csv",
    )  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    assert any(",toml_bands," in line for line in lines)
    assert sum(",toml_bands," in line for line in lines) == sum(",bands," in line for line in lines)


def test_watchlist_param_reaches_user_strategies(cli):
    args = ["watchlist", "--strategy-file", TWINS_TOML, "--format", "json"]
    code, out, err = cli(*args, "--param", "entry_pct=0.9", "--date", "2019-06-03")
    assert code == 0, err
    stances = json.loads(out)["instruments"]["AA"]["stances"]
    assert stances["toml_inventory"] == stances["inventory"]


@pytest.mark.parametrize(
    ("files", "args", "pattern"),
    [
        (
            {"bad.py": "import numpy\nraise RuntimeError('no')\n"},
            ["backtest"],
            r"^error: \S*bad\.py:2: loading the file: RuntimeError: no$",
        ),
        (
            {"bad.toml": "[[strategy]]\nname = 'x'\nlong = \"band_state == 'BAER'\"\n"},
            ["compare", "-g", "confirm=1,2"],
            r"bad\.toml:3: strategy 'x', long: 'BAER' is not a state of band_state \(did you mean 'BEAR'\?\)",
        ),
        (
            {"bad.toml": "[[strategy]]\nname = 'x'\nlong = 'spread_z >'\n"},
            ["watchlist"],
            r"bad\.toml:3: strategy 'x', long: the expression ends where a value was expected at the end",
        ),
        (
            {
                "a.toml": "[[strategy]]\nname = 'x'\nlong = 'true'\n",
                "b.toml": "[[strategy]]\nname = 'x'\nlong = 'true'\n",
            },
            ["strategies"],
            r"b\.toml:2: strategy 'x' is already defined in \S*a\.toml:2; rename one of them",
        ),
        (
            {"mine.toml": "[[strategy]]\nname = 'x'\nlong = 'true'\n"},
            ["backtest", "-s", "y"],
            r"unknown strategy 'y'.*known: .*buy_hold, x$",
        ),
        (
            {
                "mine.toml": "[[strategy]]\nname = 'xx'\nlong = 'spread_z > k'\nparams = { k = 1.0 }\n"
            },
            ["backtest", "-s", "xx", "-p", "kk=2"],
            r"unknown parameter 'kk' for strategy xx \(did you mean 'k'\?\)",
        ),
        (
            {
                "mine.toml": "[[strategy]]\nname = 'xx'\nlong = 'spread_z > k'\nparams = { k = { default = 1.0, max = 2 } }\n"
            },
            ["compare", "-s", "xx", "-g", "k=1,3"],
            r"parameter k: 3 is above the maximum 2",
        ),
        (
            {"notes.txt": "hello"},
            ["backtest"],
            r"notes\.txt: a strategy file is a \.py or a \.toml file",
        ),
        (
            {
                "rule.py": "from alu.strategies import strategy\n@strategy(families=['bands'])\ndef r(cols, params, allow_short):\n    return cols.number('spread_z') > 0\n"
            },
            ["backtest", "-s", "r"],
            r"rule\.py:4: strategy 'r': spread_z is a column of the spread signals, which strategy 'r' does not list in its families",
        ),
    ],
)
def test_bad_strategy_files_are_one_line_errors(cli, refused, tmp_path, files, args, pattern):
    paths = []
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text)
        paths.append(path)
    options = [item for path in paths for item in ("--strategy-file", path)]
    refused(cli(*args, *options), pattern)


def test_a_missing_strategy_file(cli, refused, tmp_path):
    refused(
        cli("strategies", "--strategy-file", tmp_path / "nope.toml"), r"nope\.toml: file not found$"
    )

"""Grids and variants files."""

from __future__ import annotations

import pytest

from alu.errors import AluError
from alu.strategies.variants import (
    load_variants_file,
    parse_grid_values,
    parse_grids,
    variants_from_grids,
)


@pytest.mark.parametrize(
    ("spec", "values"),
    [
        ("1:5", ["1", "2", "3", "4", "5"]),
        ("3000:3400:100", ["3000", "3100", "3200", "3300", "3400"]),
        ("0.1:0.3:0.1", ["0.1", "0.2", "0.3"]),  # stop on the grid despite float rounding
        ("0.1:0.35:0.1", ["0.1", "0.2", "0.3"]),  # stop off the grid is not reached
        ("2:2", ["2"]),
        ("5,1,3", ["5", "1", "3"]),
    ],
)
def test_grid_values(spec, values):
    assert parse_grid_values(spec, key="k") == values


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty grid"),
        ("5:1", "empty grid"),
        ("1:2:3:4", "malformed range"),
        ("a:b", "malformed range"),
        ("0.1:0.5", "needs a step"),
        ("1:5:0", "step must be positive"),
        ("1,,2", "empty value"),
    ],
)
def test_bad_grids(spec, message):
    with pytest.raises(AluError, match=message):
        parse_grid_values(spec, key="k")


def test_cartesian_product_in_order_with_names():
    variants = variants_from_grids("bands", ["confirm=1:2", "upper=3200,3300"], {"buffer": "0.01"})
    assert [(v.params["confirm"], v.params["upper"]) for v in variants] == [
        (1, 3200.0),
        (1, 3300.0),
        (2, 3200.0),
        (2, 3300.0),
    ]
    assert all(v.params["buffer"] == 0.01 for v in variants)
    assert variants[1].name == "confirm=1 upper=3300"


@pytest.mark.parametrize(
    ("grids", "message"),
    [
        (["uper=1,2"], "unknown parameter 'uper'.*did you mean 'upper'"),
        (["confirm=1.5,2"], "whole number"),
        (["lower=3300,3400"], "must be below upper"),
        (["confirm=1", "confirm=2"], "given twice"),
        (["confirm"], "expects key=values"),
        ([], "nothing to compare"),
    ],
)
def test_bad_grid_parameters(grids, message):
    with pytest.raises(AluError, match=message):
        variants_from_grids("bands", grids, {})


def test_grid_and_param_on_the_same_key():
    with pytest.raises(AluError) as caught:
        variants_from_grids("bands", ["confirm=1,2"], {"confirm": "3"})
    # The domain names the keywords; the command line shows its options.
    assert "both as params and grid" in str(caught.value)
    assert "both as --param and --grid" in caught.value.for_cli()


def test_parse_grids_keeps_order():
    assert list(parse_grids(["b=1,2", "a=3"])) == ["b", "a"]


def write(tmp_path, text):
    path = tmp_path / "variants.toml"
    path.write_text(text)
    return path


def test_variants_file_with_grids(tmp_path):
    path = write(
        tmp_path,
        """
[[variant]]
name = "tight"
strategy = "bands"
params = { confirm = [1, 2], upper = 3250 }

[[variant]]
name = "benchmark"
strategy = "buy_hold"
""",
    )
    variants = load_variants_file(path)
    assert [v.name for v in variants] == ["tight[confirm=1]", "tight[confirm=2]", "benchmark"]
    assert variants[0].params["upper"] == 3250.0


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('[[variant]]\nname = "x"\nstrategy = "bands\n', "TOML syntax error", 3),
        (
            '[[variant]]\nname = "x"\nstrategy = "bandz"\n',
            "variant 'x': unknown strategy 'bandz'",
            None,
        ),
        (
            '[[variant]]\nname = "x"\nstrategy = "bands"\nparams = { uper = 1 }\n',
            "variant 'x': unknown parameter 'uper'",
            None,
        ),
        (
            '[[variant]]\nname = "x"\nstrategy = "bands"\nparams = { confirm = [] }\n',
            "empty grid",
            None,
        ),
        ('[[variant]]\nstrategy = "bands"\n', "variant 1 needs a name", None),
        (
            '[[variant]]\nname = "x"\nstrategy = "bands"\n[[variant]]\nname = "x"\nstrategy = "spread"\n',
            "appears twice",
            None,
        ),
        ('title = "no variants"\n', "no \\[\\[variant\\]\\] tables", None),
    ],
)
def test_bad_variants_files(tmp_path, text, message, line):
    path = write(tmp_path, text)
    with pytest.raises(AluError, match=message) as info:
        load_variants_file(path)
    assert info.value.path == path
    assert info.value.line == line

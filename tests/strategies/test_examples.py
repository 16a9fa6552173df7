"""The example strategy files (strategies/examples/) work as documented: listed, backtested in
both directions, swept over a parameter of their own, and shown by the watchlist."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alu.strategies import load_strategies

EXAMPLES = Path(__file__).resolve().parents[2] / "strategies" / "examples"
TOML = EXAMPLES / "strategies.example.toml"
PYTHON = EXAMPLES / "strategies_example.py"
FILES = ["--strategy-file", TOML, "--strategy-file", PYTHON]
NAMES = {
    TOML: ["tight_market", "deep_backwardation", "low_stocks"],
    PYTHON: ["spread_momentum", "unwinding"],
}


def test_the_examples_define_what_the_docs_say():
    for path, names in NAMES.items():
        found = load_strategies(path)
        assert list(found) == names
        assert all(s.file == path and s.description for s in found.values())
    families = {f for path in NAMES for s in load_strategies(path).values() for f in s.families}
    assert families == {"bands", "spread", "inventory", "catalysts"}


def test_alu_strategies_lists_them(cli):
    code, out, err = cli("strategies", *FILES, "--json")
    assert code == 0, err
    items = {i["name"]: i for i in json.loads(out)}
    for path, names in NAMES.items():
        for name in names:
            assert items[name]["file"] == str(path)


@pytest.mark.parametrize("direction", ["long", "both"])
@pytest.mark.parametrize(("path", "name"), [(p, n) for p, names in NAMES.items() for n in names])
def test_each_example_backtests(cli, path, name, direction):
    code, out, err = cli(
        "backtest", "-s", name, "--strategy-file", path, "--direction", direction, "--json", "-"
    )
    assert code == 0, err
    doc = json.loads(out)
    trades = [t for s in doc["symbols"].values() for t in s["trades"]]
    if name == "unwinding" and direction == "long":
        assert trades == []  # short-only: flat when shorts are not allowed
    else:
        assert trades, f"{name} never trades on the sample"
    if direction == "both" and name in ("tight_market", "unwinding"):
        assert any(t["direction"] == "short" for t in trades)


@pytest.mark.parametrize(
    ("name", "grid"),
    [("deep_backwardation", "min_z=0,0.5,1"), ("spread_momentum", "z_entry=0.5,1,1.5")],
)
def test_each_file_sweeps_over_its_own_parameter(cli, name, grid):
    code, out, err = cli("compare", "-s", name, *FILES, "--grid", grid, "--json", "-")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["n_variants"] == 3
    assert len({v["portfolio"]["metrics"]["total_return"] for v in doc["variants"]}) == 3


def test_the_watchlist_shows_them(cli):
    code, out, err = cli("watchlist", *FILES, "--format", "json")
    assert code == 0, err
    stances = json.loads(out)["instruments"]["AA"]["stances"]
    assert [n for names in NAMES.values() for n in names] == list(stances)[-5:]


DOCS = Path(__file__).resolve().parents[2] / "docs" / "strategies.md"


def test_the_docs_list_the_declared_columns():
    from alu.strategies.signal_columns import SIGNAL_COLUMNS

    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in DOCS.read_text(encoding="utf-8").splitlines()
        if line.startswith("| `") and line.count("|") == 6
    ]
    assert [(r[0].strip("`"), r[1], r[2], r[3]) for r in rows] == [
        (c.name, c.family, c.kind, c.unit) for c in SIGNAL_COLUMNS.values()
    ]


def test_the_docs_examples_load_and_run(tmp_path, cli):
    text = DOCS.read_text(encoding="utf-8")
    blocks = {}
    for lang in ("toml", "python"):
        start = text.index(f"```{lang}\n") + len(lang) + 4
        blocks[lang] = text[start : text.index("```", start)]
    (tmp_path / "doc.toml").write_text(blocks["toml"])
    (tmp_path / "doc.py").write_text(blocks["python"])
    assert list(load_strategies(tmp_path / "doc.toml")) == ["tight_market", "low_stocks"]
    assert list(load_strategies(tmp_path / "doc.py")) == ["spread_momentum"]
    code, out, err = cli(
        "compare", "-s", "spread_momentum", "--strategy-file", tmp_path / "doc.py",
        "--grid", "z_entry=0.5,1.5", "--json", "-",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["n_variants"] == 2

"""The layers depend one way: the import-linter contract in pyproject.toml holds."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_the_import_contract_holds():
    lint = shutil.which("lint-imports")
    if lint is None:
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    done = subprocess.run([lint], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 kept, 0 broken" in done.stdout


def test_the_contract_names_every_package():
    """A new package must take its place in the layers, or the contract would not see it."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    packages = [p.name for p in (REPO / "alu").iterdir() if (p / "__init__.py").is_file()]
    modules = [p.stem for p in (REPO / "alu").glob("*.py") if p.stem != "__init__"]
    for name in [*packages, *modules]:
        assert f"alu.{name}" in text, f"alu.{name} is in no layer of the import contract"

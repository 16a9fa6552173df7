"""One import namespace: the wheel installs ``alu`` alone, an editable install maps only ``alu``.

Builds the wheel (hatchling, no build isolation), installs it into a fresh target folder and
imports and runs it with an interpreter that sees that folder and the dependencies, never the
repository or the editable install's import hook.
"""

from __future__ import annotations

import json
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
OTHER_NAMES = ("signals", "strategies", "backtest", "data", "tests", "bench")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("alu-*.whl")
    target = tmp_path_factory.mktemp("target")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return wheel, target


def isolated(target: Path, code: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run ``code`` with -I -S (no site, so no .pth import hook), seeing ``target`` and the
    dependencies' site-packages only."""
    paths = [str(target), *site.getsitepackages(), sysconfig.get_paths()["purelib"]]
    prelude = f"import sys; sys.path[:0] = {paths!r}; "
    return subprocess.run(
        [sys.executable, "-I", "-S", "-c", prelude + code],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_wheel_holds_alu_alone(installed):
    wheel, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"alu", wheel.name.split("-py")[0] + ".dist-info"}
    assert "alu/_bundled/sample/lme.csv" in names and "alu/_bundled/catalysts.csv" in names
    assert not any(n.endswith((".pyc", "make_sample.py")) for n in names)


def test_the_installed_wheel_imports_and_runs(installed, tmp_path):
    _, target = installed
    code = (
        "import importlib.util, json, alu, alu.signals.bands, alu.strategies, alu.backtest.run, "
        "alu.stats, alu.reports.terminal, alu.data.market, alu.watchlist.build; "
        f"print(json.dumps({{'file': alu.__file__, 'others': [importlib.util.find_spec(n) is "
        f"not None for n in {OTHER_NAMES!r}]}}))"
    )
    done = isolated(target, code, tmp_path)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["file"].startswith(str(target)) and not any(found["others"])
    run = isolated(
        target,
        "import sys; from alu.cli import main; sys.exit(main(['backtest', '--json', '-']))",
        tmp_path,
    )
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["data"]["synthetic"] is True and "_bundled" in doc["data"]["path"]


def test_the_editable_install_exposes_nothing_else(tmp_path):
    code = (
        "import importlib.util, json; "
        f"print(json.dumps([importlib.util.find_spec(n) is not None for n in {OTHER_NAMES!r}]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == [False] * len(OTHER_NAMES)

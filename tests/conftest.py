"""Shared fixtures: the bundled sample, the real data in ../shared/data/real, data-dir builders
and a CLI runner that returns (exit code, stdout, stderr)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from alu.cli import main
from alu.data.market import Market
from alu.data.source import DataSource, sample_dir

REPO = Path(__file__).resolve().parent.parent
REAL = Path(os.environ.get("ALU_REAL_DATA", REPO.parent / "shared" / "data" / "real"))


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path_factory, monkeypatch):
    """Every test gets an empty local store, so a developer's real store never leaks in."""
    monkeypatch.setenv("ALU_HOME", str(tmp_path_factory.mktemp("alu-home")))


@pytest.fixture(scope="session")
def sample_market() -> Market:
    return Market(DataSource("sample", sample_dir()))


@pytest.fixture(scope="session")
def real_dir() -> Path:
    """The folder of real market files; tests using it skip when it is absent."""
    if not (REAL / "LME_aluminium_daily_westmetall.csv").is_file():
        pytest.skip(f"real data folder not found: {REAL}")
    return REAL


@pytest.fixture
def real_data_dir(real_dir: Path, tmp_path: Path) -> Path:
    """A data dir over the real files (symlinks, nothing copied): AA, CENX and lme.csv."""
    root = tmp_path / "real"
    (root / "prices").mkdir(parents=True)
    (root / "prices" / "AA.csv").symlink_to(real_dir / "AA_daily_merged_adjusted_2000_2026.csv")
    (root / "prices" / "CENX.csv").symlink_to(real_dir / "CENX_daily_merged_2000_2026.csv")
    (root / "lme.csv").symlink_to(real_dir / "LME_aluminium_daily_westmetall.csv")
    return root


def write_prices(path: Path, frame: pd.DataFrame) -> None:
    """Write a Yahoo-format price file from a frame with Open/High/Low/Close columns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    out = frame.copy()
    out.index = pd.DatetimeIndex(out.index).strftime("%Y-%m-%d")
    out.index.name = "Date"
    out.to_csv(path)


@pytest.fixture
def make_data_dir(tmp_path: Path) -> Callable[..., Path]:
    """Build a data dir from the bundled sample: choose which files to include."""

    def build(*, symbols=("AA", "CENX", "ALI=F"), lme: bool = True, name: str = "data") -> Path:
        root = tmp_path / name
        (root / "prices").mkdir(parents=True)
        for symbol in symbols:
            (root / "prices" / f"{symbol}.csv").write_bytes(
                (sample_dir() / "prices" / f"{symbol}.csv").read_bytes()
            )
        if lme:
            (root / "lme.csv").write_bytes((sample_dir() / "lme.csv").read_bytes())
        return root

    return build


@pytest.fixture
def cli(capsys) -> Callable[..., tuple[int, str, str]]:
    """Run ``alu ARGS...`` in-process; returns (exit code, stdout, stderr)."""

    def invoke(*args: str) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


@pytest.fixture
def refused() -> Callable[[tuple[int, str, str], str], None]:
    """Check a refusal from :func:`cli`: exit code 2 and one ``error: ...`` line on stderr that
    matches ``pattern`` (a regular expression), no traceback."""

    def check(result: tuple[int, str, str], pattern: str) -> None:
        code, out, err = result
        assert code == 2, (code, out, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), err
        assert re.search(pattern, lines[0]), lines[0]
        assert "Traceback" not in out + err

    return check

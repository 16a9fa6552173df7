"""The documented example (docs/example.py) runs as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_example_runs(tmp_path):
    env = {**os.environ, "ALU_HOME": str(tmp_path)}
    env.pop("ALU_DATA", None)
    done = subprocess.run(
        [sys.executable, str(REPO / "docs" / "example.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "PBO:" in done.stdout and "tight_and_high" in done.stdout

"""Helpers for the benchmark scripts: time whole commands, side by side, in one run."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def alu_command() -> list[str]:
    """The installed ``alu`` next to this interpreter, else ``python -m alu``."""
    script = Path(sys.executable).with_name("alu")
    return [str(script)] if script.exists() else [sys.executable, "-m", "alu"]


def wall(cmd: list[str], *, env: dict[str, str] | None = None) -> float:
    """Seconds of wall time for one run of ``cmd`` (output discarded; must succeed)."""
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    return time.perf_counter() - start


def median_wall(cmd: list[str], runs: int, *, env: dict[str, str] | None = None) -> float:
    return statistics.median(wall(cmd, env=env) for _ in range(runs))


def clean_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def run_measured(cmd: list[str], *, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one whole process running ``cmd``
    (``ru_maxrss`` of that process, from ``wait4``)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{stderr}")
    return seconds, usage.ru_maxrss / 1024  # Linux reports kilobytes

"""``alu compare --resume DIR``: a sweep killed with kill -9 and started again computes only the
missing chunks and writes the JSON an uninterrupted sweep writes, byte for byte; a changed
option starts afresh with a message; a damaged chunk file is computed again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SWEEP = [
    "compare",
    "--strategy",
    "bands",
    "--grid",
    "confirm=1:20",
    "--grid",
    "buffer=0:0.02:0.002",
    "--start",
    "2019-01-01",
    "--split",
    "0.6",
    "--walk-forward",
    "3",
    "--chunk-size",
    "10",
    "--workers",
    "1",
    "--quiet",
]
N_CHUNKS = 22  # 220 variants


def alu(*args, fault: str | None = None, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "ALU_HOME": str(home)}
    env.pop("ALU_FAULT", None)
    if fault:
        env["ALU_FAULT"] = fault
    return subprocess.run(
        [sys.executable, "-m", "alu", *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> bytes:
    """The JSON of the sweep run straight through, without --resume."""
    folder = tmp_path_factory.mktemp("reference")
    done = alu(*SWEEP, "--json", folder / "c.json", home=folder)
    assert done.returncode == 0, done.stderr
    return (folder / "c.json").read_bytes()


def chunk_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("chunk-*.npz"))


def test_killed_sweep_resumes_to_the_same_json(tmp_path, reference):
    cache, out = tmp_path / "cache", tmp_path / "c.json"
    killed = alu(
        *SWEEP, "--resume", cache, "--json", out, fault="resume:after-chunk-4:kill", home=tmp_path
    )
    assert killed.returncode == -signal.SIGKILL
    assert len(chunk_files(cache)) == 4 and not out.exists()
    again = alu(*SWEEP, "--resume", cache, "--json", out, home=tmp_path)
    assert again.returncode == 0, again.stderr
    assert f"4 of {N_CHUNKS} chunk(s) read back, {N_CHUNKS - 4} to compute" in again.stderr
    assert out.read_bytes() == reference
    # a third run computes nothing
    third = alu(*SWEEP, "--resume", cache, "--json", out, home=tmp_path)
    assert f"{N_CHUNKS} of {N_CHUNKS} chunk(s) read back, 0 to compute" in third.stderr
    assert out.read_bytes() == reference


def test_killed_between_write_and_rename(tmp_path, reference):
    """A kill while a chunk is being written leaves a temporary file, never a torn chunk."""
    cache, out = tmp_path / "cache", tmp_path / "c.json"
    killed = alu(
        *SWEEP, "--resume", cache, "--json", out, fault="resume:before-rename:kill", home=tmp_path
    )
    assert killed.returncode == -signal.SIGKILL
    assert chunk_files(cache) == [] and list(cache.glob(".chunk-*.tmp"))
    again = alu(*SWEEP, "--resume", cache, "--json", out, home=tmp_path)
    assert again.returncode == 0, again.stderr
    assert out.read_bytes() == reference
    assert not list(cache.glob(".chunk-*.tmp"))


def test_kill_9_from_outside(tmp_path, reference):
    """The sweep's process killed by another one (SIGKILL) while chunks are being written."""
    cache, out = tmp_path / "cache", tmp_path / "c.json"
    env = {**os.environ, "ALU_HOME": str(tmp_path)}
    env.pop("ALU_FAULT", None)
    args = [*SWEEP, "--resume", cache, "--json", out]
    args[args.index("--chunk-size") + 1] = "1"  # 220 chunks: time to be killed in the middle
    process = subprocess.Popen([sys.executable, "-m", "alu", *map(str, args)], env=env)
    deadline = time.monotonic() + 300
    while len(chunk_files(cache)) < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    kept = len(chunk_files(cache))
    assert 3 <= kept < 220, kept  # killed in the middle
    again = alu(*args, home=tmp_path)
    assert again.returncode == 0, again.stderr
    assert f"{kept} of 220 chunk(s) read back" in again.stderr
    assert out.read_bytes() == reference


def test_changed_option_or_damaged_chunk_is_computed_again(tmp_path, reference):
    cache, out = tmp_path / "cache", tmp_path / "c.json"
    first = alu(*SWEEP, "--resume", cache, "--json", out, "--fees", "0.002", home=tmp_path)
    assert first.returncode == 0, first.stderr
    assert len(chunk_files(cache)) == N_CHUNKS
    changed = alu(*SWEEP, "--resume", cache, "--json", out, home=tmp_path)
    assert changed.returncode == 0, changed.stderr
    assert "the options (window, costs" in changed.stderr and "starts again" in changed.stderr
    assert out.read_bytes() == reference
    damaged = chunk_files(cache)[5]
    damaged.write_bytes(damaged.read_bytes()[:100])
    repaired = alu(*SWEEP, "--resume", cache, "--json", out, home=tmp_path)
    assert repaired.returncode == 0, repaired.stderr
    assert f"{damaged.name} is unreadable" in repaired.stderr
    assert f"{N_CHUNKS - 1} of {N_CHUNKS} chunk(s) read back, 1 to compute" in repaired.stderr
    assert out.read_bytes() == reference


def test_resume_into_a_file_is_refused(tmp_path):
    target = tmp_path / "taken"
    target.write_text("keep me\n")
    done = alu(*SWEEP, "--resume", target, home=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"error: --resume {target}: not a directory"]
    assert target.read_text() == "keep me\n"

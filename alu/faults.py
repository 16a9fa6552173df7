"""Fault injection for tests: make a named step of a write fail, or kill the process there.

``ALU_FAULT`` names a step (``commit:after-journal``) or several separated by commas, each
optionally followed by ``:kill``:

- ``ALU_FAULT=commit:after-data-rename``: the step raises ``OSError(EIO)``, as a failing disk
  would; the command must then leave the store as it was.
- ``ALU_FAULT=commit:after-data-rename:kill``: the process sends itself ``SIGKILL`` there (no
  cleanup, no ``finally``), as ``kill -9`` would; the next command must find the store old or
  new, and repair what the killed one left.

Unset (the normal case), :func:`fault` costs one dictionary look-up. The steps are listed in
:data:`alu.data.journal.STEPS`.
"""

from __future__ import annotations

import errno
import os
import signal

ENV = "ALU_FAULT"


def fault(step: str) -> None:
    """Fail or die at ``step`` when ``$ALU_FAULT`` names it; otherwise do nothing."""
    spec = os.environ.get(ENV)
    if not spec:
        return
    for item in spec.split(","):
        item = item.strip()
        if item == step:
            raise OSError(errno.EIO, f"injected fault at {step}")
        if item == f"{step}:kill":
            os.kill(os.getpid(), signal.SIGKILL)

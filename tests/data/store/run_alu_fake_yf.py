"""Run ``alu`` in a real process with ``yfinance.download`` replaced by frames shaped like
yfinance 1.x output (the builders of ``conftest.py``), for tests that start processes.

Each ticker gets bars on the days of ``$FAKE_YF_DAYS`` (a JSON list), closes 10, 11, 12, ...
plus the ticker's length.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "_store_conftest", Path(__file__).resolve().parent / "conftest.py"
)
conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(conftest)


def fake(tickers, **kwargs):
    days = json.loads(os.environ["FAKE_YF_DAYS"])
    start = kwargs.get("start")
    days = [d for d in days if start is None or d >= start]
    got = {t: conftest.bars(days, [10.0 + i + len(t) for i in range(len(days))]) for t in tickers}
    return conftest.yahoo_frame(tickers, {t: f for t, f in got.items() if len(f)})


if __name__ == "__main__":
    import yfinance

    yfinance.download = fake
    from alu.cli import main

    sys.exit(main(sys.argv[1:]))

"""Fixtures for the research tests: a copy of the bundled sample whose rows after a day are
shuffled (the "future" changed), and a builder of small hand-made data dirs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alu.data.market import Market
from alu.data.source import DataSource, sample_dir

CUT = pd.Timestamp("2022-06-30")


def shuffle_after(src: Path, dst: Path, cut: pd.Timestamp, seed: int = 7) -> Path:
    """Copy a data dir, permuting the value rows dated after ``cut`` in every CSV (dates kept):
    the same past, a different future."""
    rng = np.random.default_rng(seed)
    for path in [src / "lme.csv", *sorted((src / "prices").glob("*.csv"))]:
        frame = pd.read_csv(path)
        dates = pd.to_datetime(frame.iloc[:, 0])
        after = np.flatnonzero(dates > cut)
        values = frame.columns[1:]
        frame.loc[after, values] = frame.loc[rng.permutation(after), values].to_numpy()
        target = dst / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(target, index=False)
    return dst


@pytest.fixture(scope="session")
def sample_dir_copy(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sample-copy")
    return shuffle_after(sample_dir(), root, pd.Timestamp.max, seed=0)


@pytest.fixture(scope="session")
def shuffled_dir(tmp_path_factory) -> Path:
    """The bundled sample with every row after :data:`CUT` shuffled."""
    return shuffle_after(sample_dir(), tmp_path_factory.mktemp("shuffled"), CUT)


@pytest.fixture
def market_of() -> Callable[[Path], Market]:
    return lambda path: Market(DataSource("data-dir", Path(path)))

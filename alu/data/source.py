"""Where the data comes from: ``--data-dir``, else the local store, else the bundled sample.

- ``--data-dir DIR`` when given (it must exist).
- else the local store under ``$ALU_HOME`` (default: the per-user data dir from platformdirs,
  e.g. ``~/.local/share/alu`` on Linux) when it holds data (``lme.csv`` or ``prices/*.csv``).
- else the bundled synthetic sample (``alu/_bundled/sample``, the repository's
  ``data/sample``), found whether the project was installed editable or not.

Every output names its source; the sample is always labelled synthetic.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from alu.errors import AluError

SourceKind = Literal["data-dir", "store", "sample"]


@dataclass(frozen=True)
class DataSource:
    """A directory in the data-dir layout and how it was chosen."""

    kind: SourceKind
    path: Path

    @property
    def synthetic(self) -> bool:
        return self.kind == "sample"

    @property
    def label(self) -> str:
        if self.kind == "sample":
            return f"bundled SYNTHETIC sample ({self.path}; generated, not market data)"
        if self.kind == "store":
            return f"local store ({self.path})"
        return f"data dir ({self.path})"


def bundled_dir() -> Path:
    """Bundled data: ``alu/_bundled`` (in the source tree a link to the repository's ``data/``;
    in a wheel, a copy of it)."""
    return Path(__file__).resolve().parent.parent / "_bundled"


def sample_dir() -> Path:
    """The bundled synthetic sample data dir."""
    return bundled_dir() / "sample"


def bundled_catalysts_path() -> Path:
    """The curated catalyst calendar shipped with the tool."""
    return bundled_dir() / "catalysts.csv"


def store_dir() -> Path:
    """The local store: ``$ALU_HOME`` when set, else the per-user data directory."""
    home = os.environ.get("ALU_HOME")
    if home:
        return Path(home).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("alu", appauthor=False))


def holds_data(path: Path) -> bool:
    """True when ``path`` has an ``lme.csv`` or at least one ``prices/*.csv``."""
    if (path / "lme.csv").is_file():
        return True
    prices = path / "prices"
    return prices.is_dir() and any(prices.glob("*.csv"))


def resolve_source(data_dir: Path | None) -> DataSource:
    """Pick the data source by the rule in the module docstring."""
    if data_dir is not None:
        path = Path(data_dir).expanduser()
        if not path.is_dir():
            raise AluError(f"data dir not found: {path}")
        from alu.files import check_regular_file

        check_regular_file(path / "lme.csv", what="LME")  # a directory there is named as such
        if not holds_data(path):
            raise AluError(f"data dir {path} holds neither lme.csv nor prices/*.csv")
        return DataSource("data-dir", path)
    store = store_dir()
    if store.is_dir() and holds_data(store):
        from alu.data.store import Store, report_repairs

        report_repairs(Store(store).repair())  # an interrupted commit is finished first
        return DataSource("store", store)
    return DataSource("sample", sample_dir())

"""alu: is the aluminium squeeze real, and does trading it pay?

One import namespace. The Python API (:mod:`alu.api`) is reachable from the root::

    import alu
    bt = alu.backtest(strategy="squeeze", stop_loss=0.1)       # alu.api.backtest
    cmp = alu.compare(strategy="bands", grid={"confirm": [1, 2, 3]})
    snap = alu.watchlist()
    alu.thesis(), alu.research(), alu.events(), alu.open_data(), alu.load_strategies(path)

The packages underneath, layered one way (each imports only those below it; an import-linter
contract in pyproject.toml keeps it so): ``alu.cli`` -> ``alu.api`` -> ``alu.reports``,
``alu.watchlist``, ``alu.research``, ``alu.data`` -> ``alu.backtest``, ``alu.stats`` ->
``alu.strategies`` -> ``alu.signals`` -> ``alu.errors``, ``alu.output``, ``alu.files``.

``alu.backtest``, ``alu.watchlist`` and ``alu.research`` are both packages and API functions:
calling the package calls the function of the same name (``alu.backtest(...)`` runs
:func:`alu.api.backtest`; ``alu.backtest.engine`` is still the engine). Nothing heavy is imported
until it is used.
"""

from __future__ import annotations

import sys
import types
from typing import Any

__version__ = "0.1.0"

#: The API functions the root exposes (from :mod:`alu.api`).
API = (
    "backtest",
    "compare",
    "watchlist",
    "thesis",
    "research",
    "events",
    "open_data",
    "load_strategies",
    "strategies",
)
#: Subpackages that share their name with an API function: calling them calls it.
CALLABLE_PACKAGES = ("backtest", "watchlist", "research")


class _CallablePackage(types.ModuleType):
    """A package that, when called, runs the API function of its name."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from alu import api

        return getattr(api, self.__name__.rpartition(".")[2])(*args, **kwargs)


def _make_callable(name: str) -> types.ModuleType:
    import importlib

    package = importlib.import_module(f"{__name__}.{name}")  # its __init__ alone: light
    if not isinstance(package, _CallablePackage):
        package.__class__ = _CallablePackage
    return package


for _name in CALLABLE_PACKAGES:
    _make_callable(_name)


def __getattr__(name: str) -> Any:
    if name in API:
        from alu import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *API})


__all__ = list(API)
del sys

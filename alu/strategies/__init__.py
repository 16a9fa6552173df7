"""Strategies: rules that combine the signal families into a stance per trading day.

``get_strategy(name)`` returns a :class:`~alu.strategies.base.Strategy`; ``STRATEGIES`` lists the
built-in ones. Parameters and their defaults are declared once (:mod:`alu.strategies.base`,
:mod:`alu.strategies.library`) and read by the CLI, variants files and docs alike.

Your own strategies live in files: Python (:mod:`alu.strategies.python_file`, with the names
exported here: ``Strategy``, ``Param``, ``strategy``, ``hold``, ``combine``, the family names and
the state names; ``from alu.strategies import *`` gives them, not ``STRATEGIES``) or TOML
(:mod:`alu.strategies.toml_file`). :func:`load_strategies` reads one file;
:func:`strategy_catalog` gives the built-in strategies and those of some files, and is what
``get_strategy(name, catalog)`` looks names up in. The columns a rule may read are declared in
:mod:`alu.strategies.signal_columns`.
"""

from __future__ import annotations

from collections.abc import Mapping

from alu.errors import AluError, did_you_mean
from alu.signals.states import (
    BACKWARDATION,
    BEAR,
    BUILDING,
    BULL,
    CONTANGO,
    FALLING,
    FLAT,
    NEUTRAL,
)
from alu.strategies.base import (
    BANDS,
    CATALYSTS,
    FAMILIES,
    INVENTORY,
    SPREAD,
    Strategy,
    combine,
    hold,
)
from alu.strategies.catalog import load_strategies, strategy_catalog
from alu.strategies.library import STRATEGIES
from alu.strategies.params import Param
from alu.strategies.python_file import strategy
from alu.strategies.signal_columns import SIGNAL_COLUMNS

DEFAULT_STRATEGY = "squeeze"


def get_strategy(name: str, strategies: Mapping[str, Strategy] | None = None) -> Strategy:
    """The strategy called ``name`` in ``strategies`` (default: the built-in ones), or a
    one-line error listing the known ones."""
    known = STRATEGIES if strategies is None else strategies
    try:
        return known[name]
    except KeyError:
        raise AluError(
            f"unknown strategy '{name}'{did_you_mean(name, list(known))}; known: {', '.join(known)}"
        ) from None


__all__ = [
    "BACKWARDATION",
    "BANDS",
    "BEAR",
    "BUILDING",
    "BULL",
    "CATALYSTS",
    "CONTANGO",
    "DEFAULT_STRATEGY",
    "FALLING",
    "FAMILIES",
    "FLAT",
    "INVENTORY",
    "NEUTRAL",
    "SIGNAL_COLUMNS",
    "SPREAD",
    "Param",
    "Strategy",
    "combine",
    "get_strategy",
    "hold",
    "load_strategies",
    "strategy",
    "strategy_catalog",
]

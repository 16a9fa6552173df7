"""Strategies: rules that combine the signal families into a stance per trading day.

``get_strategy(name)`` returns a :class:`~alu.strategies.base.Strategy`; ``STRATEGIES`` lists them
all. Parameters and their defaults are declared once (:mod:`alu.strategies.base`,
:mod:`alu.strategies.library`) and read by the CLI, variants files and docs alike.
"""

from __future__ import annotations

from alu.errors import AluError, did_you_mean
from alu.strategies.base import Strategy
from alu.strategies.library import STRATEGIES

DEFAULT_STRATEGY = "squeeze"


def get_strategy(name: str) -> Strategy:
    """The strategy called ``name``, or a one-line error listing the known ones."""
    try:
        return STRATEGIES[name]
    except KeyError:
        known = ", ".join(STRATEGIES)
        raise AluError(
            f"unknown strategy '{name}'{did_you_mean(name, list(STRATEGIES))}; known: {known}"
        ) from None


__all__ = ["DEFAULT_STRATEGY", "STRATEGIES", "Strategy", "get_strategy"]

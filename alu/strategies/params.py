"""Strategy parameters: declared once, read by the CLI, the variants files and the docs.

A signal parameter takes its default from the signal function's own signature, so the default
lives in exactly one place. Values given as text (``--param key=value``, a grid) are parsed and
checked here, and refused with a one-line :class:`~alu.errors.AluError`.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from alu.errors import AluError, did_you_mean

Number = int | float


@dataclass(frozen=True)
class Param:
    """One tunable parameter: its name, default, type, unit/meaning and allowed range."""

    name: str
    default: Number
    help: str
    minimum: Number | None = None
    maximum: Number | None = None

    @property
    def kind(self) -> type:
        return (
            int if isinstance(self.default, int) and not isinstance(self.default, bool) else float
        )

    @classmethod
    def of(
        cls,
        func: Callable[..., Any],
        name: str,
        help: str,
        *,
        minimum: Number | None = None,
        maximum: Number | None = None,
    ) -> Param:
        """The parameter ``name`` of signal function ``func``, default read from its signature."""
        default = inspect.signature(func).parameters[name].default
        if default is inspect.Parameter.empty:
            raise TypeError(f"{func.__name__}() parameter {name} has no default")
        return cls(name, default, help, minimum, maximum)

    def coerce(self, value: Any, *, origin: str = "") -> Number:
        """``value`` (text or number) as this parameter's type, range-checked."""
        where = f" ({origin})" if origin else ""
        if isinstance(value, bool):
            raise AluError(f"parameter {self.name}: expected a number, got {value}{where}")
        if isinstance(value, str):
            text = value.strip()
            try:
                number = float(text)
            except ValueError:
                raise AluError(f"parameter {self.name}: '{value}' is not a number{where}") from None
        elif isinstance(value, int | float):
            number = float(value)
        else:
            raise AluError(f"parameter {self.name}: expected a number, got {value!r}{where}")
        if not math.isfinite(number):
            raise AluError(f"parameter {self.name}: {value} is not a finite number{where}")
        if self.kind is int:
            if number != round(number):
                raise AluError(
                    f"parameter {self.name}: expected a whole number, got {value}{where}"
                )
            number = round(number)
        if self.minimum is not None and number < self.minimum:
            raise AluError(
                f"parameter {self.name}: {value} is below the minimum {self.minimum}{where}"
            )
        if self.maximum is not None and number > self.maximum:
            raise AluError(
                f"parameter {self.name}: {value} is above the maximum {self.maximum}{where}"
            )
        return number


def resolve_params(
    params: tuple[Param, ...],
    overrides: Mapping[str, Any],
    *,
    strategy: str,
    origin: str = "",
) -> dict[str, Number]:
    """Defaults updated by ``overrides``; unknown names are refused with a hint."""
    by_name = {p.name: p for p in params}
    values: dict[str, Number] = {p.name: p.default for p in params}
    for name, value in overrides.items():
        if name not in by_name:
            known = ", ".join(by_name) or "none"
            where = f" ({origin})" if origin else ""
            raise AluError(
                f"unknown parameter '{name}' for strategy {strategy}"
                f"{did_you_mean(name, list(by_name))}; its parameters: {known}{where}"
            )
        values[name] = by_name[name].coerce(value, origin=origin)
    return values

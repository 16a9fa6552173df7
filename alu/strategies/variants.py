"""Strategy variants: a strategy with parameters, from grids or a TOML file.

Grids (``alu compare --grid``):

- ``key=v1,v2,...``: the listed values;
- ``key=start:stop``: integers from start to stop inclusive, step 1;
- ``key=start:stop:step``: start, start + step, ... up to stop, which is included when it lies
  on the grid (up to float rounding).

Several grids give their cartesian product, in the order given. A variants file is TOML with one
``[[variant]]`` table per variant: ``name``, ``strategy`` and an optional ``params`` table; a list
value in ``params`` is a grid, expanded the same way. See ``strategies/variants.example.toml``.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alu.errors import AluError
from alu.strategies import get_strategy
from alu.strategies.base import Strategy
from alu.strategies.params import Number, resolve_params


@dataclass(frozen=True)
class Variant:
    """One strategy with fully resolved parameters, and a display name."""

    name: str
    strategy: Strategy
    params: dict[str, Number]
    varied: tuple[str, ...] = ()  # the parameters that differ across the sweep, for display


def parse_grid_values(text: str, *, key: str) -> list[str]:
    """The values of one ``--grid key=...`` option, as text (checked by the parameter later)."""
    text = text.strip()
    if not text:
        raise AluError(f"--grid {key}: empty grid")
    if ":" not in text:
        values = [v.strip() for v in text.split(",")]
        if any(not v for v in values):
            raise AluError(f"--grid {key}={text}: empty value in the list")
        return values
    parts = text.split(":")
    if len(parts) not in (2, 3) or any(not p.strip() for p in parts):
        raise AluError(f"--grid {key}={text}: malformed range (expected start:stop[:step])")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise AluError(f"--grid {key}={text}: malformed range (not numbers)") from None
    start, stop = numbers[0], numbers[1]
    integers = all(re.fullmatch(r"[+-]?\d+", p.strip()) for p in parts)
    if len(parts) == 2:
        if not integers:
            raise AluError(f"--grid {key}={text}: a range of non-integers needs a step")
        step = 1.0
    else:
        step = numbers[2]
    if not step > 0:
        raise AluError(f"--grid {key}={text}: the step must be positive")
    if stop < start:
        raise AluError(f"--grid {key}={text}: empty grid (stop is below start)")
    count = math.floor((stop - start) / step + 1e-9) + 1
    values = [start + k * step for k in range(count)]
    if integers:
        return [str(round(v)) for v in values]
    return [repr(round(v, 12)) for v in values]


def parse_grids(items: Sequence[str] | None) -> dict[str, list[str]]:
    """``["key=spec", ...]`` as ``{key: [values...]}``, refusing repeated or malformed keys."""
    grids: dict[str, list[str]] = {}
    for item in items or []:
        key, sep, spec = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise AluError(f"--grid expects key=values, got '{item}'")
        if key in grids:
            raise AluError(f"--grid {key} is given twice")
        grids[key] = parse_grid_values(spec, key=key)
    return grids


def grid_size(grids: Mapping[str, Sequence[Any]]) -> int:
    return math.prod(len(v) for v in grids.values()) if grids else 1


def expand(
    strategy: Strategy,
    grids: Mapping[str, Sequence[Any]],
    *,
    base: Mapping[str, Any] | None = None,
    name: str | None = None,
    origin: str = "",
) -> list[Variant]:
    """Every combination of ``grids`` over ``base`` parameters, resolved and checked."""
    keys = list(grids)
    varied = tuple(k for k in keys if len(grids[k]) > 1)
    defaults = resolve_params(strategy.params, base or {}, strategy=strategy.name, origin=origin)
    # Each value is checked once by its parameter; the product only needs the cross-checks.
    by_name = {p.name: p for p in strategy.params}
    checked = {}
    for k in keys:
        resolve_params(strategy.params, {k: grids[k][0]}, strategy=strategy.name, origin=origin)
        checked[k] = [by_name[k].coerce(v, origin=origin) for v in grids[k]]
    variants = []
    for combo in itertools.product(*(checked[k] for k in keys)):
        params = {**defaults, **dict(zip(keys, combo, strict=True))}
        strategy.check(params, origin=origin)
        label = " ".join(f"{k}={_fmt(params[k])}" for k in varied)
        if name:
            label = f"{name} [{label}]" if label else name
        variants.append(Variant(label or strategy.name, strategy, params, varied))
    return variants


def variants_from_grids(
    strategy_name: str,
    grid_items: Sequence[str] | None,
    base_items: Mapping[str, Any],
    *,
    strategies: Mapping[str, Strategy] | None = None,
) -> list[Variant]:
    """The variants of ``alu compare --strategy NAME --grid ...`` (``--param`` fixes others);
    ``strategies`` is where names are looked up (default: the built-in ones)."""
    strategy = get_strategy(strategy_name, strategies)
    grids = parse_grids(grid_items)
    if not grids:
        raise AluError(
            "nothing to compare: give at least one --grid key=values, or --variants FILE"
        )
    overlap = set(grids) & set(base_items)
    if overlap:
        raise AluError(f"parameter {sorted(overlap)[0]} is given both as --param and --grid")
    return expand(strategy, grids, base=base_items)


def count_from_grids(grid_items: Sequence[str] | None) -> int:
    return grid_size(parse_grids(grid_items))


def load_variants_file(
    path: Path, *, strategies: Mapping[str, Strategy] | None = None
) -> list[Variant]:
    """Read a TOML variants file (see module docstring); errors name the file and the variant.
    ``strategies`` is where strategy names are looked up (default: the built-in ones)."""
    import tomllib

    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AluError("file not found", path=path) from None
    except (UnicodeDecodeError, IsADirectoryError):
        raise AluError("not a UTF-8 TOML file", path=path) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise AluError(f"TOML syntax error: {message}", path=path, line=line) from None
    entries = doc.get("variant")
    if not isinstance(entries, list) or not entries:
        raise AluError("no [[variant]] tables found", path=path)
    unknown_top = set(doc) - {"variant"}
    if unknown_top:
        raise AluError(f"unknown top-level key '{sorted(unknown_top)[0]}'", path=path)
    out: list[Variant] = []
    names: set[str] = set()
    for i, entry in enumerate(entries, start=1):
        where = f"variant {i}"
        if not isinstance(entry, dict):
            raise AluError(f"{where} is not a table", path=path)
        extra = set(entry) - {"name", "strategy", "params"}
        if extra:
            raise AluError(f"{where}: unknown key '{sorted(extra)[0]}'", path=path)
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise AluError(f"{where} needs a name", path=path)
        where = f"variant '{name}'"
        if name in names:
            raise AluError(f"{where} appears twice", path=path)
        names.add(name)
        strategy_name = entry.get("strategy")
        if not isinstance(strategy_name, str):
            raise AluError(f"{where} needs a strategy", path=path)
        params = entry.get("params", {})
        if not isinstance(params, dict):
            raise AluError(f"{where}: params must be a table", path=path)
        try:
            strategy = get_strategy(strategy_name, strategies)
            grids = {k: v for k, v in params.items() if isinstance(v, list)}
            if any(len(v) == 0 for v in grids.values()):
                raise AluError("empty grid")
            base = {k: v for k, v in params.items() if not isinstance(v, list)}
            out.extend(expand(strategy, grids, base=base, name=name))
        except AluError as exc:
            raise AluError(f"{where}: {exc.message}", path=path) from None
    return out


def _fmt(value: Number) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)

"""Strategy variants: a strategy with parameters, from grids or a TOML file.

Grids (``alu compare --grid``):

- ``key=v1,v2,...``: the listed values;
- ``key=start:stop``: integers from start to stop inclusive, step 1;
- ``key=start:stop:step``: start, start + step, ... up to stop, which is included when it lies
  on the grid (up to float rounding).

Several grids give their cartesian product, in the order given. A variants file is TOML with one
``[[variant]]`` table per variant: ``name``, ``strategy`` and an optional ``params`` table; a list
value in ``params`` is a grid, expanded the same way, each variant named after its table and its
grid values (``bands[confirm=3,upper=3100]``). See ``strategies/variants.example.toml``.

**Counted before anything is built**: a range grid is counted from its start, stop and step
(``upper=3000:4000:0.0000001`` is 10 billion values, refused against ``--max-variants`` without
making one), a file from the lengths of its lists; a variants file larger than
:data:`MAX_VARIANTS_FILE_BYTES`, nested too deeply or with a number too long is refused in one
line.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from alu.errors import UNSET, AluError
from alu.files import read_bytes
from alu.strategies import get_strategy
from alu.strategies.base import Strategy
from alu.strategies.params import Number, resolve_params

#: The largest variants file read (1 MiB: a hand-written file is a few kB).
MAX_VARIANTS_FILE_BYTES = 1024 * 1024
#: More values than this in one grid is refused whatever --max-variants says.
MAX_GRID_VALUES = 10**12
_GRID_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$", re.ASCII)


def param_names(variants: Sequence[Variant]) -> list[str]:
    """The parameters of any of ``variants``, sorted (lazy sequences say without building each
    variant)."""
    if isinstance(variants, GridVariants | VariantList):
        return sorted(variants.param_names())
    return sorted({p for v in variants for p in v.params})


class LazySequence(Sequence):
    """A sequence computed on demand that compares equal to any sequence of equal items (a
    list of the same values, say); unhashable, like a list."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class GridRange(LazySequence, Sequence[str]):
    """The values of ``start:stop:step`` as text, computed on demand (never all at once)."""

    def __init__(self, start: float, step: float, count: int, *, integers: bool) -> None:
        self.start, self.step, self.count, self.integers = start, step, count, integers

    def __len__(self) -> int:
        return self.count

    def __repr__(self) -> str:
        return f"GridRange(start={self.start!r}, step={self.step!r}, count={self.count})"

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self.count))]
        if i < 0:
            i += self.count
        if not 0 <= i < self.count:
            raise IndexError(i)
        value = self.start + i * self.step
        return str(round(value)) if self.integers else repr(round(value, 12))


@dataclass(frozen=True)
class Variant:
    """One strategy with fully resolved parameters, and a display name."""

    name: str
    strategy: Strategy
    params: dict[str, Number]
    varied: tuple[str, ...] = ()  # the parameters that differ across the sweep, for display


def parse_grid_values(text: str, *, key: str) -> Sequence[str]:
    """The values of one ``--grid key=...`` option, as text (checked by the parameter later):
    a list, or a :class:`GridRange` that is only counted until the variants are built."""
    text = text.strip()
    if not text:
        raise AluError("{grid}: empty grid", params={"grid": key})
    if ":" not in text:
        values = [v.strip() for v in text.split(",")]
        if any(not v for v in values):
            raise AluError("{grid}: empty value in the list", params={"grid": f"{key}={text}"})
        return values
    parts = text.split(":")
    if len(parts) not in (2, 3) or any(not p.strip() for p in parts):
        raise AluError(
            "{grid}: malformed range (expected start:stop[:step])",
            params={"grid": f"{key}={text}"},
        )
    if not all(_GRID_NUMBER.match(p.strip()) for p in parts):
        raise AluError(
            "{grid}: malformed range (not plain numbers)", params={"grid": f"{key}={text}"}
        )
    numbers = [float(p) for p in parts]
    if not all(math.isfinite(x) for x in numbers):
        raise AluError(
            "{grid}: malformed range (a number is too large)", params={"grid": f"{key}={text}"}
        )
    start, stop = numbers[0], numbers[1]
    integers = all(re.fullmatch(r"[+-]?\d+", p.strip(), re.ASCII) for p in parts)
    if len(parts) == 2:
        if not integers:
            raise AluError(
                "{grid}: a range of non-integers needs a step", params={"grid": f"{key}={text}"}
            )
        step = 1.0
    else:
        step = numbers[2]
    if not step > 0:
        raise AluError("{grid}: the step must be positive", params={"grid": f"{key}={text}"})
    if stop < start:
        raise AluError("{grid}: empty grid (stop is below start)", params={"grid": f"{key}={text}"})
    steps = (stop - start) / step + 1e-9
    if not math.isfinite(steps) or steps >= MAX_GRID_VALUES:
        raise AluError(
            f"{{grid}}: more than {MAX_GRID_VALUES:,} values; use a larger step",
            params={"grid": f"{key}={text}"},
        )
    return GridRange(start, step, math.floor(steps) + 1, integers=integers)


def parse_grids(items: Sequence[str] | None) -> dict[str, Sequence[str]]:
    """``["key=spec", ...]`` as ``{key: values}``, refusing repeated or malformed keys."""
    grids: dict[str, Sequence[str]] = {}
    for item in items or []:
        key, sep, spec = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise AluError(f"{{grid}} expects key=values, got '{item}'", params={"grid": UNSET})
        if key in grids:
            raise AluError("{grid} is given twice", params={"grid": key})
        grids[key] = parse_grid_values(spec, key=key)
    return grids


def grid_size(grids: Mapping[str, Sequence[Any]]) -> int:
    return math.prod(len(v) for v in grids.values()) if grids else 1


#: The parameters :meth:`alu.strategies.base.Strategy.check` compares with each other: the
#: product of a grid is checked over the combinations of these alone (a test holds the list to
#: the method).
CROSS_CHECKED = ("lower", "upper", "fraction", "max_leverage")


class GridVariants(LazySequence, Sequence[Variant]):
    """The variants of one strategy's grid: every combination of ``values`` (one list per key,
    the first key varying slowest, as :func:`itertools.product`) over ``defaults``.

    Built on demand: a million-variant grid holds its value lists, not a million parameter
    dicts. :meth:`param_arrays` gives the parameters of a range of variants as arrays (what a
    sweep reads); indexing gives a :class:`Variant`.
    """

    def __init__(
        self,
        strategy: Strategy,
        keys: Sequence[str],
        values: Sequence[Sequence[Number]],
        defaults: Mapping[str, Number],
        *,
        name: str | None = None,
    ) -> None:
        self.strategy = strategy
        self.keys = tuple(keys)
        self.values = tuple(tuple(v) for v in values)
        self.defaults = dict(defaults)
        self.name = name
        self.varied = tuple(k for k, v in zip(self.keys, self.values, strict=True) if len(v) > 1)
        self.sizes = tuple(len(v) for v in self.values)
        self._count = math.prod(self.sizes)
        kinds = {p.name: p.kind for p in strategy.params}
        self._arrays = {
            k: np.array(v, dtype=np.int64 if kinds[k] is int else np.float64)
            for k, v in zip(self.keys, self.values, strict=True)
        }

    def __len__(self) -> int:
        return self._count

    def __repr__(self) -> str:
        return (
            f"GridVariants({self.strategy.name}, {dict(zip(self.keys, self.sizes, strict=True))})"
        )

    def __iter__(self):
        for i in range(self._count):
            yield self[i]

    def digits(self, index: np.ndarray) -> list[np.ndarray]:
        """Each key's value position for the variants ``index`` (an array of positions)."""
        rest = np.asarray(index, dtype=np.int64)
        out: list[np.ndarray] = []
        for size in reversed(self.sizes):
            out.append(rest % size)
            rest = rest // size
        return out[::-1]

    def param_names(self) -> set[str]:
        """The parameters every variant sets (the same for all of them)."""
        return set(self.defaults) | set(self.keys)

    def params_at(self, i: int) -> dict[str, Number]:
        """The parameters of variant ``i`` as a dict of Python numbers."""
        digits = [int(d[0]) for d in self.digits(np.array([i]))]
        combo = {k: self.values[n][digits[n]] for n, k in enumerate(self.keys)}
        return {**self.defaults, **combo}

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._count))]
        i = int(i)
        if i < 0:
            i += self._count
        if not 0 <= i < self._count:
            raise IndexError(i)
        params = self.params_at(i)
        if self.name:
            text = ",".join(f"{k}={_fmt(params[k])}" for k in self.keys)
            label = f"{self.name}[{text}]" if self.keys else self.name
        else:
            label = " ".join(f"{k}={_fmt(params[k])}" for k in self.varied)
        return Variant(label or self.strategy.name, self.strategy, params, self.varied)

    def param_arrays(self, index: np.ndarray) -> dict[str, np.ndarray]:
        """Every parameter of the variants ``index`` (positions) as an array, one value each:
        ints as int64, floats as float64."""
        index = np.asarray(index, dtype=np.int64)
        digits = dict(zip(self.keys, self.digits(index), strict=True))
        out = {}
        for p in self.strategy.params:
            if p.name in digits:
                out[p.name] = self._arrays[p.name][digits[p.name]]
            else:
                kind = np.int64 if p.kind is int else np.float64
                out[p.name] = np.full(len(index), self.defaults[p.name], dtype=kind)
        return out

    def check(self, *, origin: str = "") -> None:
        """:meth:`Strategy.check` on every combination, over the keys it compares
        (:data:`CROSS_CHECKED`): the first failure in the product's order is refused."""
        checked = [n for n, k in enumerate(self.keys) if k in CROSS_CHECKED]
        for combo in itertools.product(*(self.values[n] for n in checked)):
            params = {**self.defaults}
            params.update({k: self.values[n][0] for n, k in enumerate(self.keys)})
            params.update({self.keys[n]: v for n, v in zip(checked, combo, strict=True)})
            self.strategy.check(params, origin=origin)


class VariantList(LazySequence, Sequence[Variant]):
    """Variants one after another from several :class:`GridVariants` (a variants file)."""

    def __init__(self, parts: Sequence[GridVariants]) -> None:
        self.parts = list(parts)
        self.starts = np.cumsum([0, *(len(p) for p in self.parts)]).astype(np.int64)

    def __len__(self) -> int:
        return int(self.starts[-1])

    def __iter__(self):
        for part in self.parts:
            yield from part

    def param_names(self) -> set[str]:
        """The parameters any variant sets."""
        return set().union(*(part.param_names() for part in self.parts))

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        i = int(i)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        part = int(np.searchsorted(self.starts, i, side="right")) - 1
        return self.parts[part][i - int(self.starts[part])]


def expand(
    strategy: Strategy,
    grids: Mapping[str, Sequence[Any]],
    *,
    base: Mapping[str, Any] | None = None,
    name: str | None = None,
    origin: str = "",
) -> GridVariants:
    """Every combination of ``grids`` over ``base`` parameters, resolved and checked, built on
    demand (:class:`GridVariants`).

    Named ``name[k=v,...]`` with every grid key when ``name`` is given, else ``k=v k2=v2`` with
    the keys that vary.
    """
    keys = list(grids)
    defaults = resolve_params(strategy.params, base or {}, strategy=strategy.name, origin=origin)
    # Each value is checked once by its parameter; the product only needs the cross-checks.
    by_name = {p.name: p for p in strategy.params}
    checked = []
    for k in keys:
        resolve_params(strategy.params, {k: grids[k][0]}, strategy=strategy.name, origin=origin)
        checked.append([by_name[k].coerce(v, origin=origin) for v in grids[k]])
    variants = GridVariants(strategy, keys, checked, defaults, name=name)
    variants.check(origin=origin)
    return variants


def variants_from_grids(
    strategy_name: str,
    grid_items: Sequence[str] | None,
    base_items: Mapping[str, Any],
    *,
    strategies: Mapping[str, Strategy] | None = None,
    max_variants: int | None = None,
) -> GridVariants:
    """The variants of ``alu compare --strategy NAME --grid ...`` (``--param`` fixes others);
    ``strategies`` is where names are looked up (default: the built-in ones); more than
    ``max_variants`` (counted first) is refused before any is built."""
    strategy = get_strategy(strategy_name, strategies)
    grids = parse_grids(grid_items)
    if not grids:
        raise AluError(
            "nothing to compare: give at least one {grid} key=values, or {variants} FILE",
            params={"grid": UNSET, "variants": UNSET},
        )
    overlap = set(grids) & set(base_items)
    if overlap:
        raise AluError(
            f"parameter {sorted(overlap)[0]} is given both as {{params}} and {{grid}}",
            params={"params": UNSET, "grid": UNSET},
        )
    check_count(grid_size(grids), max_variants, what="the grid has")
    return expand(strategy, grids, base=base_items)


def count_from_grids(grid_items: Sequence[str] | None) -> int:
    """How many variants ``--grid`` items make, counted without building any."""
    return grid_size(parse_grids(grid_items))


def check_count(count: int, max_variants: int | None, *, what: str) -> None:
    """Refuse ``count`` variants when it exceeds ``max_variants`` (None: no limit)."""
    if max_variants is not None and count > max_variants:
        raise AluError(
            f"{what} {count:,} variants, more than {{max_variants}}; pass {{yes}} to run it anyway",
            params={"max_variants": f"{max_variants:,}", "yes": UNSET},
        )


def load_variants_file(
    path: Path,
    *,
    strategies: Mapping[str, Strategy] | None = None,
    max_variants: int | None = None,
) -> VariantList:
    """Read a TOML variants file (see module docstring); errors name the file and the variant.

    Every table is checked and the variants counted before any is built: more than
    ``max_variants`` is refused. ``strategies`` is where strategy names are looked up (default:
    the built-in ones).
    """
    import tomllib

    raw = read_bytes(Path(path), limit=MAX_VARIANTS_FILE_BYTES, what="TOML variants")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise AluError("not a UTF-8 TOML file", path=path) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise AluError(f"TOML syntax error: {message}", path=path, line=line) from None
    except RecursionError:
        raise AluError(
            "TOML nested too deeply (a variants file is two levels)", path=path
        ) from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise AluError(f"TOML value refused ({str(exc)[:80]})", path=path) from None
    entries = doc.get("variant")
    if not isinstance(entries, list) or not entries:
        raise AluError("no [[variant]] tables found", path=path)
    unknown_top = set(doc) - {"variant"}
    if unknown_top:
        raise AluError(f"unknown top-level key '{sorted(unknown_top)[0]}'", path=path)
    tables = [_variant_table(i, entry, path) for i, entry in enumerate(entries, start=1)]
    names = [t[0] for t in tables]
    for name in names:
        if names.count(name) > 1:
            raise AluError(f"variant '{name}' appears twice", path=path)
    check_count(
        sum(grid_size(grids) for _, _, grids, _ in tables), max_variants, what=f"{path} makes"
    )
    parts: list[GridVariants] = []
    for name, strategy_name, grids, base in tables:
        try:
            strategy = get_strategy(strategy_name, strategies)
            parts.append(expand(strategy, grids, base=base, name=name))
        except AluError as exc:
            raise AluError(f"variant '{name}': {exc.message}", path=path) from None
    out = VariantList(parts)
    seen: set[str] = set()
    for variant in out:
        if variant.name in seen:
            raise AluError(f"variant name '{variant.name}' is made twice", path=path)
        seen.add(variant.name)
    return out


def _variant_table(
    i: int, entry: Any, path: Path
) -> tuple[str, str, dict[str, list[Any]], dict[str, Any]]:
    """One ``[[variant]]`` table checked: (name, strategy, grids, fixed parameters)."""
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
    strategy_name = entry.get("strategy")
    if not isinstance(strategy_name, str):
        raise AluError(f"{where} needs a strategy", path=path)
    params = entry.get("params", {})
    if not isinstance(params, dict):
        raise AluError(f"{where}: params must be a table", path=path)
    grids: dict[str, list[Any]] = {}
    base: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, list):
            if not value:
                raise AluError(f"{where}: empty grid for {key}", path=path)
            if not all(isinstance(v, int | float | str) for v in value):
                raise AluError(f"{where}: grid {key} must be a list of numbers", path=path)
            grids[key] = value
        elif isinstance(value, int | float | str):
            base[key] = value
        else:
            raise AluError(f"{where}: {key} must be a number or a list of numbers", path=path)
    return name, strategy_name, grids, base


def _fmt(value: Number) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)

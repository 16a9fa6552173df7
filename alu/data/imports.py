"""Importing files into the local store: ``alu data import lme|prices``.

A file is read and validated completely (the strict readers of :mod:`alu.data.schemas`, the
Westmetall HTML reader for a saved page) before the store is touched; then, holding the store's
writer lock, the stored series is read, merged by the rules of :mod:`alu.data.store` and
committed. Any refusal raises :class:`~alu.errors.AluError` before a single byte of the store is
written; an import that changes nothing writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from alu.data.quality import QualityWarning, lme_warnings, price_warnings
from alu.data.schemas import LME_COLUMNS, PRICE_COLUMNS, Parsed, read_lme, read_prices
from alu.data.store import (
    LME_SERIES,
    Merge,
    Store,
    check_symbol,
    holding,
    lme_to_csv,
    merge_series,
    price_series,
    prices_to_csv,
    utc_now,
)
from alu.data.table import read_table, read_text
from alu.data.westmetall import is_html, read_westmetall
from alu.errors import AluError


@dataclass
class ImportReport:
    """What an import did: the series, the merge counts, what the store holds now, warnings."""

    series: str
    file: Path
    rows_read: int
    merge: Merge
    holds: str
    warnings: list[str] = field(default_factory=list)
    quality: list[QualityWarning] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if self.merge.changed:
            head = f"{self.series}: imported {self.file}: {self.rows_read} rows read, "
            head += f"{self.merge.summary()}; the store now holds {self.holds}"
        else:
            head = (
                f"{self.series}: {self.file} holds nothing new ({self.rows_read} rows, all "
                f"already in the store); the store is unchanged ({self.holds})"
            )
        return [
            *(f"note: {r}" for r in self.repairs),
            head,
            *(f"warning: {w}" for w in self.warnings),
            *(f"warning: {q.line()}" for q in self.quality),
        ]


def read_lme_file(path: Path) -> Parsed:
    """An LME file: ``date,cash_settlement,three_month,lme_stock`` CSV or a saved Westmetall
    LME aluminium page (HTML), validated."""
    return _read_lme_file(path)[0]


def _read_lme_file(path: Path) -> tuple[Parsed, str]:
    text = read_text(path)
    if is_html(text):
        return read_lme(path, table=read_westmetall(text, path)), "Westmetall HTML page"
    return read_lme(path, table=read_table(path, text=text, numeric=LME_COLUMNS[1:])), "CSV file"


def read_price_file(path: Path) -> Parsed:
    """A Yahoo-format daily price CSV, validated."""
    text = read_text(path)
    if is_html(text):
        raise AluError("an HTML page, expected a Yahoo-format CSV file", path=path, line=1)
    return read_prices(path, table=read_table(path, text=text, numeric=PRICE_COLUMNS[1:]))


def import_lme(store: Store, path: Path, *, replace: bool = False) -> ImportReport:
    """Merge an LME file into the store's ``lme.csv`` (see module docstring)."""
    path = Path(path)
    incoming, kind = _read_lme_file(path)
    quality = lme_warnings(incoming.frame, series=LME_SERIES)
    with store.writing() as repairs:
        report = _merge_into(
            store,
            LME_SERIES,
            store.lme_path,
            store.read_lme(),
            incoming,
            replace=replace,
            quality=quality,
            fields={"format": kind},
        )
    report.repairs = repairs
    return report


def import_prices(store: Store, symbol: str, path: Path, *, replace: bool = False) -> ImportReport:
    """Merge a Yahoo-format CSV into the store's ``prices/SYMBOL.csv``."""
    symbol = check_symbol(symbol)
    path = Path(path)
    incoming = read_price_file(path)
    quality = price_warnings(incoming.frame, series=price_series(symbol))
    with store.writing() as repairs:
        report = _merge_prices(store, symbol, path, incoming, quality, replace=replace)
    report.repairs = repairs
    return report


def _merge_prices(
    store: Store,
    symbol: str,
    path: Path,
    incoming: Parsed,
    quality: list[QualityWarning],
    *,
    replace: bool,
) -> ImportReport:
    held = store.read_prices(symbol)
    key = price_series(symbol)
    warnings = []
    if held is not None and "Adj Close" in held.frame and "Adj Close" not in incoming.frame:
        warnings.append(
            f"{path} has no Adj Close column: its new rows have none, and backtests carry the "
            "last adjustment factor forward over them"
        )
    adjusted = "Adj Close" in incoming.frame or (held is not None and "Adj Close" in held.frame)
    return _merge_into(
        store,
        key,
        store.price_path(symbol),
        held,
        incoming,
        replace=replace,
        quality=quality,
        warnings=warnings,
        fields={
            "adjustment": (
                f"as in {path.name}: Adj Close present (backtests scale Open/High/Low/Close by "
                "Adj Close / Close)"
                if adjusted
                else f"as in {path.name}: no Adj Close, prices used as given"
            )
        },
    )


def _merge_into(
    store: Store,
    key: str,
    target: Path,
    held: Parsed | None,
    incoming: Parsed,
    *,
    replace: bool,
    quality: list[QualityWarning],
    fields: dict[str, object],
    warnings: list[str] | None = None,
) -> ImportReport:
    """Merge ``incoming`` into the stored series ``key`` (file ``target``) and commit it when it
    changes anything; refuses a conflict unless ``replace``."""
    is_lme = target == store.lme_path
    columns = LME_COLUMNS if is_lme else PRICE_COLUMNS
    merge = _merge_or_refuse(held, incoming, columns=columns, replace=replace)
    report = ImportReport(
        key,
        incoming.path,
        len(incoming.frame),
        merge,
        holding(held.frame if held is not None else None),
        warnings=[*incoming.warnings, *(warnings or [])],
        quality=quality,
    )
    if merge.changed:
        text = lme_to_csv(merge.frame) if is_lme else prices_to_csv(merge.frame)
        store.commit(
            {target: text},
            {key: {**_import_fields(incoming.path, merge, replace=replace), **fields}},
        )
        report.holds = holding(merge.frame)
    return report


def _merge_or_refuse(
    held: Parsed | None, incoming: Parsed, *, columns: tuple[str, ...], replace: bool
) -> Merge:
    merge = merge_series(
        held.frame if held is not None else None, incoming.frame, columns=columns, replace=replace
    )
    if merge.conflicts and not replace:
        conflict = merge.first_conflict
        assert conflict is not None
        line = int(incoming.lines[incoming.frame.index.get_loc(conflict.day)])
        dates = "1 date" if merge.conflicts == 1 else f"{merge.conflicts} dates"
        raise AluError(
            f"conflicts with the store on {dates}, first {conflict.describe()}; nothing was "
            "imported (use --replace to take the file's values)",
            path=incoming.path,
            line=line,
        )
    return merge


def _import_fields(path: Path, merge: Merge, *, replace: bool) -> dict[str, object]:
    now = utc_now()
    source = str(path.resolve())
    return {
        "source": f"file {source}",
        "imported_at": now,
        "updated_at": now,
        "log": {
            "at": now,
            "action": "import --replace" if replace else "import",
            "file": source,
            "added": merge.added,
            "replaced": merge.replaced,
            "filled": merge.filled,
        },
    }

"""``alu data import lme|prices``: merges, conflicts, ``--replace``, normalisation, and a clean
refusal of every bad file with the store left byte-for-byte unchanged."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alu.data.schemas import read_lme, read_prices

LME_HEADER = "date,cash_settlement,three_month,lme_stock\n"
LME_ROWS = "2024-01-02,2200.5,2230,500000\n2024-01-03,2210,2241.5,498750\n"
PRICE_HEADER = "Date,Open,High,Low,Close,Adj Close,Volume\n"
PRICE_ROWS = "2024-01-02,10,11,9,10.5,10.4,1000\n2024-01-03,10.5,11.5,10,11,10.9,1200\n"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def refused(cli, args, pattern, *, path: Path, line: int | None):
    code, out, err = cli(*args)
    assert code == 2, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    where = f"{path}:{line}: " if line is not None else f"{path}: "
    assert lines[0].startswith(f"error: {where}"), lines[0]
    assert re.search(pattern, lines[0]), lines[0]
    assert "Traceback" not in out + err
    return lines[0]


@pytest.fixture
def filled(cli, tmp_path, snapshot):
    """A store holding an LME record and AA prices; returns its snapshot."""
    lme = write(tmp_path, "seed_lme.csv", LME_HEADER + LME_ROWS)
    prices = write(tmp_path, "seed_aa.csv", PRICE_HEADER + PRICE_ROWS)
    assert cli("data", "import", "lme", lme)[0] == 0
    assert cli("data", "import", "prices", "AA", prices)[0] == 0
    return snapshot()


# -- merging ---------------------------------------------------------------------------------


def test_lme_import_creates_the_store_file_and_metadata(cli, tmp_path, store_root):
    path = write(tmp_path, "lme.csv", LME_HEADER + LME_ROWS)
    code, out, err = cli("data", "import", "lme", path)
    assert code == 0, err
    assert "lme: imported" in out and "2 added" in out
    assert (store_root / "lme.csv").read_text() == (
        "date,cash_settlement,three_month,lme_stock\n"
        "2024-01-02,2200.5,2230.0,500000.0\n"
        "2024-01-03,2210.0,2241.5,498750.0\n"
    )
    meta = json.loads((store_root / "store.json").read_text())["series"]["lme"]
    assert meta["source"] == f"file {path.resolve()}"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", meta["imported_at"])
    assert meta["log"][-1]["added"] == 2


def test_new_dates_are_added_and_same_values_accepted(cli, tmp_path, store_root, filled):
    more = write(tmp_path, "more.csv", LME_HEADER + LME_ROWS + "2024-01-04,2220,2250,497000\n")
    code, out, err = cli("data", "import", "lme", more)
    assert code == 0, err
    assert "1 added, 2 unchanged" in out
    frame = read_lme(store_root / "lme.csv").frame
    assert len(frame) == 3 and frame.loc["2024-01-04", "lme_stock"] == 497000


def test_a_conflicting_value_is_refused_naming_date_and_both_values(
    cli, tmp_path, snapshot, filled
):
    path = write(
        tmp_path, "other.csv", LME_HEADER + "2024-01-05,1,2,3\n2024-01-03,2210,2245,498750\n"
    )
    line = refused(
        cli,
        ("data", "import", "lme", path),
        r"conflicts with the store on 1 date, first 2024-01-03 three_month: the store has "
        r"2241.5, the file has 2245; nothing was imported \(use --replace",
        path=path,
        line=3,
    )
    assert "2024-01-05" not in line
    assert snapshot() == filled


def test_replace_takes_the_files_values(cli, tmp_path, store_root, filled):
    path = write(tmp_path, "fix.csv", LME_HEADER + "2024-01-03,2210,2245,498750\n")
    code, out, err = cli("data", "import", "lme", path, "--replace")
    assert code == 0, err
    assert "0 added, 1 replaced" in out
    frame = read_lme(store_root / "lme.csv").frame
    assert frame.loc["2024-01-03", "three_month"] == 2245
    assert frame.loc["2024-01-02", "three_month"] == 2230  # untouched
    log = json.loads((store_root / "store.json").read_text())["series"]["lme"]["log"]
    assert log[-1]["action"] == "import --replace" and log[-1]["replaced"] == 1


def test_a_gap_in_the_store_is_filled_and_a_missing_value_never_erases(cli, tmp_path, store_root):
    first = write(
        tmp_path, "a.csv", LME_HEADER + "2024-01-02,2200,,500000\n2024-01-03,2210,2240,\n"
    )
    second = write(
        tmp_path, "b.csv", LME_HEADER + "2024-01-02,2200,2230,500000\n2024-01-03,2210,,\n"
    )
    assert cli("data", "import", "lme", first)[0] == 0
    code, out, err = cli("data", "import", "lme", second)
    assert code == 0, err
    assert "1 gaps filled" in out
    frame = read_lme(store_root / "lme.csv").frame
    assert frame.loc["2024-01-02", "three_month"] == 2230
    assert frame.loc["2024-01-03", "three_month"] == 2240
    assert np.isnan(frame.loc["2024-01-03", "lme_stock"])


def test_reimporting_the_same_file_changes_no_byte(cli, tmp_path, snapshot, filled):
    path = write(tmp_path, "seed_lme.csv", LME_HEADER + LME_ROWS)
    code, out, _ = cli("data", "import", "lme", path)
    assert code == 0 and "holds nothing new" in out and "the store is unchanged" in out
    assert snapshot() == filled


def test_prices_import_and_merge(cli, tmp_path, store_root, filled):
    path = write(tmp_path, "aa2.csv", PRICE_HEADER + "2024-01-04,11,12,10.5,11.5,11.4,900\n")
    code, _out, err = cli("data", "import", "prices", "aa", path)  # symbols are upper-cased
    assert code == 0, err
    frame = read_prices(store_root / "prices" / "AA.csv").frame
    assert list(frame.index) == list(pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04"]))
    meta = json.loads((store_root / "store.json").read_text())["series"]["prices/AA"]
    assert "Adj Close present" in meta["adjustment"]


def test_prices_without_adj_close_merged_into_adjusted_ones_warn(cli, tmp_path, filled):
    path = write(tmp_path, "raw.csv", "Date,Open,High,Low,Close\n2024-01-04,11,12,10.5,11.5\n")
    code, out, err = cli("data", "import", "prices", "AA", path)
    assert code == 0, err
    assert "has no Adj Close column" in out


def test_normalised_input_is_accepted(cli, tmp_path, store_root):
    text = (
        "\ufeffdate,cash_settlement,three_month,lme_stock,note\r\n"
        "2024-01-03,2210,2241.5,498750,x\r\n"
        "2024-01-02,2200.5,,500000,y\r\n"
        "2024-01-03,2210,2241.5,498750,x\r\n"
        "\r\n\r\n"
    )
    path = write(tmp_path, "messy.csv", text)
    code, out, err = cli("data", "import", "lme", path)
    assert code == 0, err
    assert "1 exact duplicate rows dropped" in out
    assert "1 rows with a missing three_month (kept as missing)" in out
    assert (store_root / "lme.csv").read_text().splitlines()[1:] == [
        "2024-01-02,2200.5,,500000.0",
        "2024-01-03,2210.0,2241.5,498750.0",
    ]


def test_an_interrupted_write_leaves_the_old_file_and_no_debris(
    cli, tmp_path, monkeypatch, snapshot, store_root, filled
):
    import alu.output

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(alu.output.os, "replace", crash)
    path = write(tmp_path, "more.csv", LME_HEADER + "2024-01-04,2220,2250,497000\n")
    code, _out, err = cli("data", "import", "lme", path)
    assert code == 1 and "cannot write to the store" in err and "No space left" in err
    assert snapshot() == filled
    assert not [p for p in store_root.rglob("*") if p.name.endswith(".tmp")]


def test_the_backtest_reads_the_store_once_it_holds_data(cli):
    from alu.data.source import sample_dir

    sample = sample_dir()
    assert cli("data", "import", "lme", sample / "lme.csv")[0] == 0
    for symbol in ("AA", "CENX", "ALI=F"):
        assert cli("data", "import", "prices", symbol, sample / "prices" / f"{symbol}.csv")[0] == 0
    code, out, err = cli("backtest", "--symbols", "AA", "--start", "2020-01-01")
    assert code == 0, err
    assert "local store" in out and "SYNTHETIC" not in out


# -- bad input: refused whole, one message, store unchanged -----------------------------------

BAD_LME = {
    "empty file": ("", "file is empty", None),
    "header without rows": (LME_HEADER, "header but no data rows", None),
    "missing column": (
        "date,cash_settlement,three_month\n2024-01-02,1,2\n",
        "missing required column lme_stock",
        1,
    ),
    "unparseable date": (
        LME_HEADER + LME_ROWS + "2024-02-30,1,2,3\n",
        "unparseable date '2024-02-30'",
        4,
    ),
    "text in a number": (
        LME_HEADER + "2024-01-02,2200,n/a?,5\n",
        "non-numeric text 'n/a\\?' in column three_month",
        2,
    ),
    "zero price": (
        LME_HEADER + "2024-01-02,0,2230,5\n",
        "zero or negative price 0 in column cash_settlement",
        2,
    ),
    "negative price": (LME_HEADER + "2024-01-02,2200,-2230,5\n", "zero or negative price -2230", 2),
    "same date twice": (
        LME_HEADER + LME_ROWS + "2024-01-02,2200.5,2231,500000\n",
        "date 2024-01-02 appears twice with different values .first on line 2",
        4,
    ),
    "binary junk": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00",
        "not a text file .binary content",
        None,
    ),
    "html without the table": (
        "<!DOCTYPE html><html><body><table><tr><th>Metal</th><th>Price</th></tr>"
        "<tr><td>Copper</td><td>9,000</td></tr></table></body></html>",
        "no LME aluminium table in this HTML page",
        None,
    ),
}


BAD_PRICES = {
    "empty file": ("", "file is empty", None),
    "header without rows": (PRICE_HEADER, "header but no data rows", None),
    "missing column": (
        "Date,Open,High,Low\n2024-01-02,1,2,3\n",
        "missing required column Close",
        1,
    ),
    "unparseable date": (
        PRICE_HEADER + "01/02/2024,1,2,0.5,1,1,1\n",
        "unparseable date '01/02/2024'",
        2,
    ),
    "text in a number": (
        PRICE_HEADER + PRICE_ROWS + "2024-01-04,1,2,0.5,abc,1,1\n",
        "non-numeric text 'abc' in column Close",
        4,
    ),
    "zero price": (
        PRICE_HEADER + "2024-01-02,10,11,0,10.5,10.4,1000\n",
        "zero or negative price 0 in column Low",
        2,
    ),
    "negative price": (
        PRICE_HEADER + "2024-01-02,10,11,9,-10.5,10.4,1000\n",
        "zero or negative price -10.5",
        2,
    ),
    "same date twice": (
        PRICE_HEADER + PRICE_ROWS + "2024-01-03,10.5,11.5,10,11.2,10.9,1200\n",
        "date 2024-01-03 appears twice with different values .first on line 3",
        4,
    ),
    "binary junk": (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "binary content", None),
    "an html page": (
        "<html><body><p>Yahoo</p></body></html>",
        "an HTML page, expected a Yahoo-format CSV",
        1,
    ),
}


BAD = [("lme", case) for case in BAD_LME] + [("prices", case) for case in BAD_PRICES]


@pytest.mark.parametrize(("kind", "case"), BAD, ids=[f"{k}: {c}" for k, c in BAD])
def test_bad_files_are_refused_and_the_store_is_unchanged(
    cli, tmp_path, snapshot, filled, kind, case
):
    content, pattern, line = (BAD_LME if kind == "lme" else BAD_PRICES)[case]
    path = write(tmp_path, "bad.html" if "html" in case else "bad.csv", content)
    symbol = ["AA"] if kind == "prices" else []
    refused(cli, ("data", "import", kind, *symbol, path), pattern, path=path, line=line)
    assert snapshot() == filled


def test_a_missing_file_is_refused(cli, tmp_path, snapshot, filled):
    path = tmp_path / "nope.csv"
    refused(cli, ("data", "import", "lme", path), "file not found", path=path, line=None)
    assert snapshot() == filled


@pytest.mark.parametrize("symbol", ["../AA", "AA/B", ".hidden", "LME3M", "A" * 21, ""])
def test_bad_symbols_are_refused(cli, tmp_path, snapshot, filled, symbol):
    path = write(tmp_path, "aa.csv", PRICE_HEADER + PRICE_ROWS)
    code, _out, err = cli("data", "import", "prices", symbol, path)
    assert code == 2 and err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert "symbol" in err
    assert snapshot() == filled

"""Strict reading of data files: every refusal names the file, the line and the problem."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alu.data.schemas import read_catalysts, read_lme, read_prices
from alu.errors import AluError

HEADER = "Date,Open,High,Low,Close,Adj Close,Volume\n"
ROW1 = "2024-01-02,10,11,9,10.5,10.4,1000\n"
ROW2 = "2024-01-03,10.5,11.5,10,11,10.9,1200\n"


def write(tmp_path: Path, content: str | bytes, name: str = "AA.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def refuse(reader, path, pattern, line=None):
    with pytest.raises(AluError, match=pattern) as info:
        reader(path)
    assert info.value.path == path
    assert info.value.line == line
    assert "\n" not in str(info.value)
    return info.value


@pytest.mark.parametrize(
    ("content", "pattern", "line"),
    [
        ("", "file is empty", None),
        ("\n\n  \n", "file is empty", None),
        (HEADER, "header but no data rows", None),
        ("Date,Open,High,Low\n2024-01-02,1,2,3\n", "missing required column Close", 1),
        (HEADER + ROW1 + "2024-13-01,1,2,0.5,1,1,1\n", "unparseable date '2024-13-01'", 3),
        (HEADER + ROW1 + "02/01/2024,1,2,0.5,1,1,1\n", "unparseable date '02/01/2024'", 3),
        (
            HEADER + ROW1 + "2024-01-03,1,2,0.5,abc,1,1\n",
            "non-numeric text 'abc' in column Close",
            3,
        ),
        (HEADER + ROW1 + "2024-01-03,1,2,0.5,0,1,1\n", "zero or negative price 0", 3),
        (HEADER + ROW1 + "2024-01-03,1,2,-0.5,1,1,1\n", "zero or negative price -0.5", 3),
        (
            HEADER + ROW1 + ROW2 + "2024-01-02,10,11,9,10.6,10.4,1000\n",
            "appears twice with different values .first on line 2",
            4,
        ),
        (HEADER + ROW1 + "2024-01-03,1,2,0.5,1,1,1,7,8\n", "9 fields but the header has 7", 3),
        (HEADER + ROW1 + "2024-01-03,1,2,0.5,1,1,-5\n", "negative volume", 3),
    ],
)
def test_bad_price_files_are_refused(tmp_path, content, pattern, line):
    refuse(read_prices, write(tmp_path, content), pattern, line)


def test_binary_junk_is_refused(tmp_path):
    refuse(read_prices, write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR"), "binary content")
    error = refuse(
        read_prices, write(tmp_path, HEADER.encode() + b"\xff\xfe\xfa\n", "b.csv"), "binary", 2
    )
    assert "b.csv:2:" in str(error)


def test_missing_file(tmp_path):
    refuse(read_prices, tmp_path / "nope.csv", "file not found")


def test_normalisation_bom_crlf_unsorted_blank_lines_extra_columns_duplicates(tmp_path):
    text = (
        "\ufeffdate,open,HIGH,Low,Close,Adj Close,Volume,Note\r\n"
        "\r\n"
        "2024-01-03,10.5,11.5,10,11,10.9,1200,x\r\n"
        "2024-01-02,10,11,9,10.5,10.4,1000,y\r\n"
        "2024-01-03,10.5,11.5,10,11,10.9,1200,x\r\n"
        "\r\n\r\n"
    )
    parsed = read_prices(write(tmp_path, text))
    assert list(parsed.frame.index) == list(pd.to_datetime(["2024-01-02", "2024-01-03"]))
    assert parsed.frame["Close"].tolist() == [10.5, 11.0]
    assert "Note" not in parsed.frame
    assert any("1 exact duplicate rows dropped" in w for w in parsed.warnings)
    assert parsed.lines.tolist() == [4, 3]


def test_yfinance_style_timestamps_are_read_as_days(tmp_path):
    text = HEADER + "2024-01-02 00:00:00-05:00,10,11,9,10.5,10.4,1000\n"
    assert read_prices(write(tmp_path, text)).frame.index[0] == pd.Timestamp("2024-01-02")


def test_missing_values_are_kept_and_counted(tmp_path):
    text = "date,cash_settlement,three_month,lme_stock\n2024-01-02,2500,,100000\n2024-01-03,2510,2520,null\n2024-01-04,2520,2530,99000\n"
    parsed = read_lme(write(tmp_path, text, "lme.csv"))
    assert np.isnan(parsed.frame["three_month"].iloc[0])
    assert np.isnan(parsed.frame["lme_stock"].iloc[1])
    assert any("1 rows with a missing three_month" in w for w in parsed.warnings)


@pytest.mark.parametrize(
    ("content", "pattern", "line"),
    [
        (
            "date,cash_settlement,three_month\n2024-01-02,1,2\n",
            "missing required column lme_stock",
            1,
        ),
        (
            "date,cash_settlement,three_month,lme_stock\n2024-01-02,2500,-1,5\n",
            "zero or negative price -1 in column three_month",
            2,
        ),
        (
            "date,cash_settlement,three_month,lme_stock\n2024-01-02,2500,2510,-5\n",
            "negative stock",
            2,
        ),
    ],
)
def test_bad_lme_files(tmp_path, content, pattern, line):
    refuse(read_lme, write(tmp_path, content, "lme.csv"), pattern, line)


def test_catalysts_file(tmp_path):
    path = write(
        tmp_path,
        'date,name,kind,announced,window_before\n2025-06-04,"Tariff 50%, effective",TARIFF,2025-05-30,3\n2024-04-13,Ban,sanctions,,\n',
        "catalysts.csv",
    )
    frame = read_catalysts(path).frame
    assert frame["name"].tolist() == ["Ban", "Tariff 50%, effective"]
    assert frame["kind"].tolist() == ["sanctions", "tariff"]
    assert frame["announced"].tolist() == list(pd.to_datetime(["2024-04-13", "2025-05-30"]))
    assert np.isnan(frame["window_before"].iloc[0]) and frame["window_before"].iloc[1] == 3


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        (
            "date,name,kind,announced\n2025-06-04,X,tariff,2025-06-05\n",
            "announced date is after the event date",
        ),
        ("date,name,kind,window_after\n2025-06-04,X,tariff,1.5\n", "whole number of days"),
        ("date,name,kind\n2025-06-04,,tariff\n", "empty event name"),
    ],
)
def test_bad_catalysts(tmp_path, content, pattern):
    refuse(read_catalysts, write(tmp_path, content, "catalysts.csv"), pattern, 2)

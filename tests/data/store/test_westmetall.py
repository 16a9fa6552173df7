"""The Westmetall LME aluminium page (saved as HTML) read as the lme.csv table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alu.data.imports import read_lme_file
from alu.data.westmetall import is_html, read_westmetall
from alu.errors import AluError

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "westmetall_LME_Al_cash.html"
HEAD = (
    "<tr><th>date</th><th>LME Aluminium Cash-Settlement</th><th>LME Aluminium 3-month</th>"
    "<th>LME Aluminium stock</th></tr>"
)


def page(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "page.html"
    path.write_text(f"<html><body>\n{body}\n</body></html>\n", encoding="utf-8")
    return path


def test_the_fixture_page_reads_as_the_lme_record():
    parsed = read_lme_file(FIXTURE)
    frame = parsed.frame
    assert list(frame.index) == list(
        pd.to_datetime(
            ["2025-12-30", "2025-12-31", "2026-08-18", "2026-08-19", "2026-08-20", "2026-08-21"]
        )
    )
    assert frame.loc["2026-08-21"].tolist() == [2655.5, 2640.0, 412350.0]
    assert frame.loc["2025-12-30"].tolist() == [2509.5, 2524.0, 503875.0]
    assert np.isnan(frame.loc["2026-08-19", "three_month"])  # "-" on the page
    assert frame.loc["2026-08-19", "cash_settlement"] == 2630.5  # "19.&nbsp;August 2026"
    assert any("1 rows with a missing three_month" in w for w in parsed.warnings)
    lines = FIXTURE.read_text().splitlines()
    for day, line in zip(frame.index, parsed.lines, strict=True):
        assert lines[line - 1].startswith("<tr>")  # each row keeps the line of its <tr>
        assert f"{day.day}." in lines[line - 1] + lines[line]


def test_the_page_and_its_csv_give_the_same_store_file(cli, tmp_path, store_root):
    csv = tmp_path / "same.csv"
    csv.write_text(
        "date,cash_settlement,three_month,lme_stock\n"
        "2026-08-21,2655.5,2640,412350\n2026-08-20,2648,2635.5,412350\n"
        "2026-08-19,2630.5,,414100\n2026-08-18,2612,2601.5,415725\n"
        "2025-12-31,2518,2532.5,501200\n2025-12-30,2509.5,2524,503875\n"
    )
    assert cli("data", "import", "lme", FIXTURE)[0] == 0
    from_html = (store_root / "lme.csv").read_bytes()
    code, out, _ = cli("data", "import", "lme", csv)
    assert code == 0 and "holds nothing new" in out
    assert (store_root / "lme.csv").read_bytes() == from_html


def test_a_header_row_in_td_cells_and_unclosed_tags(tmp_path):
    path = page(
        tmp_path,
        "<table><tr><td>date<td>LME Aluminium Cash-Settlement<td>LME Aluminium 3-month"
        "<td>LME Aluminium stock\n<tr><td>2. January 2024<td>2,200.00<td>2,230.50<td>500,000\n"
        "</table>",
    )
    table = read_westmetall(path.read_text(), path)
    assert table.header == ["date", "cash_settlement", "three_month", "lme_stock"]
    assert table.rows == [["2024-01-02", "2200.00", "2230.50", "500000"]]
    assert table.lines.tolist() == [3]


@pytest.mark.parametrize(
    ("body", "pattern", "line"),
    [
        (
            "<table><tr><th>date</th><th>LME Copper Cash-Settlement</th><th>LME Copper 3-month"
            "</th><th>LME Copper stock</th></tr></table>",
            "this is the LME Copper table",
            2,
        ),
        (
            "<table><tr><th>date</th><th>LME Aluminium Cash-Settlement</th>"
            "<th>LME Aluminium 3-month</th></tr>\n<tr><td>2. January 2024</td><td>1</td>"
            "<td>2</td></tr></table>",
            "the table has no lme_stock column",
            2,
        ),
        (f"<table>{HEAD}</table>", "header but no data rows", 2),
        (
            f"<table>{HEAD}\n<tr><td>2. Januar 2024</td><td>1</td><td>2</td><td>3</td></tr></table>",
            "unparseable date '2. Januar 2024' in column date .expected e.g. '21. August 2026'",
            3,
        ),
        (
            f"<table>{HEAD}\n<tr><td>30. February 2024</td><td>1</td><td>2</td><td>3</td></tr>"
            "</table>",
            "no such day",
            3,
        ),
        ("<p>Nothing here</p>", "no LME aluminium table in this HTML page", None),
    ],
)
def test_pages_that_cannot_be_read_are_refused(tmp_path, body, pattern, line):
    path = page(tmp_path, body)
    with pytest.raises(AluError, match=pattern) as info:
        read_westmetall(path.read_text(), path)
    assert info.value.line == line


def test_numbers_are_validated_by_the_lme_reader_with_the_html_line(tmp_path):
    path = page(
        tmp_path,
        f"<table>{HEAD}\n<tr><td>2. January 2024</td><td>2,2O0.00</td><td>1</td><td>5</td></tr>"
        "</table>",
    )
    with pytest.raises(AluError, match="non-numeric text '2,2O0.00' in column cash_settlement"):
        read_lme_file(path)
    path = page(
        tmp_path,
        f"<table>{HEAD}\n\n<tr><td>2. January 2024</td><td>0.00</td><td>1</td><td>5</td></tr>"
        "</table>",
    )
    with pytest.raises(AluError, match="zero or negative price") as info:
        read_lme_file(path)
    assert info.value.line == 4


def test_is_html():
    assert is_html("  \n<!DOCTYPE html><html>")
    assert not is_html("date,cash_settlement\n")

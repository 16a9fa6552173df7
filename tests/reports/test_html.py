"""The page shell: escaping, exact values in tables, the offline page, refused targets."""

from __future__ import annotations

import math
import os

import numpy as np
import plotly.graph_objects as go
import pytest

from alu.errors import AluError
from alu.reports.html import (
    Cell,
    Section,
    check_report_path,
    figure_html,
    metric_cell,
    page_html,
    table_html,
    write_page,
)
from alu.reports.readback import decode, read_page


def test_metric_cells_show_text_and_keep_the_exact_value():
    cell = metric_cell(-0.123456789, "pct")
    assert (cell.text, cell.value, cell.css) == ("-12.3%", -0.123456789, "num neg")
    assert metric_cell(1234.5678, "num").text == "1,234.57"
    assert metric_cell(7, "int") == Cell("7", 7, "num")
    assert metric_cell(math.nan, "pct").text == "-"


def test_a_page_reads_back_with_its_tables_and_figures(tmp_path):
    fig = go.Figure(go.Scatter(x=["2024-01-02", "2024-01-03"], y=[1.5, 2.5], meta={"panel": "p"}))
    fig.data[0].name = "</script><script>alert(1)</script>"
    table = table_html(
        ["name", "value"],
        [[Cell("a<b & c"), metric_cell(0.1 + 0.2, "pct")], [Cell("n/a"), metric_cell(None, "num")]],
        table_id="t1",
        row_keys=["first", "second"],
        caption="caption & <more>",
    )
    page = page_html(
        title="T <1>",
        source="somewhere & else",
        synthetic=False,
        sections=[Section("Figure", [figure_html(fig, name="f1")]), Section("Table", [table])],
        meta_lines=["line one"],
    )
    path = tmp_path / "page.html"
    assert write_page(path, page) == path.stat().st_size
    back = read_page(path.read_text(encoding="utf-8"))
    assert back.title == "T <1>"
    assert back.script_srcs == []
    assert back.figure_divs == ["fig-f1"]
    data = back.figures["f1"]["data"][0]
    assert data["name"] == "</script><script>alert(1)</script>"
    assert list(decode(data["y"])) == [1.5, 2.5]
    assert back.figures["f1"]["config"]["displaylogo"] is False
    t = back.tables["t1"]
    assert t.headers == ["name", "value"] and t.keys == ["first", "second"]
    assert t.row("first")["name"] == ("a<b & c", "")
    assert t.row("first")["value"] == ("30.0%", repr(0.1 + 0.2))
    assert t.row("second")["value"] == ("-", "")
    assert "somewhere & else" in back.text and "SYNTHETIC" not in back.text
    assert "line one" in back.text


def test_the_synthetic_flag_is_shown():
    page = page_html(title="T", source="sample", synthetic=True, sections=[])
    back = read_page(page)
    assert back.title == "T [SYNTHETIC]"
    assert "SYNTHETIC sample: not market data" in back.text


def test_report_targets_are_checked(tmp_path):
    assert check_report_path(tmp_path / "r.html") == tmp_path / "r.html"
    with pytest.raises(AluError, match=r"directory .*missing does not exist"):
        check_report_path(tmp_path / "missing" / "r.html")
    with pytest.raises(AluError, match="is a directory"):
        check_report_path(tmp_path)


def test_names_are_checked():
    with pytest.raises(ValueError, match="names are"):
        table_html(["a"], [], table_id="bad id")


def test_the_page_gets_the_usual_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        write_page(tmp_path / "p.html", "<html></html>")
    finally:
        os.umask(mask)
    assert (tmp_path / "p.html").stat().st_mode & 0o777 == 0o644


def test_numpy_floats_keep_a_plain_exact_value():
    text = table_html(["v"], [[metric_cell(np.float64(0.1), "num")]], table_id="t")
    assert read_page(text).tables["t"].rows[0]["v"] == ("0.10", "0.1")

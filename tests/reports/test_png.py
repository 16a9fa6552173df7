"""--png: one valid PNG per chart, named predictably, all or nothing."""

from __future__ import annotations

import os
import struct

import pytest

from alu.backtest.run import BacktestSpec, run_backtest
from alu.data.market import Market
from alu.data.source import DataSource
from alu.errors import AluError
from alu.reports import png
from alu.reports.chart_data import chart_data
from alu.strategies import get_strategy

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path) -> tuple[int, int]:
    """Width and height from the IHDR chunk (after checking the signature)."""
    head = path.read_bytes()[:24]
    assert head[:8] == SIGNATURE and head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def test_one_png_per_chart(squeeze_report, tmp_path):
    out = tmp_path / "charts"  # created: its parent exists
    mask = os.umask(0o022)
    try:
        files = png.write_pngs(out, squeeze_report.data)
    finally:
        os.umask(mask)
    assert {f.stat().st_mode & 0o777 for f in files} == {0o644}  # not mkstemp's 0600
    symbols = list(squeeze_report.result.accounts)
    assert [f.name for f in files] == [
        "market.png",
        *(f"{s}.png" for s in symbols),
        "portfolio.png",
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(f.name for f in files)
    for f in files:
        width, height = png_size(f)
        assert width == png.WIDTH_IN * png.DPI
        assert 400 <= height <= 1200, (f.name, height)
        assert 30_000 < f.stat().st_size < 1_000_000, f.name


def test_png_names_are_filesystem_safe():
    assert png.png_name("ALI=F") == "ALI=F.png"
    assert png.png_name("BRK/B x") == "BRK_B_x.png"


def test_no_market_chart_without_market_data(make_data_dir, tmp_path):
    root = make_data_dir(symbols=("AA",), lme=False)
    market = Market(DataSource("data-dir", root))
    strategy = get_strategy("buy_hold")
    result = run_backtest(market.universe(), BacktestSpec(strategy, {}, ["AA"]))
    data = chart_data(result, market)
    assert not data.has_market
    files = png.write_pngs(tmp_path / "out", data)
    assert [f.name for f in files] == ["AA.png", "portfolio.png"]


def test_a_failure_leaves_nothing_behind(squeeze_report, tmp_path, monkeypatch):
    out = tmp_path / "charts"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    real = png.account_figure
    calls = []

    def failing(*args, **kwargs):
        fig = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == 2:

            def broken(*a, **k):
                raise OSError(28, "No space left on device")

            fig.savefig = broken
        return fig

    monkeypatch.setattr(png, "account_figure", failing)
    with pytest.raises(AluError, match="No space left on device"):
        png.write_pngs(out, squeeze_report.data)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]  # no chart, no temporary file


def test_bad_targets_are_refused(tmp_path):
    a_file = tmp_path / "file.png"
    a_file.write_bytes(b"x")
    with pytest.raises(AluError, match="is a file, not a directory"):
        png.check_png_dir(a_file)
    with pytest.raises(AluError, match="parent directory .* does not exist"):
        png.check_png_dir(tmp_path / "missing" / "charts")
    assert png.check_png_dir(tmp_path / "new") == tmp_path / "new"

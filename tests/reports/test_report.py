"""The HTML report holds every panel, and its figures and tables are the backtest's own numbers,
read back from the file's embedded data (alu/reports/readback.py parses the HTML independently of
the writer)."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from alu.backtest.metrics import drawdown
from alu.reports.readback import decode, trace, traces
from alu.signals.states import BACKWARDATION, BEAR, BULL, CONTANGO


def dates(index) -> list[str]:
    return [f"{d:%Y-%m-%d}" for d in index]


def run_starts(states: pd.Series, state: str) -> list[str]:
    """First day of each run of ``state`` (computed here, not with the module's helper)."""
    is_state = (states == state).to_numpy()
    begins = is_state & ~np.concatenate(([False], is_state[:-1]))
    return dates(states.index[begins])


def timeline(built) -> dict:
    return built.page.figures["timeline"]


def test_one_self_contained_figure_and_the_two_tables(squeeze_report):
    page = squeeze_report.page
    assert list(page.figures) == ["timeline"] and page.figure_divs == ["fig-timeline"]
    assert set(page.tables) == {"metrics", "trades"}
    assert page.script_srcs == []  # plotly is inline: no <script src=...> at all
    raw = squeeze_report.path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", raw, re.I)
    assert not re.search(r"<link[^>]+href=[\"']?https?:", raw, re.I)
    assert "Plotly.newPlot" in raw and len(raw) > 3_000_000  # the bundle itself is inline


def test_title_names_the_strategy_and_the_synthetic_source(squeeze_report):
    page = squeeze_report.page
    assert page.title == "alu backtest: squeeze [SYNTHETIC]"
    assert squeeze_report.result.data["source"] in page.text
    assert "SYNTHETIC sample: not market data" in page.text
    assert "params: defaults" in page.text


def test_every_panel_is_there_on_one_shared_time_axis(squeeze_report):
    fig = timeline(squeeze_report)
    symbols = list(squeeze_report.result.accounts)
    expected = {"bands", "spread", "stock", "portfolio/equity", "portfolio/drawdown"}
    expected |= {f"{s}/{kind}" for s in symbols for kind in ("price", "equity", "drawdown")}
    assert {t["meta"]["panel"] for t in fig["data"]} == expected
    layout = fig["layout"]
    xaxes = [k for k in layout if re.fullmatch(r"xaxis\d*", k)]
    assert len(xaxes) == len(expected)
    anchors = {layout[k].get("matches") for k in xaxes}
    # every x axis but one matches that one: zooming any panel zooms them all
    assert len(anchors - {None}) == 1 and sum(layout[k].get("matches") is None for k in xaxes) == 1
    assert all(layout[k]["type"] == "date" for k in xaxes if "type" in layout[k])
    titles = [a["text"] for a in layout["annotations"]]
    assert titles[0].startswith("Aluminium reference: LME 3-month ($/t), bands 3,000 / 3,200")
    for s in symbols:
        assert any(t.startswith(f"{s}: equity vs buy & hold") for t in titles)


def test_arrays_use_plotly_typed_array_encoding(squeeze_report):
    fig = timeline(squeeze_report)
    y = trace(fig, "AA/equity", "equity")["y"]
    assert set(y) == {"dtype", "bdata"} and y["dtype"] == "f8"


@pytest.mark.parametrize("name", ["squeeze_report", "bands_report"])
def test_equity_buy_hold_and_drawdown_are_the_accounts(name, request):
    built = request.getfixturevalue(name)
    fig = timeline(built)
    metrics = built.result.symbol_metrics()
    for symbol, account in built.result.accounts.items():
        init = account.costs.init_cash
        equity = trace(fig, f"{symbol}/equity", "equity")
        assert equity["x"] == dates(account.dates)
        y = decode(equity["y"])
        np.testing.assert_array_equal(y, account.equity)
        assert y[-1] == account.equity[-1]
        assert y[-1] / init - 1 == pytest.approx(metrics[symbol]["total_return"], rel=1e-12)
        held = decode(trace(fig, f"{symbol}/equity", "buy_hold")["y"])
        assert held[0] == pytest.approx(init)
        assert held[-1] / init - 1 == pytest.approx(metrics[symbol]["buy_hold_return"])
        dd = decode(trace(fig, f"{symbol}/drawdown", "drawdown")["y"])
        np.testing.assert_allclose(dd, -drawdown(account.equity, init), rtol=0, atol=1e-15)
        assert -dd.min() == pytest.approx(metrics[symbol]["max_drawdown"])
        close = decode(trace(fig, f"{symbol}/price", "close")["y"])
        np.testing.assert_array_equal(close, account.close)


def test_portfolio_panel_is_the_portfolio_line(squeeze_report):
    result = squeeze_report.result
    fig = timeline(squeeze_report)
    equity = trace(fig, "portfolio/equity", "equity")
    assert equity["x"] == dates(result.portfolio_equity.index)
    np.testing.assert_array_equal(decode(equity["y"]), result.portfolio_equity.to_numpy())
    held = decode(trace(fig, "portfolio/equity", "buy_hold")["y"])
    init = result.spec.costs.init_cash
    # every account ends on the last day here, so the sum of the buy-and-hold curves ends at
    # init * (1 + buy_hold_return) per symbol
    expected = sum(init * (1 + m["buy_hold_return"]) for m in result.symbol_metrics().values())
    assert held[-1] == pytest.approx(expected)
    dd = decode(trace(fig, "portfolio/drawdown", "drawdown")["y"])
    assert -dd.min() == pytest.approx(result.portfolio_metrics()["max_drawdown"])


@pytest.mark.parametrize("name", ["squeeze_report", "bands_report"])
def test_trade_markers_are_the_trades(name, request):
    built = request.getfixturevalue(name)
    fig = timeline(built)
    seen = set()
    for symbol, account in built.result.accounts.items():
        for direction in ("long", "short"):
            chosen = [t for t in account.trades if t.direction == direction]
            closed = [t for t in chosen if t.exit_date is not None]
            for side, trades, when, price in (
                ("entry", chosen, "entry_date", "entry_price"),
                ("exit", closed, "exit_date", "exit_price"),
            ):
                found = traces(fig, f"{symbol}/price", f"{direction}_{side}")
                if not trades:
                    assert found == []
                    continue
                (marker,) = found
                seen.add((direction, side))
                assert marker["x"] == [f"{getattr(t, when):%Y-%m-%d}" for t in trades]
                assert list(decode(marker["y"])) == [getattr(t, price) for t in trades]
                symbol_ = marker["marker"]["symbol"]
                assert symbol_.endswith("-open") == (side == "exit")
    if name == "bands_report":  # long and short, entries and exits all drawn somewhere
        assert seen == {(d, s) for d in ("long", "short") for s in ("entry", "exit")}


def cell_value(cell: tuple[str, str]) -> float:
    return math.nan if cell[1] == "" else float(cell[1])


@pytest.mark.parametrize("name", ["squeeze_report", "bands_report"])
def test_metrics_table_is_the_results_metrics(name, request):
    built = request.getfixturevalue(name)
    table = built.page.tables["metrics"]
    columns = {**built.result.symbol_metrics(), "portfolio": built.result.portfolio_metrics()}
    assert table.headers == ["metric", *columns]
    for column, metrics in columns.items():
        for key, value in metrics.items():
            shown = cell_value(table.row(key)[column])
            if math.isnan(value):
                assert math.isnan(shown) and table.row(key)[column][0] == "-"
            else:
                assert shown == value, (column, key)
    assert table.row("sharpe")["AA"][0] == f"{columns['AA']['sharpe']:,.2f}"
    assert table.row("total_return")["AA"][0] == f"{columns['AA']['total_return'] * 100:.1f}%"


def test_trade_list_is_every_trade(bands_report):
    table = bands_report.page.tables["trades"]
    expected = [(s, t) for s, a in bands_report.result.accounts.items() for t in a.trades]
    assert len(table.rows) == len(expected) > 0
    for row, (symbol, t) in zip(table.rows, expected, strict=True):
        assert row["symbol"][1] == symbol and row["direction"][1] == t.direction
        assert row["entry"][1] == f"{t.entry_date:%Y-%m-%d}"
        assert float(row["entry price"][1]) == t.entry_price
        assert float(row["return"][1]) == t.trade_return
        assert float(row["P&L (US$)"][1]) == t.pnl
        assert row["why"][1] == t.exit_reason
        if t.exit_date is None:
            assert row["exit"] == ("open", "") and row["exit price"][1] == ""
        else:
            assert row["exit"][1] == f"{t.exit_date:%Y-%m-%d}"
            assert float(row["exit price"][1]) == t.exit_price


def test_market_panels_are_the_signal_frames(squeeze_report, sample_market):
    result = squeeze_report.result
    fig = timeline(squeeze_report)
    frames = result.spec.strategy.frames(sample_market.signal_inputs(), result.spec.params)
    first = min(a.dates[0] for a in result.accounts.values())
    last = max(a.dates[-1] for a in result.accounts.values())
    bands = frames.bands.loc[first:last]
    reference = trace(fig, "bands", "reference")
    assert reference["x"] == dates(bands.index)
    np.testing.assert_array_equal(decode(reference["y"]), bands["reference_price"].to_numpy())
    assert list(decode(trace(fig, "bands", "upper")["y"])) == [3200.0, 3200.0]
    assert list(decode(trace(fig, "bands", "lower")["y"])) == [3000.0, 3000.0]
    for state in (BULL, BEAR):
        bars = trace(fig, "bands", f"state:{state}")
        assert bars["x"] == run_starts(bands["band_state"], state)
        assert bars["yaxis"] != reference.get("yaxis", "y")  # shading on its own [0, 1] axis
    spread = frames.spread.loc[first:last]
    line = trace(fig, "spread", "spread")
    np.testing.assert_array_equal(decode(line["y"]), spread["spread_usd_t"].to_numpy())
    for state in (BACKWARDATION, CONTANGO):
        bars = trace(fig, "spread", f"state:{state}")
        assert bars["x"] == run_starts(spread["spread_regime"], state)
    stock = frames.inventory.loc[first:last]
    np.testing.assert_array_equal(
        decode(trace(fig, "stock", "stock")["y"]), stock["stock_t"].to_numpy()
    )
    pct = trace(fig, "stock", "percentile")
    known = stock["stock_percentile"].dropna()  # none before pct_min_periods figures
    assert pct["x"] == dates(known.index)
    np.testing.assert_array_equal(decode(pct["y"]), known.to_numpy())


def test_state_bars_cover_each_run_up_to_the_next(squeeze_report):
    bars = trace(timeline(squeeze_report), "bands", "state:BEAR")
    starts = pd.to_datetime(bars["x"])
    widths = pd.to_timedelta(decode(bars["width"]), unit="ms")
    ends = starts + widths
    assert (ends > starts).all() and (ends[:-1] <= starts[1:]).all()
    assert bars["offset"] == 0


def test_non_default_bands_and_families_at_defaults_are_named(bands_report):
    fig = timeline(bands_report)
    assert list(decode(trace(fig, "bands", "upper")["y"])) == [3100.0, 3100.0]
    assert list(decode(trace(fig, "bands", "lower")["y"])) == [2400.0, 2400.0]
    titles = [a["text"] for a in fig["layout"]["annotations"]]
    assert "default parameters" not in titles[0]
    assert titles[1].endswith("(default parameters: not used by bands)")  # the spread panel
    assert "params: upper=3100 lower=2400 (others at defaults)" in bands_report.page.text


def test_catalysts_are_vertical_lines_with_names_on_hover(squeeze_report, sample_market):
    fig = timeline(squeeze_report)
    data = squeeze_report.data
    events = sample_market.catalysts()
    inside = events.loc[(events.index >= data.first) & (events.index <= data.last)]
    assert len(inside) > 5
    markers = trace(fig, "bands", "catalysts")
    assert markers["x"] == dates(inside.index)
    for text, name in zip(markers["text"], inside["name"], strict=True):
        assert text.startswith(name.replace("&", "&amp;").replace("'", "&#x27;"))
    lines = [s for s in fig["layout"]["shapes"] if s["type"] == "line"]
    assert sorted(s["x0"] for s in lines) == sorted(dates(inside.index))
    assert all(s["yref"] == "paper" and (s["y0"], s["y1"]) == (0, 1) for s in lines)


def test_embedded_json_cannot_close_its_script_element(squeeze_report):
    raw = squeeze_report.path.read_text(encoding="utf-8")
    for block in re.findall(r'class="alu-figure-data"[^>]*>(.*?)</script>', raw, re.S):
        assert "<" not in block
        json.loads(block)

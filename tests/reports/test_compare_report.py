"""`alu compare --report`: every section is there, and its table and figures are the sweep's own
numbers, read back from the HTML (alu/reports/readback.py) and checked against the Comparison and
the sweep's metrics and daily returns (not against the report's own helpers)."""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from alu.backtest.metrics import PERIODS_PER_YEAR
from alu.backtest.sweep import FULL, IN_SAMPLE, OUT_OF_SAMPLE, PORTFOLIO
from alu.reports.compare_figures import logit_histogram
from alu.reports.compare_report import compare_page, heatmap_page
from alu.reports.readback import decode, read_page, trace
from alu.strategies.variants import load_variants_file, variants_from_grids

GRID_HEADERS = [
    "#",
    "confirm",
    "buffer",
    "sharpe IS",
    "sharpe OOS",
    "return full",
    "max DD full",
    "trades full",
    "AA IS",
    "CENX IS",
    "ALI=F IS",
    "DSR IS",
]


def value(cell: tuple[str, str]) -> float:
    return math.nan if cell[1] == "" else float(cell[1])


def same(got: float, expected: float) -> bool:
    return (math.isnan(got) and math.isnan(expected)) or got == expected


def names_in_rank_order(comparison) -> list[str]:
    return [comparison.sweep.spec.variants[int(i)].name for i in comparison.order]


def shown(names: list[str]) -> list[str]:
    """Names as a figure holds them: HTML-escaped (plotly reads hover text as HTML)."""
    return [html.escape(n) for n in names]


def test_grid_report_has_every_section_and_is_self_contained(grid_compare):
    page = grid_compare.page
    assert page.title == "alu compare: bands [SYNTHETIC]"
    assert list(page.figures) == ["is-oos", "heatmap", "walk-forward", "pbo"]
    assert set(page.tables) == {"ranking", "walk-forward"}
    assert page.script_srcs == []
    raw = grid_compare.path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", raw, re.I)
    assert "Plotly.newPlot" in raw
    assert "SYNTHETIC sample: not market data" in page.text
    assert grid_compare.comparison.data["source"] in page.text
    assert "ranked by portfolio sharpe on in-sample; split 2023-06-30" in page.text
    assert "varied: confirm (3: 1, 3, 5); buffer (3: 0, 0.01, 0.02)" in page.text


def test_variants_file_report_names_its_strategies_and_has_no_heatmap(file_compare):
    page = file_compare.page
    assert page.title == "alu compare: squeeze, bands, inventory, spread, buy_hold [SYNTHETIC]"
    assert list(page.figures) == ["is-oos", "pbo"]  # no 2-D grid, no walk-forward
    assert page.tables["ranking"].headers[:3] == ["#", "variant", "sharpe"]


def test_ranking_table_is_every_variant_in_rank_order(grid_compare):
    comparison = grid_compare.comparison
    metrics = comparison.sweep.metrics
    table = grid_compare.page.tables["ranking"]
    assert table.headers == GRID_HEADERS
    assert table.keys == [str(int(i)) for i in comparison.order]
    for rank, (row, i) in enumerate(zip(table.rows, comparison.order, strict=True), start=1):
        variant = comparison.sweep.spec.variants[int(i)]
        assert row["#"][1] == str(rank)
        assert float(row["confirm"][1]) == variant.params["confirm"]
        assert float(row["buffer"][1]) == variant.params["buffer"]
        expected = {
            "sharpe IS": metrics[IN_SAMPLE][PORTFOLIO]["sharpe"][i],
            "sharpe OOS": metrics[OUT_OF_SAMPLE][PORTFOLIO]["sharpe"][i],
            "return full": metrics[FULL][PORTFOLIO]["total_return"][i],
            "max DD full": metrics[FULL][PORTFOLIO]["max_drawdown"][i],
            "trades full": metrics[FULL][PORTFOLIO]["trades"][i],
            "DSR IS": comparison.deflated_sharpe[i],
            **{f"{s} IS": metrics[IN_SAMPLE][s]["sharpe"][i] for s in ("AA", "CENX", "ALI=F")},
        }
        for column, number in expected.items():
            assert same(value(row[column]), float(number)), (rank, column)
    top = table.rows[0]
    assert (
        top["return full"][0]
        == f"{metrics[FULL][PORTFOLIO]['total_return'][comparison.order[0]]:.1%}"
    )


def test_ranking_table_of_a_variants_file_shows_names(file_compare):
    comparison = file_compare.comparison
    table = file_compare.page.tables["ranking"]
    assert [row["variant"][1] for row in table.rows] == names_in_rank_order(comparison)
    sharpe = comparison.sweep.metrics[FULL][PORTFOLIO]["sharpe"]
    assert [value(row["sharpe"]) for row in table.rows] == list(sharpe[comparison.order])


def test_a_long_ranking_is_cut_with_a_note(grid_compare):
    page = read_page(compare_page(grid_compare.comparison, max_rows=4))
    table = page.tables["ranking"]
    assert table.keys == [str(int(i)) for i in grid_compare.comparison.order[:4]]
    assert "The top 4 of 9 variants; --json and --csv hold every one" in page.text


def test_scatter_points_are_each_variants_in_and_out_of_sample_sharpe(grid_compare):
    comparison = grid_compare.comparison
    metrics = comparison.sweep.metrics
    fig = grid_compare.page.figures["is-oos"]
    points = trace(fig, "scatter", "variants")
    order = comparison.order
    np.testing.assert_array_equal(
        decode(points["x"]), metrics[IN_SAMPLE][PORTFOLIO]["sharpe"][order]
    )
    np.testing.assert_array_equal(
        decode(points["y"]), metrics[OUT_OF_SAMPLE][PORTFOLIO]["sharpe"][order]
    )
    assert list(points["text"]) == shown(names_in_rank_order(comparison))
    assert list(decode(points["customdata"])) == list(range(1, len(order) + 1))
    top = trace(fig, "scatter", "top")
    assert list(top["text"]) == shown(names_in_rank_order(comparison))[:1]
    layout = fig["layout"]
    assert layout["xaxis"]["title"]["text"] == (
        "Sharpe (annualised), in-sample, 2019-01-02 to 2023-06-30"
    )
    assert layout["yaxis"]["title"]["text"].startswith(
        "Sharpe (annualised), out-of-sample, 2023-07-"
    )


def test_without_a_split_the_scatter_is_what_a_split_at_the_half_gives(
    file_compare, sample_market, compare_builder
):
    """The halves' Sharpe ratios equal the in- and out-of-sample metrics of the same sweep run
    with --split at the last day of the first half (an independent computation: the sweep's
    split scopes, from the equity curves)."""
    build_comparison_for, _ = compare_builder
    comparison = file_compare.comparison
    dates = comparison.sweep.dates
    half = len(dates) // 2
    split = build_comparison_for(
        sample_market, comparison.sweep.spec.variants, split=dates[half - 1]
    )
    assert split.sweep.split_index == half
    fig = file_compare.page.figures["is-oos"]
    points = trace(fig, "scatter", "variants")
    order = comparison.order
    np.testing.assert_allclose(
        decode(points["x"]), split.sweep.metrics[IN_SAMPLE][PORTFOLIO]["sharpe"][order], rtol=1e-12
    )
    np.testing.assert_allclose(
        decode(points["y"]),
        split.sweep.metrics[OUT_OF_SAMPLE][PORTFOLIO]["sharpe"][order],
        rtol=1e-12,
    )
    titles = (fig["layout"]["xaxis"]["title"]["text"], fig["layout"]["yaxis"]["title"]["text"])
    assert (
        titles[0]
        == f"Sharpe (annualised), 1st half, {dates[0]:%Y-%m-%d} to {dates[half - 1]:%Y-%m-%d}"
    )
    assert (
        titles[1]
        == f"Sharpe (annualised), 2nd half, {dates[half]:%Y-%m-%d} to {dates[-1]:%Y-%m-%d}"
    )
    assert f"what --split {dates[half - 1]:%Y-%m-%d} would show" in file_compare.page.text


def test_scatter_note_gives_spearmans_rank_correlation(grid_compare):
    metrics = grid_compare.comparison.sweep.metrics[IN_SAMPLE][PORTFOLIO]["sharpe"]
    oos = grid_compare.comparison.sweep.metrics[OUT_OF_SAMPLE][PORTFOLIO]["sharpe"]
    rho = spearmanr(metrics, oos).statistic
    assert f"Rank correlation (Spearman) of x and y: {rho:,.2f}" in grid_compare.page.text


def test_heatmap_cells_are_the_rank_metric_in_and_out_of_sample(grid_compare):
    comparison = grid_compare.comparison
    fig = grid_compare.page.figures["heatmap"]
    confirms, buffers = [1, 3, 5], [0.0, 0.01, 0.02]
    for scope in (IN_SAMPLE, OUT_OF_SAMPLE):
        cells = trace(fig, "heatmap", scope)
        assert cells["y"] == ["1", "3", "5"] and cells["x"] == ["0", "0.01", "0.02"]
        z = decode(cells["z"])
        assert z.shape == (3, 3)
        sharpe = comparison.sweep.metrics[scope][PORTFOLIO]["sharpe"]
        for i, variant in enumerate(comparison.sweep.spec.variants):
            row = confirms.index(variant.params["confirm"])
            col = buffers.index(variant.params["buffer"])
            assert same(z[row, col], sharpe[i]), (scope, variant.name)
    # one colour scale over both
    axis = fig["layout"]["coloraxis"]
    both = np.concatenate(
        [decode(trace(fig, "heatmap", s)["z"]).ravel() for s in (IN_SAMPLE, OUT_OF_SAMPLE)]
    )
    assert (axis["cmin"], axis["cmax"]) == (np.nanmin(both), np.nanmax(both))


def test_walk_forward_equity_and_windows(grid_compare):
    comparison = grid_compare.comparison
    wf = comparison.walk_forward
    sweep = comparison.sweep
    fig = grid_compare.page.figures["walk-forward"]
    equity = trace(fig, "walk_forward", "equity")
    assert equity["x"] == [f"{d:%Y-%m-%d}" for d in wf.equity.index]
    np.testing.assert_array_equal(decode(equity["y"]), wf.equity.to_numpy())
    by_name = {v.name: i for i, v in enumerate(sweep.spec.variants)}
    initial = sweep.spec.costs.init_cash * len(sweep.spec.symbols)
    table = grid_compare.page.tables["walk-forward"]
    assert len(table.rows) == len(wf.windows) == 3
    traded = list(equity["customdata"])
    for row, window in zip(table.rows, wf.windows, strict=True):
        first, last = (pd.Timestamp(d) for d in window["out_of_sample"])
        rows = (sweep.dates >= first) & (sweep.dates <= last)
        assert row["variant"][1] == (window["variant"] or "")
        assert row["OOS from"][1] == window["out_of_sample"][0]
        assert row["IS to"][1] == window["in_sample"][1]
        on_days = [t for t, d in zip(traded, wf.equity.index, strict=True) if first <= d <= last]
        assert on_days == [html.escape(window["variant"] or "flat")] * int(rows.sum())
        if window["variant"]:
            chosen = sweep.portfolio_returns([by_name[window["variant"]]])[rows, 0]
            assert value(row["OOS return"]) == pytest.approx(np.prod(1 + chosen) - 1, rel=1e-9)
    top = decode(trace(fig, "walk_forward", "top_ranked")["y"])
    rows = sweep.dates >= wf.equity.index[0]
    expected = initial * np.cumprod(1 + sweep.portfolio_returns([comparison.order[0]])[rows, 0])
    np.testing.assert_allclose(top, expected, rtol=1e-12)


@pytest.mark.parametrize("name", ["grid_compare", "file_compare"])
def test_pbo_histogram_and_degradation_are_the_cscv_splits(name, request):
    built = request.getfixturevalue(name)
    comparison = built.comparison
    cscv = comparison.cscv
    fig = built.page.figures["pbo"]
    overfit = trace(fig, "logits", "overfit")
    fine = trace(fig, "logits", "not_overfit")
    counts = [decode(overfit["y"]), decode(fine["y"])]
    logits = cscv.logits[np.isfinite(cscv.logits)]
    assert counts[0].sum() + counts[1].sum() == len(logits) == 12_870
    assert counts[0].sum() / len(logits) == pytest.approx(comparison.pbo, abs=1e-15)
    assert (decode(overfit["customdata"])[:, 1] <= 0).all()
    assert (decode(fine["customdata"])[:, 0] >= 0).all()
    values, number = np.unique(logits, return_counts=True)
    if len(values) <= 30:  # a few variants: one bar per distinct logit
        bars = np.concatenate([decode(overfit["x"]), decode(fine["x"])])
        np.testing.assert_array_equal(bars, values)
        np.testing.assert_array_equal(np.concatenate(counts), number)
    cloud = trace(fig, "degradation", "splits")
    picked = (cscv.selected >= 0) & np.isfinite(cscv.oos_performance)
    scale = np.sqrt(PERIODS_PER_YEAR)
    np.testing.assert_array_equal(decode(cloud["x"]), cscv.is_performance[picked] * scale)
    np.testing.assert_array_equal(decode(cloud["y"]), cscv.oos_performance[picked] * scale)
    assert f"PBO = {comparison.pbo * 100:.1f}%" in built.page.text
    assert "cscv" not in comparison.to_json()  # the JSON stays as it was


def test_binned_logits_never_mix_overfit_and_not():
    rng = np.random.default_rng(6)
    logits = np.concatenate([rng.normal(0, 1.5, 2000), [0.0, 0.0, -1e-6, 1e-6, 3.9, -3.7]])
    hist = logit_histogram(logits)
    assert not hist.exact and len(hist.count) <= 31
    assert hist.count.sum() == len(logits)
    assert hist.count[hist.overfit].sum() == (logits <= 0).sum()
    assert ((hist.upper <= 0) | (hist.lower >= 0)).all()  # no bar straddles 0
    for lower, upper, count in zip(hist.lower, hist.upper, hist.count, strict=True):
        assert count == ((logits > lower) & (logits <= upper)).sum()


def test_one_variant_has_no_pbo_figure(sample_market, tmp_path, compare_builder):
    build_comparison_for, write_compare = compare_builder
    variants = variants_from_grids("bands", ["confirm=2"], {})
    built = write_compare(build_comparison_for(sample_market, variants), tmp_path / "one.html")
    assert list(built.page.figures) == ["is-oos"]
    assert "PBO: n/a" in built.page.text


def test_plot_page_is_the_heatmap_in_the_same_shell(grid_compare):
    page = read_page(heatmap_page(grid_compare.comparison))
    assert page.title == "alu compare: bands: heatmap [SYNTHETIC]"
    assert list(page.figures) == ["heatmap"] and page.tables == {}
    report = grid_compare.page.figures["heatmap"]
    assert page.figures["heatmap"]["data"] == report["data"]


def test_variant_names_are_text_not_markup(sample_market, tmp_path, compare_builder):
    """A variants file's names are the user's text: the table shows them as written, the
    figures hold them HTML-escaped (plotly reads hover text as HTML), nothing breaks out."""
    build_comparison_for, write_compare = compare_builder
    toml = tmp_path / "odd.toml"
    toml.write_text(
        '[[variant]]\nname = "<b>bold</b> & co"\nstrategy = "bands"\n'
        '[[variant]]\nname = "</script><script>x()</script>"\nstrategy = "buy_hold"\n'
    )
    comparison = build_comparison_for(sample_market, load_variants_file(toml))
    built = write_compare(comparison, tmp_path / "odd.html")
    names = names_in_rank_order(comparison)
    assert [row["variant"][0] for row in built.page.tables["ranking"].rows] == names
    points = trace(built.page.figures["is-oos"], "scatter", "variants")
    assert list(points["text"]) == shown(names)
    assert "<script>x()" not in built.path.read_text(encoding="utf-8")

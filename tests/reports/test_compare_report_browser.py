"""The compare report renders in headless Chromium without a JavaScript error, and plotly draws
every figure (skipped where Chromium is absent; `.ci/run` installs it)."""

from __future__ import annotations


def test_compare_report_renders_every_figure(browser, grid_compare):
    result = browser.check(grid_compare.path)
    assert result["errors"] == []
    drawn = {f["id"]: f for f in result["figures"]}
    assert list(drawn) == ["fig-is-oos", "fig-heatmap", "fig-walk-forward", "fig-pbo"]
    assert all(f["svg"] for f in drawn.values()), drawn
    # scatter: diagonal, variants, top; heatmaps: in- and out-of-sample; walk-forward: two
    # lines; PBO: two histogram traces and the degradation cloud
    traces = {name: f["traces"] for name, f in drawn.items()}
    assert traces == {"fig-is-oos": 3, "fig-heatmap": 2, "fig-walk-forward": 2, "fig-pbo": 3}


def test_variants_file_report_renders(browser, file_compare):
    result = browser.check(file_compare.path)
    assert result["errors"] == []
    assert [f["id"] for f in result["figures"]] == ["fig-is-oos", "fig-pbo"]
    assert all(f["svg"] and f["traces"] >= 3 for f in result["figures"])

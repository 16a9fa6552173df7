"""The research page renders in headless Chromium without a JavaScript error, and plotly draws
every figure (skipped where Chromium is absent; `.ci/run` installs it)."""

from __future__ import annotations

from alu.cli import main


def test_research_page_renders_every_figure(browser, tmp_path):
    path = tmp_path / "research.html"
    args = ["research", "--horizons", "5,20", "--report", str(path), "--with", "thesis,events"]
    assert main([*args, "--format", "json"]) == 0
    result = browser.check(path)
    assert result["errors"] == []
    drawn = {f["id"]: f for f in result["figures"]}
    assert list(drawn) == ["fig-episodes", "fig-forward", "fig-ic", "fig-car"]
    assert all(f["svg"] and f["traces"] >= 2 for f in drawn.values()), drawn

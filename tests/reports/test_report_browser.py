"""The report renders in headless Chromium without a JavaScript error, and plotly draws every
figure (skipped where Chromium is absent; `.ci/run` installs it)."""

from __future__ import annotations


def assert_renders(browser, path):
    result = browser.check(path)
    assert result["errors"] == []
    assert result["figures"], "no figure found in the page"
    for figure in result["figures"]:
        assert figure["svg"], figure  # plotly drew its main SVG
        assert figure["traces"] > 10, figure
    return result


def test_sample_report_renders_without_errors(browser, squeeze_report):
    result = assert_renders(browser, squeeze_report.path)
    assert [f["id"] for f in result["figures"]] == ["fig-timeline"]


def test_the_probe_does_see_a_javascript_error(browser, squeeze_report, tmp_path):
    """The check is not vacuous: a page with a broken script reports the error."""
    broken = tmp_path / "broken.html"
    text = squeeze_report.path.read_text(encoding="utf-8")
    broken.write_text(text.replace("</body>", "<script>noSuchFunction();</script></body>"))
    result = browser.check(broken)
    assert any("noSuchFunction" in e for e in result["errors"])

"""Open an HTML report in headless Chromium: check it renders, time it, or screenshot it.

Used by the browser test (tests/reports/test_report_browser.py), ``bench/bench_report.py`` and
``docs/make_screenshots.sh``. Needs Debian's ``chromium`` (``apt-get install chromium``).

``check``: a COPY of the report gets a first ``<script>`` that records every ``error`` and
``unhandledrejection``, then, after the load event, writes a JSON summary into the page title:
the errors, and for each ``.alu-figure`` whether plotly drew its SVG (``.main-svg``) and how many
traces it drew. Chromium runs with ``--dump-dom`` and the title is read back.

The flags matter on a closed network: without ``--disable-background-networking`` and friends
Chromium keeps trying to reach Google's services and its connections are refused.

Usage:
  python bench/browser.py check REPORT.html
  python bench/browser.py screenshot REPORT.html OUT.png [--size 1400,2600] [--hide CSS_SELECTOR]
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)

PROBE = """<script>
window.__aluErrors = [];
window.addEventListener("error", (e) => window.__aluErrors.push(String(e.message)));
window.addEventListener("unhandledrejection",
  (e) => window.__aluErrors.push("unhandled rejection: " + String(e.reason)));
window.addEventListener("load", () => setTimeout(() => {
  const figures = [...document.querySelectorAll(".alu-figure")].map((el) => ({
    id: el.id,
    svg: el.querySelector(".main-svg") !== null,
    traces: el.querySelectorAll(".trace, .hm").length,
  }));
  document.title = "ALU-CHECK" + JSON.stringify({errors: window.__aluErrors, figures});
}, 200));
</script>"""

_TITLE = re.compile(r"<title>ALU-CHECK(.*?)</title>", re.S)


def chromium() -> str | None:
    """The Chromium executable, or None when it is not installed."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _run(args: list[str], profile: str, timeout: float) -> subprocess.CompletedProcess[str]:
    exe = chromium()
    if exe is None:
        raise RuntimeError("chromium is not installed (apt-get install chromium)")
    cmd = [exe, *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


def check(report: Path, *, budget_ms: int = 30_000, timeout: float = 120.0) -> dict:
    """Render a copy of ``report``; returns ``{"errors", "figures", "seconds"}``.

    ``seconds`` is the wall time of the whole Chromium run (start, parse, draw, dump).
    """
    text = Path(report).read_text(encoding="utf-8")
    if "<head>" not in text:
        raise ValueError(f"{report}: no <head> to inject the probe into")
    probed = text.replace("<head>", "<head>\n" + PROBE, 1)
    with tempfile.TemporaryDirectory(prefix="alu-chromium-") as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(probed, encoding="utf-8")
        start = time.perf_counter()
        proc = _run(
            ["--dump-dom", f"--virtual-time-budget={budget_ms}", page.as_uri()],
            str(Path(tmp) / "profile"),
            timeout,
        )
        seconds = time.perf_counter() - start
    found = _TITLE.search(proc.stdout)
    if found is None:
        raise RuntimeError(
            f"chromium gave no check result (exit {proc.returncode}): {proc.stderr[-800:]}"
        )
    result = json.loads(html.unescape(found.group(1)))
    result["seconds"] = seconds
    return result


def screenshot(
    report: Path,
    out: Path,
    *,
    size: str = "1400,2600",
    hide: str = "",
    timeout: float = 120.0,
) -> Path:
    """A PNG of the top ``size`` (width,height px) of ``report``.

    ``hide``: a CSS selector of parts to leave out of the picture (a copy of the page is
    shot), e.g. ``#timeline`` to picture the tables; headless Chromium's screenshot ignores
    scrolling to a ``#fragment``.
    """
    out = Path(out).resolve()
    with tempfile.TemporaryDirectory(prefix="alu-chromium-") as tmp:
        page = Path(report).resolve()
        if hide:
            text = page.read_text(encoding="utf-8")
            page = Path(tmp) / "page.html"
            style = f"<style>{hide} {{ display: none !important; }}</style>"
            page.write_text(text.replace("</head>", style + "</head>", 1), encoding="utf-8")
        proc = _run(
            [
                f"--screenshot={out}",
                f"--window-size={size}",
                "--virtual-time-budget=30000",
                page.as_uri(),
            ],
            str(Path(tmp) / "profile"),
            timeout,
        )
    if not out.is_file():
        raise RuntimeError(f"chromium wrote no screenshot (exit {proc.returncode})")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check")
    c.add_argument("report", type=Path)
    s = sub.add_parser("screenshot")
    s.add_argument("report", type=Path)
    s.add_argument("out", type=Path)
    s.add_argument("--size", default="1400,2600")
    s.add_argument("--hide", default="", help="CSS selector of parts to leave out")
    args = parser.parse_args()
    if args.command == "check":
        result = check(args.report)
        print(json.dumps(result, indent=2))
        ok = not result["errors"] and all(f["svg"] for f in result["figures"])
        return 0 if ok and result["figures"] else 1
    print(screenshot(args.report, args.out, size=args.size, hide=args.hide))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the three research commands share: the data source, ``--with`` and ``--report``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alu.errors import AluError

PARTS = ("thesis", "research", "events")


def parse_with(text: str | None, report: Path | None, command: str) -> set[str]:
    """``--with thesis,events``: the other parts to put on the ``--report`` page."""
    if text is None:
        return set()
    if report is None:
        raise AluError("--with adds sections to the --report page: give --report FILE.html too")
    parts = {p.strip().lower() for p in text.split(",") if p.strip()}
    unknown = sorted(parts - set(PARTS))
    if unknown or not parts:
        raise AluError(
            f"--with: unknown part '{unknown[0] if unknown else text}'; "
            f"choose from {', '.join(p for p in PARTS if p != command)}"
        )
    return parts - {command}


def check_report(report: Path | None) -> Path | None:
    if report is None:
        return None
    from alu.reports.html import check_report_path

    return check_report_path(report)


def write_report(report: Path, market: Any, parts: set[str], **results: Any) -> None:
    """Compute the parts ``--with`` asks for (with their defaults, on the same symbols) and
    write the page; prints nothing."""
    from alu.reports.research import write_research_report

    symbols = results.pop("symbols", None)
    if "thesis" in parts and results.get("thesis") is None:
        from alu.research.thesis import thesis

        results["thesis"] = thesis(market, symbols=symbols)
    if "research" in parts and results.get("research") is None:
        from alu.research.forward import research

        results["research"] = research(market, symbols=symbols)
    if "events" in parts and results.get("events") is None:
        from alu.research.events import event_study

        results["events"] = event_study(market, symbols=symbols)
    write_research_report(Path(report).expanduser(), **results)

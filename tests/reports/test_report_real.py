"""The report on the real data (AA and CENX 2000-2026, LME 2008-2026; skipped when absent):
under 10 MB, exact, and it renders in Chromium."""

from __future__ import annotations

import numpy as np
import pytest

from alu.data.market import Market
from alu.data.source import DataSource
from alu.reports.readback import decode, trace

MAX_BYTES = 10_000_000


@pytest.fixture(scope="module")
def real_report(real_dir, tmp_path_factory, report_builder):
    root = tmp_path_factory.mktemp("real")
    (root / "prices").mkdir()
    (root / "prices" / "AA.csv").symlink_to(real_dir / "AA_daily_merged_adjusted_2000_2026.csv")
    (root / "prices" / "CENX.csv").symlink_to(real_dir / "CENX_daily_merged_2000_2026.csv")
    (root / "lme.csv").symlink_to(real_dir / "LME_aluminium_daily_westmetall.csv")
    market = Market(DataSource("data-dir", root))
    return report_builder(market, root / "report.html", "squeeze")


def test_real_report_is_small_enough_and_exact(real_report):
    assert real_report.path.stat().st_size < MAX_BYTES
    accounts = real_report.result.accounts
    assert list(accounts) == ["AA", "CENX", "LME3M"]
    # AA trades from 2000; the squeeze's signals from 2008: the window starts with them
    assert len(accounts["AA"].dates) > 4500 and accounts["AA"].dates[0].year == 2008
    assert "SYNTHETIC" not in real_report.page.title
    fig = real_report.page.figures["timeline"]
    for symbol, account in accounts.items():
        y = decode(trace(fig, f"{symbol}/equity", "equity")["y"])
        np.testing.assert_array_equal(y, account.equity)


def test_real_report_renders_in_chromium(browser, real_report):
    result = browser.check(real_report.path)
    assert result["errors"] == []
    assert [f["svg"] for f in result["figures"]] == [True]

"""What the Python API returns: results that carry their frames and write their outputs.

Values: frozen dataclasses whose views (``.metrics``, ``.equity``, ``.trades``, ``.table``,
``.to_json()``) are derived from the run, never patched after it. ``.to_json()`` is exactly what
the command's ``--json`` writes (a test holds them equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from alu.backtest.compare import Comparison, WalkForward
    from alu.backtest.run import BacktestResult
    from alu.data.market import Market


@dataclass(frozen=True)
class Backtest:
    """One backtest (:func:`alu.api.backtest`).

    - ``metrics``: a DataFrame, one row per symbol and a ``portfolio`` row, one column per
      metric of the registry (:data:`alu.backtest.metrics.METRICS`).
    - ``equity``: account values at each close, dates x symbols and ``portfolio`` (each symbol
      carried forward over days its market is closed, as the portfolio counts it).
    - ``trades``: one row per round trip, with its symbol and exit reason.
    - ``notes``, ``data`` (where the data came from), ``window`` (start, end, why).
    """

    result: BacktestResult
    market: Market

    @property
    def metrics(self) -> pd.DataFrame:
        rows = {**self.result.symbol_metrics(), "portfolio": self.result.portfolio_metrics()}
        return pd.DataFrame.from_dict(rows, orient="index")

    @property
    def equity(self) -> pd.DataFrame:
        total = self.result.portfolio_equity
        columns = {
            symbol: pd.Series(account.equity, index=account.dates).reindex(total.index).ffill()
            for symbol, account in self.result.accounts.items()
        }
        return pd.DataFrame({**columns, "portfolio": total})

    @property
    def trades(self) -> pd.DataFrame:
        rows = [
            {"symbol": symbol, **trade.to_json(), "size": trade.size, "pnl": trade.pnl}
            for symbol, account in self.result.accounts.items()
            for trade in account.trades
        ]
        columns = ["symbol", "entry_date", "exit_date", "entry_price", "exit_price",
                   "direction", "return", "exit_reason", "size", "pnl"]  # fmt: skip
        frame = pd.DataFrame(rows, columns=columns)
        for column in ("entry_date", "exit_date"):
            frame[column] = pd.to_datetime(frame[column])
        return frame

    @property
    def notes(self) -> list[str]:
        return list(self.result.notes)

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.result.data)

    @property
    def window(self) -> dict[str, str] | None:
        return None if self.result.window is None else self.result.window.to_json()

    def to_json(self) -> dict[str, Any]:
        from alu.output import jsonable

        return jsonable(self.result.to_json())

    def report(self, path: str | Path) -> Path:
        """Write the self-contained HTML report (charts, metrics, trades); returns its path."""
        from alu.reports.chart_data import chart_data
        from alu.reports.html import check_report_path
        from alu.reports.report import write_report

        target = check_report_path(Path(path).expanduser())
        write_report(target, self.result, chart_data(self.result, self.market))
        return target

    def png(self, directory: str | Path) -> list[Path]:
        """Write the main charts as PNG files into ``directory``; returns their paths."""
        from alu.reports.chart_data import chart_data
        from alu.reports.png import check_png_dir, write_pngs

        folder = Path(directory).expanduser()
        check_png_dir(folder)
        return write_pngs(folder, chart_data(self.result, self.market))


@dataclass(frozen=True)
class Compare:
    """A ranked sweep (:func:`alu.api.compare`).

    - ``table``: every variant, in rank order (set-aside variants last, without a rank): its
      name, strategy, parameters and every metric per symbol and for the portfolio, per sample
      (``in_sample.``/``out_of_sample.`` prefixes with a split), and its deflated Sharpe ratio;
      the same columns as ``--csv``.
    - ``pbo`` (probability of backtest overfitting, None when undefined), ``walk_forward``,
      ``notes``, ``data``.
    """

    comparison: Comparison
    market: Market

    @property
    def table(self) -> pd.DataFrame:
        header, rows = self.comparison.csv_rows()
        return pd.DataFrame(rows, columns=header)

    @property
    def pbo(self) -> float | None:
        return self.comparison.pbo

    @property
    def walk_forward(self) -> WalkForward | None:
        return self.comparison.walk_forward

    @property
    def notes(self) -> list[str]:
        return list(self.comparison.notes)

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.comparison.data)

    def to_json(self) -> dict[str, Any]:
        from alu.output import jsonable

        return jsonable(self.comparison.to_json())

    def write_json(self, path: str | Path, *, option: str = "") -> None:
        """Write the JSON of every variant to ``path`` (``-``: standard output): indented up to
        a hundred variants, compact and streamed a block of variants at a time beyond (memory
        follows the block, not the sweep)."""
        from alu.output import dumps, write_pieces, write_text

        if len(self.comparison.order) > 100:
            write_pieces(path, self.comparison.json_pieces(), option=option)
        else:
            write_text(path, dumps(self.to_json()), option=option)

    def write_csv(self, path: str | Path, *, option: str = "") -> None:
        """Write the wide table (:attr:`table`'s columns, CSV-safe cells) to ``path``
        (``-``: standard output), streamed a block of variants at a time."""
        from alu.output import write_pieces

        write_pieces(path, self.comparison.csv_pieces(), option=option)

    def report(self, path: str | Path) -> Path:
        """Write the self-contained HTML comparison report; returns its path."""
        from alu.reports.compare_report import write_compare_report
        from alu.reports.html import check_report_path

        target = check_report_path(Path(path).expanduser())
        write_compare_report(target, self.comparison)
        return target

    def heatmap(self, path: str | Path) -> Path:
        """Write the heatmap of a 2-D grid as a self-contained HTML page; returns its path."""
        from alu.reports.compare_report import write_heatmap_page
        from alu.reports.html import check_report_path

        target = check_report_path(Path(path).expanduser(), "--plot")
        write_heatmap_page(target, self.comparison)
        return target

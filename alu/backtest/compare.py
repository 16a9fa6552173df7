"""Ranking a sweep honestly: in-sample ranking, out-of-sample check, deflated Sharpe, PBO and
walk-forward selection.

- Variants are ranked by a portfolio metric (``--rank-by``, default ``sharpe``; lower is better
  for ``max_drawdown``, higher for the others), computed in-sample when there is a split.
- ``deflated_sharpe``: per variant, the probability that its true Sharpe ratio exceeds the best
  Sharpe that as many unskilled variants would show by luck (Bailey & Lopez de Prado, 2014),
  from its portfolio daily returns over the ranking sample.
- ``pbo``: the probability of backtest overfitting of the whole sweep (Bailey, Borwein,
  Lopez de Prado & Zhu, 2017), by combinatorially symmetric cross-validation of the variants'
  portfolio daily returns; null with fewer than two variants.
- Walk-forward: rolling in-sample selection of the best variant, evaluated on the following
  window, stitched into one out-of-sample equity line.

Honesty rules (issue 12):

- ``--min-trades N`` (default 1): a variant is ranked only if it entered at least ``N`` trades
  **on every symbol** over the ranking sample (in-sample with a split); the others are set aside
  (listed after the ranked ones, without a rank) and counted in the notes.
- When the rank metric is undefined (NaN) for more than half of the variants over the ranking
  sample, PBO and the deflated Sharpe ratios are null, with the reason (``pbo_null_reason``,
  ``dsr_null_reason``): a statistic of a ranking that mostly ranks nothing is no evidence.
- The deflated Sharpe ratio counts trials honestly (:mod:`alu.stats.trials`): the raw count,
  the distinct return streams, and the effective number of independent trials from their
  average correlation (Bailey and López de Prado 2014); ``SR_0`` uses the effective number and
  the variance of the distinct streams' Sharpe ratios.
- The minimum backtest length (Bailey, Borwein, López de Prado and Zhu 2014) of the top
  variant's annualised Sharpe ratio with that many trials is in the notes and the JSON, with
  the years the ranking sample holds.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from alu.backtest.metrics import METRICS as REGISTRY
from alu.backtest.sweep import (
    CSCV_SPLITS,
    FULL,
    IN_SAMPLE,
    LOWER_IS_BETTER,
    METRICS,
    PORTFOLIO,
    SweepResult,
)
from alu.errors import UNSET, AluError, did_you_mean
from alu.output import floats

if TYPE_CHECKING:
    from alu.stats.pbo import PBOResult
    from alu.stats.trials import TrialCount

RANKABLE = tuple(m.name for m in REGISTRY if m.rankable)


def check_rank_metric(name: str) -> str:
    if name not in RANKABLE:
        raise AluError(
            f"{{rank_by}}: unknown metric '{name}'{did_you_mean(name, list(RANKABLE))}; "
            f"choose one of {', '.join(RANKABLE)}",
            params={"rank_by": UNSET},
        )
    return name


def ranking(values: np.ndarray, metric: str) -> np.ndarray:
    """Indices from best to worst by ``metric`` (NaN last, ties in input order)."""
    key = np.asarray(values, dtype=np.float64)
    key = key if metric in LOWER_IS_BETTER else -key
    key = np.where(np.isnan(key), np.inf, key)
    return np.argsort(key, kind="stable")


@dataclass
class WalkForward:
    """Walk-forward selection: the chosen variant per window and the stitched equity."""

    windows: list[dict[str, Any]]
    equity: pd.Series
    metrics: dict[str, float]


DEFAULT_MIN_TRADES = 1
YEAR_DAYS = 252


@dataclass
class Comparison:
    """A ranked sweep with its overfitting statistics.

    ``cscv`` keeps the per-split CSCV outcome behind ``pbo`` (logits, the in-sample winner's
    in- and out-of-sample performance) for the report's pictures; it is not part of the JSON.
    """

    sweep: SweepResult
    rank_by: str
    order: np.ndarray
    deflated_sharpe: np.ndarray
    pbo: float | None
    pbo_detail: dict[str, Any] | None = None
    walk_forward: WalkForward | None = None
    data: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    cscv: PBOResult | None = None
    ranked: np.ndarray | None = None  # bool per variant: enough trades to be ranked
    min_trades: int = DEFAULT_MIN_TRADES
    trials: TrialCount | None = None
    pbo_null_reason: str | None = None
    dsr_null_reason: str | None = None
    min_backtest: dict[str, Any] | None = None

    @property
    def n_ranked(self) -> int:
        return len(self.order) if self.ranked is None else int(self.ranked.sum())

    @property
    def ranked_order(self) -> np.ndarray:
        """The ranked variants, best first (``order`` then lists the set-aside ones)."""
        return self.order[: self.n_ranked]

    @property
    def ranking_scope(self) -> str:
        return IN_SAMPLE if IN_SAMPLE in self.sweep.metrics else FULL

    #: Variants turned into JSON or CSV rows at a time: what a large output holds at once.
    BLOCK = 2_000

    def _rows(self) -> Iterator[tuple[np.ndarray, list[int | None]]]:
        """The variants in rank order, a block at a time: their positions and ranks (None for
        the set-aside)."""
        order = np.asarray(self.order, dtype=np.int64)
        ranked = self.n_ranked  # a sum over every variant: once, not per variant
        for a in range(0, len(order), self.BLOCK):
            index = order[a : a + self.BLOCK]
            ranks = [r if r <= ranked else None for r in range(a + 1, a + 1 + len(index))]
            yield index, ranks

    def _values(self, index: np.ndarray) -> dict[str, dict[str, dict[str, list]]]:
        """Every metric of the variants ``index``, as JSON-ready lists."""
        return {
            scope: {
                name: {m: floats(values[index]) for m, values in block.items()}
                for name, block in by_name.items()
            }
            for scope, by_name in self.sweep.metrics.items()
        }

    def _variant_jsons(self, index: np.ndarray, ranks: list[int | None]) -> list[dict[str, Any]]:
        """The variants ``index`` as JSON-ready dicts (numbers as Python floats or None)."""
        from alu.output import jsonable

        sweep = self.sweep
        values = self._values(index)
        dsr = floats(self.deflated_sharpe[index])
        out = []
        for j, (i, rank) in enumerate(zip(index.tolist(), ranks, strict=True)):
            variant = sweep.spec.variants[i]

            def block(name: str, j: int = j) -> dict[str, Any]:
                found = {"metrics": {m: values[FULL][name][m][j] for m in METRICS}}
                for scope in sweep.scopes:
                    if scope != FULL:
                        found[scope] = {m: values[scope][name][m][j] for m in METRICS}
                return found

            out.append(
                {
                    "rank": rank,
                    "name": variant.name,
                    "strategy": variant.strategy.name,
                    "params": jsonable(dict(variant.params)),
                    "symbols": {s: block(s) for s in sweep.spec.symbols},
                    "portfolio": block(PORTFOLIO),
                    "deflated_sharpe": dsr[j],
                    "ranked": rank is not None,
                }
            )
        return out

    def variant_json(self, i: int, rank: int | None) -> dict[str, Any]:
        """One variant as it appears in the JSON."""
        return self._variant_jsons(np.array([i], dtype=np.int64), [rank])[0]

    def _head(self) -> dict[str, Any]:
        spec = self.sweep.spec
        return {
            "n_variants": len(spec.variants),
            "rank_by": self.rank_by,
            "ranked_on": self.ranking_scope,
            "split": None if self.sweep.split is None else f"{self.sweep.split:%Y-%m-%d}",
            "symbols": list(spec.symbols),
            "direction": spec.direction,
            "fees": spec.costs.fees,
            "slippage": spec.costs.slippage,
            "start": f"{self.sweep.dates[0]:%Y-%m-%d}",
            "end": f"{self.sweep.dates[-1]:%Y-%m-%d}",
            "data": self.data,
            "notes": self.notes,
            "pbo": self.pbo,
            "pbo_detail": self.pbo_detail,
            "pbo_null_reason": self.pbo_null_reason,
            "dsr_null_reason": self.dsr_null_reason,
            "trials": None if self.trials is None else self.trials._asdict(),
            "min_trades": self.min_trades,
            "set_aside": len(self.order) - self.n_ranked,
            "min_backtest_length": self.min_backtest,
        }

    def _tail(self) -> dict[str, Any]:
        if self.walk_forward is None:
            return {}
        wf = self.walk_forward
        return {
            "walk_forward": {
                "windows": wf.windows,
                "metrics": wf.metrics,
                "equity": {f"{d:%Y-%m-%d}": v for d, v in wf.equity.items()},
            }
        }

    def to_json(self) -> dict[str, Any]:
        """The whole comparison as one document (see :meth:`json_pieces` for large ones)."""
        variants = [v for index, ranks in self._rows() for v in self._variant_jsons(index, ranks)]
        return {**self._head(), "variants": variants, **self._tail()}

    def json_pieces(self) -> Iterator[str]:
        """:meth:`to_json` as compact JSON text (``alu.output.dumps(..., compact=True)``, the
        same bytes), a block of variants at a time: memory follows the block, not the sweep."""
        from alu.output import jsonable

        def text(value: Any) -> str:
            return json.dumps(jsonable(value), separators=(",", ":"), allow_nan=False)

        head = text(self._head())
        yield head[:-1] + ',"variants":['
        first = True
        for index, ranks in self._rows():
            # JSON-ready as built: no jsonable pass over every number
            block = json.dumps(
                self._variant_jsons(index, ranks), separators=(",", ":"), allow_nan=False
            )
            yield ("" if first else ",") + block[1:-1]
            first = False
        tail = self._tail()
        yield "]" + ("," + text(tail)[1:] if tail else "}") + "\n"

    def csv_header(self) -> list[str]:
        spec = self.sweep.spec
        scopes = self.sweep.scopes
        targets = [PORTFOLIO, *spec.symbols]
        header = ["rank", "name", "strategy", *(f"param.{p}" for p in self._param_names())]
        split = len(scopes) > 1
        for scope in scopes:
            # With a split every column names its sample (full., in_sample., out_of_sample.).
            prefix = f"{scope}." if split or scope != FULL else ""
            header += [f"{prefix}{t}.{m}" for t in targets for m in METRICS]
        header.append(f"{self.ranking_scope}.deflated_sharpe" if split else "deflated_sharpe")
        return header

    def _param_names(self) -> list[str]:
        if not hasattr(self, "_params"):
            from alu.strategies.variants import param_names

            self._params = param_names(self.sweep.spec.variants)
        return self._params

    def csv_blocks(self, *, for_text: bool = False) -> Iterator[list[list[Any]]]:
        """The wide table's rows (one per variant, in rank order), a block at a time. With
        ``for_text`` the cells are ready for a CSV file: names and parameters made safe by
        :func:`alu.output.csv_cell`, undefined numbers as None."""
        from alu.output import csv_cell

        spec = self.sweep.spec
        names = self._param_names()
        targets = [PORTFOLIO, *spec.symbols]
        numbers = floats if for_text else (lambda a: a.tolist())
        for index, ranks in self._rows():
            columns = [
                numbers(self.sweep.metrics[scope][t][m][index])
                for scope in self.sweep.scopes
                for t in targets
                for m in METRICS
            ]
            dsr = numbers(self.deflated_sharpe[index])
            rows = []
            for j, (i, rank) in enumerate(zip(index.tolist(), ranks, strict=True)):
                variant = spec.variants[i]
                row: list[Any] = [rank, variant.name, variant.strategy.name]
                row += [variant.params.get(p, "") for p in names]
                if for_text:
                    row = [csv_cell(v) for v in row]
                row += [column[j] for column in columns]
                row.append(dsr[j])
                rows.append(row)
            yield rows

    def csv_rows(self) -> tuple[list[str], list[list[Any]]]:
        """A wide table: one row per variant, in rank order."""
        return self.csv_header(), [row for rows in self.csv_blocks() for row in rows]

    def csv_pieces(self) -> Iterator[str]:
        """The wide table as CSV text, a block of variants at a time."""
        from alu.output import csv_cell

        def text(rows: list[list[Any]]) -> str:
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(rows)
            return buffer.getvalue()

        yield text([[csv_cell(h) for h in self.csv_header()]])
        for rows in self.csv_blocks(for_text=True):
            yield text(rows)


def rank_values(sweep: SweepResult, metric: str) -> np.ndarray:
    scope = IN_SAMPLE if IN_SAMPLE in sweep.metrics else FULL
    return sweep.metrics[scope][PORTFOLIO][metric]


def ranking_returns(sweep: SweepResult) -> np.ndarray:
    """The portfolio daily returns the ranking sees (in-sample rows when there is a split), for
    every variant: days x variants, computed again (for checks and small sweeps: a sweep keeps
    no such matrix)."""
    every = sweep.portfolio_returns(np.arange(len(sweep.spec.variants)))
    return every[: sweep.ranking_rows]


def returns_metric(metric: str):
    """``rows -> one value per column`` (higher is better) for walk-forward selection, from
    portfolio daily returns; metrics that returns cannot give (trades, win rate, exposure) fall
    back to the Sharpe ratio. The definition the sweep's per-chunk reduction
    (:func:`alu.backtest.reduce_nb.walk_forward_metric_nb`) is held to."""
    from alu.backtest.metrics import equity_metrics
    from alu.backtest.sweep import walk_forward_key

    key = walk_forward_key(metric)
    sign = -1.0 if key in LOWER_IS_BETTER else 1.0

    def measure(rows: np.ndarray) -> np.ndarray:
        equity = np.cumprod(1.0 + rows, axis=0)
        return sign * np.asarray(equity_metrics(equity, 1.0)[key], dtype=np.float64)

    return measure, key


def build_comparison(
    sweep: SweepResult,
    *,
    rank_by: str,
    walk_forward: int | None = None,
    min_trades: int = DEFAULT_MIN_TRADES,
) -> Comparison:
    """Rank the sweep and add the overfitting statistics (see the module docstring), from the
    sweep's per-chunk reductions (:class:`alu.backtest.sweep.SweepStats`)."""
    from alu.stats import deflated_sharpe_ratio, pbo_from_streams
    from alu.stats.pbo import CSCVBlocks
    from alu.stats.trials import trial_count

    n = len(sweep.spec.variants)
    stats = sweep.stats
    assert stats is not None
    where = "in-sample" if sweep.split_index is not None else "over the period"
    values = rank_values(sweep, rank_by)
    eligible = enough_trades(sweep, min_trades)
    order = ranking(values, rank_by)
    order = np.concatenate([order[eligible[order]], order[~eligible[order]]])
    first = stats.trials.first
    trials = trial_count(
        n,
        int(first.sum()),
        int((first & stats.trials.dispersed).sum()),
        stats.trials.unit_sum,
    )
    undefined = int(np.isnan(values).sum())
    mostly_undefined = undefined * 2 > n
    pbo, detail, cscv, pbo_reason, dsr_reason = None, None, None, None, None
    if mostly_undefined:
        reason = f"the {rank_by} is undefined for {undefined:,} of {n:,} variants {where}"
        pbo_reason = dsr_reason = reason
        dsr = np.full(n, np.nan)
    else:
        distinct_sharpe = stats.sharpe[first]
        finite = distinct_sharpe[np.isfinite(distinct_sharpe)]
        variance = float(np.var(finite, ddof=1)) if len(finite) >= 2 else float("nan")
        dsr = deflated_sharpe_ratio(
            stats.sharpe,
            stats.n_obs,
            stats.skew,
            stats.kurtosis,
            n_trials=trials.effective,
            sharpe_variance=variance,
        )
        if trials.raw > 1 and len(finite) < 2:
            dsr_reason = "fewer than two distinct return streams with a defined Sharpe ratio"
        if n < 2:
            pbo_reason = "fewer than two variants"
        else:
            streams = stats.blocks
            if streams is None:
                result = pbo_from_streams(
                    CSCVBlocks(
                        np.zeros((CSCV_SPLITS, 0)),
                        np.zeros((CSCV_SPLITS, 0)),
                        np.zeros((CSCV_SPLITS, 0), dtype=np.int64),
                        np.zeros(0),
                        0,
                        len(sweep.dates),
                    ),
                    np.zeros(0, dtype=np.int64),
                )
            else:
                blocks = CSCVBlocks(
                    streams.sums.T,
                    streams.sumsq.T,
                    streams.counts.T,
                    streams.center,
                    streams.block_length,
                    streams.n_rows_dropped,
                )
                result = pbo_from_streams(blocks, streams.weight, streams.first)
            if np.isfinite(result.pbo):
                pbo, cscv = float(result.pbo), result
                detail = {
                    "method": "CSCV, per-period Sharpe ratio of portfolio daily returns",
                    "n_splits": result.n_splits,
                    "combinations": len(result.logits),
                    "block_days": result.block_length,
                    "median_logit": float(np.nanmedian(result.logits)),
                }
            else:
                pbo_reason = "no split of the CSCV had a variant with a defined Sharpe ratio"
    comparison = Comparison(
        sweep,
        rank_by,
        order,
        dsr,
        pbo,
        detail,
        cscv=cscv,
        ranked=eligible,
        min_trades=min_trades,
        trials=trials,
        pbo_null_reason=pbo_reason,
        dsr_null_reason=dsr_reason,
    )
    set_aside = n - int(eligible.sum())
    if set_aside:
        comparison.notes.append(
            f"{set_aside:,} of {n:,} variants set aside, not ranked: fewer than {min_trades} "
            f"trade(s) {where} on some symbol (--min-trades {min_trades}, counted per symbol)"
        )
    if undefined:
        text = (
            f"the {rank_by} is undefined for {undefined:,} of {n:,} variants {where} (their "
            "returns never varied: no trades)"
        )
        if mostly_undefined:
            text += (
                "; PBO and DSR are n/a: statistics of a ranking of mostly undefined values "
                "are no evidence" + (": the ranking means nothing" if undefined == n else "")
            )
        else:
            text += "; they rank last, in the order given"
        comparison.notes.append(text)
    if trials.distinct < n:
        comparison.notes.append(
            f"only {trials.distinct:,} of {n:,} variants have distinct returns {where} (the "
            "others repeat one: parameters that never changed a trade)"
        )
    if not mostly_undefined and n > 1:
        comparison.notes.append(trials_note(trials))
    comparison.min_backtest = min_backtest(sweep, comparison)
    if comparison.min_backtest is not None:
        comparison.notes.append(comparison.min_backtest["text"])
    if walk_forward is not None:
        comparison.walk_forward = run_walk_forward(sweep, rank_by, walk_forward)
    return comparison


def enough_trades(sweep: SweepResult, min_trades: int) -> np.ndarray:
    """Per variant: at least ``min_trades`` trades entered on every symbol over the ranking
    sample."""
    scope = IN_SAMPLE if IN_SAMPLE in sweep.metrics else FULL
    per_symbol = [sweep.metrics[scope][s]["trades"] for s in sweep.spec.symbols]
    return np.logical_and.reduce([np.nan_to_num(t, nan=0.0) >= min_trades for t in per_symbol])


def trials_note(trials: TrialCount) -> str:
    rho = trials.mean_correlation
    corr = "undefined" if not np.isfinite(rho) else f"{rho:.2f}"
    return (
        f"trials counted by the deflated Sharpe: {trials.effective:,.1f} effective of "
        f"{trials.raw:,} tried ({trials.distinct:,} distinct return streams, "
        f"{trials.dispersed:,} that varied, average correlation {corr}; "
        "N = rho + (1 - rho) M, Bailey & Lopez de Prado 2014)"
    )


def min_backtest(sweep: SweepResult, comparison: Comparison) -> dict[str, Any] | None:
    """The minimum backtest length of the top-ranked variant's annualised Sharpe ratio with the
    effective number of trials, against the years of the ranking sample (None without a ranked
    variant or trials)."""
    from alu.stats.trials import min_backtest_length

    trials = comparison.trials
    if trials is None or comparison.n_ranked == 0:
        return None
    top = int(comparison.order[0])
    scope = comparison.ranking_scope
    sharpe = float(sweep.metrics[scope][PORTFOLIO]["sharpe"][top])
    days = len(sweep.dates) if sweep.split_index is None else sweep.split_index
    available = days / YEAR_DAYS
    sample = "in-sample" if scope == IN_SAMPLE else "the data"
    if not np.isfinite(sharpe) or sharpe <= 0:
        text = (
            "minimum backtest length: n/a (the top variant's Sharpe ratio is not positive; "
            "there is nothing to protect from luck)"
        )
        return {
            "sharpe": sharpe,
            "trials": trials.effective,
            "years_needed": None,
            "years_available": available,
            "enough": None,
            "text": text,
        }
    needed = min_backtest_length(trials.effective, sharpe)
    enough = available >= needed
    text = (
        f"minimum backtest length (Bailey, Borwein, Lopez de Prado & Zhu 2014): with "
        f"{trials.effective:,.1f} effective trials, an annualised Sharpe ratio of {sharpe:.2f} "
        f"needs {needed:.1f} years before luck is an unlikely explanation; {sample} has "
        f"{available:.1f}: " + ("enough" if enough else "NOT enough: the ranking may be luck")
    )
    return {
        "sharpe": sharpe,
        "trials": trials.effective,
        "years_needed": needed,
        "years_available": available,
        "enough": enough,
        "text": text,
    }


def run_walk_forward(sweep: SweepResult, rank_by: str, n_windows: int) -> WalkForward:
    """Choose the best variant on each rolling in-sample window, trade it on the next one: the
    choices from the sweep's per-chunk reductions, the chosen variants' returns recomputed."""
    from alu.backtest.metrics import equity_metrics
    from alu.backtest.sweep import walk_forward_reduction
    from alu.stats import stitch_out_of_sample

    reduced = walk_forward_reduction(sweep, n_windows, rank_by)
    windows, choices, key = reduced.windows, reduced.choices, reduced.key
    chosen = np.unique(choices[choices >= 0])
    returns = np.zeros((len(sweep.dates), len(chosen)))
    if len(chosen):
        returns = sweep.portfolio_returns(chosen)
    columns = np.searchsorted(chosen, choices).clip(0, max(0, len(chosen) - 1))
    stitched = stitch_out_of_sample(returns, np.where(choices < 0, -1, columns), windows)
    initial = sweep.spec.costs.init_cash * len(sweep.spec.symbols)
    equity = initial * np.cumprod(1.0 + stitched)
    days = sweep.dates[windows[0][1].start : windows[-1][1].stop]
    variants = sweep.spec.variants
    described = []
    for (in_sample, out_sample), choice in zip(windows, choices, strict=True):
        described.append(
            {
                "in_sample": [
                    f"{sweep.dates[in_sample.start]:%Y-%m-%d}",
                    f"{sweep.dates[in_sample.stop - 1]:%Y-%m-%d}",
                ],
                "out_of_sample": [
                    f"{sweep.dates[out_sample.start]:%Y-%m-%d}",
                    f"{sweep.dates[out_sample.stop - 1]:%Y-%m-%d}",
                ],
                "variant": None if choice < 0 else variants[int(choice)].name,
                "selected_by": key,
            }
        )
    metrics = {k: float(v) for k, v in equity_metrics(equity, initial).items()}
    return WalkForward(described, pd.Series(equity, index=days, name="walk_forward"), metrics)

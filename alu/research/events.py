"""``alu events``: an event study around the catalyst calendar, after MacKinlay (1997).

MacKinlay, A. C. (1997), "Event Studies in Economics and Finance", Journal of Economic
Literature 35(1), 13-39. Boehmer, E., Musumeci, J. and Poulsen, A. B. (1991), "Event-study
methodology under conditions of event-induced variance", Journal of Financial Economics 30(2),
253-272.

For an instrument with daily close-to-close returns ``R_t`` (its own trading days):

- **Event day** (day 0): the instrument's first trading day on or after the event's date.
  The **event window** is days ``lo..hi`` around it (``--window lo:hi``, default -5:5,
  ``L2 = hi - lo + 1`` days). The **estimation window** is the ``L1`` trading days
  (``--estimation``, default 250) that end ``gap`` days (``--gap``, default 10) before the event
  window's first day: days ``lo - gap - L1 .. lo - gap - 1``.
- **Normal returns.** Market model (with ``--benchmark SYMBOL``: the benchmark's close taken
  as-of each of the instrument's days, its return over the same interval ``R_m``):
  ``R_t = alpha + beta R_m,t + e_t`` fitted by least squares on the estimation window,
  ``sigma^2 = SSR / (L1 - 2)``. Constant-mean model otherwise: ``R_t = mu + e_t``,
  ``sigma^2 = SSR / (L1 - 1)``.
- **Abnormal returns** ``AR_t = R_t - normal_t`` over the event window; ``CAR`` = their sum.
  Its variance includes the estimation error of the normal model (MacKinlay's eq. (4)-(8)):
  ``Var(CAR) = gamma' V gamma`` with ``V = sigma^2 (I + X* (X'X)^-1 X*')``, ``X`` the estimation
  window's regressors (a column of ones, and ``R_m`` for the market model), ``X*`` the event
  window's and ``gamma`` a vector of ones; for the constant-mean model this is
  ``sigma^2 (L2 + L2^2 / L1)``. Per event ``t = SCAR = CAR / sqrt(Var(CAR))``.
- **Per kind of event** and instrument (and over all kinds, ``all``): ``n`` events, ``CAAR``
  (the mean CAR), the cross-sectional ``t_cs = CAAR / (sd(CAR) / sqrt(n))`` (sample standard
  deviation, ``ddof = 1``) and the standardised cross-sectional ``t_bmp = mean(SCAR) /
  (sd(SCAR) / sqrt(n))`` of Boehmer, Musumeci and Poulsen (1991), robust to event-induced
  variance. Both need ``n >= 2``. The ``all`` rows appear when there are several kinds.
- **Overlaps.** Events of one instrument whose event windows share a day are flagged
  (``overlaps`` names the others): their CARs are not independent, and the cross-sectional
  t-statistics assume they are.

Events whose window runs past the data, or with fewer than ``L1`` returns before their
estimation window's end, are left out and counted in the notes. Nothing after an event window's
last day is read for it, so its CAR is fixed once that day has closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from alu.data.market import Market
from alu.errors import UNSET, AluError, did_you_mean
from alu.output import jsonable
from alu.research.source import data_block

CONSTANT_MEAN, MARKET_MODEL = "constant_mean", "market_model"
ALL_KINDS = "all"
DEFAULT_WINDOW = (-5, 5)
DEFAULT_ESTIMATION = 250
DEFAULT_GAP = 10
EVENT_COLUMNS = (
    "date",
    "name",
    "kind",
    "symbol",
    "day0",
    "car",
    "t",
    "alpha",
    "beta",
    "sigma",
    "overlaps",
)
KIND_COLUMNS = ("kind", "symbol", "n", "caar", "t_cs", "t_bmp", "n_overlapping")


@dataclass(frozen=True)
class EventStudy:
    """Per event x instrument (``events``, columns :data:`EVENT_COLUMNS`, with its abnormal
    returns in ``ar``: one row per event row, one column per day of the window) and per kind
    x instrument (``by_kind``, columns :data:`KIND_COLUMNS`, with the CAAR path in
    ``caar_path``)."""

    model: str
    benchmark: str | None
    window: tuple[int, int]
    estimation: int
    gap: int
    events: pd.DataFrame
    ar: pd.DataFrame
    by_kind: pd.DataFrame
    caar_path: pd.DataFrame
    data: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        lo, hi = self.window
        events = self.events.to_dict(orient="records")
        for row, ar in zip(events, self.ar.to_numpy().tolist(), strict=True):
            row["ar"] = ar
        kinds = self.by_kind.to_dict(orient="records")
        for row, path in zip(kinds, self.caar_path.to_numpy().tolist(), strict=True):
            row["caar_path"] = path
        return jsonable(
            {
                "model": self.model,
                "benchmark": self.benchmark,
                "window": [lo, hi],
                "estimation": self.estimation,
                "gap": self.gap,
                "events": events,
                "by_kind": kinds,
                "data": self.data,
                "notes": list(self.notes),
            }
        )


@dataclass(frozen=True)
class Abnormal:
    """One event on one instrument: abnormal returns over the window and the fit behind them."""

    ar: np.ndarray
    car: float
    var_car: float
    alpha: float
    beta: float
    sigma: float

    @property
    def scar(self) -> float:
        return self.car / np.sqrt(self.var_car) if self.var_car > 0 else float("nan")


def abnormal_returns(
    returns: np.ndarray,
    est: slice,
    win: slice,
    market: np.ndarray | None = None,
) -> Abnormal:
    """Abnormal returns of ``returns[win]`` under the normal model fitted on ``returns[est]``:
    the market model on ``market`` when given, else the constant mean (see the module
    docstring for the formulas)."""
    y = np.asarray(returns, dtype=np.float64)
    n_est = est.stop - est.start
    n_win = win.stop - win.start
    if market is None:
        x_est = np.ones((n_est, 1))
        x_win = np.ones((n_win, 1))
    else:
        m = np.asarray(market, dtype=np.float64)
        x_est = np.column_stack([np.ones(n_est), m[est]])
        x_win = np.column_stack([np.ones(n_win), m[win]])
    k = x_est.shape[1]
    coef, *_ = np.linalg.lstsq(x_est, y[est], rcond=None)
    resid = y[est] - x_est @ coef
    sigma2 = float(resid @ resid) / (n_est - k)
    ar = y[win] - x_win @ coef
    xtx_inv = np.linalg.inv(x_est.T @ x_est)
    gamma = np.ones(n_win)
    v = sigma2 * (np.eye(n_win) + x_win @ xtx_inv @ x_win.T)
    return Abnormal(
        ar=ar,
        car=float(ar.sum()),
        var_car=float(gamma @ v @ gamma),
        alpha=float(coef[0]),
        beta=float(coef[1]) if k == 2 else float("nan"),
        sigma=float(np.sqrt(sigma2)),
    )


def cross_section(cars: np.ndarray, scars: np.ndarray) -> tuple[float, float, float]:
    """``(CAAR, t_cs, t_bmp)`` of events' CARs and standardised CARs (NaN with fewer than 2)."""
    cars = np.asarray(cars, dtype=np.float64)
    scars = np.asarray(scars, dtype=np.float64)
    n = len(cars)
    caar = float(cars.mean()) if n else float("nan")
    if n < 2:
        return caar, float("nan"), float("nan")
    sd = cars.std(ddof=1)
    t_cs = caar / (sd / np.sqrt(n)) if sd > 0 else float("nan")
    sd_s = scars.std(ddof=1)
    t_bmp = scars.mean() / (sd_s / np.sqrt(n)) if sd_s > 0 else float("nan")
    return caar, float(t_cs), float(t_bmp)


def parse_event_window(text: str) -> tuple[int, int]:
    """``-5:5`` as ``(-5, 5)``; refused unless two whole numbers with the first <= the second."""
    parts = text.strip().split(":")
    try:
        lo, hi = (int(p) for p in parts)
    except ValueError:
        raise AluError(
            f"{{window}}: expected LO:HI in trading days such as -5:5, got '{text}'",
            params={"window": UNSET},
        ) from None
    if lo > hi:
        raise AluError(
            f"{{window}}: {lo} is after {hi}; give LO:HI with LO <= HI", params={"window": UNSET}
        )
    return lo, hi


def event_study(
    market: Market,
    *,
    symbols: list[str] | None = None,
    kinds: Sequence[str] | None = None,
    window: tuple[int, int] = DEFAULT_WINDOW,
    estimation: int = DEFAULT_ESTIMATION,
    gap: int = DEFAULT_GAP,
    benchmark: str | None = None,
) -> EventStudy:
    """The event study of the catalyst calendar (see the module docstring)."""
    lo, hi = window
    if lo > hi:
        raise AluError(f"{{window}}: {lo} is after {hi}", params={"window": UNSET})
    if estimation < 3:
        raise AluError(
            f"{{estimation}} needs at least 3 days, got {estimation}",
            params={"estimation": UNSET},
        )
    if gap < 0:
        raise AluError(f"{{gap}} must be >= 0 days, got {gap}", params={"gap": UNSET})
    resolved, notes = market.resolve_symbols(symbols)
    notes = list(notes)
    calendar = market.catalysts()
    known_kinds = sorted(set(calendar["kind"]))
    if kinds:
        for kind in kinds:
            if kind not in known_kinds:
                raise AluError(
                    f"{{kinds}}: no event of kind '{kind}'{did_you_mean(kind, known_kinds)}; "
                    f"kinds: {', '.join(known_kinds)}",
                    params={"kinds": UNSET},
                )
        calendar = calendar.loc[calendar["kind"].isin(list(kinds))]
    bench_close = None
    if benchmark is not None:
        benchmark = benchmark.upper()
        if benchmark not in market.price_symbols():
            raise AluError(
                f"{{benchmark}}: no prices/{benchmark}.csv in the {market.source.label}; "
                f"fetch it (alu data fetch --symbols {benchmark}) or leave the benchmark out for "
                "the constant-mean model",
                params={"benchmark": benchmark},
            )
        if benchmark in resolved:
            raise AluError(
                "{benchmark} is also in {symbols}; give it once",
                params={"benchmark": benchmark, "symbols": UNSET},
            )
        bench_close = market.instrument(benchmark).bars["close"]
    model = CONSTANT_MEAN if bench_close is None else MARKET_MODEL
    n_win = hi - lo + 1
    rows: list[dict[str, Any]] = []
    ars: list[np.ndarray] = []
    skipped = {"past": 0, "history": 0, "benchmark": 0}
    for symbol in resolved:
        close = market.instrument(symbol).bars["close"]
        days = close.index
        r = close.pct_change().to_numpy()
        m = None
        if bench_close is not None:
            pos = bench_close.index.searchsorted(days, side="right") - 1
            aligned = np.where(pos >= 0, bench_close.to_numpy()[pos.clip(0)], np.nan)
            m = np.r_[np.nan, aligned[1:] / aligned[:-1] - 1.0]
        first_rows = len(rows)
        for date, event in calendar.iterrows():
            pos0 = int(days.searchsorted(date, side="left"))
            start, stop = pos0 + lo, pos0 + hi + 1
            est_stop = start - gap
            est_start = est_stop - estimation
            if stop > len(days) or pos0 >= len(days):
                skipped["past"] += 1
                continue
            if est_start < 1:
                skipped["history"] += 1
                continue
            est, win = slice(est_start, est_stop), slice(start, stop)
            if m is not None and not (np.isfinite(m[est]).all() and np.isfinite(m[win]).all()):
                skipped["benchmark"] += 1
                continue
            fit = abnormal_returns(r, est, win, m)
            rows.append(
                {
                    "date": date,
                    "name": event["name"],
                    "kind": event["kind"],
                    "symbol": symbol,
                    "day0": days[pos0],
                    "car": fit.car,
                    "t": fit.scar,
                    "alpha": fit.alpha,
                    "beta": fit.beta,
                    "sigma": fit.sigma,
                    "_pos0": pos0,
                    "_scar": fit.scar,
                }
            )
            ars.append(fit.ar)
        _flag_overlaps(rows[first_rows:], hi - lo)
    events = pd.DataFrame(rows, columns=[*EVENT_COLUMNS, "_pos0", "_scar"])
    ar = pd.DataFrame(
        np.array(ars).reshape(len(ars), n_win), columns=list(range(lo, hi + 1)), index=events.index
    )
    by_kind, paths = _by_kind(events, ar, resolved)
    notes += _skip_notes(skipped)
    if model == CONSTANT_MEAN:
        notes.append(
            "normal returns: constant mean of the estimation window (no --benchmark); a market "
            "move on the event days counts as abnormal"
        )
    else:
        notes.append(f"normal returns: market model on {benchmark}")
    overlapping = int(events["overlaps"].map(bool).sum()) if len(events) else 0
    if overlapping:
        notes.append(
            f"{overlapping} event row(s) have windows overlapping another event's on the same "
            "instrument: their CARs share days, and the t-statistics treat them as independent"
        )
    inputs = market.signal_inputs()
    return EventStudy(
        model=model,
        benchmark=benchmark,
        window=(lo, hi),
        estimation=estimation,
        gap=gap,
        events=events.drop(columns=["_pos0", "_scar"]),
        ar=ar,
        by_kind=by_kind,
        caar_path=paths,
        data=data_block(market, resolved, inputs.reference_name),
        notes=tuple(notes),
    )


def _flag_overlaps(rows: list[dict[str, Any]], span: int) -> None:
    """Name, on each row of one instrument, the other events whose windows share a day."""
    for row in rows:
        row["overlaps"] = [
            other["name"]
            for other in rows
            if other is not row and abs(other["_pos0"] - row["_pos0"]) <= span
        ]


def _by_kind(
    events: pd.DataFrame, ar: pd.DataFrame, symbols: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, paths = [], []
    kinds = sorted(set(events["kind"])) if len(events) else []
    for symbol in symbols:
        for kind in [*kinds, ALL_KINDS] if len(kinds) > 1 else kinds:
            mask = events["symbol"] == symbol
            if kind != ALL_KINDS:
                mask &= events["kind"] == kind
            if not mask.any():
                continue
            chosen = events.loc[mask]
            caar, t_cs, t_bmp = cross_section(chosen["car"], chosen["_scar"])
            rows.append(
                {
                    "kind": kind,
                    "symbol": symbol,
                    "n": int(mask.sum()),
                    "caar": caar,
                    "t_cs": t_cs,
                    "t_bmp": t_bmp,
                    "n_overlapping": int(chosen["overlaps"].map(bool).sum()),
                }
            )
            paths.append(ar.loc[mask].cumsum(axis=1).mean(axis=0).to_numpy())
    by_kind = pd.DataFrame(rows, columns=list(KIND_COLUMNS))
    path = pd.DataFrame(np.array(paths).reshape(len(paths), ar.shape[1]), columns=ar.columns)
    return by_kind, path


def _skip_notes(skipped: dict[str, int]) -> list[str]:
    notes = []
    if skipped["past"]:
        notes.append(
            f"{skipped['past']} event x instrument pair(s) left out: the event window runs past "
            "the data"
        )
    if skipped["history"]:
        notes.append(
            f"{skipped['history']} event x instrument pair(s) left out: not enough returns "
            "before the event for the estimation window"
        )
    if skipped["benchmark"]:
        notes.append(
            f"{skipped['benchmark']} event x instrument pair(s) left out: the benchmark has no "
            "return on some estimation or event day"
        )
    return notes

"""Walk-forward selection: choose a variant in-sample, trade it on the window that follows.

The scheme, for ``T`` periods and ``W`` windows: cut ``[0, T)`` into ``W + 1`` consecutive parts
at the boundaries ``b_k = floor(k * T / (W + 1))``, ``k = 0..W+1`` (every period is used; part
lengths differ by at most one). For ``k = 1..W``:

- in-sample = part ``k-1``, rows ``[b_{k-1}, b_k)`` (``scheme="rolling"``, the default: a
  fixed-length window that rolls forward), or parts ``0..k-1``, rows ``[0, b_k)``
  (``scheme="expanding"``: anchored at the start);
- out-of-sample = part ``k``, rows ``[b_k, b_{k+1})``.

The variant with the best in-sample metric is traded out of sample; the ``W`` out-of-sample
parts are consecutive and do not overlap, so their returns stitch into one series covering rows
``[b_1, T)``. A choice only ever depends on rows before its out-of-sample window (no look-ahead).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from alu.stats.dsr import per_period_sharpe

Window = tuple[slice, slice]
SCHEMES = ("rolling", "expanding")


def walk_forward_windows(n_obs: int, n_windows: int, *, scheme: str = "rolling") -> list[Window]:
    """The (in-sample, out-of-sample) row slices of a walk-forward over ``n_obs`` periods.

    Parameters
    ----------
    n_obs : int
        Number of periods ``T``.
    n_windows : int
        Number of out-of-sample windows ``W >= 1``; the period is cut into ``W + 1`` parts.
    scheme : {"rolling", "expanding"}, default "rolling"
        In-sample = the part just before the window (``"rolling"``) or every part before it
        (``"expanding"``).

    Returns
    -------
    list of (slice, slice)
        ``W`` pairs ``(in_sample, out_of_sample)``, in time order, with ``step`` None; see the
        module docstring for the boundaries.

    Raises
    ------
    ValueError
        If ``n_windows < 1``, ``n_obs < n_windows + 1`` (a part would be empty) or ``scheme`` is
        unknown.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown walk-forward scheme {scheme!r}; expected one of {SCHEMES}")
    if n_windows < 1:
        raise ValueError(f"the walk-forward needs at least one window, got {n_windows}")
    if n_obs < n_windows + 1:
        raise ValueError(
            f"{n_windows} walk-forward windows need at least {n_windows + 1} periods, got {n_obs}"
        )
    b = [k * n_obs // (n_windows + 1) for k in range(n_windows + 2)]
    return [
        (slice(b[k - 1] if scheme == "rolling" else 0, b[k]), slice(b[k], b[k + 1]))
        for k in range(1, n_windows + 1)
    ]


def walk_forward_select(
    returns: np.ndarray,
    windows: Sequence[Window],
    *,
    metric: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """The in-sample winner of every window: ``argmax`` of the metric over the in-sample rows.

    Parameters
    ----------
    returns : array_like, shape (T, N)
        Per-period returns, one column per variant (NaN for missing values).
    windows : sequence of (slice, slice)
        From :func:`walk_forward_windows`.
    metric : callable, optional
        ``metric(rows) -> one value per column``, higher is better; default the per-period
        Sharpe ratio ``mean / std(ddof=1)`` (:func:`alu.stats.dsr.per_period_sharpe`).

    Returns
    -------
    numpy.ndarray of int, shape (W,)
        Column index per window (the first on ties); -1 when no variant has a defined (non-NaN)
        in-sample value, which :func:`stitch_out_of_sample` trades as flat (returns 0).
    """
    arr = np.asarray(returns)
    if arr.ndim != 2:
        raise ValueError(f"returns must be 2-D (T x N), got {arr.ndim}-D")
    metric = metric or per_period_sharpe
    choices = np.empty(len(windows), dtype=np.int64)
    for k, (in_sample, _) in enumerate(windows):
        values = np.asarray(metric(arr[in_sample]), dtype=np.float64)
        if values.shape != (arr.shape[1],):
            raise ValueError(f"metric returned shape {values.shape}, expected ({arr.shape[1]},)")
        defined = ~np.isnan(values)
        choices[k] = int(np.argmax(np.where(defined, values, -np.inf))) if defined.any() else -1
    return choices


def stitch_out_of_sample(
    returns: np.ndarray, choices: Sequence[int], windows: Sequence[Window]
) -> np.ndarray:
    """One out-of-sample returns series: window ``k`` takes column ``choices[k]``.

    Parameters
    ----------
    returns : array_like, shape (T, N)
        Per-period returns, one column per variant.
    choices : sequence of int, length W
        The column traded in each window (e.g. from :func:`walk_forward_select`); -1 means no
        position: returns of 0 over that window.
    windows : sequence of (slice, slice), length W
        From :func:`walk_forward_windows`; only the out-of-sample slices are used.

    Returns
    -------
    numpy.ndarray, shape (sum of the out-of-sample lengths,)
        ``concat_k returns[oos_k, choices[k]]`` in window order: for windows from
        :func:`walk_forward_windows`, the rows ``windows[0][1].start`` to
        ``windows[-1][1].stop``. Values are copied as they are (NaN stays NaN).
    """
    arr = np.asarray(returns)
    if arr.ndim != 2:
        raise ValueError(f"returns must be 2-D (T x N), got {arr.ndim}-D")
    if len(choices) != len(windows):
        raise ValueError(f"{len(choices)} choices for {len(windows)} windows")
    pieces = []
    for choice, (_, oos) in zip(choices, windows, strict=True):
        if not -1 <= choice < arr.shape[1]:
            raise ValueError(f"choice {choice} is not a column of the {arr.shape[1]} variants")
        rows = arr[oos]
        pieces.append(np.zeros(len(rows)) if choice == -1 else rows[:, choice].astype(np.float64))
    return np.concatenate(pieces) if pieces else np.empty(0)

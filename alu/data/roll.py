"""The tradable aluminium leg from LME prices: the 3-month forward rolled daily at constant
maturity.

Nobody can hold the 3-month price itself: a position in the 3-month forward ages. On each LME day
``t`` with previous LME day ``s``, ``d`` calendar days earlier, the contract bought at ``s`` at
``three_month[s]`` has ``91 - d`` days left; it is priced by straight-line interpolation between
cash (0 days) and 3-month (91 days), sold, and the new 3-month contract bought::

    index[t] = index[s] * (three_month[t] - (three_month[t] - cash[t]) * d / 91) / three_month[s]

starting at ``index[first] = three_month[first]`` ($/t). Its returns therefore include the roll
yield: in backwardation (cash above 3-month) a long earns ``(cash - three_month) * d / 91`` $/t
over ``d`` days on top of the 3-month price's own change; in contango it pays it. Only days with
both prices count; across a gap longer than 91 days (once in the Westmetall record, 2008-02-19 to
2008-06-17, when the 3-month price is missing) the same formula extrapolates the curve.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TENOR_DAYS = 91


def rolled_index(cash: pd.Series, three_month: pd.Series) -> pd.Series:
    """The constant-maturity rolled 3-month index ($/t basis) on days with both prices."""
    both = pd.DataFrame({"cash": cash, "three_month": three_month}).dropna()
    if both.empty:
        return pd.Series(dtype=np.float64, name="rolled_three_month")
    c = both["cash"].to_numpy(dtype=np.float64)
    f = both["three_month"].to_numpy(dtype=np.float64)
    days = np.diff(both.index.to_numpy().astype("datetime64[D]").astype(np.int64))
    aged = f[1:] - (f[1:] - c[1:]) * days / TENOR_DAYS
    growth = np.concatenate(([f[0]], aged / f[:-1]))
    return pd.Series(np.cumprod(growth), index=both.index, name="rolled_three_month")


def roll_yield(cash: pd.Series, three_month: pd.Series) -> float:
    """The cumulated roll yield of :func:`rolled_index` over its span: the index's growth over
    the 3-month price's growth, minus one (a fraction; negative after years of contango)."""
    index = rolled_index(cash, three_month)
    if len(index) < 2:
        return float("nan")
    both = three_month.reindex(index.index)
    return float((index.iloc[-1] / index.iloc[0]) / (both.iloc[-1] / both.iloc[0]) - 1.0)

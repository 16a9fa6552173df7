"""The execution parameters every strategy variant carries: sizing, stops, margin, stale inputs.

They are declared here, beside the signal parameters, so that ``--param``, ``--grid``, variants
files, ``alu strategies`` and the docs read them like any other parameter (``alu compare --grid
stop_loss=0.05,0.1``). What they mean is the execution model's business
(:mod:`alu.backtest.engine`, which takes its defaults from here) except ``max_stale_days``, which
the as-of join applies (:func:`alu.signals.align.stale_days`).

Sizing is two numbers: ``fraction`` (the position's value at entry as a fraction of equity; 1 is
all in) and ``vol_target`` (when above 0, the position is sized to that annualised volatility
instead, capped at ``max_leverage``). The command line's ``--sizing all-in|fraction=F|vol-target=V``
sets them.
"""

from __future__ import annotations

from collections.abc import Mapping

from alu.errors import UNSET, AluError
from alu.signals.align import MAX_STALE_DAYS
from alu.strategies.params import Number, Param

STALE_PARAM = Param(
    "max_stale_days",
    MAX_STALE_DAYS,
    "weekdays an input may lag the day before its family is UNKNOWN (no position)",
    minimum=0,
)

EXECUTION_PARAMS: tuple[Param, ...] = (
    Param("fraction", 1.0, "position value at entry, fraction of equity (1 = all in)", 0, 100),
    Param("vol_target", 0.0, "annualised volatility to size to (0 = off: use fraction)", 0, 10),
    Param("max_leverage", 1.0, "cap on position value / equity", 0, 100),
    Param("vol_window", 60, "trading days of returns in the volatility estimate", 2),
    Param("rebalance_days", 20, "resize a vol-targeted position every N days (0 = never)", 0),
    Param("stop_loss", 0.0, "close when the close moves this fraction against the entry", 0, 1),
    Param("trailing_stop", 0.0, "close on this fraction against the best close since entry", 0, 1),
    Param(
        "maintenance_margin",
        0.25,
        "liquidate when equity <= this fraction of the position's gross value",
        0,
        1,
    ),
)

DEFAULTS: dict[str, Number] = {p.name: p.default for p in EXECUTION_PARAMS}


def check_execution(values: Mapping[str, Number], *, where: str = "") -> None:
    """Checks across execution parameters (each value was range-checked by its Param)."""
    for name in ("max_leverage", "fraction"):
        if values[name] <= 0:
            raise AluError(f"parameter {name} must be above 0, got {values[name]}{where}")
    if values["fraction"] > values["max_leverage"]:
        raise AluError(
            f"parameter fraction ({values['fraction']}) is above max_leverage "
            f"({values['max_leverage']}): raise max_leverage to lever the position{where}"
        )


def parse_sizing(text: str) -> dict[str, float]:
    """``all-in``, ``fraction=F`` or ``vol-target=V`` as parameter values (``--sizing``)."""
    spec = text.strip()
    if spec == "all-in":
        return {"fraction": 1.0, "vol_target": 0.0}
    mode, sep, raw = spec.partition("=")
    mode = mode.strip()
    if mode not in ("fraction", "vol-target") or not sep:
        raise AluError(
            f"{{sizing}}: unknown sizing mode '{text}' (expected all-in, fraction=F or "
            "vol-target=V)",
            params={"sizing": UNSET},
        )
    try:
        value = float(raw)
    except ValueError:
        raise AluError(f"{{sizing}}: '{raw}' is not a number", params={"sizing": mode}) from None
    if not value > 0 or value != value or value == float("inf"):
        noun = "a zero or negative vol target" if mode == "vol-target" else "a fraction <= 0"
        raise AluError(f"{{sizing}}: {noun} sizes no position", params={"sizing": f"{mode}={raw}"})
    if mode == "fraction":
        return {"fraction": value, "vol_target": 0.0}
    return {"vol_target": value}

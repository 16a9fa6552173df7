"""Strategy rules on hand-made signal tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alu.errors import AluError
from alu.strategies import STRATEGIES, get_strategy
from alu.strategies.base import combine, hold


def table(**columns):
    n = len(next(iter(columns.values())))
    return pd.DataFrame(columns, index=pd.bdate_range("2024-01-01", periods=n))


def stance(name, tbl, allow_short=False, **overrides):
    strategy = get_strategy(name)
    return strategy.stance_from_table(
        tbl, strategy.resolve(overrides), allow_short=allow_short
    ).tolist()


def test_hold_keeps_a_position_until_exit_and_exit_wins_ties():
    entry = np.array([0, 1, 0, 0, 1, 1, 0], dtype=bool)
    exit_ = np.array([0, 0, 0, 1, 1, 0, 1], dtype=bool)
    assert hold(entry, exit_).tolist() == [False, True, True, False, False, True, False]


def test_combine_nets_long_and_short():
    assert combine(np.array([1, 0, 1]), np.array([0, 1, 1])).tolist() == [1, -1, 0]


def test_bands_long_only_and_both():
    tbl = table(band_state=["NEUTRAL", "BULL", "BULL", "BEAR", None])
    assert stance("bands", tbl) == [0, 1, 1, 0, 0]
    assert stance("bands", tbl, allow_short=True) == [0, 1, 1, -1, 0]


def test_spread_rule():
    tbl = table(
        spread_regime=["BACKWARDATION", "BACKWARDATION", "FLAT", "CONTANGO"],
        spread_narrowing=[False, True, False, False],
    )
    assert stance("spread", tbl) == [1, 0, 0, 0]
    assert stance("spread", tbl, allow_short=True) == [1, 0, 0, -1]


def test_inventory_rule_hysteresis():
    tbl = table(
        stock_percentile=[0.5, 0.15, 0.3, 0.45, 0.55, 0.1, 0.1],
        inventory_trend=["FALLING", "FALLING", "FLAT", "FLAT", "FALLING", "FLAT", "BUILDING"],
    )
    # enters at 0.15 & FALLING, holds through 0.3/0.45 (<= exit 0.5), exits above 0.5;
    # 0.1 while FLAT does not re-enter; BUILDING is an exit.
    assert stance("inventory", tbl) == [0, 1, 1, 1, 0, 0, 0]
    assert stance("inventory", tbl, exit_pct=0.4) == [0, 1, 1, 0, 0, 0, 0]


def test_squeeze_rule_enters_on_all_conditions_and_leaves_on_any_exit():
    tbl = table(
        band_state=["NEUTRAL", "NEUTRAL", "BULL", "BULL", "BULL", "NEUTRAL", "NEUTRAL", "BEAR"],
        spread_regime=["CONTANGO"] + ["BACKWARDATION"] * 7,
        inventory_trend=[
            "FALLING",
            "FALLING",
            "FLAT",
            "FALLING",
            "FALLING",
            "FALLING",
            "FALLING",
            "FALLING",
        ],
        spread_narrowing=[False] * 8,
        in_catalyst_window=[False, False, False, False, True, False, False, False],
    )
    # day1: all conditions -> long; day2: FLAT trend holds; day4: catalyst window -> out;
    # day5: re-enter; day7: BEAR -> out.
    assert stance("squeeze", tbl) == [0, 1, 1, 1, 0, 1, 1, 0]


def test_squeeze_exits_when_backwardation_narrows_or_stocks_build():
    base = dict(
        band_state=["NEUTRAL"] * 4,
        spread_regime=["BACKWARDATION"] * 4,
        in_catalyst_window=[False] * 4,
    )
    narrowing = table(
        **base, inventory_trend=["FALLING"] * 4, spread_narrowing=[False, False, True, False]
    )
    assert stance("squeeze", narrowing) == [1, 1, 0, 1]
    building = table(
        **base,
        inventory_trend=["FALLING", "BUILDING", "FLAT", "FLAT"],
        spread_narrowing=[False] * 4,
    )
    assert stance("squeeze", building) == [1, 0, 0, 0]


def test_squeeze_short_side():
    tbl = table(
        band_state=["BEAR", "BEAR", "BEAR", "NEUTRAL"],
        spread_regime=["CONTANGO"] * 4,
        inventory_trend=["BUILDING", "BUILDING", "FLAT", "BUILDING"],
        spread_narrowing=[False] * 4,
        in_catalyst_window=[False] * 4,
    )
    assert stance("squeeze", tbl) == [0, 0, 0, 0]
    assert stance("squeeze", tbl, allow_short=True) == [-1, -1, 0, 0]


def test_buy_hold_is_long_every_day():
    assert stance("buy_hold", table(x=[1, 2, 3])) == [1, 1, 1]


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_every_strategy_documents_its_rules_and_parameters(name):
    strategy = STRATEGIES[name]
    assert strategy.description and len(strategy.doc) > 40
    for param in strategy.params:
        assert param.help


def test_unknown_parameter_gets_a_hint():
    with pytest.raises(AluError, match="unknown parameter 'uper'.*did you mean 'upper'"):
        get_strategy("bands").resolve({"uper": "3300"})


def test_unknown_strategy_gets_a_hint():
    with pytest.raises(AluError, match="unknown strategy 'squeze'.*did you mean 'squeeze'"):
        get_strategy("squeze")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"confirm": "2.5"}, "expected a whole number"),
        ({"confirm": "0"}, "below the minimum"),
        ({"buffer": "abc"}, "is not a number"),
        ({"buffer": "nan"}, "not a finite number"),
        ({"lower": "3300"}, "must be below upper"),
    ],
)
def test_bad_parameter_values(overrides, message):
    with pytest.raises(AluError, match=message):
        get_strategy("bands").resolve(overrides)


def test_parameter_types_follow_the_signal_defaults():
    params = get_strategy("squeeze").resolve({"confirm": "5", "upper": "3300"})
    assert params["confirm"] == 5 and isinstance(params["confirm"], int)
    assert params["upper"] == 3300.0 and isinstance(params["upper"], float)

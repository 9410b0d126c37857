"""The app's pure helpers: filter words, amounts, multipliers, steps, cells."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tui_helpers import demo_engine

from liqterm.config import Config, SessionMultipliers
from liqterm.config.schema import AssetThresholds
from liqterm.tui.cells import age, countdown, hms
from liqterm.tui.thresholds import (
    amount_text,
    current_spec,
    order_problem,
    parse_amount,
    parse_multiplier,
    scaled_spec,
    session_multipliers,
    step_factor,
)
from liqterm.tui.view import FilterError, ViewFilter, parse_query


def test_filter_words_are_venues_sides_or_assets() -> None:
    assert parse_query("btc, ETH Binance shorts") == (
        frozenset({"BTC", "ETH"}),
        frozenset({"binance"}),
        frozenset({"short"}),
    )
    assert parse_query("  ") == (frozenset(), frozenset(), frozenset())
    with pytest.raises(FilterError, match="'eth\\$'"):
        parse_query("eth$")


def test_view_admits_by_class_retail_and_words() -> None:
    rows = demo_engine().snapshot().recent
    view = ViewFilter("large")
    assert {r.cls for r in rows if view.admits(r)} == {"large", "institutional"}
    hidden = ViewFilter(hide_retail=True)
    assert all(r.cls != "retail" for r in rows if hidden.admits(r))
    only = ViewFilter().with_query("BNB binance long")
    assert {(r.event.asset, r.event.venue) for r in rows if only.admits(r)} == {("BNB", "binance")}
    assert only.describe() == "BNB binance long" and ViewFilter().describe() == "all events"
    assert ViewFilter("whale", True).describe() == "≥ whale"
    assert ViewFilter(hide_retail=True).describe() == "≥ large (retail hidden)"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500000", 5e5),
        ("500k", 5e5),
        ("1.5M", 1.5e6),
        ("$2,500,000", 2.5e6),
        ("2_500_000", 2.5e6),
        ("1e6", 1e6),
        (".5m", 5e5),
        ("1B", 1e9),
    ],
)
def test_amounts_as_people_type_them(text: str, value: float) -> None:
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["", "abc", "-5", "0", "5x", "1T"])
def test_bad_amounts_say_why(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)


@given(st.floats(min_value=1, max_value=1e11, allow_nan=False))
def test_prefilled_amounts_read_back_exactly(value: float) -> None:
    value = round(value)
    assert parse_amount(amount_text(value)) == pytest.approx(value, rel=1e-9)


def test_multipliers_and_order() -> None:
    assert parse_multiplier("0.7") == 0.7
    for bad in ("0", "11", "x", ""):
        with pytest.raises(ValueError):
            parse_multiplier(bad)
    assert order_problem(1, 2, 3) is None
    assert order_problem(3, 2, 4) == "base must not exceed whale"
    assert order_problem(1, 5, 4) == "whale must not exceed cascade"


def test_steps_up_and_down_return_to_the_start() -> None:
    spec = current_spec(Config(), "BTC")
    up = scaled_spec(spec, step_factor(0.1, True))
    assert (up.base, up.whale, up.cascade) == (550_000, 1_100_000, 2_750_000)
    back = scaled_spec(up, step_factor(0.1, False))
    assert (back.base, back.whale, back.cascade) == (500_000, 1_000_000, 2_500_000)
    assert current_spec(Config(), "NEWCOIN") == AssetThresholds(50_000, 100_000, 150_000)


def test_session_multipliers_blank_means_global() -> None:
    fallback = SessionMultipliers()
    assert session_multipliers(dict.fromkeys(("asian", "european", "us", "weekend")), fallback) is None
    mixed = session_multipliers({"asian": 0.5, "european": None, "us": None, "weekend": None}, fallback)
    assert mixed == SessionMultipliers(0.5, 0.9, 1.0, 0.5)


def test_cells() -> None:
    assert hms(1_761_155_485_000) == "17:51:25"
    assert [age(None, 0), age(0, 4_000), age(0, 130_000), age(0, 7_200_000)] == ["never", "4s", "2m", "2h"]
    assert countdown(7_680_000) == "2h 08m" and countdown(485_000) == "8m 05s"

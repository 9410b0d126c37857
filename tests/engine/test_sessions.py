"""Sessions by event time: every boundary, on weekdays and across the weekend."""

from __future__ import annotations

import pytest

from liqterm.config import SessionMultipliers
from liqterm.engine import session_at, session_info

from .helpers import utc_ms


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (utc_ms(2025, 10, 22, 3, 59, 59.999), "asian"),  # Wednesday
        (utc_ms(2025, 10, 22, 4), "european"),
        (utc_ms(2025, 10, 22, 11, 59, 59.999), "european"),
        (utc_ms(2025, 10, 22, 12), "us"),
        (utc_ms(2025, 10, 22, 19, 59, 59.999), "us"),
        (utc_ms(2025, 10, 22, 20), "asian"),
        (utc_ms(2025, 10, 24, 23, 59, 59.999), "asian"),  # Friday night
        (utc_ms(2025, 10, 25, 0), "weekend"),  # Saturday 00:00
        (utc_ms(2025, 10, 25, 4), "weekend"),  # weekday boundaries do not apply on Saturday
        (utc_ms(2025, 10, 25, 12), "weekend"),
        (utc_ms(2025, 10, 25, 20), "weekend"),
        (utc_ms(2025, 10, 26, 4), "weekend"),  # Sunday
        (utc_ms(2025, 10, 26, 20), "weekend"),  # Sunday evening is still the weekend
        (utc_ms(2025, 10, 26, 23, 59, 59.999), "weekend"),
        (utc_ms(2025, 10, 27, 0), "asian"),  # Sunday 24:00 = Monday 00:00
        (utc_ms(2025, 10, 27, 4), "european"),
    ],
)
def test_session_at_boundaries(when: int, expected: str) -> None:
    assert session_at(when).name == expected


def test_multipliers_follow_the_session() -> None:
    assert session_at(utc_ms(2025, 10, 22, 1)).multiplier == 0.7
    assert session_at(utc_ms(2025, 10, 22, 5)).multiplier == 0.9
    assert session_at(utc_ms(2025, 10, 22, 13)).multiplier == 1.0
    assert session_at(utc_ms(2025, 10, 25, 13)).multiplier == 0.5
    custom = SessionMultipliers(weekend=0.25)
    assert session_at(utc_ms(2025, 10, 25, 13), custom).multiplier == 0.25


@pytest.mark.parametrize(
    ("when", "name", "starts", "next_name", "next_at"),
    [
        (utc_ms(2025, 10, 22, 15, 30), "us", utc_ms(2025, 10, 22, 12), "asian", utc_ms(2025, 10, 22, 20)),
        (utc_ms(2025, 10, 22, 2), "asian", utc_ms(2025, 10, 21, 20), "european", utc_ms(2025, 10, 22, 4)),
        (utc_ms(2025, 10, 24, 22), "asian", utc_ms(2025, 10, 24, 20), "weekend", utc_ms(2025, 10, 25, 0)),
        (utc_ms(2025, 10, 26, 10), "weekend", utc_ms(2025, 10, 25, 0), "asian", utc_ms(2025, 10, 27, 0)),
        (utc_ms(2025, 10, 27, 3), "asian", utc_ms(2025, 10, 27, 0), "european", utc_ms(2025, 10, 27, 4)),
    ],
)
def test_session_info_gives_start_and_next_boundary(
    when: int, name: str, starts: int, next_name: str, next_at: int
) -> None:
    info = session_info(when)
    assert (info.name, info.starts_ms, info.next_name, info.next_at_ms) == (name, starts, next_name, next_at)
    assert info.countdown_ms(when) == next_at - when

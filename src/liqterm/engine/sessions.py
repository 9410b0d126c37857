"""Trading sessions by EVENT time (UTC), so replay gives the same answers as live.

Weekend wins: Saturday 00:00 to Sunday 24:00 UTC is ``weekend`` whatever the hour.
On weekdays: ``asian`` 20:00–04:00 (it starts the evening before), ``european``
04:00–12:00, ``us`` 12:00–20:00. The reference design checked the weekend in an
unreachable branch and read the wall clock; both mistakes are tested against here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from liqterm.config.schema import SessionMultipliers
from liqterm.engine.snapshot import SessionInfo

HOUR_MS: Final = 3_600_000
DAY_MS: Final = 24 * HOUR_MS
_SATURDAY: Final = 5  # Monday = 0
_EPOCH_WEEKDAY: Final = 3  # 1970-01-01 was a Thursday


@dataclass(frozen=True, slots=True)
class Session:
    """A session at some moment: its name and the (global) threshold multiplier."""

    name: str
    multiplier: float


def weekday(ms: int) -> int:
    """Day of the week of an epoch-ms instant in UTC, Monday = 0."""
    return (ms // DAY_MS + _EPOCH_WEEKDAY) % 7


def session_name_at(ms: int) -> str:
    """The session name at ``ms`` (epoch milliseconds, UTC)."""
    if weekday(ms) >= _SATURDAY:
        return "weekend"
    hour = (ms % DAY_MS) // HOUR_MS
    if hour >= 20 or hour < 4:
        return "asian"
    if hour < 12:
        return "european"
    return "us"


def session_at(ms: int, multipliers: SessionMultipliers | None = None) -> Session:
    """The session at an event time, with its threshold multiplier."""
    name = session_name_at(ms)
    return Session(name, (multipliers or SessionMultipliers()).of(name))


def session_info(ms: int, multipliers: SessionMultipliers | None = None) -> SessionInfo:
    """The session at ``ms`` with its start and the next session's name and start.

    Sessions change only on whole hours, so this walks hour by hour (at most 48
    steps, across a weekend) to find both boundaries.
    """
    name = session_name_at(ms)
    hour_start = ms - ms % HOUR_MS
    start = hour_start
    while session_name_at(start - HOUR_MS) == name and hour_start - start < 3 * DAY_MS:
        start -= HOUR_MS
    boundary = hour_start + HOUR_MS
    while session_name_at(boundary) == name:
        boundary += HOUR_MS
    chosen = multipliers or SessionMultipliers()
    return SessionInfo(
        name=name,
        multiplier=chosen.of(name),
        starts_ms=start,
        next_name=session_name_at(boundary),
        next_at_ms=boundary,
    )

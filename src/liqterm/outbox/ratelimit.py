"""Spacing sends per destination, so no service ever has to throttle us.

Sends are spaced evenly rather than allowed in bursts: a burst that a service allows
per minute still blocks the rest of that minute, and an evenly spaced queue leaves room
for the next critical alert. Each destination has its own gap; an optional global gap
spaces everything (Telegram limits a bot across all its chats). A service that asked us to
wait (a 429) blocks its destination alone.

A gap of 0 switches that limit off (benchmarks, tests).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable


def interval(per_second: float) -> float:
    """Seconds between two sends at ``per_second`` (0: no limit)."""
    return 1.0 / per_second if per_second > 0 else 0.0


class Spacing:
    """When each destination may next be sent to. Single-threaded (asyncio): check then record.

    Args:
        gap: seconds between two sends to one destination (a function of the destination).
        global_gap: seconds between any two sends at all.
        clock: monotonic seconds; injectable for tests.
    """

    def __init__(
        self,
        gap: Callable[[Hashable], float],
        global_gap: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._gap = gap
        self._global_gap = global_gap
        self._clock = clock
        self._next: dict[Hashable, float] = {}
        self._global_next = 0.0
        self._blocked_until: dict[Hashable, float] = {}

    def gap(self, dest: Hashable) -> float:
        """The spacing between two messages to ``dest``, in seconds."""
        return self._gap(dest)

    def wait_time(self, dest: Hashable) -> float:
        """Seconds until a message to ``dest`` is allowed (0 when it is allowed now)."""
        ready = max(self._next.get(dest, 0.0), self._blocked_until.get(dest, 0.0), self._global_next)
        return max(0.0, ready - self._clock())

    def record(self, dest: Hashable) -> None:
        """Note a message sent to ``dest`` now."""
        now = self._clock()
        self._next[dest] = now + self._gap(dest)
        self._global_next = max(self._global_next, now + self._global_gap)

    def block(self, dest: Hashable, seconds: float) -> None:
        """Send nothing to ``dest`` for ``seconds`` (a 429's wait, or a backoff)."""
        until = self._clock() + max(0.0, seconds)
        self._blocked_until[dest] = max(self._blocked_until.get(dest, 0.0), until)

    def blocked_for(self, dest: Hashable) -> float:
        """Seconds left of a block on ``dest`` (0 when not blocked)."""
        return max(0.0, self._blocked_until.get(dest, 0.0) - self._clock())

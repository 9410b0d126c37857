"""Spacing sends so Telegram never has to throttle us.

Telegram's documented limits: about one message per second to a chat, 20 per minute to a
group, about 30 per second overall. Sends are spaced evenly rather than allowed in bursts
(a burst of 20 into a group is legal but then blocks the group for the rest of the minute).
Any negative chat id (group, supergroup, channel) gets the group limit: the id alone cannot
tell a channel from a supergroup, and the stricter limit is the safe guess.

A limit of 0 (or less) switches that limit off (benchmarks, tests).
"""

from __future__ import annotations

import time
from collections.abc import Callable


def _interval(per_second: float) -> float:
    return 1.0 / per_second if per_second > 0 else 0.0


class RateLimiter:
    """When each chat may next be sent to. Single-threaded (asyncio): check then record.

    Args:
        per_chat_per_s: messages per second to one chat.
        per_group_per_min: messages per minute to one group/channel (negative id).
        global_per_s: messages per second across all chats.
        clock: monotonic seconds; injectable for tests.
    """

    def __init__(
        self,
        per_chat_per_s: float,
        per_group_per_min: float,
        global_per_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._chat_gap = _interval(per_chat_per_s)
        self._group_gap = max(self._chat_gap, _interval(per_group_per_min / 60.0))
        self._global_gap = _interval(global_per_s)
        self._clock = clock
        self._chat_next: dict[int, float] = {}
        self._global_next = 0.0
        self._blocked_until: dict[int, float] = {}

    def gap(self, chat_id: int) -> float:
        """The spacing between two messages to ``chat_id``, in seconds."""
        return self._group_gap if chat_id < 0 else self._chat_gap

    def wait_time(self, chat_id: int) -> float:
        """Seconds until a message to ``chat_id`` is allowed (0 when it is allowed now)."""
        ready = max(
            self._chat_next.get(chat_id, 0.0),
            self._blocked_until.get(chat_id, 0.0),
            self._global_next,
        )
        return max(0.0, ready - self._clock())

    def record(self, chat_id: int) -> None:
        """Note a message sent to ``chat_id`` now."""
        now = self._clock()
        self._chat_next[chat_id] = now + self.gap(chat_id)
        self._global_next = max(self._global_next, now + self._global_gap)

    def block(self, chat_id: int, seconds: float) -> None:
        """Send nothing to ``chat_id`` for ``seconds`` (a 429's ``retry_after``)."""
        until = self._clock() + max(0.0, seconds)
        self._blocked_until[chat_id] = max(self._blocked_until.get(chat_id, 0.0), until)

    def blocked_for(self, chat_id: int) -> float:
        """Seconds left of a 429 block on ``chat_id`` (0 when not blocked)."""
        return max(0.0, self._blocked_until.get(chat_id, 0.0) - self._clock())

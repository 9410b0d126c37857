"""Spacing sends so Telegram never has to throttle us: the shared spacing with Telegram's limits.

Telegram's documented limits: about one message per second to a chat, 20 per minute to a
group, about 30 per second overall. Any negative chat id (group, supergroup, channel) gets
the group limit: the id alone cannot tell a channel from a supergroup, and the stricter
limit is the safe guess.

A limit of 0 (or less) switches that limit off (benchmarks, tests).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

from liqterm.outbox.ratelimit import Spacing, interval


class RateLimiter(Spacing):
    """When each chat may next be sent to.

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
        chat_gap = interval(per_chat_per_s)
        group_gap = max(chat_gap, interval(per_group_per_min / 60.0))

        def gap(chat: Hashable) -> float:
            return group_gap if isinstance(chat, int) and chat < 0 else chat_gap

        super().__init__(gap, interval(global_per_s), clock)

"""Capped exponential backoff with full jitter.

Full jitter (a uniform draw between 0 and the capped exponential) spreads the
reconnects of many clients after a venue-wide outage; the cap keeps a long
outage from turning into hour-long waits; :meth:`Backoff.reset` after a healthy
period means one blip does not make the next reconnect slow.
"""

from __future__ import annotations

import random
from collections.abc import Callable


class Backoff:
    """Delays for successive reconnect attempts.

    Args:
        base_s: the ceiling of the first delay.
        cap_s: no delay is ever longer than this.
        factor: how much the ceiling grows per failed attempt.
        rand: a ``random()``-like callable returning floats in [0, 1); injectable
            so tests are deterministic.
    """

    def __init__(
        self,
        base_s: float = 0.5,
        cap_s: float = 30.0,
        factor: float = 2.0,
        rand: Callable[[], float] | None = None,
    ) -> None:
        if base_s < 0 or cap_s < 0 or factor < 1:
            raise ValueError("backoff needs base_s >= 0, cap_s >= 0 and factor >= 1")
        self.base_s = base_s
        self.cap_s = cap_s
        self.factor = factor
        self._rand = rand or random.random
        self.attempt = 0

    def ceiling(self) -> float:
        """The upper bound of the next delay (before jitter)."""
        # min() before the power would overflow for huge attempt counts, so clamp the exponent.
        exponent = min(self.attempt, 64)
        return min(self.cap_s, self.base_s * self.factor**exponent)

    def next_delay(self) -> float:
        """The delay before the next attempt; each call counts one more failure."""
        delay = self._rand() * self.ceiling()
        self.attempt += 1
        return delay

    def reset(self) -> None:
        """Start again from ``base_s`` (call after a connection has been healthy a while)."""
        self.attempt = 0

"""What the engine refuses before it counts anything: implausible events and repeats.

Venues repeat events (OKX replays one on subscribe; reconnects overlap), and a
broken or hostile feed can send NaN, negative or far-off values. The engine
ingests identical events (venue, symbol, side, price, quantity, exchange time)
once, and refuses implausible ones with a reason counted per venue.
"""

from __future__ import annotations

from typing import Any, Final

from liqterm.model import Liquidation

DAY_MS: Final = 86_400_000


def rejection_reason(event: Liquidation, max_future_ms: int) -> str | None:
    """Why the engine refuses ``event``, or ``None`` when it is plausible."""
    if not (0.0 < event.price < 1e12):
        return "bad price"
    if not (0.0 < event.usd < 1e13):
        return "bad size"
    if event.exchange_ms > event.received_ms + max_future_ms:
        return "time in the future"
    if event.exchange_ms < event.received_ms - DAY_MS:
        return "time too old"
    return None


class SeenEvents:
    """Identities of recent events in two generations: a member of either is a repeat.

    The older generation is dropped every half horizon of event time, so memory
    stays bounded without a per-event eviction queue and a repeat is recognised
    for at least half the horizon (and at most all of it). Each generation maps an
    identity's hash to the identity, so the engine's hot path (:meth:`repeat`) hashes
    each identity once; equal hashes are confirmed by comparing the identities.
    """

    __slots__ = ("_half_ms", "current", "old", "rotate_ms")

    def __init__(self, horizon_ms: int) -> None:
        self._half_ms = horizon_ms // 2
        self.current: dict[int, tuple[Any, ...]] = {}
        self.old: dict[int, tuple[Any, ...]] = {}
        self.rotate_ms = 0

    def repeat(self, identity: tuple[Any, ...], at_ms: int) -> bool:
        """Whether ``identity`` was seen; if not, remember it (event time ``at_ms``)."""
        key = hash(identity)
        known = self.current.get(key)
        if known is None:
            known = self.old.get(key)
        if known is not None and known == identity:
            return True
        self.current[key] = identity
        if at_ms >= self.rotate_ms:
            self.advance(at_ms)
        return False

    def advance(self, now_ms: int) -> None:
        """Event time moved on to ``now_ms``."""
        if now_ms >= self.rotate_ms:
            self.old = self.current
            self.current = {}
            self.rotate_ms = now_ms + self._half_ms

    def __len__(self) -> int:
        return len(self.current) + len(self.old)

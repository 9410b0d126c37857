"""Alerts waiting for a chat: what is kept of them, which are wanted, and the per-chat queue.

A :class:`ChatQueue` hands out the most urgent alert first (critical before high before
normal, oldest first within a priority). When more than ``digest_after`` non-critical alerts
about one asset are waiting, it hands them out together so they go as one digest message.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
from dataclasses import dataclass, field

from liqterm.config.schema import TelegramConfig
from liqterm.engine.alerts import Alert, Priority

EVENT_KINDS = frozenset({"large", "whale", "institutional"})
"""Alert kinds about one liquidation (their USD figures add up in a digest)."""


def alert_id(alert: Alert) -> str:
    """A stable id for an alert: the same (key, time, kind, text) always gives the same id."""
    raw = "\x1f".join((alert.key, str(alert.at_ms), alert.kind, alert.text))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def is_forwarded(alert: Alert, config: TelegramConfig) -> bool:
    """Whether ``config`` wants this alert sent: its kind switched on, priority high enough."""
    if alert.priority < Priority.parse(config.min_priority):
        return False
    toggle = "cascade_warning" if alert.kind == "cascade" else alert.kind
    return bool(getattr(config.kinds, toggle, False))


@dataclass(frozen=True, slots=True)
class PendingAlert:
    """One alert waiting for one chat, with what a digest needs and its ready-made message."""

    alert_id: str
    chat_id: int
    kind: str
    priority: Priority
    asset: str
    side: str | None
    usd: float
    venues: tuple[str, ...]
    at_ms: int
    suppressed: int
    queued_ms: int
    html: str

    @property
    def key(self) -> tuple[str, int]:
        """The delivery key: each (alert, chat) is delivered at most once."""
        return (self.alert_id, self.chat_id)


@dataclass(slots=True)
class Taken:
    """What :meth:`ChatQueue.take` handed out: one alert or a digest batch, plus expired ones."""

    send: list[PendingAlert] = field(default_factory=list)
    expired: list[PendingAlert] = field(default_factory=list)

    @property
    def is_digest(self) -> bool:
        return len(self.send) > 1


class ChatQueue:
    """One chat's waiting alerts, most urgent first. Not thread-safe (asyncio only)."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, PendingAlert]] = []
        self._order = itertools.count()
        self._front = itertools.count(-1, -1)  # put-back items go before everything queued

    def __len__(self) -> int:
        return len(self._heap)

    def push(self, item: PendingAlert) -> None:
        """Queue ``item`` behind everything of its priority."""
        heapq.heappush(self._heap, (-int(item.priority), next(self._order), item))

    def put_back(self, items: list[PendingAlert]) -> None:
        """Return items that could not be sent: same priority, ahead of the others, same order."""
        for item in reversed(items):
            heapq.heappush(self._heap, (-int(item.priority), next(self._front), item))

    def drain(self) -> list[PendingAlert]:
        """Remove and return everything waiting."""
        items = [entry[2] for entry in self._heap]
        self._heap.clear()
        return items

    def take(self, now_ms: int, max_age_ms: int, digest_after: int) -> Taken:
        """The next message's alerts: the most urgent one, or a digest of its asset's burst.

        Alerts older than ``max_age_ms`` (since they were queued) come back in ``expired``.
        """
        taken = Taken()
        self._expire(now_ms, max_age_ms, taken)
        if not self._heap:
            return taken
        _, _, top = heapq.heappop(self._heap)
        if top.priority >= Priority.CRITICAL:
            taken.send.append(top)
            return taken
        same = [e for e in self._heap if _digestible(e[2], top.asset)]
        if len(same) + 1 <= max(1, digest_after):
            taken.send.append(top)
            return taken
        # A burst: everything non-critical about this asset goes in one digest, oldest first.
        taken.send = [top] + [e[2] for e in sorted(same, key=lambda e: e[1])]
        self._heap = [e for e in self._heap if not _digestible(e[2], top.asset)]
        heapq.heapify(self._heap)
        return taken

    def _expire(self, now_ms: int, max_age_ms: int, taken: Taken) -> None:
        if max_age_ms <= 0:
            return
        cutoff = now_ms - max_age_ms
        if not any(e[2].queued_ms < cutoff for e in self._heap):
            return
        taken.expired = [e[2] for e in self._heap if e[2].queued_ms < cutoff]
        self._heap = [e for e in self._heap if e[2].queued_ms >= cutoff]
        heapq.heapify(self._heap)


def _digestible(item: PendingAlert, asset: str) -> bool:
    return item.asset == asset and item.priority < Priority.CRITICAL

"""Alerts waiting for a chat: what is kept of them, which are wanted, and the per-chat queue.

A :class:`ChatQueue` hands out the most urgent alert first (critical before high before
normal, oldest first within a priority). When more than ``digest_after`` non-critical alerts
about one asset are waiting, it hands them out together so they go as one digest message.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
from collections import Counter
from collections.abc import Callable
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

    @classmethod
    def of(cls, alert: Alert, ident: str, chat_id: int, queued_ms: int, html: str) -> PendingAlert:
        """``alert`` (whose :func:`alert_id` is ``ident``) waiting for ``chat_id`` as ``html``."""
        return cls(
            alert_id=ident,
            chat_id=chat_id,
            kind=alert.kind,
            priority=alert.priority,
            asset=alert.asset,
            side=alert.side,
            usd=alert.usd,
            venues=alert.venues,
            at_ms=alert.at_ms,
            suppressed=alert.suppressed_before,
            queued_ms=queued_ms,
            html=html,
        )

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
    """One chat's waiting alerts, most urgent first. Not thread-safe (asyncio only).

    Taking the next alert costs O(log n): per-asset counts of digestible alerts and a lower
    bound on the oldest queue time avoid scanning the queue unless a digest or an expiry is
    actually due.
    """

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, PendingAlert]] = []
        self._order = itertools.count()
        self._front = itertools.count(-1, -1)  # put-back items go before everything queued
        self._digestible: Counter[str] = Counter()
        self._oldest_ms: int | None = None  # never later than the oldest item's queued_ms

    def __len__(self) -> int:
        return len(self._heap)

    def push(self, item: PendingAlert) -> None:
        """Queue ``item`` behind everything of its priority."""
        self._add(item, next(self._order))

    def put_back(self, items: list[PendingAlert]) -> None:
        """Return items that could not be sent: same priority, ahead of the others, same order."""
        for item in reversed(items):
            self._add(item, next(self._front))

    def drain(self) -> list[PendingAlert]:
        """Remove and return everything waiting."""
        items = [entry[2] for entry in self._heap]
        self._rebuild([])
        return items

    def take(self, now_ms: int, max_age_ms: int, digest_after: int) -> Taken:
        """The next message's alerts: the most urgent one, or a digest of its asset's burst.

        Alerts older than ``max_age_ms`` (since they were queued) come back in ``expired``.
        """
        taken = Taken()
        if max_age_ms > 0 and self._oldest_ms is not None and self._oldest_ms < now_ms - max_age_ms:
            taken.expired = self._remove(lambda item: item.queued_ms < now_ms - max_age_ms)
        if not self._heap:
            return taken
        _, _, top = heapq.heappop(self._heap)
        if top.priority >= Priority.CRITICAL:
            taken.send.append(top)
            return taken
        self._digestible[top.asset] -= 1
        if self._digestible[top.asset] + 1 <= max(1, digest_after):
            taken.send.append(top)
            return taken
        # A burst: everything non-critical about this asset goes in one digest, oldest first.
        taken.send = [top, *self._remove(lambda item: _digestible(item, top.asset))]
        return taken

    def _add(self, item: PendingAlert, order: int) -> None:
        heapq.heappush(self._heap, (-int(item.priority), order, item))
        if item.priority < Priority.CRITICAL:
            self._digestible[item.asset] += 1
        if self._oldest_ms is None or item.queued_ms < self._oldest_ms:
            self._oldest_ms = item.queued_ms

    def _remove(self, matches: Callable[[PendingAlert], bool]) -> list[PendingAlert]:
        """Take out every item ``matches`` accepts, in queue order (O(n), only when due)."""
        removed = sorted((e for e in self._heap if matches(e[2])), key=lambda e: e[1])
        self._rebuild([e for e in self._heap if not matches(e[2])])
        return [e[2] for e in removed]

    def _rebuild(self, entries: list[tuple[int, int, PendingAlert]]) -> None:
        heapq.heapify(entries)
        self._heap = entries
        items = [e[2] for e in entries]
        self._digestible = Counter(i.asset for i in items if i.priority < Priority.CRITICAL)
        self._oldest_ms = min((i.queued_ms for i in items), default=None)


def _digestible(item: PendingAlert, asset: str) -> bool:
    return item.asset == asset and item.priority < Priority.CRITICAL

"""Alerts waiting for a destination: what is kept of them, their ids, and the per-destination queue.

A :class:`DestQueue` hands out the most urgent alert first (critical before high before
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

from liqterm.engine.alerts import Alert, Priority

Dest = int | str
"""A destination: a Telegram chat id, or the name of a notification service."""

EVENT_KINDS = frozenset({"large", "whale", "institutional"})
"""Alert kinds about one liquidation (their USD figures add up in a digest)."""


def alert_id(alert: Alert) -> str:
    """A stable id for an alert: the same (key, time, kind, text) always gives the same id."""
    raw = "\x1f".join((alert.key, str(alert.at_ms), alert.kind, alert.text))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Pending:
    """One alert waiting for one destination, with what a digest needs and its ready-made text."""

    alert_id: str
    dest: Dest
    kind: str
    priority: Priority
    asset: str
    side: str | None
    usd: float
    venues: tuple[str, ...]
    at_ms: int
    suppressed: int
    queued_ms: int
    body: str
    """The message as the destination takes it (Telegram HTML, or a title line and plain text)."""

    @classmethod
    def of(cls, alert: Alert, ident: str, dest: Dest, queued_ms: int, body: str) -> Pending:
        """``alert`` (whose :func:`alert_id` is ``ident``) waiting for ``dest`` as ``body``."""
        return cls(
            alert_id=ident,
            dest=dest,
            kind=alert.kind,
            priority=alert.priority,
            asset=alert.asset,
            side=alert.side,
            usd=alert.usd,
            venues=alert.venues,
            at_ms=alert.at_ms,
            suppressed=alert.suppressed_before,
            queued_ms=queued_ms,
            body=body,
        )

    @property
    def key(self) -> tuple[str, Dest]:
        """The delivery key: each (alert, destination) is delivered at most once."""
        return (self.alert_id, self.dest)


@dataclass(slots=True)
class Taken:
    """What :meth:`DestQueue.take` handed out: one alert or a digest batch, plus expired ones."""

    send: list[Pending] = field(default_factory=list)
    expired: list[Pending] = field(default_factory=list)

    @property
    def is_digest(self) -> bool:
        return len(self.send) > 1


class DestQueue:
    """One destination's waiting alerts, most urgent first. Not thread-safe (asyncio only).

    Taking the next alert costs O(log n): per-asset counts of digestible alerts and a lower
    bound on the oldest queue time avoid scanning the queue unless a digest or an expiry is
    actually due.
    """

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, Pending]] = []
        self._order = itertools.count()
        self._front = itertools.count(-1, -1)  # put-back items go before everything queued
        self._digestible: Counter[str] = Counter()
        self._oldest_ms: int | None = None  # never later than the oldest item's queued_ms

    def __len__(self) -> int:
        return len(self._heap)

    def push(self, item: Pending) -> None:
        """Queue ``item`` behind everything of its priority."""
        self._add(item, next(self._order))

    def put_back(self, items: list[Pending]) -> None:
        """Return items that could not be sent: same priority, ahead of the others, same order."""
        for item in reversed(items):
            self._add(item, next(self._front))

    def drain(self) -> list[Pending]:
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

    def _add(self, item: Pending, order: int) -> None:
        heapq.heappush(self._heap, (-int(item.priority), order, item))
        if item.priority < Priority.CRITICAL:
            self._digestible[item.asset] += 1
        if self._oldest_ms is None or item.queued_ms < self._oldest_ms:
            self._oldest_ms = item.queued_ms

    def _remove(self, matches: Callable[[Pending], bool]) -> list[Pending]:
        """Take out every item ``matches`` accepts, in queue order (O(n), only when due)."""
        removed = sorted((e for e in self._heap if matches(e[2])), key=lambda e: e[1])
        self._rebuild([e for e in self._heap if not matches(e[2])])
        return [e[2] for e in removed]

    def _rebuild(self, entries: list[tuple[int, int, Pending]]) -> None:
        heapq.heapify(entries)
        self._heap = entries
        items = [e[2] for e in entries]
        self._digestible = Counter(i.asset for i in items if i.priority < Priority.CRITICAL)
        self._oldest_ms = min((i.queued_ms for i in items), default=None)


def _digestible(item: Pending, asset: str) -> bool:
    return item.asset == asset and item.priority < Priority.CRITICAL

"""From ``submit()`` to the outbox and the destinations' queues.

``submit`` is the one call the app's UI loop makes, so it only filters and appends. The
intake task then turns the batch into deliveries (one per destination that wants the
alert), stores them in the outbox (on the outbox's thread) and hands what is new to each
destination's sender. An alert is sent only after it is stored, so a crash can lose at most
what was submitted in the last few milliseconds.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import deque
from collections.abc import Callable, Mapping

from liqterm.engine.alerts import Alert
from liqterm.outbox.queue import Dest, Pending
from liqterm.outbox.sender import Counters, Sender
from liqterm.outbox.store import AsyncOutbox

log = logging.getLogger(__name__)

MAX_INCOMING = 100_000
"""Alerts held in memory before the intake stores them; only reached if it is stuck."""


class Intake:
    """Accepts alerts, stores them, and queues them for each destination. :meth:`run` is its task.

    Subclasses say which alerts are wanted (:meth:`wanted`), what each becomes for each
    destination (:meth:`expand`) and what skipping a paused or stopped one counts as
    (:meth:`skipped`).

    Args:
        workers: the sender of each destination (filled in before :meth:`run`).
        counters: the service's tallies (alerts dropped here are counted as failed).
        fanout: destinations an alert can go to (what one lost alert costs in deliveries).
        name: how log lines name the service.
    """

    def __init__(
        self,
        workers: Mapping[Dest, Sender],
        counters: Counters,
        wall_ms: Callable[[], int],
        fanout: int,
        name: str,
    ) -> None:
        self._workers = workers
        self._counters = counters
        self._wall_ms = wall_ms
        self._fanout = fanout
        self._name = name
        self._incoming: deque[tuple[Alert, int]] = deque()
        self._wake = asyncio.Event()
        self._closing = False
        self.problem = ""
        """Why the last batch could not be stored, or ``""``."""

    def wanted(self, alert: Alert) -> bool:
        """Whether any destination may want ``alert`` (the cheap check ``submit`` makes)."""
        raise NotImplementedError

    def expand(self, alert: Alert, queued_ms: int) -> list[Pending]:
        """The deliveries ``alert`` becomes, one per destination that wants it."""
        raise NotImplementedError

    def skipped(self, item: Pending) -> None:
        """Count a delivery not queued because its destination is paused or stopped."""

    def __len__(self) -> int:
        """Alerts submitted but not yet stored."""
        return len(self._incoming)

    def submit(self, alert: Alert) -> None:
        """Take ``alert`` if it is wanted. O(1); call from the event loop thread."""
        if self._closing or not self.wanted(alert):
            return
        if len(self._incoming) >= MAX_INCOMING:
            self._incoming.popleft()
            self._counters.failed += self._fanout
        self._incoming.append((alert, self._wall_ms()))
        self._wake.set()

    def close(self) -> None:
        """Refuse new alerts; :meth:`run` stores what it holds, then returns."""
        self._closing = True
        self._wake.set()

    async def run(self, outbox: AsyncOutbox) -> None:
        """Store and queue alerts until :meth:`close`."""
        while True:
            if not self._incoming:
                if self._closing:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            items = self._pending()
            try:
                added = await outbox.call(outbox.sync.add, items) if items else []
            except sqlite3.Error as exc:  # e.g. disk full: count the loss, keep going
                self._counters.failed += len(items)
                self.problem = f"could not store {len(items)} alerts ({exc})"
                log.error("%s: %s", self._name, self.problem)
                continue
            self.problem = ""
            for item in added:
                self._workers[item.dest].push(item)

    async def flush(self, outbox: AsyncOutbox) -> None:
        """Store what is still held (the task was cut short) so the next run sends it."""
        if self._incoming:
            await outbox.call(outbox.sync.add, self._pending())

    def _pending(self) -> list[Pending]:
        batch = list(self._incoming)
        self._incoming.clear()
        items = []
        for alert, queued_ms in batch:
            try:
                expanded = self.expand(alert, queued_ms)
            except Exception:  # a formatting bug must not stop the other alerts
                log.exception("%s: cannot format a %s alert; skipped", self._name, alert.kind)
                self._counters.failed += self._fanout
                continue
            for item in expanded:
                worker = self._workers.get(item.dest)
                if worker is not None and not worker.accepts:
                    self.skipped(item)
                    continue
                items.append(item)
        return items

"""From ``submit()`` to the outbox and the chat queues.

``submit`` is the one call the app's UI loop makes, so it only filters and appends. The
intake task then formats the batch, stores it in the outbox (on the outbox's thread) and
hands what is new to each chat's sender. An alert is sent only after it is stored, so a
crash can lose at most what was submitted in the last few milliseconds.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import deque
from collections.abc import Callable, Mapping

from liqterm.config.schema import TelegramConfig
from liqterm.engine.alerts import Alert
from liqterm.telegram.delivery import ChatWorker
from liqterm.telegram.format import format_alert
from liqterm.telegram.outbox import AsyncOutbox
from liqterm.telegram.pending import PendingAlert, alert_id, is_forwarded
from liqterm.telegram.status import Counters

log = logging.getLogger(__name__)

MAX_INCOMING = 100_000
"""Alerts held in memory before the intake stores them; only reached if it is stuck."""


class Intake:
    """Accepts alerts, stores them, and queues them for each chat. :meth:`run` is its task.

    Args:
        chat_ids: the chats every alert goes to (unless paused or refused).
        workers: the sender of each chat (filled in by the forwarder before :meth:`run`).
        counters: the forwarder's tallies (alerts dropped here are counted as failed).
    """

    def __init__(
        self,
        config: TelegramConfig,
        chat_ids: tuple[int, ...],
        workers: Mapping[int, ChatWorker],
        counters: Counters,
        wall_ms: Callable[[], int],
    ) -> None:
        self._config = config
        self._chat_ids = chat_ids
        self._workers = workers
        self._counters = counters
        self._wall_ms = wall_ms
        self._incoming: deque[tuple[Alert, int]] = deque()
        self._wake = asyncio.Event()
        self._closing = False
        self.problem = ""
        """Why the last batch could not be stored, or ``""``."""

    def __len__(self) -> int:
        """Alerts submitted but not yet stored."""
        return len(self._incoming)

    def submit(self, alert: Alert) -> None:
        """Take ``alert`` if the config forwards it. O(1); call from the event loop thread."""
        if self._closing or not is_forwarded(alert, self._config):
            return
        if len(self._incoming) >= MAX_INCOMING:
            self._incoming.popleft()
            self._counters.failed += len(self._chat_ids)
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
                log.error("telegram: %s", self.problem)
                continue
            self.problem = ""
            for item in added:
                self._workers[item.chat_id].push(item)

    async def flush(self, outbox: AsyncOutbox) -> None:
        """Store what is still held (the task was cut short) so the next run sends it."""
        if self._incoming:
            await outbox.call(outbox.sync.add, self._pending())

    def _pending(self) -> list[PendingAlert]:
        batch = list(self._incoming)
        self._incoming.clear()
        items = []
        for alert, queued_ms in batch:
            try:
                html, ident = format_alert(alert), alert_id(alert)
            except Exception:  # a formatting bug must not stop the other alerts
                log.exception("telegram: cannot format a %s alert; skipped", alert.kind)
                self._counters.failed += len(self._chat_ids)
                continue
            for chat in self._chat_ids:
                worker = self._workers.get(chat)
                if worker is not None and not worker.accepts:
                    self._counters.skipped_paused += 1
                    continue
                items.append(PendingAlert.of(alert, ident, chat, queued_ms, html))
        return items

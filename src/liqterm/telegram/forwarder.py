"""The Telegram forwarder: the asyncio service the app runs beside the engine.

Wiring (in the app, on its event loop)::

    forwarder, status = build_forwarder(config.telegram, status_provider=...)
    if forwarder:
        await forwarder.start()
    ...
    for alert in engine.ingest(events):
        forwarder.submit(alert)          # cheap, never blocks, never raises
    ...
    status_bar.update(forwarder.status.label)
    await forwarder.stop()

``submit`` only filters and appends to a list; the :class:`Intake` task stores the batch in
the outbox (on the outbox's own thread) and hands it to one :class:`ChatWorker` per chat,
which sends in priority order within the rate limits. An :class:`UpdatePoller` answers
commands.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
import time
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any

import httpx

from liqterm.config.schema import TelegramConfig
from liqterm.engine.alerts import Alert
from liqterm.telegram.client import BotClient
from liqterm.telegram.commands import CommandDesk, StatusProvider
from liqterm.telegram.delivery import ChatWorker
from liqterm.telegram.errors import TelegramError, explain
from liqterm.telegram.intake import Intake
from liqterm.telegram.outbox import CANCELLED, AsyncOutbox, default_path
from liqterm.telegram.pending import PendingAlert
from liqterm.telegram.ratelimit import RateLimiter
from liqterm.telegram.secret import Secret, TokenError, load_token
from liqterm.telegram.status import ChatState, ChatStatus, Counters, TelegramStatus, summarise
from liqterm.telegram.tuning import Tuning
from liqterm.telegram.updates import UpdatePoller

log = logging.getLogger(__name__)


class Forwarder:
    """Forwards engine alerts to the configured Telegram chats and answers their commands.

    Args:
        config: the ``[telegram]`` table.
        token: the bot token (see :func:`~liqterm.telegram.secret.load_token`).
        outbox_path: the SQLite file (default ``<data dir>/telegram.sqlite3``).
        status_provider: extra lines for ``/alerts status``, e.g.
            :func:`~liqterm.telegram.commands.snapshot_status`.
        tuning: timeouts and backoff (tests shrink them).
        transport: an httpx transport instead of the network (tests).
        wall_clock: epoch seconds, for queue ages and records.
        rng: jitter source.
    """

    def __init__(
        self,
        config: TelegramConfig,
        token: Secret,
        *,
        outbox_path: Path | None = None,
        status_provider: StatusProvider | None = None,
        tuning: Tuning | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        wall_clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self._config = config
        self._token = token
        self._chat_ids = tuple(dict.fromkeys(config.chat_ids))
        self._outbox_path = outbox_path
        self._provider = status_provider
        self._tuning = tuning or Tuning()
        self._transport = transport
        self._wall = wall_clock
        self._rng = rng or random.Random()
        self._counters = Counters()
        self._limiter = RateLimiter(config.per_chat_per_s, config.per_group_per_min, config.global_per_s)
        self._workers: dict[int, ChatWorker] = {}
        self._intake = Intake(config, self._chat_ids, self._workers, self._counters, self._now_ms)
        self._tasks: list[asyncio.Task[None]] = []
        self._poller: asyncio.Task[None] | None = None
        self._outbox: AsyncOutbox | None = None
        self._client: BotClient | None = None
        self._fatal = ""
        self._poll_problem = ""
        self._started = self._stopped = False

    def __repr__(self) -> str:
        return f"Forwarder(chats={list(self._chat_ids)!r}, state={self.status.state.value!r})"

    # -- the app's side ------------------------------------------------------------------------

    def submit(self, alert: Alert) -> None:
        """Queue ``alert`` for every chat that wants it. O(1); call from the event loop thread.

        Alerts the config does not forward (kind switched off, priority below
        ``min_priority``) are ignored here. May be called before :meth:`start`.
        """
        self._intake.submit(alert)

    @property
    def status(self) -> TelegramStatus:
        """The current state as an immutable value (cheap; fine to read on every UI tick)."""
        chats = tuple(
            ChatStatus(chat, w.state, w.reason, len(w.queue)) for chat, w in self._workers.items()
        ) or tuple(ChatStatus(chat, ChatState.OK) for chat in self._chat_ids)
        incoming = len(self._intake) * len(self._chat_ids)
        note = self._intake.problem or self._poll_problem
        return summarise(chats, self._counters, incoming, self._fatal, note)

    # -- lifecycle -----------------------------------------------------------------------------

    async def __aenter__(self) -> Forwarder:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Open the outbox, reload what was waiting, and start sending and polling."""
        if self._started:
            return
        self._started = True
        try:
            outbox = self._outbox = await AsyncOutbox.open(self._outbox_path or default_path())
        except (sqlite3.Error, OSError) as exc:
            self._fatal = f"cannot open the outbox {self._outbox_path or default_path()}: {exc}"
            log.error("telegram: %s", self._fatal)
            return
        db = outbox.sync
        now = self._now_ms()
        interrupted = await outbox.call(db.recover_interrupted, now)
        if interrupted:
            self._counters.unconfirmed += interrupted
            log.warning(
                "telegram: %d alerts were being sent when liqterm stopped; they may "
                "have arrived and are not sent again",
                interrupted,
            )
        await outbox.call(db.prune, now - int(self._tuning.retention_days * 86_400_000))
        self._counters.last_sent_ms = await outbox.call(db.last_sent_ms)
        self._client = BotClient(
            self._token, self._config.api_url, timeouts=self._tuning.timeouts, transport=self._transport
        )
        desk = CommandDesk(
            self._workers,
            outbox,
            self._config,
            self._counters,
            lambda: self.status,
            self._provider,
            self._now_ms,
        )
        paused = await desk.paused_chats()
        for chat in self._chat_ids:
            worker = self._workers[chat] = self._new_worker(chat)
            if chat in paused:
                worker.pause()
        await self._reload(await outbox.call(db.waiting), now)
        self._spawn(self._intake.run(outbox), "intake")
        for chat, worker in self._workers.items():
            self._spawn(worker.run(), f"chat {chat}")
        if self._tuning.commands:
            self._poller = self._spawn(self._new_poller(desk).run(), "commands")

    async def stop(self) -> None:
        """Let sends in flight finish (up to ``stop_grace_s``), store what waits, and close."""
        if not self._started or self._stopped:
            return
        self._stopped = True
        self._intake.close()
        for worker in self._workers.values():
            worker.close()
        if self._poller is not None:
            self._poller.cancel()
        graceful = [t for t in self._tasks if t is not self._poller]
        if graceful:
            _, late = await asyncio.wait(graceful, timeout=self._tuning.stop_grace_s)
            for task in late:
                task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._outbox is None:  # start() could not open it
            return
        await self._intake.flush(self._outbox)
        if self._client is not None:
            await self._client.aclose()
        await self._outbox.close()

    # -- internals -----------------------------------------------------------------------------

    def _now_ms(self) -> int:
        return int(self._wall() * 1000)

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        task = asyncio.create_task(coro, name=f"telegram {name}")
        task.add_done_callback(self._task_done)
        self._tasks.append(task)
        return task

    def _task_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or task.exception() is None:
            return
        error = task.exception()
        log.error("telegram: %s stopped unexpectedly", task.get_name(), exc_info=error)
        if isinstance(error, sqlite3.Error):
            self._fatal = f"the outbox database failed ({error}); see the log"
        else:
            self._fatal = f"internal error in {task.get_name()} ({type(error).__name__}); see the log"

    def _new_worker(self, chat: int) -> ChatWorker:
        assert self._client is not None and self._outbox is not None
        return ChatWorker(
            chat,
            client=self._client,
            limiter=self._limiter,
            outbox=self._outbox,
            config=self._config,
            tuning=self._tuning,
            counters=self._counters,
            wall_ms=self._now_ms,
            rng=self._rng,
            halted=lambda: bool(self._fatal),
            on_unauthorized=self._unauthorized,
        )

    def _new_poller(self, desk: CommandDesk) -> UpdatePoller:
        assert self._client is not None and self._outbox is not None
        return UpdatePoller(
            self._client,
            self._outbox,
            frozenset(self._chat_ids),
            desk.handle,
            limiter=self._limiter,
            tuning=self._tuning,
            counters=self._counters,
            wall_ms=self._now_ms,
            rng=self._rng,
            max_age_s=self._config.max_age_s,
            on_problem=self._set_poll_problem,
            on_unauthorized=self._unauthorized,
        )

    async def _reload(self, waiting: list[PendingAlert], now: int) -> None:
        orphans = []
        for item in waiting:
            worker = self._workers.get(item.dest)
            if worker is None or not worker.accepts:
                orphans.append(item.key)
            else:
                worker.queue.push(item)
        if waiting:
            log.info("telegram: %d alerts waiting from the last run", len(waiting) - len(orphans))
        if orphans:  # chats removed from the config (or paused) since they were queued
            assert self._outbox is not None
            self._counters.skipped_paused += len(orphans)
            await self._outbox.call(self._outbox.sync.mark, orphans, CANCELLED, now)

    def _unauthorized(self, error: TelegramError) -> None:
        if not self._fatal:
            self._fatal = explain(error)
            log.error("telegram: %s", self._fatal)

    def _set_poll_problem(self, reason: str) -> None:
        self._poll_problem = reason


def build_forwarder(
    config: TelegramConfig, environ: Mapping[str, str] | None = None, **options: Any
) -> tuple[Forwarder | None, TelegramStatus]:
    """A forwarder for ``config``, or ``None`` and the status that says why not.

    ``options`` go to :class:`Forwarder`. The token comes from ``environ`` (default
    ``os.environ``) or ``config.token_file``.
    """
    if not config.enabled:
        return None, TelegramStatus.off()
    if not config.chat_ids:
        return None, TelegramStatus.failing("no chats: add chat_ids = [...] under [telegram]")
    try:
        token = load_token(config.token_file, environ)
    except TokenError as exc:
        return None, TelegramStatus.failing(str(exc))
    forwarder = Forwarder(config, token, **options)
    return forwarder, forwarder.status

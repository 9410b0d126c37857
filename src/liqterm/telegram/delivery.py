"""One chat's sender: takes its queue in priority order, within the rate limits, and retries.

What a failure does (see :class:`~liqterm.telegram.errors.ErrorKind`):

* 429: wait ``retry_after`` as Telegram asked, then send the same alerts again.
* 5xx, network: capped exponential backoff with jitter, then again.
* connection broke after sending: the alerts are ``unconfirmed`` (maybe delivered), not resent.
* 400 about the chat, 403: this chat stops (its alerts are ``failed``); the others go on.
* 400 about the text: sent once more as plain text.
* 401: the token is wrong; the forwarder halts every chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable

from liqterm.config.schema import TelegramConfig
from liqterm.telegram.client import BotClient
from liqterm.telegram.digest import format_digest
from liqterm.telegram.errors import ErrorKind, TelegramError, explain
from liqterm.telegram.format import to_plain
from liqterm.telegram.outbox import (
    DIGESTED,
    EXPIRED,
    FAILED,
    SENDING,
    SENT,
    UNCONFIRMED,
    WAITING,
    AsyncOutbox,
)
from liqterm.telegram.pending import ChatQueue, PendingAlert
from liqterm.telegram.ratelimit import RateLimiter
from liqterm.telegram.status import ChatState, Counters
from liqterm.telegram.tuning import Tuning, backoff_delay

log = logging.getLogger(__name__)


class ChatWorker:
    """Delivers one chat's alerts. :meth:`run` is its task; the forwarder feeds :meth:`push`."""

    def __init__(
        self,
        chat_id: int,
        *,
        client: BotClient,
        limiter: RateLimiter,
        outbox: AsyncOutbox,
        config: TelegramConfig,
        tuning: Tuning,
        counters: Counters,
        wall_ms: Callable[[], int],
        rng: random.Random,
        halted: Callable[[], bool],
        on_unauthorized: Callable[[TelegramError], None],
    ) -> None:
        self.chat_id = chat_id
        self.queue = ChatQueue()
        self.state = ChatState.OK
        self.reason = ""
        self._client = client
        self._limiter = limiter
        self._outbox = outbox
        self._config = config
        self._tuning = tuning
        self._counters = counters
        self._wall_ms = wall_ms
        self._rng = rng
        self._halted = halted
        self._on_unauthorized = on_unauthorized
        self._wake = asyncio.Event()
        self._closing = False
        self._failures = 0

    @property
    def accepts(self) -> bool:
        """Whether new alerts should be queued for this chat."""
        return self.state not in (ChatState.PAUSED, ChatState.STOPPED)

    def push(self, item: PendingAlert) -> None:
        """Queue an alert (already stored in the outbox) and wake the sender."""
        self.queue.push(item)
        self._wake.set()

    def wake(self) -> None:
        """Re-check the queue (after a resume, a halt lifted, or closing)."""
        self._wake.set()

    def close(self) -> None:
        """Finish the send in flight, then return from :meth:`run`."""
        self._closing = True
        self._wake.set()

    def pause(self) -> list[PendingAlert]:
        """Stop sending here (``/alerts stop``); returns the alerts that were waiting."""
        if self.state is not ChatState.STOPPED:
            self.state, self.reason = ChatState.PAUSED, "paused with /alerts stop"
        return self.queue.drain()

    def resume(self) -> None:
        """Send here again (``/alerts start``); a chat Telegram refused stays stopped."""
        if self.state is ChatState.PAUSED:
            self.state, self.reason = ChatState.OK, ""
        self._wake.set()

    async def run(self) -> None:
        """Send until :meth:`close`."""
        max_age_ms = int(self._config.max_age_s * 1000)
        while not self._closing:
            if not self.queue or not self.accepts or self._halted():
                await self._sleep(None)
                continue
            wait = self._limiter.wait_time(self.chat_id)
            if wait > 0:
                await self._sleep(wait)
                continue
            taken = self.queue.take(self._wall_ms(), max_age_ms, self._config.digest_after)
            if taken.expired:
                self._counters.expired += len(taken.expired)
                log.info(
                    "chat %s: %d alerts expired after %.0f s in the queue",
                    self.chat_id,
                    len(taken.expired),
                    self._config.max_age_s,
                )
                await self._mark(taken.expired, EXPIRED)
            if taken.send:
                await self._deliver(taken.send)

    async def _sleep(self, seconds: float | None) -> None:
        """Wait for ``seconds`` or until woken, whichever is first."""
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _mark(
        self,
        items: list[PendingAlert],
        state: str,
        message_id: int | None = None,
    ) -> None:
        keys = [item.key for item in items]
        await self._outbox.call(self._outbox.sync.mark, keys, state, self._wall_ms(), message_id)

    async def _deliver(self, items: list[PendingAlert]) -> None:
        text = items[0].html if len(items) == 1 else format_digest(items)
        # Take the rate-limit slot before the first await, so no other chat's worker can
        # pass the same global check in between.
        self._limiter.record(self.chat_id)
        await self._mark(items, SENDING)
        try:
            message_id = await self._client.send_message(self.chat_id, text)
        except TelegramError as error:
            if error.kind is ErrorKind.BAD_MESSAGE:
                await self._send_plain(items, text, error)
            else:
                await self._failed(items, error)
            return
        await self._delivered(items, message_id)

    async def _delivered(self, items: list[PendingAlert], message_id: int) -> None:
        digest = len(items) > 1
        # Not awaited: the send already happened; the record only needs to land before the
        # next write (the outbox thread keeps order). If liqterm dies first, the row stays
        # "sending" and becomes "unconfirmed": still never sent twice.
        keys = [item.key for item in items]
        state = DIGESTED if digest else SENT
        self._outbox.post(self._outbox.sync.mark, keys, state, self._wall_ms(), message_id)
        counters = self._counters
        counters.messages_sent += 1
        counters.alerts_sent += len(items)
        counters.digests += int(digest)
        counters.last_sent_ms = self._wall_ms()
        self._failures = 0
        if self.state is ChatState.RETRYING:
            self.state, self.reason = ChatState.OK, ""

    async def _send_plain(self, items: list[PendingAlert], text: str, error: TelegramError) -> None:
        log.warning(
            "chat %s: Telegram refused the message markup (%s); sending it as plain text",
            self.chat_id,
            error.description,
        )
        try:
            message_id = await self._client.send_message(self.chat_id, to_plain(text), html=False)
        except TelegramError as again:
            await self._failed(items, again)
            return
        await self._delivered(items, message_id)

    async def _failed(self, items: list[PendingAlert], error: TelegramError) -> None:
        kind = error.kind
        reason = explain(error, self.chat_id)
        if kind is ErrorKind.UNAUTHORIZED:
            await self._retry_later(items, 0.0, reason)
            self._on_unauthorized(error)
        elif kind.chat_fatal or kind is ErrorKind.BAD_MESSAGE:
            await self._give_up(items, error, reason)
        elif kind is ErrorKind.RATE_LIMITED:
            self._limiter.block(self.chat_id, error.retry_after or 1.0)
            log.info("chat %s: %s", self.chat_id, reason)
            await self._retry_later(items, 0.0, reason)
        else:
            self._failures += 1
            delay = backoff_delay(
                self._failures, self._tuning.backoff_base_s, self._tuning.backoff_cap_s, self._rng
            )
            log.warning(
                "chat %s: %s (attempt %d failed; next in %.1f s)", self.chat_id, reason, self._failures, delay
            )
            if kind is ErrorKind.UNCERTAIN:
                self._counters.unconfirmed += len(items)
                await self._mark(items, UNCONFIRMED)
                self.state, self.reason = ChatState.RETRYING, reason
                self._limiter.block(self.chat_id, delay)
            else:
                await self._retry_later(items, delay, reason)

    async def _retry_later(self, items: list[PendingAlert], delay: float, reason: str) -> None:
        self.queue.put_back(items)
        await self._mark(items, WAITING)
        if delay > 0:
            self._limiter.block(self.chat_id, delay)
        self.state, self.reason = ChatState.RETRYING, reason

    async def _give_up(self, items: list[PendingAlert], error: TelegramError, reason: str) -> None:
        self._counters.failed += len(items)
        await self._mark(items, FAILED)
        if error.kind is ErrorKind.BAD_MESSAGE:
            log.error("chat %s: a message was refused and dropped: %s", self.chat_id, reason)
            return
        rest = self.queue.drain()
        self._counters.failed += len(rest)
        await self._mark(rest, FAILED)
        self.state, self.reason = ChatState.STOPPED, reason
        log.error("chat %s: stopped sending: %s", self.chat_id, reason)

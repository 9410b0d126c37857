"""Long-polls ``getUpdates`` and answers commands from the configured chats only.

The update offset is stored in the outbox database before the batch is handled, so a
restart neither re-answers old commands nor loops on one that crashes us. Messages from
chats not in ``chat_ids`` are counted and never answered (a stranger who finds the bot
learns nothing, not even that it is alive).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

from liqterm.telegram.client import BotClient
from liqterm.telegram.commands import Command, parse_command
from liqterm.telegram.errors import ErrorKind, TelegramError, explain
from liqterm.telegram.outbox import AsyncOutbox
from liqterm.telegram.ratelimit import RateLimiter
from liqterm.telegram.status import Counters
from liqterm.telegram.tuning import Tuning, backoff_delay

log = logging.getLogger(__name__)

OFFSET_SETTING = "updates_offset"
REPLY_ATTEMPTS = 4
CommandHandler = Callable[[int, Command], Awaitable[str | None]]


class UpdatePoller:
    """The ``getUpdates`` loop. :meth:`run` is its task.

    Args:
        handler: turns an authorised chat's command into reply HTML (or ``None``).
        max_age_s: commands older than this (sent while liqterm was down) are not answered.
        on_problem: called with a user-facing sentence when polling fails, ``""`` when it works.
        on_unauthorized: called when Telegram rejects the token.
    """

    def __init__(
        self,
        client: BotClient,
        outbox: AsyncOutbox,
        allowed_chats: frozenset[int],
        handler: CommandHandler,
        *,
        limiter: RateLimiter,
        tuning: Tuning,
        counters: Counters,
        wall_ms: Callable[[], int],
        rng: random.Random,
        max_age_s: float,
        on_problem: Callable[[str], None],
        on_unauthorized: Callable[[TelegramError], None],
    ) -> None:
        self._client = client
        self._outbox = outbox
        self._allowed = allowed_chats
        self._handler = handler
        self._limiter = limiter
        self._tuning = tuning
        self._counters = counters
        self._wall_ms = wall_ms
        self._rng = rng
        self._max_age_s = max_age_s
        self._on_problem = on_problem
        self._on_unauthorized = on_unauthorized
        self._failures = 0
        self._warned: set[int] = set()
        self.username: str | None = None

    async def run(self) -> None:
        """Learn the bot's name, then poll and answer until cancelled."""
        while self.username is None:
            try:
                me = await self._client.get_me()
            except TelegramError as error:
                if not await self._failed(error):
                    return
                continue
            self.username = str(me.get("username") or "")
        stored = await self._outbox.call(self._outbox.sync.setting, OFFSET_SETTING)
        offset = int(stored) if stored else None
        while True:
            try:
                updates = await self._client.get_updates(offset, self._tuning.poll_s)
            except TelegramError as error:
                if not await self._failed(error):
                    return
                continue
            if self._failures:
                self._failures = 0
                self._on_problem("")
            if not updates:
                continue
            offset = max(int(u.get("update_id", 0)) for u in updates) + 1
            await self._outbox.call(self._outbox.sync.set_setting, OFFSET_SETTING, str(offset))
            for update in updates:
                await self._dispatch(update)

    async def _failed(self, error: TelegramError) -> bool:
        """Report and wait after a failed call; ``False`` when polling must end (bad token)."""
        if error.kind is ErrorKind.UNAUTHORIZED:
            self._on_unauthorized(error)
            return False
        self._failures += 1
        reason = explain(error)
        self._on_problem(f"commands: {reason}")
        if error.kind is ErrorKind.RATE_LIMITED and error.retry_after:
            delay = error.retry_after
        else:
            delay = backoff_delay(
                self._failures, self._tuning.backoff_base_s, self._tuning.backoff_cap_s, self._rng
            )
        log.warning("telegram commands: %s (next try in %.1f s)", reason, delay)
        await asyncio.sleep(delay)
        return True

    async def _dispatch(self, update: dict[str, Any]) -> None:
        message = update.get("message") or update.get("channel_post")
        if not isinstance(message, dict):
            return
        chat = message.get("chat")
        chat_id = chat.get("id") if isinstance(chat, dict) else None
        if not isinstance(chat_id, int):
            return
        if chat_id not in self._allowed:
            self._counters.ignored_updates += 1
            if chat_id not in self._warned:  # once per chat: strangers must not flood the log
                self._warned.add(chat_id)
                log.info("telegram: ignoring messages from chat %s (not in [telegram] chat_ids)", chat_id)
            return
        command = parse_command(str(message.get("text") or ""), self.username)
        if command is None:
            return
        sent_s = message.get("date")
        if isinstance(sent_s, int) and self._wall_ms() / 1000 - sent_s > self._max_age_s:
            log.info("telegram: not answering an old command from chat %s", chat_id)
            return
        reply = await self._handler(chat_id, command)
        if reply:
            await self._reply(chat_id, reply)

    async def _reply(self, chat_id: int, text: str) -> None:
        """Answer a command: within the chat's rate limit, skipping the alert queue.

        A reply is not stored in the outbox; a failure that may pass (429, 5xx, network) is
        retried a few times, then given up with a log line (the user can ask again).
        """
        for attempt in range(1, REPLY_ATTEMPTS + 1):
            wait = self._limiter.wait_time(chat_id)
            while wait > 0:
                await asyncio.sleep(wait)
                wait = self._limiter.wait_time(chat_id)
            self._limiter.record(chat_id)
            try:
                await self._client.send_message(chat_id, text)
                return
            except TelegramError as error:
                failure = error
            if failure.kind is ErrorKind.UNAUTHORIZED:
                self._on_unauthorized(failure)
            if not failure.kind.retryable or attempt == REPLY_ATTEMPTS:
                break
            if failure.kind is ErrorKind.RATE_LIMITED:
                self._limiter.block(chat_id, failure.retry_after or 1.0)
            else:
                delay = backoff_delay(
                    attempt, self._tuning.backoff_base_s, self._tuning.backoff_cap_s, self._rng
                )
                self._limiter.block(chat_id, delay)
        log.warning("telegram: could not answer chat %s: %s", chat_id, explain(failure, chat_id))

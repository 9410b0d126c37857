"""One chat's sender: the shared sender loop (:class:`liqterm.outbox.sender.Sender`) with what
Telegram's answers mean (see :class:`~liqterm.telegram.errors.ErrorKind`):

* 429: wait ``retry_after`` as Telegram asked, then send the same alerts again.
* 5xx, network: capped exponential backoff with jitter, then again.
* connection broke after sending: the alerts are ``unconfirmed`` (maybe delivered), not resent.
* 400 about the chat, 403: this chat stops (its alerts are ``failed``); the others go on.
* 400 about the text: sent once more as plain text.
* 401: the token is wrong; the forwarder halts every chat.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable

from liqterm.config.schema import TelegramConfig
from liqterm.outbox.queue import Pending
from liqterm.outbox.sender import Outcome, Policy, Result, Sender, SenderState
from liqterm.telegram.client import BotClient
from liqterm.telegram.digest import format_digest
from liqterm.telegram.errors import ErrorKind, TelegramError, explain
from liqterm.telegram.format import to_plain
from liqterm.telegram.outbox import AsyncOutbox
from liqterm.telegram.ratelimit import RateLimiter
from liqterm.telegram.status import Counters
from liqterm.telegram.tuning import Tuning

log = logging.getLogger(__name__)


class ChatWorker(Sender):
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
        # Telegram's transient failures are retried until the alerts expire (max_age_s):
        # a chat Telegram refuses is stopped by its own answer (400/403), not by a count.
        policy = Policy(
            max_age_s=config.max_age_s,
            digest_after=config.digest_after,
            backoff_base_s=tuning.backoff_base_s,
            backoff_cap_s=tuning.backoff_cap_s,
        )
        super().__init__(
            chat_id,
            label=f"chat {chat_id}",
            outbox=outbox,
            spacing=limiter,
            policy=policy,
            counters=counters,
            wall_ms=wall_ms,
            rng=rng,
            halted=halted,
        )
        self.chat_id = chat_id
        self._client = client
        self._on_unauthorized = on_unauthorized

    def pause(self) -> list[Pending]:
        """Stop sending here (``/alerts stop``); returns the alerts that were waiting."""
        waiting = super().pause()
        if self.state is SenderState.PAUSED:
            self.reason = "paused with /alerts stop"
        return waiting

    async def attempt(self, items: list[Pending]) -> Outcome:
        text = items[0].body if len(items) == 1 else format_digest(items)
        try:
            message_id = await self._client.send_message(self.chat_id, text)
        except TelegramError as error:
            if error.kind is not ErrorKind.BAD_MESSAGE:
                return self._outcome(error)
            log.warning(
                "chat %s: Telegram refused the message markup (%s); sending it as plain text",
                self.chat_id,
                error.description,
            )
            try:
                message_id = await self._client.send_message(self.chat_id, to_plain(text), html=False)
            except TelegramError as again:
                return self._outcome(again)
        return Outcome(Result.SENT, message_id=message_id)

    def _outcome(self, error: TelegramError) -> Outcome:
        kind = error.kind
        reason = explain(error, self.chat_id)
        if kind is ErrorKind.UNAUTHORIZED:
            self._on_unauthorized(error)
            return Outcome(Result.HALT, reason)
        if kind is ErrorKind.BAD_MESSAGE:
            return Outcome(Result.DROP, reason)
        if kind.chat_fatal:
            return Outcome(Result.STOP, reason)
        if kind is ErrorKind.RATE_LIMITED:
            return Outcome(Result.WAIT, reason, retry_after=error.retry_after or 1.0)
        if kind is ErrorKind.UNCERTAIN:
            return Outcome(Result.UNCERTAIN, reason)
        return Outcome(Result.RETRY, reason)

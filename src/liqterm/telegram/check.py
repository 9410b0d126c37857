"""``liqterm telegram test``: send one message to each chat and say exactly what went wrong.

When Telegram asks to slow down (429) the check waits the time it names and tries the same
call again; when Telegram's own servers fail (5xx) it waits a second, then two, then four.
Both are bounded by :class:`Patience`: three retries of any one call and 30 seconds of
waiting for the whole check, so the command always ends within about half a minute plus the
requests themselves. Other failures are reported at once: retrying would not change them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import httpx

from liqterm.config.schema import TelegramConfig
from liqterm.telegram.client import BotClient, Timeouts
from liqterm.telegram.errors import ErrorKind, TelegramError, explain
from liqterm.telegram.secret import TokenError, load_token

T = TypeVar("T")

Echo = Callable[..., None]
"""``typer.echo``-like: ``echo(text, err=False)``."""

TEST_MESSAGE = (
    "✅ <b>liqterm</b> test message: liquidation alerts will arrive in this chat.\n"
    "Send /alerts status here to see what is forwarded."
)


@dataclass(frozen=True, slots=True)
class Patience:
    """How long the check keeps trying when Telegram asks it to wait or its servers fail.

    Attributes:
        retries: retries of any one call after its first attempt.
        max_wait_s: seconds of waiting allowed for the whole check; a wait that would go
            past it is not started, and the check says when to run it again instead.
        backoff_s: the wait after a first 5xx; it doubles on each further one.
    """

    retries: int = 3
    max_wait_s: float = 30.0
    backoff_s: float = 1.0


def run_check(
    config: TelegramConfig,
    echo: Echo,
    chats: Sequence[int] = (),
    environ: Mapping[str, str] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    patience: Patience | None = None,
) -> int:
    """Check the token and send a test message to ``chats`` (default: ``config.chat_ids``).

    A 429 or 5xx answer is retried within ``patience`` (see :class:`Patience`).
    Returns the exit status: 0 when every message arrived, 1 when something failed,
    2 when the setup is incomplete (no token, no chats).
    """
    try:
        token = load_token(config.token_file, environ)
    except TokenError as exc:
        echo(f"liqterm: {exc}", err=True)
        return 2
    targets = tuple(dict.fromkeys(chats or config.chat_ids))
    if not targets:
        echo(
            "liqterm: no chats to test: add chat_ids = [123456789] under [telegram] "
            "(your user id, or a group's negative id), or pass --chat",
            err=True,
        )
        return 2
    if not config.enabled:
        echo("note: [telegram] enabled = false, so the app will not forward alerts yet")
    client = BotClient(
        token, config.api_url, timeouts=Timeouts(connect=5.0, request=10.0), transport=transport
    )
    return asyncio.run(_Check(client, echo, patience or Patience()).run(targets))


class _Check:
    """One run of the check: the client, where to print, and the waiting spent so far."""

    def __init__(self, client: BotClient, echo: Echo, patience: Patience) -> None:
        self._client = client
        self._echo = echo
        self._patience = patience
        self._waited = 0.0

    async def run(self, chats: Sequence[int]) -> int:
        async with self._client:
            try:
                me = await self._patiently("the token check", self._client.get_me)
            except _GaveUp as stop:
                self._echo(f"liqterm: {stop}", err=True)
                return 1
            except TelegramError as error:
                self._echo(f"liqterm: {explain(error)}", err=True)
                return 1
            self._echo(f"token ok: the bot is @{me.get('username', '?')}")
            failures = 0
            for chat in chats:
                try:
                    await self._patiently(
                        f"chat {chat}", lambda chat=chat: self._client.send_message(chat, TEST_MESSAGE)
                    )
                except _GaveUp as stop:
                    failures += 1
                    self._echo(f"liqterm: chat {chat}: {stop}", err=True)
                except TelegramError as error:
                    failures += 1
                    self._echo(f"liqterm: chat {chat}: {explain(error, chat)}", err=True)
                else:
                    self._echo(f"chat {chat}: test message sent")
            return 1 if failures else 0

    async def _patiently(self, who: str, call: Callable[[], Awaitable[T]]) -> T:
        """``call()``, retried after a 429 or 5xx within the patience; other errors pass through."""
        patience = self._patience
        retry = 0
        while True:
            try:
                return await call()
            except TelegramError as error:
                if error.kind not in (ErrorKind.RATE_LIMITED, ErrorKind.SERVER):
                    raise
                failure = error
            retry += 1
            wait = self._wait_after(failure, retry)
            if retry > patience.retries:
                raise _GaveUp(_exhausted(failure, patience.retries))
            if self._waited + wait > patience.max_wait_s:
                raise _GaveUp(_too_long(failure, wait, patience.max_wait_s))
            self._echo(f"{who}: {_waiting(failure, wait)}, then retry {retry} of {patience.retries}")
            self._waited += wait
            await asyncio.sleep(wait)

    def _wait_after(self, error: TelegramError, retry: int) -> float:
        if error.kind is ErrorKind.RATE_LIMITED:
            return _asked(error)
        return self._patience.backoff_s * 2 ** (retry - 1)


def _asked(error: TelegramError) -> float:
    # Telegram always names the wait; a 429 without one gets a second, as the forwarder does.
    return max(0.0, error.retry_after if error.retry_after is not None else 1.0)


def _said(error: TelegramError) -> str:
    return f" ({error.status} {error.description})" if error.status else f" ({error.description})"


def _waiting(error: TelegramError, wait: float) -> str:
    if error.kind is ErrorKind.RATE_LIMITED:
        return f"Telegram asked to slow down (429); waiting {_seconds(wait)} as it asked"
    return f"Telegram's servers failed{_said(error)}; waiting {_seconds(wait)}"


def _exhausted(error: TelegramError, retries: int) -> str:
    if error.kind is ErrorKind.RATE_LIMITED:
        return (
            f"Telegram still asks to slow down (429) after {retries} retries; "
            f"run liqterm telegram test again in {_seconds(_asked(error))} or later"
        )
    return (
        f"Telegram's servers still fail{_said(error)} after {retries} retries; this is on "
        "Telegram's side: run liqterm telegram test again in a few minutes"
    )


def _too_long(error: TelegramError, wait: float, limit: float) -> str:
    if error.kind is ErrorKind.RATE_LIMITED:
        return (
            f"Telegram asks to wait {_seconds(wait)} (429), which would take this check past "
            f"its {_seconds(limit)} of waiting; run liqterm telegram test again in {_seconds(wait)} "
            "or later"
        )
    return (
        f"Telegram's servers still fail{_said(error)} and this check has used its "
        f"{_seconds(limit)} of waiting; this is on Telegram's side: run liqterm telegram test "
        "again in a few minutes"
    )


class _GaveUp(Exception):
    """The check stopped retrying; the text says why and what to do."""


def _seconds(value: float) -> str:
    return f"{value:g} s"

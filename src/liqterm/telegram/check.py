"""``liqterm telegram test``: send one message to each chat and say exactly what went wrong."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence

import httpx

from liqterm.config.schema import TelegramConfig
from liqterm.telegram.client import BotClient, Timeouts
from liqterm.telegram.errors import TelegramError, explain
from liqterm.telegram.secret import TokenError, load_token

Echo = Callable[..., None]
"""``typer.echo``-like: ``echo(text, err=False)``."""

TEST_MESSAGE = (
    "✅ <b>liqterm</b> test message: liquidation alerts will arrive in this chat.\n"
    "Send /alerts status here to see what is forwarded."
)


def run_check(
    config: TelegramConfig,
    echo: Echo,
    chats: Sequence[int] = (),
    environ: Mapping[str, str] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    """Check the token and send a test message to ``chats`` (default: ``config.chat_ids``).

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
    return asyncio.run(_check(client, targets, echo))


async def _check(client: BotClient, chats: Sequence[int], echo: Echo) -> int:
    async with client:
        try:
            me = await client.get_me()
        except TelegramError as error:
            echo(f"liqterm: {explain(error)}", err=True)
            return 1
        echo(f"token ok: the bot is @{me.get('username', '?')}")
        failures = 0
        for chat in chats:
            try:
                await client.send_message(chat, TEST_MESSAGE)
            except TelegramError as error:
                failures += 1
                echo(f"liqterm: chat {chat}: {explain(error, chat)}", err=True)
            else:
                echo(f"chat {chat}: test message sent")
        return 1 if failures else 0

"""The Bot API client against the fake server: results, error kinds, and no token leaks."""

from __future__ import annotations

import logging
import socket
import traceback

import pytest

from fakes.telegram_api import CANARY_TOKEN as CANARY
from fakes.telegram_api import FakeBotApi
from liqterm.telegram.client import BotClient, Timeouts
from liqterm.telegram.errors import ErrorKind, TelegramError, explain
from liqterm.telegram.secret import Secret

FAST = Timeouts(connect=0.5, request=0.5)


def assert_clean(error: BaseException) -> None:
    """Nothing a user could see of ``error`` holds the token or the URL with it."""
    shown = [str(error), repr(error), "".join(traceback.format_exception(error))]
    if isinstance(error, TelegramError):
        shown.append(explain(error, 1))
    for text in shown:
        assert CANARY not in text
        assert "/bot" not in text
    assert error.__cause__ is None and error.__context__ is None


async def test_send_and_get_me(fake_api: FakeBotApi, token: Secret) -> None:
    async with BotClient(token, fake_api.url, timeouts=FAST) as client:
        assert (await client.get_me())["username"] == fake_api.username
        assert await client.send_message(7, "<b>hi</b> &amp;") == 1
    assert fake_api.sent[0].text == "<b>hi</b> &amp;"
    assert fake_api.sent[0].parse_mode == "HTML"


@pytest.mark.parametrize(
    ("status", "description", "kind"),
    [
        (400, "Bad Request: chat not found", ErrorKind.BAD_CHAT),
        (400, "Bad Request: can't parse entities: x", ErrorKind.BAD_MESSAGE),
        (403, "Forbidden: bot was kicked from the group chat", ErrorKind.FORBIDDEN),
        (429, "Too Many Requests: retry after 3", ErrorKind.RATE_LIMITED),
        (500, "Internal Server Error", ErrorKind.SERVER),
        (502, "Bad Gateway", ErrorKind.SERVER),
        (409, "Conflict: terminated by other getUpdates request", ErrorKind.CONFLICT),
    ],
)
async def test_error_kinds(
    fake_api: FakeBotApi, token: Secret, status: int, description: str, kind: ErrorKind
) -> None:
    fake_api.fail("sendMessage", status, description=description, retry_after=3)
    async with BotClient(token, fake_api.url, timeouts=FAST) as client:
        with pytest.raises(TelegramError) as info:
            await client.send_message(7, "x")
    error = info.value
    assert error.kind is kind and error.status == status
    assert description in error.description
    if kind is ErrorKind.RATE_LIMITED:
        assert error.retry_after == 3
    assert_clean(error)


async def test_group_upgrade_names_the_new_id(fake_api: FakeBotApi, token: Secret) -> None:
    fake_api.fail(
        "sendMessage",
        400,
        description="Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to=-1009,
    )
    async with BotClient(token, fake_api.url, timeouts=FAST) as client:
        with pytest.raises(TelegramError) as info:
            await client.send_message(-5, "x")
    assert info.value.migrate_to == -1009
    assert "replace -5 with -1009" in explain(info.value, -5)


async def test_wrong_token_is_unauthorized(fake_api: FakeBotApi) -> None:
    wrong = Secret("111111111:WRONG-token-value-xxxxxxxx")
    async with BotClient(wrong, fake_api.url, timeouts=FAST) as client:
        with pytest.raises(TelegramError) as info:
            await client.get_me()
    assert info.value.kind is ErrorKind.UNAUTHORIZED
    assert "the bot token was rejected (401" in explain(info.value)
    assert "WRONG-token" not in str(info.value)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_connection_refused_is_network(token: Secret, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    url = f"http://127.0.0.1:{_closed_port()}"
    async with BotClient(token, url, timeouts=FAST) as client:
        with pytest.raises(TelegramError) as info:
            await client.send_message(7, "x")
    assert info.value.kind is ErrorKind.NETWORK
    assert "cannot reach 127.0.0.1" in explain(info.value)
    assert_clean(info.value)
    assert CANARY not in caplog.text


async def test_hang_times_out_as_uncertain(fake_api: FakeBotApi, token: Secret) -> None:
    fake_api.fail("sendMessage", hang=True)
    async with BotClient(token, fake_api.url, timeouts=Timeouts(0.3, 0.2)) as client:
        with pytest.raises(TelegramError) as info:
            await client.send_message(7, "x")
    assert info.value.kind is ErrorKind.UNCERTAIN  # the request went out: maybe delivered
    assert_clean(info.value)


async def test_dropped_connection_is_uncertain(fake_api: FakeBotApi, token: Secret) -> None:
    fake_api.fail("sendMessage", drop=True)
    async with BotClient(token, fake_api.url, timeouts=FAST) as client:
        with pytest.raises(TelegramError) as info:
            await client.send_message(7, "x")
        assert info.value.kind is ErrorKind.UNCERTAIN
        assert await client.send_message(7, "again") >= 1  # the client recovers
    assert_clean(info.value)


async def test_get_updates_long_polls_and_returns(fake_api: FakeBotApi, token: Secret) -> None:
    await fake_api.push_message(1001, "/help")
    async with BotClient(token, fake_api.url, timeouts=FAST) as client:
        updates = await client.get_updates(None, 1)
    assert updates[0]["message"]["text"] == "/help"


def test_repr_has_no_token(token: Secret) -> None:
    client = BotClient(token, "https://api.telegram.org")
    assert CANARY not in repr(client)
    assert CANARY not in repr(vars(client) if hasattr(client, "__dict__") else client)

"""``liqterm telegram test`` waits and retries when Telegram asks it to, within stated bounds."""

from __future__ import annotations

import time
from pathlib import Path

from typer.testing import CliRunner

from fakes.telegram_api import CANARY_TOKEN, GROUP_CHAT, USER_CHAT, FakeBotApi, serve_in_thread
from liqterm import cli
from liqterm.config.schema import TelegramConfig
from liqterm.telegram.check import Patience, run_check
from liqterm.telegram.secret import TOKEN_ENV

SECRET_PART = CANARY_TOKEN.split(":")[1]


def _cli(tmp_path: Path, api: FakeBotApi) -> tuple[int, str]:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\nenabled = true\nchat_ids = [{USER_CHAT}, {GROUP_CHAT}]\napi_url = "{api.url}"\n'
    )
    result = CliRunner().invoke(
        cli.app, ["--config", str(config), "telegram", "test"], env={TOKEN_ENV: CANARY_TOKEN}
    )
    assert SECRET_PART not in result.output
    return result.exit_code, result.output


def _check(api: FakeBotApi, patience: Patience, chats: tuple[int, ...] = (USER_CHAT,)) -> tuple[int, str]:
    lines: list[str] = []
    config = TelegramConfig(enabled=True, chat_ids=chats, api_url=api.url)
    code = run_check(
        config,
        lambda text, err=False: lines.append(text),
        environ={TOKEN_ENV: CANARY_TOKEN},
        patience=patience,
    )
    output = "\n".join(lines)
    assert SECRET_PART not in output
    return code, output


def _sends(api: FakeBotApi, chat: int) -> list[float]:
    return [r.at for r in api.requests if r.method == "sendMessage" and r.payload.get("chat_id") == chat]


def test_a_429_is_waited_out_and_the_message_sent(tmp_path: Path) -> None:
    api = FakeBotApi(CANARY_TOKEN)
    api.fail("sendMessage", 429, description="Too Many Requests: retry after 0.3", retry_after=0.3)
    with serve_in_thread(api):
        code, output = _cli(tmp_path, api)
    assert code == 0, output
    assert f"chat {USER_CHAT}: Telegram asked to slow down (429); waiting 0.3 s as it asked" in output
    assert "then retry 1 of 3" in output
    assert f"chat {USER_CHAT}: test message sent" in output
    assert f"chat {GROUP_CHAT}: test message sent" in output
    assert [s.chat_id for s in api.sent] == [USER_CHAT, GROUP_CHAT]
    first, again = _sends(api, USER_CHAT)
    assert again - first >= 0.3  # it did wait as long as Telegram asked


def test_a_429_on_the_token_check_is_waited_out(tmp_path: Path) -> None:
    api = FakeBotApi(CANARY_TOKEN)
    api.fail("getMe", 429, retry_after=0.1)
    with serve_in_thread(api):
        code, output = _cli(tmp_path, api)
    assert code == 0, output
    assert "the token check: Telegram asked to slow down (429); waiting 0.1 s" in output
    assert "token ok: the bot is @liqterm_test_bot" in output


def test_a_429_that_does_not_end_stops_after_three_retries(tmp_path: Path) -> None:
    api = FakeBotApi(CANARY_TOKEN)
    api.fail("sendMessage", 429, retry_after=0.05, chat_id=USER_CHAT, times=100)
    with serve_in_thread(api):
        code, output = _cli(tmp_path, api)
    assert code == 1
    assert len(_sends(api, USER_CHAT)) == 4  # the first attempt and three retries
    assert "then retry 3 of 3" in output and "retry 4" not in output
    assert (
        f"chat {USER_CHAT}: Telegram still asks to slow down (429) after 3 retries; "
        "run liqterm telegram test again in 0.05 s or later"
    ) in output
    assert f"chat {GROUP_CHAT}: test message sent" in output  # the other chat is still tested


def test_a_wait_longer_than_the_check_allows_is_not_started(tmp_path: Path) -> None:
    api = FakeBotApi(CANARY_TOKEN)
    api.fail("sendMessage", 429, retry_after=3600, chat_id=USER_CHAT)
    started = time.monotonic()
    with serve_in_thread(api):
        code, output = _cli(tmp_path, api)
    assert time.monotonic() - started < 10
    assert code == 1
    assert len(_sends(api, USER_CHAT)) == 1
    assert (
        "Telegram asks to wait 3600 s (429), which would take this check past its 30 s of waiting; "
        "run liqterm telegram test again in 3600 s or later"
    ) in output


def test_the_wait_limit_covers_the_whole_check() -> None:
    api = FakeBotApi(CANARY_TOKEN)
    api.fail("sendMessage", 429, retry_after=0.2, chat_id=USER_CHAT)
    api.fail("sendMessage", 429, retry_after=0.2, chat_id=GROUP_CHAT)
    with serve_in_thread(api):
        code, output = _check(api, Patience(max_wait_s=0.3), chats=(USER_CHAT, GROUP_CHAT))
    assert code == 1
    assert f"chat {USER_CHAT}: test message sent" in output  # waited 0.2 s of the 0.3
    assert f"chat {GROUP_CHAT}: Telegram asks to wait 0.2 s (429), which would take this check past" in output


def test_server_errors_are_retried_with_growing_waits() -> None:
    api = FakeBotApi(CANARY_TOKEN)
    api.fail("sendMessage", 502, times=2)
    with serve_in_thread(api):
        code, output = _check(api, Patience(backoff_s=0.1))
    assert code == 0, output
    assert "Telegram's servers failed (502 Bad Gateway); waiting 0.1 s, then retry 1 of 3" in output
    assert "waiting 0.2 s, then retry 2 of 3" in output
    assert f"chat {USER_CHAT}: test message sent" in output


def test_server_errors_that_do_not_end_are_reported_as_telegrams() -> None:
    api = FakeBotApi(CANARY_TOKEN)
    api.fail("sendMessage", 500, times=100)
    with serve_in_thread(api):
        code, output = _check(api, Patience(backoff_s=0.01))
    assert code == 1
    assert len(_sends(api, USER_CHAT)) == 4
    assert "Telegram's servers still fail (500 Internal Server Error) after 3 retries" in output
    assert "retrying with backoff" not in output  # the check says only what it does


def test_failures_retrying_cannot_fix_are_reported_at_once() -> None:
    api = FakeBotApi(CANARY_TOKEN)
    api.chat_errors[USER_CHAT] = (403, "Forbidden: bot was blocked by the user")
    with serve_in_thread(api):
        code, output = _check(api, Patience())
    assert code == 1
    assert len(_sends(api, USER_CHAT)) == 1
    assert "retry" not in output
    assert f"the bot may not post to chat {USER_CHAT}" in output

"""The token never appears in logs, output, exceptions, tracebacks or status, whatever fails."""

from __future__ import annotations

import asyncio
import io
import logging
import socket
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakes.telegram_api import (
    CANARY_TOKEN,
    GROUP_CHAT,
    USER_CHAT,
    FakeBotApi,
    serve_in_thread,
)
from liqterm import cli
from liqterm.config.schema import TelegramConfig
from liqterm.engine.alerts import Alert
from liqterm.telegram.client import BotClient, Timeouts
from liqterm.telegram.errors import TelegramError
from liqterm.telegram.forwarder import Forwarder, build_forwarder
from liqterm.telegram.secret import TOKEN_ENV, Secret
from liqterm.telegram.tuning import Tuning

SECRET_PART = CANARY_TOKEN.split(":")[1]


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> Iterator[io.StringIO]:
    """All records at DEBUG (httpx and httpcore included), formatted with tracebacks."""
    caplog.set_level(logging.DEBUG)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


async def wait_until(predicate: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


def assert_no_token(*texts: str) -> None:
    for text in texts:
        assert SECRET_PART not in text, text[:2000]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_every_failure_is_clean(
    fake_api: FakeBotApi,
    tg_config: Callable[..., TelegramConfig],
    make_forwarder: Callable[..., Forwarder],
    make_alert: Callable[..., Alert],
    tuning: Callable[..., Tuning],
    everything_logged: io.StringIO,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The forwarder through 429, 500, a dropped connection, 400, 403 and commands.
    fake_api.fail("sendMessage", 429, retry_after=0.05)
    fake_api.fail("sendMessage", 500, times=2)
    fake_api.fail("sendMessage", drop=True)
    fake_api.chat_errors[GROUP_CHAT] = (403, "Forbidden: bot was kicked")
    forwarder = make_forwarder(tg_config(chat_ids=(USER_CHAT, GROUP_CHAT)), tuning=tuning(commands=True))
    shown = [repr(forwarder)]
    async with forwarder:
        for i in range(3):
            forwarder.submit(make_alert(text=f"leak check {i}"))
        await fake_api.push_message(USER_CHAT, "/alerts status")
        # Every scripted failure used, the group refused, and the status reply attempted
        # (it may itself be the request whose connection drops).
        await wait_until(
            lambda: (
                not fake_api.rules
                and any(r.payload.get("chat_id") == GROUP_CHAT for r in fake_api.requests)
                and any("liqterm alerts" in r.payload.get("text", "") for r in fake_api.requests)
            )
        )
        shown += [repr(forwarder), repr(forwarder.status), forwarder.status.label]

    # The client through connection refused, 401 and a hang.
    errors: list[TelegramError] = []
    refused = BotClient(Secret(CANARY_TOKEN), f"http://127.0.0.1:{_closed_port()}")
    async with FakeBotApi("111111111:not-the-canary-token") as other:
        other.fail("sendMessage", hang=True)
        wrong = BotClient(Secret(CANARY_TOKEN), other.url, timeouts=Timeouts(0.5, 0.2))
        for client in (refused, wrong):
            async with client:
                for call in (client.get_me(), client.send_message(1, "x")):
                    try:
                        await call
                    except TelegramError as error:
                        errors.append(error)
    assert len(errors) == 4
    for error in errors:
        shown += [str(error), repr(error), "".join(traceback.format_exception(error))]
        logging.getLogger("test").error("failed", exc_info=error)

    out, err = capsys.readouterr()
    assert "HTTP Request" in everything_logged.getvalue()  # httpx did log, redacted
    assert_no_token(everything_logged.getvalue(), caplog.text, out, err, *shown)


def test_build_forwarder_reports_token_problems(tmp_path: Path) -> None:
    config = TelegramConfig(enabled=True, chat_ids=(1,), token_file=str(tmp_path / "t"))
    (tmp_path / "t").write_text(CANARY_TOKEN)
    (tmp_path / "t").chmod(0o644)
    forwarder, status = build_forwarder(config, environ={})
    assert forwarder is None and status.state.value == "failing"
    assert f"chmod 600 {tmp_path / 't'}" in status.reason
    assert_no_token(status.reason, status.label)
    off, status = build_forwarder(TelegramConfig(), environ={})
    assert off is None and status.state.value == "off"
    ok, status = build_forwarder(config, environ={TOKEN_ENV: CANARY_TOKEN})
    assert ok is not None and status.state.value == "on"
    assert_no_token(repr(ok), repr(vars(ok) if hasattr(ok, "__dict__") else ok))


# -- liqterm telegram test ------------------------------------------------------------------------


def _config_file(tmp_path: Path, api_url: str, chats: str = f"[{USER_CHAT}, {GROUP_CHAT}]") -> str:
    path = tmp_path / "config.toml"
    path.write_text(f'[telegram]\nenabled = true\nchat_ids = {chats}\napi_url = "{api_url}"\n')
    return str(path)


def _run(config: str, token: str | None = CANARY_TOKEN, *extra: str) -> tuple[int, str]:
    env = {TOKEN_ENV: token}
    result = CliRunner().invoke(cli.app, ["--config", config, "telegram", "test", *extra], env=env)
    assert_no_token(result.output, str(result.exception or ""))
    return result.exit_code, result.output


def test_cli_success(tmp_path: Path) -> None:
    with serve_in_thread(FakeBotApi(CANARY_TOKEN)) as api:
        code, output = _run(_config_file(tmp_path, api.url))
    assert code == 0, output
    assert "token ok: the bot is @liqterm_test_bot" in output
    assert f"chat {USER_CHAT}: test message sent" in output
    assert f"chat {GROUP_CHAT}: test message sent" in output
    assert [s.chat_id for s in api.sent] == [USER_CHAT, GROUP_CHAT]


def test_cli_bad_token(tmp_path: Path) -> None:
    with serve_in_thread(FakeBotApi("111111111:the-real-token-is-other")) as api:
        code, output = _run(_config_file(tmp_path, api.url))
    assert code == 1
    assert f"the bot token was rejected (401 Unauthorized): check {TOKEN_ENV}" in output


def test_cli_chat_not_found(tmp_path: Path) -> None:
    api = FakeBotApi(CANARY_TOKEN)
    api.chat_errors[GROUP_CHAT] = (400, "Bad Request: chat not found")
    with serve_in_thread(api):
        code, output = _run(_config_file(tmp_path, api.url))
    assert code == 1
    assert f"chat {USER_CHAT}: test message sent" in output
    assert f"chat {GROUP_CHAT} was refused (400 Bad Request: chat not found)" in output


def test_cli_no_network(tmp_path: Path) -> None:
    port = _closed_port()
    code, output = _run(_config_file(tmp_path, f"http://127.0.0.1:{port}"))
    assert code == 1
    assert f"cannot reach 127.0.0.1:{port} (ConnectError" in output


def test_cli_setup_problems(tmp_path: Path) -> None:
    config = _config_file(tmp_path, "http://127.0.0.1:9")
    code, output = _run(config, None)
    assert code == 2 and TOKEN_ENV in output
    disabled = tmp_path / "disabled.toml"
    disabled.write_text("[telegram]\nenabled = false\n")
    code, output = _run(str(disabled))
    assert code == 2 and "no chats to test" in output
    code, output = _run(config, "not-a-token")
    assert code == 2 and "does not look like a bot token" in output

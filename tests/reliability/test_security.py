"""Security basics: private files, refused token files, no secret anywhere, bounded input, TLS on."""

from __future__ import annotations

import io
import logging
import re
import stat
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_table import record
from stream_helpers import Collector, open_stream
from typer.testing import CliRunner

from fakes.telegram_api import CANARY_TOKEN, USER_CHAT, FakeBotApi
from liqterm import cli
from liqterm.config import ConfigError, TelegramConfig, loads
from liqterm.config.save import update_file
from liqterm.logs import redact, register_secret, setup_logging
from liqterm.state import StateStore
from liqterm.streams import StreamSettings
from liqterm.telegram.client import Timeouts
from liqterm.telegram.errors import ErrorKind, TelegramError, explain
from liqterm.telegram.forwarder import Forwarder, build_forwarder
from liqterm.telegram.secret import TOKEN_ENV, Secret
from liqterm.telegram.tuning import Tuning
from liqterm.venues import ADAPTERS

SRC = Path(__file__).resolve().parents[2] / "src" / "liqterm"
SECRET_PART = CANARY_TOKEN.split(":")[1]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- files ------------------------------------------------------------------------------------------


def test_config_state_and_data_files_are_private(tmp_path: Path) -> None:
    saved = tmp_path / "saved.toml"
    update_file(saved, {"tui.tick_hz": 4.0})
    created = tmp_path / "init" / "config.toml"
    result = CliRunner().invoke(cli.app, ["--config", str(created), "config", "init"])
    assert result.exit_code == 0, result.output
    state_dir = tmp_path / "data" / "liqterm"
    store, _ = StateStore.open(state_dir / "state.sqlite3")
    store.close()
    assert _mode(saved) == 0o600 and _mode(created) == 0o600
    assert _mode(state_dir) == 0o700 and _mode(state_dir / "state.sqlite3") == 0o600
    record(
        "security", "files", "new config, config init, state folder and file", "0600 files, 0700 data folder"
    )


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620])
def test_a_token_file_others_can_read_is_refused_with_the_fix(tmp_path: Path, mode: int) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(CANARY_TOKEN)
    token_file.chmod(mode)
    config = TelegramConfig(enabled=True, chat_ids=(USER_CHAT,), token_file=str(token_file))
    forwarder, status = build_forwarder(config, environ={})
    assert forwarder is None
    assert f"chmod 600 {token_file}" in status.reason and SECRET_PART not in status.reason
    token_file.chmod(0o600)
    forwarder, _ = build_forwarder(config, environ={})
    assert forwarder is not None


# -- no secret anywhere -----------------------------------------------------------------------------


@pytest.fixture
def app_logging(tmp_path: Path) -> Iterator[Path]:
    """The app's own log set-up (file, redaction), undone afterwards for the other tests."""
    root = logging.getLogger()
    saved = (root.level, list(root.handlers), logging.getLogger("liqterm").level)
    try:
        yield setup_logging(verbose=True, directory=tmp_path / "logs")
    finally:
        for handler in [h for h in root.handlers if h not in saved[1]]:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(saved[0])
        logging.getLogger("liqterm").setLevel(saved[2])
        logging.captureWarnings(False)
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).setLevel(logging.NOTSET)


async def test_the_canary_token_appears_nowhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app_logging: Path
) -> None:
    log_file = app_logging
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    logging.getLogger("httpcore").setLevel(logging.DEBUG)
    shown: list[str] = []
    async with FakeBotApi(CANARY_TOKEN) as api:
        api.fail("sendMessage", 500, times=2)
        api.fail("sendMessage", 401, description="Unauthorized")
        config = TelegramConfig(
            enabled=True,
            chat_ids=(USER_CHAT,),
            api_url=api.url,
            min_priority="info",
            per_chat_per_s=0,
            per_group_per_min=0,
            global_per_s=0,
        )
        tuning = Tuning(
            timeouts=Timeouts(connect=0.5, request=0.5),
            backoff_base_s=0.01,
            backoff_cap_s=0.02,
            commands=False,
            stop_grace_s=0.2,
        )
        forwarder = Forwarder(config, Secret(CANARY_TOKEN), outbox_path=tmp_path / "o.sqlite3", tuning=tuning)
        from test_telegram_faults import _alert

        async with forwarder:
            forwarder.submit(_alert(1))
            await api.wait_requests("sendMessage", 3)
            shown += [repr(forwarder), str(forwarder.status), forwarder.status.reason]
    try:  # a crash report: an exception about the client, with its locals in scope
        client_token = Secret(CANARY_TOKEN)
        raise RuntimeError(f"crash while sending with {client_token!r} to {api.url}/bot{client_token}/x")
    except RuntimeError:
        logging.getLogger("liqterm.crash").exception("unexpected crash")
        shown.append(traceback.format_exc())
    monkeypatch.setenv(TOKEN_ENV, CANARY_TOKEN)
    result = CliRunner().invoke(cli.app, ["--config", str(tmp_path / "none.toml"), "config", "show"])
    shown += [result.output]
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = log_file.read_text(encoding="utf-8")
    assert "sendMessage" in written or "telegram" in written  # the log did record the trouble
    for text in [*shown, written]:
        assert SECRET_PART not in text, text[:500]
    record(
        "security",
        "canary token",
        "500s and a 401 from the Bot API, a crash, debug logs, CLI output",
        "token in none of log, status, repr, traceback, output",
    )


def test_the_log_filter_masks_token_shaped_text_from_any_library() -> None:
    from liqterm.logs import RedactingFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("some.library")
    logger.addHandler(handler)
    try:
        logger.warning("GET https://api.telegram.org/bot%s/getMe failed", CANARY_TOKEN)
    finally:
        logger.removeHandler(handler)
    assert SECRET_PART not in stream.getvalue() and "***" in stream.getvalue()


def test_a_registered_secret_is_masked_in_the_log_file_and_in_exception_text(app_logging: Path) -> None:
    # Not shaped like a bot token: only the registration can catch it. The same redactor
    # must serve any credential the app learns, not just the Telegram token.
    secret = "broker-key-Zx81q0"
    register_secret(secret)
    log = logging.getLogger("liqterm.broker")
    log.warning("connecting with key %s", secret)
    logging.getLogger("some.library").warning(f"retrying https://user:{secret}@broker.example/api")
    try:
        raise ConnectionError(f"authentication failed for key {secret}")
    except ConnectionError as exc:
        log.exception("login failed")
        said = redact(str(exc))
    error = TelegramError(ErrorKind.SERVER, "sendMessage", f"the proxy answered with {secret}")
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = app_logging.read_text(encoding="utf-8")
    assert "login failed" in written and "ConnectionError: authentication failed for key ***" in written
    assert "connecting with key ***" in written and "https://user:***@broker.example" in written
    assert said == "authentication failed for key ***"
    assert "the proxy answered with ***" in str(error)
    for text in (written, said, str(error), repr(error), error.description, explain(error)):
        assert secret not in text


def test_there_is_one_redactor() -> None:
    """Only liqterm/logs.py masks text: a second copy would not know the secrets registered here."""
    import ast

    found = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            mask = isinstance(node, ast.Constant) and node.value == "***"
            log_filter = isinstance(node, ast.ClassDef) and any(
                ast.unparse(base) in ("logging.Filter", "Filter") for base in node.bases
            )
            if mask or log_filter:
                found.append(path.relative_to(SRC).as_posix())
    assert sorted(set(found)) == ["logs.py"]


# -- hostile servers cannot exhaust memory -----------------------------------------------------------


async def test_every_connection_is_opened_with_frame_and_queue_bounds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import liqterm.streams.venue_stream as module

    seen: dict[str, object] = {}

    def connect(url: str, **options: object) -> object:
        seen.update(options)
        raise OSError("not really connecting")

    monkeypatch.setattr(module.websockets, "connect", connect)
    settings = StreamSettings()
    stream = open_stream(ADAPTERS["okx"], None, Collector())
    await stream._session()
    assert seen["max_size"] == settings.hard_max_frame_bytes <= 16 << 20
    assert seen["max_queue"] == settings.max_queue <= 1024
    assert settings.max_frame_bytes <= settings.hard_max_frame_bytes
    record(
        "security",
        "websockets",
        "connect options",
        f"max_size {settings.hard_max_frame_bytes:,} B, "
        f"max_queue {settings.max_queue}, soft frame limit {settings.max_frame_bytes:,} B",
    )


# -- TLS --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "ws://fstream.binance.com/ws",
        "ws://10.0.0.5:9000/x",
        "ws://127.evil.com/",
        "http://example.com/ws",
        "ftp://x",
    ],
)
def test_plain_ws_to_a_real_host_is_refused_by_the_config(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        loads(f"[venues.okx]\nurl = '{url}'\n")
    assert caught.value.key == "venues.okx.url"
    assert "loopback" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    ["wss://ws.okx.com:8443/ws/v5/public", "ws://127.0.0.1:8765/ws", "ws://localhost:1/x", "ws://[::1]:1/x"],
)
def test_tls_or_loopback_urls_are_accepted(url: str) -> None:
    assert loads(f"[venues.okx]\nurl = '{url}'\n").venues["okx"].url == url


def test_the_bot_api_is_never_reached_in_clear_over_a_network() -> None:
    with pytest.raises(ConfigError) as caught:
        loads("[telegram]\napi_url = 'http://api.telegram.org'\n")
    assert caught.value.key == "telegram.api_url"
    assert loads("[telegram]\napi_url = 'http://127.0.0.1:8081'\n").telegram.api_url.startswith("http://")


def test_the_stream_refuses_plain_ws_to_a_real_host_whatever_the_source() -> None:
    with pytest.raises(ValueError, match=r"refusing ws://fstream\.binance\.com"):
        open_stream(ADAPTERS["binance"], "ws://fstream.binance.com/ws/!forceOrder@arr", Collector())
    record(
        "security",
        "TLS",
        "ws:// to a real host in config or code",
        "refused with the reason; loopback ws:// allowed for the fakes",
    )


def test_real_venues_use_tls_and_nothing_turns_verification_off() -> None:
    assert all(adapter.url.startswith("wss://") for adapter in ADAPTERS.values())
    assert TelegramConfig().api_url.startswith("https://")
    off = re.compile(
        r"verify\s*=\s*False|CERT_NONE|check_hostname\s*=\s*False|_create_unverified_context"
        r"|ssl\s*=\s*False"
    )
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in SRC.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if off.search(line)
    ]
    assert offenders == []

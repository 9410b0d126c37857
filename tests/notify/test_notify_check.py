"""``liqterm notify test``: a test message to each destination, failures in plain words; and the canary:
no part of a secret URL ever reaches a log, a screen, an error or a traceback."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from notify_helpers import DISCORD_TOKEN
from typer.testing import CliRunner

from fakes.webhook_server import WebhookServer
from liqterm import cli
from liqterm.logs import setup_logging

CANARY = "Zq7canaryWebhookSecret0x55"


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return path


def _run(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.app, ["--config", str(config), "notify", "test", *args])
    return result.exit_code, result.output


def test_each_destination_gets_a_test_message_and_failures_are_explained(
    server: WebhookServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url_file = tmp_path / "hook.url"
    url_file.write_text(f"json://{server.url}/{CANARY}?rto=0.5\n", encoding="utf-8")
    url_file.chmod(0o600)
    open_file = tmp_path / "open.url"
    open_file.write_text("json://127.0.0.1:9/x\n", encoding="utf-8")
    open_file.chmod(0o644)
    monkeypatch.setenv("LIQTERM_DISCORD_URL", f"discord://1234567/{DISCORD_TOKEN}")
    server.fail("/api/webhooks/", 404, times=1)
    config = _config(
        tmp_path,
        f"""
[[notify]]
name = "hook"
url_file = "{url_file}"

[[notify]]
name = "discord"
url_env = "LIQTERM_DISCORD_URL"

[[notify]]
name = "missing"
url_env = "LIQTERM_NOT_SET"

[[notify]]
name = "open"
url_file = "{open_file}"

[[notify]]
name = "nonsense"
url = "nosuchservice://abc"
""",
    )
    code, output = _run(config)
    assert code == 1
    assert "hook (json): test message sent" in output
    assert "discord (discord): the service refuses this destination (404)" in output
    assert "missing: the environment variable LIQTERM_NOT_SET (url_env) is not set" in output
    assert f"open: the URL file {open_file} can be read or changed by other users" in output
    assert f"chmod 600 {open_file}" in output
    assert "nonsense (nosuchservice): Apprise does not understand this nosuchservice:// URL" in output
    [hook] = server.delivered(f"/{CANARY}")
    assert hook.body["title"] == "liqterm test message"
    assert CANARY not in output and DISCORD_TOKEN not in output

    code, output = _run(config, "hook")
    assert code == 0 and output.count("test message sent") == 1
    code, output = _run(config, "nobody")
    assert code == 2 and "no destination named nobody" in output
    code, output = _run(_config(tmp_path, ""))
    assert code == 2 and "no notification destinations" in output


def test_a_bad_notify_value_names_its_key_and_exits_2(tmp_path: Path) -> None:
    config = _config(tmp_path, f'[[notify]]\nurl = "json://127.0.0.1/{CANARY}"\nmin_priority = "loud"\n')
    code, output = _run(config)
    assert code == 2 and "notify[0].min_priority: expected one of info, normal, high, critical" in output
    config = _config(tmp_path, f'[[notify]]\nurl = "not a url {CANARY}"\n')
    code, output = _run(config)
    assert code == 2 and "notify[0].url" in output and CANARY not in output


async def test_the_canary_url_appears_in_no_log_screen_error_or_traceback(
    server: WebhookServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from notify_helpers import FAST, alert

    from liqterm.config.schema import NotifyConfig
    from liqterm.notify import build_notifier

    log_file = setup_logging(verbose=True, directory=tmp_path / "logs")
    root = logging.getLogger()
    for name in ("apprise", "urllib3"):
        logging.getLogger(name).setLevel(logging.DEBUG)  # Apprise logs the full post URL at DEBUG
    try:
        monkeypatch.setenv("LIQTERM_HOOK", f"json://user:{CANARY}pw@{server.url}/{CANARY}?rto=0.4")
        monkeypatch.setenv("LIQTERM_DISCORD", f"discord://99887766/{CANARY}d")
        server.fail(f"/{CANARY}", 500, times=2)
        server.fail("/api/webhooks/", 403, times=1)
        specs = (
            NotifyConfig(name="hook", url_env="LIQTERM_HOOK", min_priority="info", per_minute=0.0),
            NotifyConfig(name="discord", url_env="LIQTERM_DISCORD", min_priority="info", per_minute=0.0),
        )
        notifier, _ = build_notifier(specs, outbox_path=tmp_path / "n.sqlite3", tuning=FAST)
        assert notifier is not None
        async with notifier:
            notifier.on_alerts([alert()], None)
            import asyncio

            await asyncio.to_thread(server.wait_delivered, 1, f"/{CANARY}")
            for _ in range(200):
                if notifier.status.failing:
                    break
                await asyncio.sleep(0.01)
            shown = [repr(notifier), str(notifier.status), notifier.status.label]
            shown += [d.reason for d in notifier.status.destinations]
        try:  # a crash report with the URL in scope
            raise RuntimeError(f"crash posting to {os.environ['LIQTERM_HOOK']}")
        except RuntimeError:
            logging.getLogger("liqterm.crash").exception("unexpected crash")
        config = _config(tmp_path, f'[[notify]]\nurl = "json://127.0.0.1/{CANARY}"\n')
        shown.append(CliRunner().invoke(cli.app, ["--config", str(config), "config", "show"]).output)
        for handler in root.handlers:
            handler.flush()
        written = log_file.read_text(encoding="utf-8")
    finally:
        for handler in [h for h in root.handlers if getattr(h, "_liqterm", False)]:
            root.removeHandler(handler)
            handler.close()
        for name in ("apprise", "urllib3"):
            logging.getLogger(name).setLevel(logging.NOTSET)
        logging.getLogger("liqterm").setLevel(logging.NOTSET)
        logging.captureWarnings(False)
    assert "Discord POST URL" in written or "JSON POST URL" in written  # the debug lines were logged
    assert "stopped sending" in written and "unexpected crash" in written
    for text in [*shown, written]:
        assert CANARY not in text, text[:300]

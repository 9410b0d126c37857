"""Fixtures for the notification tests: the local webhook server and a notifier maker."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from notify_helpers import FAST

from fakes.webhook_server import CERT, WebhookServer
from liqterm.config.schema import NotifyConfig
from liqterm.notify import Notifier, build_notifier


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[WebhookServer]:
    """The local services; HTTPS (Discord) goes through it as a proxy trusting the test certificate."""
    with WebhookServer() as running:
        monkeypatch.setenv("HTTPS_PROXY", running.proxy)
        monkeypatch.setenv("https_proxy", running.proxy)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(CERT))
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
        yield running


@pytest.fixture
def make_notifier(tmp_path: Path) -> Callable[..., Notifier]:
    def make(*specs: NotifyConfig, **options: Any) -> Notifier:
        options.setdefault("outbox_path", tmp_path / "notify.sqlite3")
        options.setdefault("tuning", FAST)
        notifier, _ = build_notifier(tuple(specs), **options)
        assert notifier is not None
        return notifier

    return make

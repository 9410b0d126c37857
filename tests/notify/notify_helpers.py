"""Helpers for the notification tests: fast settings, destinations, distinct alerts."""

from __future__ import annotations

import itertools
from typing import Any

from fakes.webhook_server import WebhookServer
from liqterm.config.schema import NotifyConfig
from liqterm.engine.alerts import Alert, Priority
from liqterm.notify import NotifyTuning

FAST = NotifyTuning(
    send_timeout_s=3.0, backoff_base_s=0.02, backoff_cap_s=0.05, rate_limit_wait_s=0.05, stop_grace_s=1.0
)
DISCORD_ID, DISCORD_TOKEN = "112233445566778899", "wQ8canaryDiscordToken-Zz91_x"

_serial = itertools.count()


def spec(url: str, **changes: Any) -> NotifyConfig:
    """A destination with no spacing and alerts of every priority."""
    values: dict[str, Any] = {"url": url, "min_priority": "info", "per_minute": 0.0, "digest_after": 1000}
    values.update(changes)
    return NotifyConfig(**values)


def json_url(server: WebhookServer, path: str = "hook") -> str:
    """An Apprise JSON webhook at ``path`` with short request timeouts."""
    return f"json://{server.url}/{path}?cto=1&rto=0.4"


def discord_url() -> str:
    return f"discord://{DISCORD_ID}/{DISCORD_TOKEN}"


def alert(
    kind: str = "whale",
    priority: Priority = Priority.HIGH,
    asset: str = "BTC",
    text: str | None = None,
    usd: float = 1_200_000.0,
) -> Alert:
    """A distinct alert (its own key and time)."""
    n = next(_serial)
    return Alert(
        kind=kind,
        priority=priority,
        asset=asset,
        key=f"{kind}:{asset}:{n}",
        text=text or f"{asset} {kind} #{n}",
        at_ms=1_767_000_000_000 + n,
        side="long",
        usd=usd,
        venues=("binance",),
    )

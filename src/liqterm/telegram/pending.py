"""Which alerts Telegram wants; the waiting alert and its per-chat queue are the shared ones
(:mod:`liqterm.outbox.queue`), under the names the Telegram code has always used."""

from __future__ import annotations

from liqterm.config.schema import TelegramConfig
from liqterm.engine.alerts import Alert, Priority
from liqterm.outbox.queue import EVENT_KINDS, Taken, alert_id
from liqterm.outbox.queue import DestQueue as ChatQueue
from liqterm.outbox.queue import Pending as PendingAlert


def is_forwarded(alert: Alert, config: TelegramConfig) -> bool:
    """Whether ``config`` wants this alert sent: its kind switched on, priority high enough."""
    if alert.priority < Priority.parse(config.min_priority):
        return False
    toggle = "cascade_warning" if alert.kind == "cascade" else alert.kind
    return bool(getattr(config.kinds, toggle, False))


__all__ = ["EVENT_KINDS", "ChatQueue", "PendingAlert", "Taken", "alert_id", "is_forwarded"]

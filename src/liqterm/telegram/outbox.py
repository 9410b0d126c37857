"""Telegram's outbox: the shared durable outbox (:mod:`liqterm.outbox.store`) in its own file.

Besides the deliveries (one row per alert and chat), it keeps Telegram's own settings: the
update offset and the chats paused with ``/alerts stop``.
"""

from __future__ import annotations

from pathlib import Path

from liqterm.config.paths import data_dir
from liqterm.outbox.store import (
    CANCELLED,
    DIGESTED,
    EXPIRED,
    FAILED,
    SENDING,
    SENT,
    STATES,
    UNCONFIRMED,
    WAITING,
    AsyncOutbox,
    Outbox,
)


def default_path() -> Path:
    """``<data dir>/telegram.sqlite3``."""
    return data_dir() / "telegram.sqlite3"


__all__ = [
    "CANCELLED",
    "DIGESTED",
    "EXPIRED",
    "FAILED",
    "SENDING",
    "SENT",
    "STATES",
    "UNCONFIRMED",
    "WAITING",
    "AsyncOutbox",
    "Outbox",
    "default_path",
]

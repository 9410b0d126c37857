"""Forwarding alerts to Telegram: Bot API client, rate limits, durable outbox, chat commands.

The app needs three names: :func:`build_forwarder` (or :class:`Forwarder`), and the
:class:`TelegramStatus` value it shows. See :mod:`liqterm.telegram.forwarder` for wiring.

Modules, in the order data flows: :mod:`.intake` → :mod:`.pending` (ids, the per-chat
queue) → :mod:`.outbox` (SQLite) → :mod:`.delivery` (one sender per chat; :mod:`.ratelimit`,
:mod:`.digest`, :mod:`.format`) → :mod:`.client` (httpx; :mod:`.errors`, :mod:`.secret`).
:mod:`.updates` and :mod:`.commands` answer ``/alerts``; :mod:`.check` backs
``liqterm telegram test``.
"""

from liqterm.telegram.forwarder import Forwarder, build_forwarder
from liqterm.telegram.status import ChatState, ChatStatus, TelegramState, TelegramStatus

__all__ = ["ChatState", "ChatStatus", "Forwarder", "TelegramState", "TelegramStatus", "build_forwarder"]

"""The delivery core every alert destination shares: Telegram chats and the Apprise services.

One design, used by both: an alert is stored in a durable SQLite outbox (:mod:`.store`)
under a stable id (:func:`.queue.alert_id`) for each destination before anything is sent;
each destination has its own queue, most urgent first, with bursts merged into digests
(:mod:`.queue`, :mod:`.digest`), its own spacing (:mod:`.ratelimit`) and its own sender
(:mod:`.sender`), which retries with capped backoff and is stopped, alone, when the
destination keeps refusing. A row that left ``waiting`` is never sent again, so a restart
(even after ``kill -9``) never sends an alert twice.

What differs per destination is only how one message is sent and what its failures mean:
a :class:`~.sender.Sender` subclass says that in :meth:`~.sender.Sender.attempt`.
"""

from liqterm.outbox.queue import EVENT_KINDS, DestQueue, Pending, Taken, alert_id
from liqterm.outbox.ratelimit import Spacing
from liqterm.outbox.sender import Counters, Outcome, Result, Sender, SenderState, backoff_delay
from liqterm.outbox.store import AsyncOutbox, Outbox

__all__ = [
    "EVENT_KINDS",
    "AsyncOutbox",
    "Counters",
    "DestQueue",
    "Outbox",
    "Outcome",
    "Pending",
    "Result",
    "Sender",
    "SenderState",
    "Spacing",
    "Taken",
    "alert_id",
    "backoff_delay",
]

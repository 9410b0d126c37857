"""Sending one message through Apprise, off the event loop, and reading what went wrong.

Apprise is synchronous (requests underneath, and a plugin may sleep to honour a service's
rate-limit headers), so every call runs on a thread of its own and the event loop only
awaits its result. The threads are daemons: a call stuck past liqterm's own time limit is
abandoned (its alerts are then ``unconfirmed``: it may still arrive) and never holds up
quitting.

Apprise says only "delivered or not"; the reason comes from its log entries for the call,
e.g. ``Failed to send JSON POST notification: Internal server error., error=500.``, from
which the HTTP status is read when there is one:

* 429: the service asked to slow down: wait, then send the same message again.
* 400, 413, 422: this message was refused; the next ones may pass.
* 401, 403, 404, 410: the service refuses the destination (a deleted webhook, a wrong
  key): it stops, the other destinations go on.
* anything else (5xx, a timeout, no connection): retry with backoff.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from liqterm.engine.alerts import Priority
from liqterm.logs import redact
from liqterm.outbox.sender import Outcome, Result
from liqterm.secret import Secret

log = logging.getLogger(__name__)
_T = TypeVar("_T")
_STATUS = re.compile(r"error=(\d{3})\b")
_REFUSED_MESSAGE = frozenset({400, 413, 422})
_REFUSED_DESTINATION = frozenset({401, 403, 404, 410})


class UnknownService(ValueError):
    """Apprise does not understand the URL; the text names the scheme, never the URL."""


async def in_thread(fn: Callable[[], _T], name: str) -> _T:
    """``fn()`` on a new daemon thread; the event loop awaits it without blocking."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[_T] = loop.create_future()

    def settle(value: Any, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def work() -> None:
        try:
            value, error = fn(), None
        except BaseException as exc:
            value, error = None, exc
        try:
            loop.call_soon_threadsafe(settle, value, error)
        except RuntimeError:  # the loop closed while this call ran: nobody waits for it
            pass

    threading.Thread(target=work, name=f"liqterm-notify-{name}", daemon=True).start()
    return await future


class AppriseService:
    """One destination's Apprise object (built on first use, in the sending thread)."""

    def __init__(self, url: Secret, scheme: str) -> None:
        self._url = url
        self._scheme = scheme
        self._apprise: Any = None
        self._lock = threading.Lock()

    def _client(self) -> Any:
        with self._lock:
            if self._apprise is None:
                import apprise  # heavy (its plugins): only where a destination is configured

                client = apprise.Apprise()
                if not client.add(self._url.reveal()):
                    raise UnknownService(
                        f"Apprise does not understand this {self._scheme}:// URL: check it against "
                        "the service's page in Apprise's documentation"
                    )
                self._apprise = client
            return self._apprise

    def send(self, title: str, body: str, priority: Priority) -> Outcome:
        """Send one message (blocking: call it through :func:`in_thread`)."""
        try:
            client = self._client()
        except UnknownService as exc:
            return Outcome(Result.STOP, str(exc))
        result = client.notify(body=body, title=title, notify_type=_notify_type(priority), body_format="text")
        if result:
            return Outcome(Result.SENT)
        return classify(_said(result))


def classify(said: str) -> Outcome:
    """What a failure Apprise described as ``said`` means for the destination."""
    match = _STATUS.search(said)
    status = int(match.group(1)) if match else None
    reason = f"the service answered: {said}" if said else "the service could not be reached (see the log)"
    if status == 429:
        # Apprise does not pass on the service's Retry-After: the sender decides the wait.
        return Outcome(Result.WAIT, "the service asked to slow down (429)")
    if status in _REFUSED_MESSAGE:
        return Outcome(Result.DROP, f"the service refused this message ({status}): {said}")
    if status in _REFUSED_DESTINATION:
        return Outcome(
            Result.STOP,
            f"the service refuses this destination ({status}): the webhook may have been deleted "
            "or the key is wrong; check the URL",
        )
    return Outcome(Result.RETRY, reason)


def _said(result: object) -> str:
    """Apprise's warnings and errors for the call, redacted, in one line."""
    logs = getattr(result, "logs", None)
    if not callable(logs):
        return ""
    lines = []
    for entry in logs():
        level = getattr(entry, "level", logging.WARNING)
        if isinstance(level, str):  # Apprise names the level ("WARNING")
            level = logging.getLevelName(level)
        if not isinstance(level, int) or level >= logging.WARNING:
            lines.append(str(getattr(entry, "message", entry)).strip())
    return redact(" ".join(dict.fromkeys(lines)))[:300]


def _notify_type(priority: Priority) -> str:
    if priority >= Priority.CRITICAL:
        return "failure"
    if priority >= Priority.HIGH:
        return "warning"
    return "info"

"""A small Bot API client: ``getMe``, ``sendMessage``, ``getUpdates`` over httpx.

The token sits in the client's ``base_url`` only; request paths are bare method names, so
neither locals in a traceback nor our messages contain it. Every httpx exception is turned
into a :class:`~liqterm.telegram.errors.TelegramError` raised *outside* the ``except`` block,
so the original (whose text and traceback carry the URL) is not even its ``__context__``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from liqterm.logs import redact, redact_http_logs
from liqterm.telegram.errors import ErrorKind, TelegramError
from liqterm.telegram.secret import Secret

log = logging.getLogger(__name__)

# Failures where the request cannot have reached Telegram; anything else that breaks the
# connection may have happened after Telegram accepted the message.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
)
# 400 descriptions that are about the text rather than the chat.
_MESSAGE_PROBLEMS = (
    "parse entities",
    "message is too long",
    "text must be non-empty",
    "message text is empty",
)


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds allowed for each phase of a request; ``getUpdates`` adds its long-poll time."""

    connect: float = 5.0
    request: float = 10.0


class BotClient:
    """Calls the Bot API at ``api_url`` with ``token``; use ``async with`` or call :meth:`aclose`.

    Args:
        token: the bot token.
        api_url: ``https://api.telegram.org`` or a compatible server (a local fake in tests).
        timeouts: connect and per-request limits; nothing waits forever.
        transport: an httpx transport to use instead of the network (tests).
    """

    def __init__(
        self,
        token: Secret,
        api_url: str,
        *,
        timeouts: Timeouts | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        redact_http_logs()
        self._timeouts = timeouts or Timeouts()
        self.host = urlsplit(api_url).netloc or api_url
        t = self._timeouts
        self._http = httpx.AsyncClient(
            base_url=f"{api_url.rstrip('/')}/bot{token.reveal()}/",
            timeout=httpx.Timeout(t.request, connect=t.connect),
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
            headers={"User-Agent": "liqterm"},
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"BotClient(host={self.host!r})"

    async def __aenter__(self) -> BotClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def get_me(self) -> dict[str, Any]:
        """The bot's own user record (checks the token)."""
        result = await self._call("getMe", {})
        return result if isinstance(result, dict) else {}

    async def send_message(self, chat_id: int, text: str, *, html: bool = True) -> int:
        """Send ``text`` (Telegram HTML when ``html``) to ``chat_id``; returns the message id."""
        payload: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if html:
            payload["parse_mode"] = "HTML"
        result = await self._call("sendMessage", payload)
        return int(result.get("message_id", 0)) if isinstance(result, dict) else 0

    async def get_updates(self, offset: int | None, poll_s: float) -> list[dict[str, Any]]:
        """Long-poll for updates after ``offset``, waiting up to ``poll_s`` seconds for one."""
        payload: dict[str, Any] = {
            # Whole seconds, at least 1: timeout 0 would turn long-polling into a busy loop.
            "timeout": max(1, round(poll_s)),
            "allowed_updates": ["message", "channel_post"],
        }
        if offset is not None:
            payload["offset"] = offset
        read = self._timeouts.request + max(1, round(poll_s))
        timeout = httpx.Timeout(read, connect=self._timeouts.connect)
        result = await self._call("getUpdates", payload, limits=timeout)
        return [u for u in result if isinstance(u, dict)] if isinstance(result, list) else []

    async def _call(
        self, method: str, payload: dict[str, Any], *, limits: httpx.Timeout | None = None
    ) -> Any:
        failure: TelegramError | None = None
        response: httpx.Response | None = None
        try:
            if limits is None:
                response = await self._http.post(method, json=payload)
            else:
                response = await self._http.post(method, json=payload, timeout=limits)
        except _NOT_SENT as exc:
            failure = self._network_error(ErrorKind.NETWORK, method, exc)
        except httpx.HTTPError as exc:
            failure = self._network_error(ErrorKind.UNCERTAIN, method, exc)
        except httpx.InvalidURL:
            failure = TelegramError(
                ErrorKind.NETWORK, method, "[telegram] api_url is not a valid URL", host=self.host
            )
        # Raised here, outside the except blocks, so no httpx exception is chained to it.
        if failure is not None:
            raise failure
        assert response is not None
        return self._result(method, response)

    def _network_error(self, kind: ErrorKind, method: str, exc: Exception) -> TelegramError:
        # Masked before it is cut short: a cut through the token would leave a part of it
        # that no longer looks like one.
        detail = redact(str(exc))[:160]
        text = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
        return TelegramError(kind, method, text, host=self.host)

    def _result(self, method: str, response: httpx.Response) -> Any:
        status = response.status_code
        body = _json_or_none(response)
        if status == 200 and isinstance(body, dict) and body.get("ok"):
            return body.get("result")
        parameters = body.get("parameters") if isinstance(body, dict) else None
        parameters = parameters if isinstance(parameters, dict) else {}
        raw = body.get("description") if isinstance(body, dict) else None
        description = redact(str(raw))[:300] if raw else f"HTTP {status}"
        code = body.get("error_code") if isinstance(body, dict) else None
        if isinstance(code, int) and status == 200:
            status = code  # an ok=false answer with HTTP 200: trust the API's own code
        kind = _classify(status, description)
        retry_after = parameters.get("retry_after")
        migrate_to = parameters.get("migrate_to_chat_id")
        return_error = TelegramError(
            kind,
            method,
            description,
            status=status,
            retry_after=float(retry_after) if isinstance(retry_after, int | float) else None,
            migrate_to=int(migrate_to) if isinstance(migrate_to, int) else None,
            host=self.host,
        )
        raise return_error


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _classify(status: int, description: str) -> ErrorKind:
    if status == 429:
        return ErrorKind.RATE_LIMITED
    if status in (401, 404):
        return ErrorKind.UNAUTHORIZED
    if status == 400:
        lowered = description.lower()
        if any(problem in lowered for problem in _MESSAGE_PROBLEMS):
            return ErrorKind.BAD_MESSAGE
        return ErrorKind.BAD_CHAT
    if status == 403:
        return ErrorKind.FORBIDDEN
    if status == 409:
        return ErrorKind.CONFLICT
    return ErrorKind.SERVER

"""A fake Telegram Bot API: a small asyncio HTTP/1.1 server on 127.0.0.1.

It implements ``getMe``, ``sendMessage`` (validating Telegram HTML and the 4,096 limit the
way Telegram does) and ``getUpdates`` (long-polling, offsets), records every request with
its arrival time, and can be told to misbehave: answer 429 with ``retry_after``, 5xx, 400,
403, hang without answering, or drop the connection after reading the request.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fakes.telegram_html import check_html

CANARY_TOKEN = "987654321:CANARY-must-never-be-printed_0123456789"
"""A well-formed token for tests; its text is searched for in every captured log and output."""

USER_CHAT, GROUP_CHAT, STRANGER_CHAT = 1001, -1002003004, 555
"""Chat ids for tests: a private chat, a supergroup, and a chat not in ``chat_ids``."""

_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass
class Request:
    """One request as it reached the server."""

    method: str
    token: str
    payload: dict[str, Any]
    at: float
    """``time.perf_counter()`` when the whole request had been read."""


@dataclass
class Sent:
    """A message the fake accepted."""

    chat_id: int
    text: str
    parse_mode: str | None
    at: float
    message_id: int


@dataclass
class Rule:
    """A scripted answer for the next matching request(s)."""

    method: str
    status: int = 500
    description: str = ""
    retry_after: float | None = None
    migrate_to: int | None = None
    chat_id: int | None = None
    hang: bool = False
    drop: bool = False
    times: int = 1


@dataclass
class FakeBotApi:
    """The fake server. ``async with FakeBotApi(token) as api: ...`` then use ``api.url``."""

    token: str
    username: str = "liqterm_test_bot"
    port: int = 0
    """0 picks a free port; a fixed one lets a test start the server after the client."""
    requests: list[Request] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    chat_errors: dict[int, tuple[int, str]] = field(default_factory=dict)
    """Standing answers per chat, e.g. ``{-100: (403, "Forbidden: bot was kicked")}``."""
    updates: list[dict[str, Any]] = field(default_factory=list)
    offsets: list[int | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server: asyncio.Server | None = None
        self._changed = asyncio.Condition()
        self._release = asyncio.Event()
        self._next_update = 1
        self._next_message = 1
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    # -- scripting -------------------------------------------------------------------------------

    def fail(self, method: str = "sendMessage", status: int = 500, **options: Any) -> None:
        """Answer the next ``times`` matching requests with ``status`` (see :class:`Rule`)."""
        self.rules.append(Rule(method, status, **options))

    async def push_message(
        self, chat_id: int, text: str, date: int | None = None, kind: str = "message"
    ) -> None:
        """An incoming message (``kind`` = ``message`` or ``channel_post``) for getUpdates."""
        chat_type = "private" if chat_id > 0 else "supergroup"
        self.updates.append(
            {
                "update_id": self._next_update,
                kind: {
                    "message_id": self._next_update,
                    "date": date or int(time.time()),
                    "chat": {"id": chat_id, "type": chat_type},
                    "text": text,
                },
            }
        )
        self._next_update += 1
        await self._notify()

    async def wait_sent(self, count: int, within: float = 5.0) -> list[Sent]:
        """Wait until at least ``count`` messages were accepted."""
        async with asyncio.timeout(within):
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.sent) >= count)
        return self.sent

    async def wait_requests(self, method: str, count: int, within: float = 5.0) -> None:
        """Wait until ``count`` requests for ``method`` arrived (whatever the answer)."""
        async with asyncio.timeout(within):
            async with self._changed:
                await self._changed.wait_for(lambda: sum(r.method == method for r in self.requests) >= count)

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [s.text for s in self.sent if chat_id is None or s.chat_id == chat_id]

    # -- the server ------------------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                _, path, _ = lines[0].split(" ", 2)
                headers = {
                    k.strip().lower(): v.strip()
                    for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                status, answer = await self._handle(path, body)
                if status is None:  # hang or drop: never answer this request
                    return
                data = json.dumps(answer).encode()
                writer.write(
                    f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                    "Connection: keep-alive\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _handle(self, path: str, body: bytes) -> tuple[int | None, dict[str, Any]]:
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", path)
        if match is None:
            return 404, _error(404, "Not Found")
        token, method = match.groups()
        payload = json.loads(body) if body else {}
        self.requests.append(Request(method, token, payload, time.perf_counter()))
        await self._notify()
        if token != self.token:
            return 401, _error(401, "Unauthorized")
        rule = self._rule(method, payload.get("chat_id"))
        if rule is not None:
            if rule.hang:
                await self._release.wait()
                return None, {}
            if rule.drop:
                return None, {}
            return rule.status, _error(
                rule.status,
                rule.description or _REASONS.get(rule.status, "Error"),
                rule.retry_after,
                rule.migrate_to,
            )
        if method == "getMe":
            return 200, {
                "ok": True,
                "result": {
                    "id": 4242,
                    "is_bot": True,
                    "first_name": "liqterm test",
                    "username": self.username,
                },
            }
        if method == "sendMessage":
            return await self._send(payload)
        if method == "getUpdates":
            return 200, {"ok": True, "result": await self._get_updates(payload)}
        return 404, _error(404, "Not Found")

    def _rule(self, method: str, chat_id: object) -> Rule | None:
        for rule in self.rules:
            if rule.method == method and rule.chat_id in (None, chat_id):
                rule.times -= 1
                if rule.times <= 0:
                    self.rules.remove(rule)
                return rule
        return None

    async def _send(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat_id = payload.get("chat_id")
        text = payload.get("text") or ""
        if not isinstance(chat_id, int):
            return 400, _error(400, "Bad Request: chat_id is empty")
        if chat_id in self.chat_errors:
            status, description = self.chat_errors[chat_id]
            return status, _error(status, description)
        mode = payload.get("parse_mode")
        visible = text
        if mode == "HTML":
            problem, visible = check_html(text)
            if problem:
                return 400, _error(400, f"Bad Request: can't parse entities: {problem}")
        if not visible.strip():
            return 400, _error(400, "Bad Request: message text is empty")
        if len(visible.encode("utf-16-le")) // 2 > 4096:
            return 400, _error(400, "Bad Request: message is too long")
        message_id = self._next_message
        self._next_message += 1
        self.sent.append(Sent(chat_id, text, mode, time.perf_counter(), message_id))
        await self._notify()
        return 200, {
            "ok": True,
            "result": {"message_id": message_id, "chat": {"id": chat_id}, "text": visible},
        }

    async def _get_updates(self, payload: dict[str, Any]) -> list[dict[str, Any]]:
        offset = payload.get("offset")
        self.offsets.append(offset)
        if isinstance(offset, int):  # Telegram forgets updates below the offset
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        timeout = float(payload.get("timeout") or 0)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                async with self._changed:
                    await self._changed.wait_for(lambda: bool(self.updates) or self._release.is_set())
        return list(self.updates)


def _error(
    status: int, description: str, retry_after: float | None = None, migrate_to: int | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    parameters: dict[str, Any] = {}
    if retry_after is not None:
        parameters["retry_after"] = retry_after
    if migrate_to is not None:
        parameters["migrate_to_chat_id"] = migrate_to
    if parameters:
        body["parameters"] = parameters
    return body


@contextlib.contextmanager
def serve_in_thread(api: FakeBotApi) -> Iterator[FakeBotApi]:
    """Run ``api`` on its own event loop in a thread (for code that calls ``asyncio.run``)."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    async def main() -> None:
        await api.start()
        ready.set()
        await api._release.wait()
        await api.stop()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    ready.wait(5)
    try:
        yield api
    finally:
        loop.call_soon_threadsafe(api._release.set)
        thread.join(5)
        loop.close()


async def serve_stdio(token: str) -> None:
    """Serve in this process until stdin closes (``python -m fakes.telegram_api``).

    Prints the port, then answers ``arrivals`` with one JSON line of
    ``[text, perf_counter at arrival]`` per ``sendMessage`` (and forgets them).
    """
    import sys

    api = FakeBotApi(token)
    await api.start()
    print(api.port, flush=True)
    loop = asyncio.get_running_loop()
    while (line := (await loop.run_in_executor(None, sys.stdin.readline)).strip()) not in ("", "quit"):
        if line == "arrivals":
            found = [[r.payload.get("text", ""), r.at] for r in api.requests if r.method == "sendMessage"]
            api.requests.clear()
            api.sent.clear()
            print(json.dumps(found), flush=True)
    await api.stop()


if __name__ == "__main__":
    import sys

    asyncio.run(serve_stdio(sys.argv[1] if len(sys.argv) > 1 else CANARY_TOKEN))

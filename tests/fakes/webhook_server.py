"""A local stand-in for the services Apprise posts to: webhooks, and Discord's API through a proxy.

Not a test module. One threaded HTTP server on 127.0.0.1 that

* takes plain HTTP posts (Apprise's ``json://`` and ``ntfy://``), and
* is also an HTTPS proxy that answers ``CONNECT discord.com:443`` itself: it terminates TLS
  with the test-only certificate in ``tls/`` (the client trusts it through
  ``REQUESTS_CA_BUNDLE``), so Apprise's real Discord plugin posts to
  ``/api/webhooks/<id>/<token>`` here, unchanged.

Every request is recorded with its path, JSON body and arrival time. Scripted failures
(``fail``) answer with a status, or hang past the client's timeout, for the next N
requests whose path starts with a prefix. A request counts as delivered only when it was
answered 2xx.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

TLS = Path(__file__).with_name("tls")
CERT, KEY = TLS / "test-only.crt", TLS / "test-only.key"


@dataclass
class Request:
    """One request the server received."""

    host: str
    path: str
    body: Any
    at: float
    """``time.perf_counter()`` when it arrived."""
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def delivered(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class _Failure:
    prefix: str
    status: int
    times: int
    hang_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class WebhookServer:
    """``with WebhookServer() as server:`` → ``server.url`` (http) and ``server.proxy`` (for HTTPS_PROXY)."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._failures: list[_Failure] = []
        self.delay_s = 0.0
        """How long every answer takes (a slow service)."""
        self._lock = threading.Lock()
        self._tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._tls.load_cert_chain(CERT, KEY)
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_CONNECT(self) -> None:  # an HTTPS proxy request: be the far end ourselves
                self.send_response(200, "Connection established")
                self.end_headers()
                self.wfile.flush()
                tunnel = owner._tls.wrap_socket(self.connection, server_side=True)
                self.connection = tunnel
                self.rfile = tunnel.makefile("rb")
                self.wfile = tunnel.makefile("wb")
                self.close_connection = False

            def do_POST(self) -> None:
                owner._answer(self)

            do_PUT = do_POST

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"127.0.0.1:{self.port}"
        self.proxy = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> WebhookServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(
        self, prefix: str, status: int = 500, times: int = 1, hang_s: float = 0.0, **headers: str
    ) -> None:
        """Answer the next ``times`` requests under ``prefix`` with ``status`` (after ``hang_s``)."""
        with self._lock:
            self._failures.append(_Failure(prefix, status, times, hang_s, headers))

    def delivered(self, prefix: str = "/") -> list[Request]:
        """The requests under ``prefix`` that were answered 2xx, in arrival order."""
        with self._lock:
            return [r for r in self.requests if r.path.startswith(prefix) and r.delivered]

    def wait_delivered(self, count: int, prefix: str = "/", within: float = 10.0) -> list[Request]:
        """Block until ``count`` deliveries under ``prefix`` arrived (or fail)."""
        deadline = time.monotonic() + within
        while len(self.delivered(prefix)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.delivered(prefix))} of {count} deliveries to {prefix}")
            time.sleep(0.005)
        return self.delivered(prefix)

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        at = time.perf_counter()
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        host = handler.headers.get("Host", "")
        request = Request(host, handler.path, body, at, headers=dict(handler.headers))
        failure = self._take_failure(handler.path)
        status, extra = (204 if "/api/webhooks/" in handler.path else 200), {}
        with self._lock:
            self.requests.append(request)
        if failure is not None:
            if failure.hang_s:  # the client times out first: never counted as delivered
                time.sleep(failure.hang_s)
            status, extra = failure.status, failure.headers
        if self.delay_s:
            time.sleep(self.delay_s)
        if failure is None or not failure.hang_s:
            with self._lock:
                request.status = status
        try:
            handler.send_response(status)
            for name, value in extra.items():
                handler.send_header(name.replace("_", "-"), value)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            handler.wfile.flush()
        except (TimeoutError, OSError):  # the client gave up first (a hang)
            handler.close_connection = True

    def _take_failure(self, path: str) -> _Failure | None:
        with self._lock:
            for failure in self._failures:
                if path.startswith(failure.prefix) and failure.times > 0:
                    failure.times -= 1
                    return failure
        return None


def _serve_for_benchmark() -> None:
    """``python -m fakes.webhook_server``: print the port, then answer ``arrivals`` on stdin with a JSON
    list of ``[message, perf_counter at arrival]`` (and forget them); EOF stops."""
    import sys

    with WebhookServer() as server:
        print(server.port, flush=True)
        for line in sys.stdin:
            if line.strip() == "arrivals":
                with server._lock:
                    done = [(r.body["message"], r.at) for r in server.requests if r.delivered]
                    server.requests.clear()
                print(json.dumps(done), flush=True)


if __name__ == "__main__":
    _serve_for_benchmark()

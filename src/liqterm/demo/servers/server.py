"""A local websocket server that behaves like one venue's liquidation feed.

It listens on 127.0.0.1 (port 0 by default: the OS picks, :attr:`port` tells),
speaks the venue's protocol (:mod:`liqterm.demo.servers.protocols`), enforces its
keep-alive rule (windows shortened for tests), and serves that venue's frames
from a recording at recorded pace times ``speed`` or flat out, optionally
looping and re-timed to now. Fault switches live in :class:`Faults`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from http import HTTPStatus
from types import TracebackType

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from liqterm.demo.servers.faults import Faults
from liqterm.demo.servers.playback import Playback
from liqterm.demo.servers.protocol import FakeProtocol
from liqterm.demo.servers.protocols import PROTOCOLS
from liqterm.demo.servers.served import ServedClient
from liqterm.recording.format import RecordedFrame

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ServerStats:
    """What a fake server has seen, for tests and the demo's fault panel."""

    connections: int = 0
    frames_sent: int = 0
    messages_received: int = 0
    pings_received: int = 0
    dropped_idle: int = 0
    dropped_rate: int = 0
    dropped_lifetime: int = 0


class FakeVenueServer:
    """One venue's fake feed.

    Args:
        venue: venue id (a key of :data:`PROTOCOLS`).
        frames: recorded frames; only this venue's are served.
        speed: recorded pace multiplier (``2.0`` = twice as fast); ``None`` = flat out.
        loop: start the recording again after its last frame.
        shared_clock: clients join one running timeline (like a real venue: a
            reconnect does not restart the story); otherwise every client gets
            the recording from its start, from the moment it subscribes.
        retime: move every timestamp in a frame so it reads as happening now.
        loop_shift: on each pass after the first, move every timestamp forward by
            whole loop periods (pass x period), so a looping recording keeps its own
            event time yet never repeats an event (the demo; consumers that
            de-duplicate would drop a verbatim second pass).
        timeline: ``(origin_ms, period_ms)`` shared by several servers: recording time
            of playback offset 0 and the loop period (see :class:`Playback`).
        faults: fault switches (mutable at run time).
        idle_window_s: override the venue's application keep-alive window.
        server_ping: override ``(interval_s, timeout_s)`` of protocol pings.
        host: interface to listen on.
        port: 0 lets the OS choose.

    Example:
        >>> async with FakeVenueServer("okx", frames) as server:  # doctest: +SKIP
        ...     url = server.url  # ws://127.0.0.1:<port>/ws/v5/public
    """

    def __init__(
        self,
        venue: str,
        frames: Iterable[RecordedFrame] = (),
        *,
        speed: float | None = None,
        loop: bool = False,
        shared_clock: bool = False,
        retime: bool = False,
        loop_shift: bool = False,
        timeline: tuple[int, int] | None = None,
        faults: Faults | None = None,
        idle_window_s: float | None = None,
        server_ping: tuple[float, float] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if venue not in PROTOCOLS:
            raise ValueError(f"no fake protocol for venue {venue!r}; known: {sorted(PROTOCOLS)}")
        if speed is not None and speed <= 0:
            raise ValueError("speed must be positive (or None for flat out)")
        self.protocol: FakeProtocol = PROTOCOLS[venue]()
        self.venue = venue
        self.playback = Playback((f for f in frames if f.venue == venue), loop=loop, timeline=timeline)
        self.speed = speed
        self.shared_clock = shared_clock
        self.retime = retime
        self.loop_shift = loop_shift
        self.faults = faults or Faults()
        idle = self.protocol.idle
        self.idle = replace(idle, window_s=idle_window_s) if idle and idle_window_s else idle
        self.server_ping = server_ping or self.protocol.server_ping
        self.host = host
        self.port = port
        self.stats = ServerStats()
        self.clients: set[ServedClient] = set()
        self.started_at = 0.0
        self.last_request_headers: dict[str, str] = {}
        """Headers of the latest websocket request (tests check what clients send)."""
        self._server: Server | None = None
        self._subscribed_changed = asyncio.Event()

    @property
    def url(self) -> str:
        """The websocket URL of the venue's default endpoint on this server."""
        return f"ws://{self.host}:{self.port}{self.protocol.path}"

    async def start(self) -> int:
        """Start listening; returns the bound port."""
        self._server = await serve(
            self._serve,
            self.host,
            self.port,
            process_request=self._check_path,
            ping_interval=None,  # keep-alive pings are the venue's rule, sent per client
            max_size=1 << 20,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self.started_at = asyncio.get_running_loop().time()
        log.info("fake %s listening on %s", self.venue, self.url)
        return self.port

    async def stop(self) -> None:
        """Close every connection (1001 going away) and stop listening."""
        if self._server is None:
            return
        for client in list(self.clients):
            client.pause(False)  # a stalled client must be able to finish the close handshake
        self._server.close()
        await self._server.wait_closed()
        self._server = None

    def set_stall(self, stalled: bool) -> None:
        """Stall (or revive) the server, including connections already open."""
        self.faults.stall = stalled
        for client in list(self.clients):
            client.pause(stalled)

    async def disconnect_all(self, code: int | None = None, reason: str | None = None) -> int:
        """Close every client connection; defaults to the venue's lifetime close code."""
        default_code, default_reason = self.protocol.lifetime_close
        clients = list(self.clients)
        for client in clients:
            client.pause(False)
            await client.ws.close(code or default_code, reason or default_reason)
        return len(clients)

    async def inject(self, text: str, count: int = 1) -> int:
        """Send ``text`` ``count`` times to every subscribed client; returns frames sent."""
        sent = 0
        for client in list(self.clients):
            if not client.subscribed.is_set():
                continue
            for _ in range(count):
                try:
                    await client.send(text, data=True)
                except ConnectionClosed:
                    break
                sent += 1
        return sent

    async def burst(self, count: int) -> int:
        """Send the first ``count`` recorded frames (cycling) at once to every subscribed client."""
        frames = self.playback.frames
        if not frames:
            return 0
        sent = 0
        for index in range(count):
            record = frames[index % len(frames)]
            for client in list(self.clients):
                if client.subscribed.is_set() and self.protocol.wants(record.frame, client.session):
                    try:
                        await client.send(self.protocol.shape(record.frame, client.session), True)
                    except ConnectionClosed:
                        continue
                    sent += 1
        return sent

    async def wait_for_clients(self, count: int = 1) -> None:
        """Wait until at least ``count`` clients are subscribed (tests wrap it in a timeout)."""
        while sum(client.subscribed.is_set() for client in self.clients) < count:
            changed = self._subscribed_changed
            await changed.wait()

    def client_subscribed(self) -> None:
        """Wake :meth:`wait_for_clients` (called by a client on its first subscription)."""
        changed, self._subscribed_changed = self._subscribed_changed, asyncio.Event()
        changed.set()

    def _check_path(self, connection: ServerConnection, request: Request) -> Response | None:
        self.last_request_headers = dict(request.headers.raw_items())
        if self.protocol.open(request.path) is None:
            return Response(HTTPStatus.NOT_FOUND.value, "Not Found", Headers(), b"Not Found\n")
        return None

    async def _serve(self, ws: ServerConnection) -> None:
        session = self.protocol.open(ws.request.path if ws.request else self.protocol.path)
        if session is None:  # _check_path refused it already; belt and braces
            await ws.close(1008, "unknown path")
            return
        self.stats.connections += 1
        client = ServedClient(self, ws, session)
        self.clients.add(client)
        try:
            await client.run()
        finally:
            self.clients.discard(client)

    async def __aenter__(self) -> FakeVenueServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

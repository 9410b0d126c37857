"""One websocket connection of one venue, from open to close.

A connection subscribes, then runs two tasks until either ends: the reader
(frames in) and the keeper (our pings out, the silence watchdog, the planned
rotation before the venue's forced disconnect). Whichever ends first decides
the outcome; the other is cancelled and awaited, so nothing is left running.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from liqterm.streams.frames import frame_text
from liqterm.streams.handler import FrameHandler
from liqterm.streams.settings import StreamSettings
from liqterm.streams.symbols import SymbolSource

log = logging.getLogger(__name__)

CLOSE_MESSAGE_TOO_BIG = 1009


@dataclass(frozen=True, slots=True)
class Ended:
    """Why a connection ended.

    Attributes:
        kind: ``closed`` (by the venue or the network), ``stale`` (watchdog),
            ``lifetime`` (planned rotation) or ``failed`` (never went live).
        reason: a short human description for the health note and the log.
    """

    kind: str
    reason: str


class Connection:
    """Drives one open websocket for one venue.

    Args:
        ws: the open connection.
        handler: processes every received frame.
        settings: stream tunables.
        symbols: the venue's instrument source, when the adapter needs symbols.
        clock: wall-clock epoch milliseconds.
        on_alive: called once, when the first frame or pong after subscribing
            proves the connection works (that is when the venue turns live).
    """

    def __init__(
        self,
        ws: ClientConnection,
        handler: FrameHandler,
        settings: StreamSettings,
        symbols: SymbolSource | None,
        clock: Callable[[], int],
        on_alive: Callable[[], None] | None = None,
    ) -> None:
        self.ws = ws
        self.handler = handler
        self.settings = settings
        self.symbols = symbols
        self.clock = clock
        self.keepalive = handler.keepalive
        self._loop = asyncio.get_running_loop()
        self.last_alive = self._loop.time()
        self._on_alive = on_alive
        self.subscribed: set[str] = set()
        self.end_reason = "closed"
        """Why the connection ended, once it has (for the disconnect marker)."""
        self.symbols_note: str | None = None
        self.listed = False
        """Whether :meth:`subscribe` fetched the instrument list (and ``symbols_note`` is its note)."""
        self._side_tasks: set[asyncio.Task[None]] = set()

    async def subscribe(self) -> None:
        """Send the adapter's subscribe frames, pausing between them."""
        adapter = self.handler.adapter
        symbols: Sequence[str] = ()
        if adapter.needs_symbols and self.symbols is not None:
            listed = await self.symbols.get()
            symbols = listed.symbols
            self.symbols_note, self.listed = listed.note, True
        self.handler.inlet.subscribed(self.clock())
        # context_frames: once per connection, never again on a symbol refresh (mark prices)
        await self._send_all([*adapter.subscribe_frames(symbols), *getattr(adapter, "context_frames", ())])
        self.subscribed = set(symbols)

    async def run(self) -> Ended:
        """Read and keep alive until the connection ends; returns why."""
        reader = asyncio.create_task(self._read(), name=f"{self.handler.venue}-reader")
        keeper = asyncio.create_task(self._keep(), name=f"{self.handler.venue}-keeper")
        tasks = {reader, keeper}
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            finished = done.pop()
            ended: Ended = finished.result()
            self.end_reason = ended.reason
            return ended
        finally:
            tasks |= self._side_tasks
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _read(self) -> Ended:
        handler = self.handler
        limit = self.settings.max_frame_bytes
        try:
            async for message in self.ws:
                received_ms = self.clock()
                self._alive()
                try:
                    text = frame_text(message, limit)
                except ValueError as exc:
                    handler.count_rejection(str(exc))
                    continue
                done = handler.handle(text, received_ms)
                if done.reply is not None:
                    await self.ws.send(done.reply)
                if done.unknown_symbol:
                    self._refresh_symbols_soon()
        except ConnectionClosed as exc:
            return self._closed(exc)
        return self._closed(None)

    def _closed(self, exc: ConnectionClosed | None) -> Ended:
        sent = exc.sent if exc is not None else self.ws.protocol.close_sent
        if sent is not None and sent.code == CLOSE_MESSAGE_TOO_BIG:
            self.handler.count_rejection(
                f"frame over {self.settings.hard_max_frame_bytes} bytes; connection dropped"
            )
            return Ended("closed", "frame too big for the library limit")
        received = exc.rcvd if exc is not None else self.ws.protocol.close_rcvd
        if received is not None:
            detail = f" {received.reason}" if received.reason else ""
            return Ended("closed", f"closed by venue: {received.code}{detail}")
        return Ended("closed", "connection lost")

    async def _keep(self) -> Ended:
        keepalive = self.keepalive
        loop = self._loop
        opened = loop.time()
        interval = keepalive.ping_interval_s
        # The first ping goes out at once: its answer proves a quiet feed alive
        # without waiting a whole interval (some venues' intervals are minutes).
        next_ping = opened if interval > 0 else math.inf
        rotate_at = math.inf
        if keepalive.max_lifetime_s:
            lifetime = keepalive.max_lifetime_s
            rotate_at = opened + lifetime - self.settings.lifetime_margin(lifetime)
        silence = keepalive.silence_timeout_s
        while True:
            now = loop.time()
            if now - self.last_alive >= silence:
                return Ended("stale", f"silent for {silence:g} s")
            if now >= rotate_at:
                return Ended("lifetime", "planned reconnect before the venue's forced disconnect")
            if now >= next_ping:
                if not await self._ping():
                    return Ended("closed", "connection lost while pinging")
                next_ping = now + interval
            wake = min(next_ping, self.last_alive + silence, rotate_at)
            await asyncio.sleep(max(0.0, wake - loop.time()))

    async def _ping(self) -> bool:
        try:
            if self.keepalive.ping_text is not None:
                await self.ws.send(self.keepalive.ping_text)
            else:
                # Protocol ping: the library answers the server's pings by itself,
                # but a pong to OUR ping is the only proof of life on a quiet feed.
                waiter = await self.ws.ping()
                waiter.add_done_callback(self._pong_arrived)
        except ConnectionClosed:
            return False
        return True

    def _pong_arrived(self, waiter: asyncio.Future[float]) -> None:
        if not waiter.cancelled() and waiter.exception() is None:
            self._alive()

    def _alive(self) -> None:
        self.last_alive = self._loop.time()
        if self._on_alive is not None:
            on_alive, self._on_alive = self._on_alive, None
            on_alive()

    def _refresh_symbols_soon(self) -> None:
        if self.symbols is None or self._side_tasks:
            return
        task = asyncio.create_task(self._refresh_symbols(), name=f"{self.handler.venue}-symbols")
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)

    async def _refresh_symbols(self) -> None:
        # A side task: its failure must be logged here, nobody awaits its result.
        try:
            await self._subscribe_new_symbols()
        except ConnectionClosed:
            pass  # the reader sees the close and ends the connection
        except Exception:
            log.exception("%s: refreshing symbols failed", self.handler.venue)

    async def _subscribe_new_symbols(self) -> None:
        assert self.symbols is not None
        listed = await self.symbols.refresh()
        if listed is None:
            return
        added = sorted(set(listed.symbols) - self.subscribed)
        if added and self.handler.adapter.needs_symbols:
            log.info("%s: subscribing %d new symbols", self.handler.venue, len(added))
            await self._send_all(self.handler.adapter.subscribe_frames(added))
            self.subscribed.update(added)

    async def _send_all(self, frames: Sequence[str]) -> None:
        for index, frame in enumerate(frames):
            if index:
                await asyncio.sleep(self.settings.subscribe_pause_s)
            await self.ws.send(frame)

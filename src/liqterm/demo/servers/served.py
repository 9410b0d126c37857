"""One client connection on a fake venue server: answer, serve, enforce, misbehave.

Four jobs run per client until the reader sees the connection close: the
reader (acks, pongs, the message-rate limit), the sender (recorded frames at
pace, to what the client subscribed), the keep-alive enforcer (idle drop, or
protocol pings with a timeout) and the lifetime drop. They end together.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from liqterm.demo.servers.encode import shift_times
from liqterm.demo.servers.faults import garbage_of, oversized
from liqterm.demo.servers.playback import LOOP_GAP_MS
from liqterm.demo.servers.protocol import Session

if TYPE_CHECKING:
    from liqterm.demo.servers.server import FakeVenueServer

log = logging.getLogger(__name__)


class ServedClient:
    """Server-side state and jobs of one client connection.

    Args:
        server: the fake venue server (protocol, playback, faults, stats).
        ws: the accepted connection.
        session: the protocol session created for the request path.
    """

    def __init__(self, server: FakeVenueServer, ws: ServerConnection, session: Session) -> None:
        self.server = server
        self.ws = ws
        self.session = session
        self.protocol = server.protocol
        self.faults = server.faults
        self._loop = asyncio.get_running_loop()
        self.opened = self._loop.time()
        self.last_keepalive = self.opened
        self.subscribed = asyncio.Event()
        if session.topics:  # subscribed by the URL path
            self.subscribed.set()
            server.client_subscribed()
        self._recent: collections.deque[float] = collections.deque()
        self.data_sent = 0

    async def run(self) -> None:
        """Serve until the connection closes."""
        if self.faults.stall:
            self.pause(True)
        jobs: list[Callable[[], Coroutine[Any, Any, None]]] = [self._serve_frames]
        if self.server.idle is not None:
            jobs.append(self._drop_when_idle)
        if self.server.server_ping is not None:
            jobs.append(self._ping_client)
        if self.faults.drop_after_s is not None:
            jobs.append(self._drop_at_end_of_life)
        helpers = [asyncio.create_task(job()) for job in jobs]
        try:
            await self._read()
        finally:
            for task in helpers:
                task.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)

    def pause(self, stalled: bool) -> None:
        """Stop (or resume) reading the socket, so even protocol pings go unanswered."""
        transport = self.ws.transport
        if transport is None or transport.is_closing():
            return
        if stalled:
            transport.pause_reading()
        else:
            transport.resume_reading()

    async def send(self, text: str, data: bool) -> None:
        """Send one frame, resetting the idle timer the way the venue does."""
        await self.ws.send(text)
        idle = self.server.idle
        if idle is not None and (idle.server_any or (data and idle.server_data)):
            self.last_keepalive = self._loop.time()
        if data:
            self.data_sent += 1
            self.server.stats.frames_sent += 1

    async def _read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for message in self.ws:
                text = message if isinstance(message, str) else message.decode("utf-8", "replace")
                self.server.stats.messages_received += 1
                if self._too_fast():
                    self.server.stats.dropped_rate += 1
                    await self.ws.close(1008, "Too many requests")
                    return
                replies, was_ping = self.protocol.reply(text, self.session)
                if was_ping:
                    self.server.stats.pings_received += 1
                    if self.server.idle is not None and self.server.idle.client_ping:
                        self.last_keepalive = self._loop.time()
                if self.session.topics and not self.subscribed.is_set():
                    self.subscribed.set()
                    self.server.client_subscribed()
                if self.faults.stall:
                    continue
                for reply in replies:
                    await self.send(reply, data=False)

    def _too_fast(self) -> bool:
        limit = self.protocol.max_messages_per_s
        if limit is None:
            return False
        now = self._loop.time()
        self._recent.append(now)
        while self._recent and now - self._recent[0] > 1.0:
            self._recent.popleft()
        return len(self._recent) > limit

    async def _serve_frames(self) -> None:
        await self.subscribed.wait()
        server = self.server
        speed = server.speed
        start = self._loop.time()
        from_ms = 0.0
        if server.shared_clock and speed is not None:
            from_ms = (start - server.started_at) * 1000 * speed
            start = server.started_at
        cycle = 0
        try:
            for due in server.playback.schedule(from_ms):
                if speed is None and due.cycle != cycle:
                    cycle = due.cycle  # flat out, but loops pause so a filtered loop can't spin
                    await asyncio.sleep(LOOP_GAP_MS / 1000)
                if speed is not None:
                    delay = start + due.at_ms / 1000 / speed - self._loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
                else:
                    await asyncio.sleep(0)  # flat out, but let acks and pings through
                if self.faults.stall or self.faults.silent:
                    continue
                if not self.protocol.wants(due.frame.frame, self.session):
                    continue
                await self._send_data(due.frame.frame, due.frame.received_ms, due.cycle)
        except ConnectionClosed:
            return

    async def _send_data(self, frame: str, received_ms: int, cycle: int = 0) -> None:
        if self.server.loop_shift and cycle:
            frame = shift_times(frame, cycle * self.server.playback.period_ms)
        if self.server.retime:
            frame = shift_times(frame, time.time_ns() // 1_000_000 - received_ms)
        text = self.protocol.shape(frame, self.session)
        count = self.data_sent + 1
        if self.faults.garbage_every and count % self.faults.garbage_every == 0:
            text = garbage_of(text)
        await self.send(text, data=True)
        if self.faults.oversize_every and count % self.faults.oversize_every == 0:
            await self.send(oversized(self.faults.oversize_bytes), data=False)

    async def _drop_when_idle(self) -> None:
        idle = self.server.idle
        assert idle is not None
        while True:
            await asyncio.sleep(max(0.0, self.last_keepalive + idle.window_s - self._loop.time()))
            if self.faults.stall:
                self.last_keepalive = self._loop.time()  # a stalled server drops nobody
                continue
            if self._loop.time() - self.last_keepalive >= idle.window_s:
                self.server.stats.dropped_idle += 1
                await self.ws.close(idle.close_code, idle.close_reason)
                return

    async def _ping_client(self) -> None:
        assert self.server.server_ping is not None
        interval, timeout = self.server.server_ping
        while True:
            await asyncio.sleep(interval)
            if self.faults.stall:
                continue
            try:
                waiter = await self.ws.ping()
                async with asyncio.timeout(timeout):
                    await waiter
            except TimeoutError:
                self.server.stats.dropped_idle += 1
                await self.ws.close(1011, "keepalive ping timeout")
                return
            except ConnectionClosed:
                return

    async def _drop_at_end_of_life(self) -> None:
        assert self.faults.drop_after_s is not None
        await asyncio.sleep(self.faults.drop_after_s)
        code, reason = self.protocol.lifetime_close
        self.server.stats.dropped_lifetime += 1
        self.pause(False)
        await self.ws.close(code, reason)

"""One venue's feed, kept alive forever: connect, subscribe, read, reconnect.

:class:`VenueStream` is what a Textual worker runs (one per venue, so one venue
failing never touches another) and what :class:`~liqterm.streams.manager.StreamManager`
runs several of for the headless commands. It never names a venue: everything
venue-specific comes from the adapter, and every frame goes into the pipeline
through the venue's inlet, with the connection's moments (connected, subscribed,
disconnected) as markers the recorder keeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import websockets
from websockets.exceptions import InvalidHandshake, InvalidURI

from liqterm.config.urls import transport_problem
from liqterm.pipeline import VenueInlet
from liqterm.streams.backoff import Backoff
from liqterm.streams.connection import Connection, Ended
from liqterm.streams.frames import wall_ms
from liqterm.streams.handler import FrameHandler
from liqterm.streams.health import HealthTracker, State, VenueHealth
from liqterm.streams.settings import StreamSettings
from liqterm.streams.symbols import SymbolSource, SymbolsProvider
from liqterm.venues.base import KeepAlive, VenueAdapter

log = logging.getLogger(__name__)

Attempt = tuple[Ended, float | None]
"""Why a connection ended, and how many seconds it was live (``None``: never went live)."""


class VenueStream:
    """A self-healing connection to one venue's liquidation feed.

    Args:
        adapter: the venue adapter (URL, subscribe frames, keep-alive, decoder).
        url: websocket URL; ``None`` uses ``adapter.url`` (config may override it).
        inlet: the venue's way into the pipeline (``pipeline.inlet(venue)``): every
            frame and connection moment goes there.
        settings: tunables; tests shrink the timings.
        keepalive: overrides ``adapter.keepalive`` (tests use short windows).
        symbols: where the instrument list comes from when ``adapter.needs_symbols``:
            a :class:`SymbolSource` or a plain/async callable returning names.
        clock: wall-clock epoch ms for ``received_ms``; injectable for tests.
        rand: random source for backoff jitter; injectable for tests.

    Example:
        >>> stream = VenueStream(adapter, None, pipeline.inlet("okx"))  # doctest: +SKIP
        >>> await stream.run(stop_event)  # returns once stop_event is set  # doctest: +SKIP
    """

    def __init__(
        self,
        adapter: VenueAdapter,
        url: str | None,
        inlet: VenueInlet,
        *,
        settings: StreamSettings | None = None,
        keepalive: KeepAlive | None = None,
        symbols: SymbolSource | SymbolsProvider | None = None,
        clock: Callable[[], int] = wall_ms,
        rand: Callable[[], float] | None = None,
    ) -> None:
        self.adapter = adapter
        self.venue = adapter.name
        self.url = url or adapter.url
        problem = transport_problem(self.url, "wss", "ws")
        if problem:  # config refuses these already; this guards every other way in
            raise ValueError(f"{adapter.name}: refusing {self.url}: {problem}")
        self.settings = settings or StreamSettings()
        self.clock = clock
        self.inlet = inlet
        self.tracker = HealthTracker(inlet.tally, adapter.throttle_note)
        self.handler = FrameHandler(inlet, keepalive or adapter.keepalive, self.settings)
        if symbols is None or isinstance(symbols, SymbolSource):
            self.symbols = symbols
        else:
            self.symbols = SymbolSource(symbols, self.settings.symbols_refresh_min_s)
        self.backoff = Backoff(self.settings.backoff_base_s, self.settings.backoff_cap_s, rand=rand)
        self.live_since: float | None = None
        """Event-loop time the current connection went live (for quiet detection)."""

    def health(self) -> VenueHealth:
        """This venue's health right now (an immutable snapshot)."""
        return self.tracker.snapshot()

    def set_note(self, note: str | None) -> None:
        """Show ``note`` in this venue's health (e.g. "instruments from the bundled list")."""
        self.tracker.note = note

    async def run(self, stop: asyncio.Event) -> None:
        """Keep the venue connected until ``stop`` is set (or the task is cancelled).

        Returns once stopped; never raises for network or venue trouble. Every
        task it starts is finished before it returns.
        """
        failures = 0
        loop = asyncio.get_running_loop()
        try:
            while not stop.is_set():
                ended, live_for = await self._connect_until_stopped(stop)
                if ended is None:
                    break
                log.info("%s: %s", self.venue, ended.reason)
                self.tracker.last_disconnect = ended.reason
                self.tracker.reconnects += 1
                if live_for is None:
                    failures += 1
                else:
                    failures = 0
                    if live_for >= self.settings.healthy_after_s:
                        self.backoff.reset()
                self.tracker.state = _state_after(ended, failures, self.settings)
                if ended.kind == "lifetime" and live_for is not None:
                    continue  # a planned rotation: reconnect at once, no backoff
                delay = self.backoff.next_delay()
                deadline = loop.time() + delay
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout_at(deadline):
                        await stop.wait()
        finally:
            self.tracker.state = "down"
            self.tracker.connected_since_ms = None
            self.live_since = None

    async def _connect_until_stopped(self, stop: asyncio.Event) -> Attempt | tuple[None, None]:
        """One connection attempt, raced against ``stop``; ``(None, None)`` once stopped."""
        session = asyncio.create_task(self._session(), name=f"{self.venue}-session")
        stopper = asyncio.create_task(stop.wait(), name=f"{self.venue}-stop")
        try:
            await asyncio.wait({session, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (session, stopper):
                task.cancel()
            await asyncio.gather(session, stopper, return_exceptions=True)
            self.tracker.connected_since_ms = None
            self.live_since = None
        if stop.is_set() or session.cancelled():
            return None, None
        return session.result()

    async def _session(self) -> Attempt:
        """Connect, subscribe and run one connection until it ends."""
        settings = self.settings
        loop = asyncio.get_running_loop()
        try:
            async with websockets.connect(
                self.url,
                open_timeout=settings.open_timeout_s,
                close_timeout=settings.close_timeout_s,
                ping_interval=None,  # our keeper pings per the adapter's rule
                max_size=settings.hard_max_frame_bytes,
                max_queue=settings.max_queue,
                user_agent_header="liqterm",
                # Optional, outside the Protocol: request headers a venue wants
                # (e.g. to choose a number format).
                additional_headers=getattr(self.adapter, "headers", None),
            ) as ws:
                self.inlet.connected(self.clock())
                connection = Connection(
                    ws, self.handler, settings, self.symbols, self.clock, on_alive=self._went_live
                )
                try:
                    await connection.subscribe()
                    if connection.listed:
                        self.tracker.note = connection.symbols_note
                    ended = await connection.run()
                finally:
                    self.inlet.disconnected(self.clock(), connection.end_reason)
                # Show it at once: closing a dead connection can take close_timeout_s.
                self.tracker.state = "stale" if ended.kind == "stale" else "reconnecting"
                self.tracker.connected_since_ms = None
                self.tracker.last_disconnect = ended.reason
                if self.live_since is None:
                    return Ended(ended.kind, f"never proved alive: {ended.reason}"), None
                return ended, loop.time() - self.live_since
        except (OSError, TimeoutError, InvalidHandshake, InvalidURI, websockets.ConnectionClosed) as exc:
            return _failure(exc, self.live_since, loop.time())
        except Exception as exc:  # a bug must not end the stream: log, back off, retry
            log.exception("%s: unexpected error in the connection", self.venue)
            self.tracker.errors += 1
            return _failure(exc, self.live_since, loop.time())

    def _went_live(self) -> None:
        self.tracker.state = "live"
        self.tracker.connected_since_ms = self.clock()
        self.live_since = asyncio.get_running_loop().time()


def _failure(exc: BaseException, live_since: float | None, now: float) -> Attempt:
    detail = str(exc) or type(exc).__name__
    if live_since is None:
        return Ended("failed", f"connect failed: {detail}"), None
    return Ended("closed", f"connection lost: {detail}"), now - live_since


def _state_after(ended: Ended, failures: int, settings: StreamSettings) -> State:
    if failures >= settings.down_after_failures:
        return "down"
    if ended.kind == "stale":
        return "stale"
    return "reconnecting"

"""One venue's real adapter and connection manager against its fake server, with an engine behind.

Not a test module. Keep-alive windows are shortened on both sides (as in
tests/streams/test_real_adapters.py) so every fault plays out in well under a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

from stream_helpers import FAST, Delivering, now_ms, open_stream, recorded, wait_until
from websockets.frames import Frame, Opcode

from liqterm.demo.servers import FakeVenueServer
from liqterm.demo.servers.encode import encode_event
from liqterm.engine import Engine
from liqterm.model import VENUE_IDS, Liquidation, Side
from liqterm.streams import StreamSettings, VenueStream
from liqterm.venues._common import AdapterBase
from liqterm.venues.base import KeepAlive
from liqterm.venues.binance import BinanceAdapter
from liqterm.venues.bitget import BitgetAdapter
from liqterm.venues.bybit import BybitAdapter
from liqterm.venues.gateio import GateAdapter
from liqterm.venues.okx import OkxAdapter

VENUES: tuple[str, ...] = VENUE_IDS
MAKERS = {
    "binance": BinanceAdapter,
    "bybit": BybitAdapter,
    "okx": OkxAdapter,
    "gateio": GateAdapter,
    "bitget": BitgetAdapter,
}
SHORT_WINDOW: dict[str, Any] = {"idle_window_s": 0.4, "server_ping": (0.1, 0.4)}
SYMBOLS = ("BTCUSDT", "ETHUSDT", "SOLUSDT")
PRICES = {"BTC": 107_734.1, "ETH": 3_812.36, "SOL": 187.5}
T = TypeVar("T")


def keepalive(adapter: AdapterBase, silence_s: float = 0.6) -> KeepAlive:
    # 0.15 s keeps us under Binance's and Bitget's 10 messages/s (the fakes enforce it)
    return dataclasses.replace(adapter.keepalive, ping_interval_s=0.15, silence_timeout_s=silence_s)


def events(count: int, start_ms: int | None = None, venue: str = "binance") -> list[Liquidation]:
    """``count`` distinct liquidations on three majors, ten per millisecond from ``start_ms``."""
    start = now_ms() if start_ms is None else start_ms
    made = []
    for i in range(count):
        asset = ("BTC", "ETH", "SOL")[i % 3]
        price = PRICES[asset]
        quantity = round(0.5 + (i % 997) * 0.01 + (i // 997) * 0.001, 6)
        side = Side.LONG if i % 2 else Side.SHORT
        made.append(
            Liquidation(
                venue, f"{asset}USDT", asset, side, price, quantity, price * quantity, start + i // 10, 0
            )
        )
    return made


def frames(venue: str, adapter: AdapterBase, chosen: Sequence[Liquidation]) -> list[str]:
    """``chosen`` events in ``venue``'s own frame shape (contracts for OKX and Gate)."""

    def size(_venue: str, symbol: str) -> float | None:
        item = adapter.instruments.get(symbol)
        return item.contract_size if item is not None else None

    texts = [encode_event(venue, event, size) for event in chosen]
    assert all(texts), f"{venue}: bundled table lacks a major"
    return [text for text in texts if text]


class Rig:
    """A running stream of one venue into an engine, with the fake server beside it."""

    def __init__(self, venue: str, server: FakeVenueServer, stream: VenueStream, engine: Delivering) -> None:
        self.venue = venue
        self.server = server
        self.stream = stream
        self.engine = engine.engine
        self.delivered = engine.delivered

    @property
    def health(self):  # type: ignore[no-untyped-def]
        return self.stream.health()

    async def live(self, within_s: float = 5.0) -> float:
        """Wait until live; returns how long it took."""
        started = time.monotonic()
        await wait_until(lambda: self.health.state == "live", within_s, f"{self.venue} live")
        return time.monotonic() - started

    async def send(self, texts: Sequence[str]) -> int:
        """Send ``texts`` to every subscribed client as data frames, in order."""
        sent = 0
        for client in list(self.server.clients):
            if client.subscribed.is_set():
                for text in texts:
                    await client.send(text, data=True)
                    sent += 1
        return sent

    async def drip(self, text: str, per_byte_s: float, limit: int | None = None) -> None:
        """Write one text frame to every client a byte at a time (the server stalled meanwhile)."""
        raw = Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])
        for client in list(self.server.clients):
            transport = client.ws.transport
            for index in range(min(len(raw), limit or len(raw))):
                if transport.is_closing():
                    return
                transport.write(raw[index : index + 1])
                await asyncio.sleep(per_byte_s)

    async def wait_delivered(self, count: int, within_s: float = 5.0) -> None:
        await wait_until(
            lambda: len(self.delivered) >= count, within_s, f"{self.venue}: {count} events delivered"
        )


@contextlib.asynccontextmanager
async def rig(
    venue: str,
    texts: Sequence[str] = (),
    *,
    settings: StreamSettings = FAST,
    silence_s: float = 0.6,
    **server_options: Any,
) -> AsyncIterator[Rig]:
    """Start ``venue``'s fake server (serving ``texts`` once, re-timed) and a stream into an engine."""
    adapter = MAKERS[venue]()
    options = {**SHORT_WINDOW, **server_options}
    server = FakeVenueServer(venue, recorded(venue, list(texts), start_ms=now_ms()), retime=True, **options)
    await server.start()
    engine = Delivering(Engine())
    stream = open_stream(
        adapter,
        server.url,
        engine,  # type: ignore[arg-type]
        settings=settings,
        keepalive=keepalive(adapter, silence_s),
        symbols=(lambda: list(SYMBOLS)) if adapter.needs_symbols else None,
    )
    rigged = Rig(venue, server, stream, engine)
    stop = asyncio.Event()
    task = asyncio.create_task(stream.run(stop))
    try:
        yield rigged
    finally:
        stop.set()
        async with asyncio.timeout(5):
            await task
        await server.stop()


async def each_venue(check: Callable[[str], Awaitable[T]], venues: Sequence[str] = VENUES) -> dict[str, T]:
    """Run ``check(venue)`` for every venue at once; results by venue.

    A failure cancels the other venues' checks (so their servers close at once) and is raised.
    """
    try:
        async with asyncio.TaskGroup() as group:
            tasks = {venue: group.create_task(check(venue), name=f"check-{venue}") for venue in venues}
    except BaseExceptionGroup as failed:
        raise failed.exceptions[0] from None
    return {venue: task.result() for venue, task in tasks.items()}


class ReconnectClock:
    """Measures, by polling, how long a stream spends out of ``live`` each time it drops."""

    def __init__(self, stream: VenueStream) -> None:
        self.stream = stream
        self.gaps: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> ReconnectClock:
        self._task = asyncio.create_task(self._watch())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    @property
    def worst(self) -> float:
        return max(self.gaps, default=0.0)

    async def _watch(self) -> None:
        down_since: float | None = None
        while True:
            live = self.stream.health().state == "live"
            now = time.monotonic()
            if not live and down_since is None:
                down_since = now
            elif live and down_since is not None:
                self.gaps.append(now - down_since)
                down_since = None
            await asyncio.sleep(0.005)

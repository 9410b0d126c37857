"""The connection manager with each venue's real adapter against that venue's fake server.

Keep-alive windows are shortened (server and client alike) so a "quiet period longer
than the drop window" takes a second, not ten minutes.
"""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from stream_helpers import (
    FAST,
    Collector,
    Delivering,
    now_ms,
    open_stream,
    pipeline_into,
    recorded,
    running,
    wait_until,
)

from liqterm.demo.servers import FakeVenueServer, Faults
from liqterm.demo.servers.encode import encode_event
from liqterm.engine import Engine
from liqterm.model import Liquidation, Side
from liqterm.streams import StreamManager
from liqterm.venues._common import AdapterBase
from liqterm.venues.binance import BinanceAdapter
from liqterm.venues.bitget import BitgetAdapter
from liqterm.venues.bybit import BybitAdapter
from liqterm.venues.gateio import GateAdapter
from liqterm.venues.okx import OkxAdapter

VENUES = ["binance", "bybit", "okx", "gateio", "bitget"]
MAKERS = {
    "binance": BinanceAdapter,
    "bybit": BybitAdapter,
    "okx": OkxAdapter,
    "gateio": GateAdapter,
    "bitget": BitgetAdapter,
}
SHORT_WINDOW = {"idle_window_s": 0.4, "server_ping": (0.1, 0.4)}


def adapter_for(venue: str) -> AdapterBase:
    return MAKERS[venue]()


def quick(adapter: AdapterBase):  # type: ignore[no-untyped-def]
    # 0.15 s keeps us under Binance's and Bitget's 10 messages/s (the fakes enforce it)
    return dataclasses.replace(adapter.keepalive, ping_interval_s=0.15, silence_timeout_s=0.6)


def frames_for(venue: str, adapter: AdapterBase, base_ms: int) -> list[str]:
    def size(name: str, symbol: str) -> float | None:
        item = adapter.instruments.get(symbol)
        return item.contract_size if item is not None else None

    events = [
        Liquidation("binance", "BTCUSDT", "BTC", Side.LONG, 107_734.1, 0.5, 53_867.05, base_ms, 0),
        Liquidation("binance", "ETHUSDT", "ETH", Side.SHORT, 3_812.36, 10.0, 38_123.6, base_ms + 5, 0),
        Liquidation("binance", "SOLUSDT", "SOL", Side.LONG, 187.5, 40.0, 7_500.0, base_ms + 9, 0),
    ]
    frames = [encode_event(venue, event, size) for event in events]
    assert all(frames), f"{venue}: bundled table lacks a major"
    return [frame for frame in frames if frame]


def server_for(venue: str, frames: list[str], **options: object) -> FakeVenueServer:
    return FakeVenueServer(
        venue, recorded(venue, frames, start_ms=now_ms()), retime=True, **SHORT_WINDOW, **options
    )  # type: ignore[arg-type]


@pytest.mark.parametrize("venue", VENUES)
async def test_subscribe_and_events_arrive_normalised(venue: str) -> None:
    adapter = adapter_for(venue)
    sink = Collector()
    async with server_for(venue, frames_for(venue, adapter, now_ms())) as server:
        stream = open_stream(adapter, server.url, sink, settings=FAST, keepalive=quick(adapter))
        async with running(stream):
            await wait_until(lambda: len(sink.events) == 3, what=f"{venue} events")
            health = stream.health()
    assert [(e.venue, e.asset, e.side) for e in sink.events] == [
        (venue, "BTC", Side.LONG),
        (venue, "ETH", Side.SHORT),
        (venue, "SOL", Side.LONG),
    ]
    assert [e.usd for e in sink.events] == pytest.approx([53_867.05, 38_123.6, 7_500.0])
    assert health.state == "live" and health.rejected == 0 and health.dropped_replayed == 0
    assert health.throttle_note == adapter.throttle_note


@pytest.mark.parametrize("venue", VENUES)
async def test_keepalive_is_honoured_over_a_quiet_period(venue: str) -> None:
    adapter = adapter_for(venue)
    async with server_for(venue, []) as server:
        stream = open_stream(adapter, server.url, Collector(), settings=FAST, keepalive=quick(adapter))
        async with running(stream):
            await wait_until(lambda: stream.health().state == "live", what="live")
            await asyncio.sleep(1.0)  # 2.5 drop windows, no data at all
            health = stream.health()
    assert server.stats.dropped_idle == 0
    assert (health.state, health.reconnects, health.rejected) == ("live", 0, 0)


@pytest.mark.parametrize("venue", VENUES)
async def test_reconnect_after_close_and_the_engine_dedups_the_overlap(venue: str) -> None:
    adapter = adapter_for(venue)
    sink = Delivering(Engine())
    engine, seen = sink.engine, sink.delivered

    frames = frames_for(venue, adapter, now_ms())
    # no retime: the reconnect re-sends the very same frames, as a venue replaying would
    server = FakeVenueServer(venue, recorded(venue, frames, start_ms=now_ms()), **SHORT_WINDOW)
    async with server:
        stream = open_stream(adapter, server.url, sink, settings=FAST, keepalive=quick(adapter))
        async with running(stream):
            await wait_until(lambda: len(seen) == 3, what="first delivery")
            await server.disconnect_all()
            await wait_until(lambda: stream.health().reconnects == 1, what="reconnect")
            await wait_until(
                lambda: server.stats.connections == 2 and stream.health().state == "live", what="live again"
            )
            # OKX's adapter may drop the resent events as replays; otherwise they arrive again
            await wait_until(
                lambda: len(seen) + stream.health().dropped_replayed == 6, what="second delivery"
            )
    assert engine.events_total == 3
    assert engine.duplicates == len(seen) - 3


@pytest.mark.parametrize("venue", VENUES)
async def test_garbage_is_counted_not_fatal(venue: str) -> None:
    adapter = adapter_for(venue)
    sink = Collector()
    faults = Faults(garbage_every=2)
    async with server_for(venue, frames_for(venue, adapter, now_ms()), faults=faults) as server:
        stream = open_stream(adapter, server.url, sink, settings=FAST, keepalive=quick(adapter))
        async with running(stream):
            await wait_until(
                lambda: stream.health().rejected >= 1 and len(sink.events) == 2,
                what="one rejected, two events",
            )
            await server.inject("\x00\x01 not json at all")
            await wait_until(lambda: stream.health().rejected >= 2, what="second rejection")
            health = stream.health()
    assert health.reconnects == 0 and health.state == "live"
    assert health.last_reject_reason


async def test_a_stalled_protocol_ping_venue_goes_stale() -> None:
    adapter = adapter_for("binance")
    async with server_for("binance", []) as server:
        stream = open_stream(adapter, server.url, Collector(), settings=FAST, keepalive=quick(adapter))
        async with running(stream):
            await wait_until(lambda: stream.health().state == "live", what="live")
            server.set_stall(True)
            await wait_until(lambda: stream.health().state == "stale", what="stale")
            server.set_stall(False)
            await wait_until(lambda: stream.health().state == "live", what="live again")


async def test_manager_flags_a_silent_while_acking_venue_as_quiet() -> None:
    """Four venues deliver; one acks and pongs but never sends data: quiet, not down."""
    adapters = [adapter_for(venue) for venue in VENUES]
    servers = {}
    for adapter in adapters:
        faults = Faults(silent=adapter.name == "gateio")
        servers[adapter.name] = FakeVenueServer(
            adapter.name,
            recorded(
                adapter.name, frames_for(adapter.name, adapter, now_ms()), start_ms=now_ms(), step_ms=100
            ),
            speed=1.0,
            loop=True,
            retime=True,
            faults=faults,
            **SHORT_WINDOW,
        )  # type: ignore[arg-type]
    for server in servers.values():
        await server.start()
    try:
        sink = Collector()
        manager = StreamManager(
            adapters,
            pipeline_into(sink, adapters),
            urls={name: server.url for name, server in servers.items()},
            settings=FAST,
            keepalives={adapter.name: quick(adapter) for adapter in adapters},
        )
        async with running(manager):
            await wait_until(lambda: manager.streams["gateio"].health().quiet, what="quiet")
            health = {h.venue: h for h in manager.health()}
    finally:
        for server in servers.values():
            await server.stop()
    assert [h.venue for h in manager.health()] == VENUES
    assert health["gateio"].state == "live" and health["gateio"].events == 0
    assert not any(health[name].quiet for name in VENUES if name != "gateio")
    assert all(health[name].events > 0 for name in VENUES if name != "gateio")


async def test_adapter_request_headers_are_sent() -> None:
    adapter = adapter_for("gateio")
    async with server_for("gateio", []) as server:
        stream = open_stream(adapter, server.url, Collector(), settings=FAST, keepalive=quick(adapter))
        async with running(stream):
            await wait_until(lambda: stream.health().state == "live", what="live")
    assert server.last_request_headers.get("X-Gate-Size-Decimal") == "1"

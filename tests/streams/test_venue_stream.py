"""VenueStream against the fake OKX, Bybit and Binance servers, using small test adapters."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from stream_fakes import (
    BinanceLikeAdapter,
    BybitLikeAdapter,
    OkxLikeAdapter,
    binance_frame,
    bybit_frame,
    okx_frame,
)
from stream_helpers import (
    FAST,
    Collector,
    Exploding,
    now_ms,
    open_stream,
    recorded,
    running,
    wait_until,
)

from liqterm.demo.servers import FakeVenueServer, Faults
from liqterm.model import Side

OKX_FRAMES = [
    okx_frame("BTC-USDT-SWAP", "long", "82655.7", "0.5", 1_791_565_600_771),
    okx_frame("ETH-USDT-SWAP", "short", "2446.26", "3", 1_791_565_601_000),
    okx_frame("SOL-USDT-SWAP", "long", "150.5", "10", 1_791_565_602_000),
]


async def test_subscribe_then_events_arrive_normalised() -> None:
    sink = Collector()
    async with FakeVenueServer("okx", recorded("okx", OKX_FRAMES)) as server:
        stream = open_stream(OkxLikeAdapter(), server.url, sink, settings=FAST)
        async with running(stream):
            await wait_until(lambda: len(sink.events) == 3, what="3 events")
            health = stream.health()
    first = sink.events[0]
    assert (first.venue, first.symbol, first.side, first.price) == (
        "okx",
        "BTC-USDT-SWAP",
        Side.LONG,
        82655.7,
    )
    assert first.exchange_ms == 1_791_565_600_771
    assert health.state == "live" and health.events == 3 and health.reconnects == 0
    assert health.frames >= 4  # the ack, three data frames, maybe pongs
    assert health.throttle_note == "test throttle"
    assert health.connected_since_ms is not None and health.last_event_ms is not None
    assert stream.health().state == "down"  # stopped


async def test_keepalive_is_honoured_over_a_quiet_period_longer_than_the_drop_window() -> None:
    async with FakeVenueServer("okx", idle_window_s=0.4) as server:
        stream = open_stream(OkxLikeAdapter(), server.url, Collector(), settings=FAST)
        async with running(stream):
            await wait_until(lambda: stream.health().state == "live", what="live")
            await asyncio.sleep(1.2)  # three drop windows without any data
            health = stream.health()
    assert server.stats.dropped_idle == 0
    assert server.stats.pings_received >= 4
    assert health.reconnects == 0 and health.state == "live"


async def test_a_client_that_does_not_keep_alive_is_dropped_with_the_venue_close_code() -> None:
    adapter = OkxLikeAdapter()
    lazy = dataclasses.replace(adapter.keepalive, ping_interval_s=0, silence_timeout_s=5.0)
    async with FakeVenueServer("okx", idle_window_s=0.3) as server:
        stream = open_stream(adapter, server.url, Collector(), settings=FAST, keepalive=lazy)
        async with running(stream):
            await wait_until(lambda: stream.health().reconnects >= 1, what="a reconnect")
    assert server.stats.dropped_idle >= 1
    assert "4004" in (stream.health().last_disconnect or "")


async def test_reconnects_and_resubscribes_after_the_server_closes() -> None:
    sink = Collector()
    async with FakeVenueServer("okx", recorded("okx", OKX_FRAMES)) as server:
        stream = open_stream(OkxLikeAdapter(), server.url, sink, settings=FAST)
        async with running(stream):
            await wait_until(lambda: len(sink.events) == 3, what="first playback")
            await server.disconnect_all(4004, "No data received in 30s.")
            # every connection gets the playback again: the overlap the engine dedups
            await wait_until(lambda: len(sink.events) == 6, what="second playback")
            health = stream.health()
    assert server.stats.connections == 2
    assert health.reconnects == 1 and health.state == "live"
    assert health.last_disconnect == "closed by venue: 4004 No data received in 30s."


async def test_a_stalled_connection_goes_stale_and_recovers() -> None:
    adapter = OkxLikeAdapter()
    quick = dataclasses.replace(adapter.keepalive, ping_interval_s=0.1, silence_timeout_s=0.3)
    async with FakeVenueServer("okx") as server:
        stream = open_stream(adapter, server.url, Collector(), settings=FAST, keepalive=quick)
        async with running(stream):
            await wait_until(lambda: stream.health().state == "live", what="live")
            server.set_stall(True)
            await wait_until(lambda: stream.health().state == "stale", what="stale")
            assert "silent" in (stream.health().last_disconnect or "")
            server.set_stall(False)
            await wait_until(lambda: stream.health().state == "live", what="live again")
    assert stream.health().reconnects >= 1


async def test_garbage_frames_are_counted_and_the_connection_survives() -> None:
    sink = Collector()
    faults = Faults(garbage_every=2)
    async with FakeVenueServer("okx", recorded("okx", OKX_FRAMES), faults=faults) as server:
        stream = open_stream(OkxLikeAdapter(), server.url, sink, settings=FAST)
        async with running(stream):
            await wait_until(lambda: stream.health().rejected == 1, what="one rejection")
            await wait_until(lambda: len(sink.events) == 2, what="two good events")
            health = stream.health()
    assert health.last_reject_reason == "invalid json"
    assert health.reconnects == 0


async def test_an_oversized_frame_is_counted_and_skipped() -> None:
    sink = Collector()
    faults = Faults(oversize_every=1, oversize_bytes=50_000)
    settings = dataclasses.replace(FAST, max_frame_bytes=10_000)
    async with FakeVenueServer("okx", recorded("okx", OKX_FRAMES), faults=faults) as server:
        stream = open_stream(OkxLikeAdapter(), server.url, sink, settings=settings)
        async with running(stream):
            await wait_until(lambda: stream.health().rejected == 3, what="three oversized")
            health = stream.health()
    assert len(sink.events) == 3 and health.reconnects == 0
    assert health.last_reject_reason == "oversized frame (50000 chars)"


async def test_a_frame_beyond_the_hard_limit_drops_the_connection_and_is_counted() -> None:
    faults = Faults(oversize_every=1, oversize_bytes=300_000)
    settings = dataclasses.replace(FAST, max_frame_bytes=10_000, hard_max_frame_bytes=100_000)
    async with FakeVenueServer("okx", recorded("okx", OKX_FRAMES[:1]), faults=faults) as server:
        stream = open_stream(OkxLikeAdapter(), server.url, Collector(), settings=settings)
        async with running(stream):
            await wait_until(lambda: stream.health().reconnects >= 1, what="a reconnect")
            health = stream.health()
    assert health.rejected >= 1
    assert "connection dropped" in (health.last_reject_reason or "")


async def test_planned_rotation_before_the_venue_lifetime() -> None:
    adapter = OkxLikeAdapter()
    short_life = dataclasses.replace(adapter.keepalive, max_lifetime_s=0.4)
    async with FakeVenueServer("okx") as server:
        stream = open_stream(adapter, server.url, Collector(), settings=FAST, keepalive=short_life)
        async with running(stream):
            await wait_until(lambda: server.stats.connections >= 3, what="two rotations")
    assert "planned reconnect" in (stream.health().last_disconnect or "")


async def test_unreachable_venue_is_reported_down_and_stop_is_prompt() -> None:
    stream = open_stream(OkxLikeAdapter(), "ws://127.0.0.1:9/ws/v5/public", Collector(), settings=FAST)
    async with running(stream):
        await wait_until(lambda: stream.health().state == "down", what="down")
        assert "connect failed" in (stream.health().last_disconnect or "")
    assert {t for t in asyncio.all_tasks() if t is not asyncio.current_task()} == set()


async def test_events_replayed_on_subscribe_are_dropped_and_counted() -> None:
    adapter = OkxLikeAdapter(drop_replayed_on_subscribe=True)
    fresh = okx_frame("BTC-USDT-SWAP", "long", "82655.7", "1", now_ms() + 60_000)
    frames = [*OKX_FRAMES, fresh]  # the three fixtures are from the past
    sink = Collector()
    async with FakeVenueServer("okx", recorded("okx", frames)) as server:
        stream = open_stream(adapter, server.url, sink, settings=FAST)
        async with running(stream):
            await wait_until(lambda: stream.health().dropped_replayed == 3, what="3 dropped")
            await wait_until(lambda: len(sink.events) == 1, what="the fresh event")


async def test_the_engine_raising_never_kills_the_stream() -> None:
    async with FakeVenueServer("okx", recorded("okx", OKX_FRAMES)) as server:
        stream = open_stream(OkxLikeAdapter(), server.url, Exploding(), settings=FAST)
        async with running(stream):
            await wait_until(lambda: stream.health().errors == 3, what="three engine errors")
            health = stream.health()
    assert health.events == 3 and health.state == "live" and health.reconnects == 0


async def test_symbols_are_fetched_chunked_and_refetched_on_unknown_symbol() -> None:
    calls: list[int] = []
    lists = [["AAAUSDT", "BBBUSDT", "CCCUSDT"], ["AAAUSDT", "BBBUSDT", "CCCUSDT", "DDDUSDT"]]

    async def provider() -> list[str]:
        calls.append(1)
        return lists[min(len(calls), 2) - 1]

    frames = [
        bybit_frame("AAAUSDT", "Buy", "1.5", "10", 1_789_670_094_099),
        bybit_frame("CCCUSDT", "Sell", "2.5", "4", 1_789_670_094_200),
        bybit_frame("ZZZUSDT", "Sell", "2.5", "4", 1_789_670_094_300),
    ]
    adapter = BybitLikeAdapter(known={"AAAUSDT", "BBBUSDT"})
    sink = Collector()
    # paced (200 ms apart) so every subscribe frame is in before the data arrives
    async with FakeVenueServer("bybit", recorded("bybit", frames), speed=0.05) as server:
        settings = dataclasses.replace(FAST, symbols_refresh_min_s=0.0)
        stream = open_stream(adapter, server.url, sink, settings=settings, symbols=provider)
        async with running(stream):
            await wait_until(lambda: "allLiquidation.DDDUSDT" in _topics(server), what="DDD")
            health = stream.health()
    assert len(calls) == 2  # once to subscribe, once after "unknown symbol CCCUSDT"
    assert [e.symbol for e in sink.events] == ["AAAUSDT"]  # ZZZ never subscribed, CCC unknown
    assert health.last_reject_reason == "unknown symbol CCCUSDT"


def _topics(server: FakeVenueServer) -> set[str]:
    return {topic for client in server.clients for topic in client.session.topics}


async def test_protocol_ping_venue_stays_alive_and_answers_server_pings() -> None:
    frames = recorded("binance", [binance_frame("BTCUSDT", "SELL", "38886.54", "0.288", 1_650_898_329_196)])
    sink = Collector()
    async with FakeVenueServer("binance", frames, server_ping=(0.1, 0.3)) as server:
        stream = open_stream(BinanceLikeAdapter(), server.url, sink, settings=FAST)
        async with running(stream):
            await wait_until(lambda: len(sink.events) == 1, what="the event")
            await asyncio.sleep(1.2)  # quiet: only protocol pings both ways
            health = stream.health()
    assert server.stats.dropped_idle == 0
    assert health.state == "live" and health.reconnects == 0
    assert sink.events[0].side == Side.LONG


@pytest.mark.parametrize("kind", ["connecting", "live", "reconnecting", "stale", "down"])
def test_states_are_the_documented_ones(kind: str) -> None:
    from liqterm.streams import STATES

    assert kind in STATES


async def test_cancelling_run_like_a_textual_worker_leaves_nothing_behind() -> None:
    async with FakeVenueServer("okx", recorded("okx", OKX_FRAMES)) as server:
        stream = open_stream(OkxLikeAdapter(), server.url, Collector(), settings=FAST)
        task = asyncio.create_task(stream.run(asyncio.Event()))
        await wait_until(lambda: stream.health().events == 3, what="events")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert stream.health().state == "down"
    # (checked after the server stopped: its own connection handlers are its business)
    assert {t for t in asyncio.all_tasks() if t is not asyncio.current_task()} == set()

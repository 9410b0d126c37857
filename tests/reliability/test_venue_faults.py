"""Every venue's real adapter and the connection manager against its fake server misbehaving.

Each test runs the five venues at once. Pass means: no crash, no hang (every wait is
bounded), the venue is live again within 5 s of its server being usable, nothing is
ingested twice, and whatever was refused is counted with a reason.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time

from fault_table import full, peak_rss_mb, record, reset_peak_rss
from stream_helpers import FAST, Collector, now_ms, pipeline_into, recorded, running, wait_until
from venue_rig import SHORT_WINDOW, VENUES, ReconnectClock, each_venue, events, frames, keepalive, rig

from liqterm.demo.servers import FakeVenueServer, Faults
from liqterm.demo.servers.faults import oversized
from liqterm.demo.servers.protocols import PROTOCOLS
from liqterm.streams import StreamManager

RECONNECT_LIMIT_S = 5.0


async def _fresh_event_arrives(r, venue: str) -> None:  # type: ignore[no-untyped-def]
    before = len(r.delivered)
    await r.send(frames(venue, r.stream.adapter, events(1, venue=venue)))
    await r.wait_delivered(before + 1)


async def test_abrupt_close_without_a_close_frame() -> None:
    async def check(venue: str) -> float:
        async with rig(venue) as r, ReconnectClock(r.stream) as clock:
            await r.live()
            for client in list(r.server.clients):
                client.ws.transport.abort()  # TCP reset: no close frame, no goodbye
            await wait_until(lambda: r.health.reconnects == 1, what=f"{venue} noticed")
            await r.live(RECONNECT_LIMIT_S)
            await _fresh_event_arrives(r, venue)
            await asyncio.sleep(0.02)
        assert r.server.stats.connections == 2
        return clock.worst

    worst = await each_venue(check)
    for venue, seconds in worst.items():
        assert seconds < RECONNECT_LIMIT_S
        record(
            "venue",
            venue,
            "abrupt TCP close (no close frame)",
            "reconnected, resubscribed",
            reconnect_s=round(seconds, 3),
        )


def _close_codes(venue: str) -> list[tuple[int, str]]:
    protocol = PROTOCOLS[venue]
    codes = [
        protocol.lifetime_close,
        (1001, "going away"),
        (1008, "Too many requests"),
        (1011, "keepalive ping timeout"),
    ]
    if protocol.idle is not None:
        codes.append((protocol.idle.close_code, protocol.idle.close_reason))
    return codes


async def test_close_with_each_venue_close_code() -> None:
    async def check(venue: str) -> float:
        async with rig(venue) as r, ReconnectClock(r.stream) as clock:
            await r.live()
            for n, (code, reason) in enumerate(_close_codes(venue), start=1):
                await r.server.disconnect_all(code, reason)
                await wait_until(lambda n=n: r.health.reconnects == n, what=f"{venue} saw {code}")
                assert r.health.last_disconnect == f"closed by venue: {code} {reason}"
                await r.live(RECONNECT_LIMIT_S)
            await _fresh_event_arrives(r, venue)
        return clock.worst

    worst = await each_venue(check)
    for venue, seconds in worst.items():
        codes = ", ".join(str(code) for code, _ in _close_codes(venue))
        record(
            "venue",
            venue,
            f"close codes {codes}",
            "each reported with its code; reconnected",
            reconnect_s=round(seconds, 3),
        )


async def test_stall_open_but_no_data_and_no_pong() -> None:
    async def check(venue: str) -> float:
        async with rig(venue) as r:
            await r.live()
            r.server.set_stall(True)
            await wait_until(lambda: r.health.state == "stale", what=f"{venue} stale")
            assert "silent" in (r.health.last_disconnect or "")
            r.server.set_stall(False)
            seconds = await r.live(RECONNECT_LIMIT_S)
            await _fresh_event_arrives(r, venue)
        return seconds

    worst = await each_venue(check)
    for venue, seconds in worst.items():
        record(
            "venue",
            venue,
            "stall: open, no data, no pong",
            "stale by watchdog, live after",
            reconnect_s=round(seconds, 3),
        )


async def test_silent_but_acking_is_flagged_quiet_not_down() -> None:
    """The Binance 2026 failure: acks and pongs keep coming, liquidations never do."""

    async def check(venue: str) -> bool:
        other = "okx" if venue != "okx" else "binance"
        servers, adapters = {}, []
        for name in (venue, other):
            from venue_rig import MAKERS

            adapter = MAKERS[name]()
            adapters.append(adapter)
            texts = frames(name, adapter, events(30, venue=name))
            servers[name] = FakeVenueServer(
                name,
                recorded(name, texts, start_ms=now_ms(), step_ms=100),
                speed=1.0,
                loop=True,
                retime=True,
                faults=Faults(silent=name == venue),
                **SHORT_WINDOW,
            )
            await servers[name].start()
        try:
            manager = StreamManager(
                adapters,
                pipeline_into(Collector(), adapters),
                urls={n: s.url for n, s in servers.items()},
                settings=FAST,
                keepalives={a.name: keepalive(a) for a in adapters},
                symbols={"bybit": lambda: ["BTCUSDT", "ETHUSDT", "SOLUSDT"]},
            )
            async with running(manager):
                target = manager.streams[venue]
                await wait_until(lambda: target.health().quiet, what=f"{venue} quiet")
                assert target.health().state == "live" and target.health().events == 0
                servers[venue].faults.silent = False  # the path comes back
                await wait_until(
                    lambda: not target.health().quiet and target.health().events > 0,
                    what=f"{venue} delivering again",
                )
        finally:
            for server in servers.values():
                await server.stop()
        return True

    await each_venue(check)
    for venue in VENUES:
        record(
            "venue",
            venue,
            "silent while acking (no data, pongs fine)",
            "flagged quiet while another venue delivers; clears when data returns",
        )


async def test_forced_disconnect_at_end_of_life() -> None:
    async def check(venue: str) -> float:
        async with rig(venue, faults=Faults(drop_after_s=0.35)) as r, ReconnectClock(r.stream) as clock:
            await wait_until(lambda: r.health.reconnects >= 2, what=f"{venue} two forced drops")
            code, reason = PROTOCOLS[venue].lifetime_close
            assert r.health.last_disconnect == f"closed by venue: {code} {reason}"
            await r.live(RECONNECT_LIMIT_S)
            await _fresh_event_arrives(r, venue)
        assert r.server.stats.dropped_lifetime >= 2
        return clock.worst

    worst = await each_venue(check)
    for venue, seconds in worst.items():
        record(
            "venue",
            venue,
            "24 h forced disconnect (shortened to 0.35 s)",
            "reconnected each time",
            reconnect_s=round(seconds, 3),
        )


async def test_slow_drip_of_one_byte_at_a_time() -> None:
    async def check(venue: str) -> float:
        async with rig(venue, silence_s=3.0) as r:
            await r.live()
            wanted = events(1, venue=venue)[0]
            text = frames(venue, r.stream.adapter, [wanted])[0]
            r.server.set_stall(True)  # nothing else may write while the frame trickles in
            await r.drip(text, per_byte_s=0.001)
            r.server.set_stall(False)
            await r.wait_delivered(1)
            got = r.delivered[0]
            assert (got.asset, got.side, got.exchange_ms) == (wanted.asset, wanted.side, wanted.exchange_ms)
            assert r.health.reconnects == 0
        # a frame that never finishes (slow loris) must not hang the feed: the watchdog ends it
        async with rig(venue, silence_s=0.6) as r:
            await r.live()
            r.server.set_stall(True)
            await r.drip("x" * 4000, per_byte_s=0.01, limit=60)
            await wait_until(lambda: r.health.state == "stale", what=f"{venue} stale mid-frame")
            r.server.set_stall(False)
            return await r.live(RECONNECT_LIMIT_S)

    worst = await each_venue(check)
    for venue, seconds in worst.items():
        record(
            "venue",
            venue,
            "slow drip, 1 byte/ms; then a frame that never ends",
            "dripped frame decoded; unfinished one ended by the watchdog",
            frames=2,
            reconnect_s=round(seconds, 3),
        )


async def test_frames_over_the_size_limits() -> None:
    settings = dataclasses.replace(FAST, max_frame_bytes=10_000, hard_max_frame_bytes=200_000)

    async def check(venue: str) -> int:
        async with rig(venue, settings=settings) as r:
            await r.live()
            await r.send([oversized(50_000)] * 3)  # over our limit, under the library's
            await wait_until(lambda: r.health.rejected == 3, what=f"{venue} three oversized")
            assert r.health.last_reject_reason == "oversized frame (50000 chars)"
            await _fresh_event_arrives(r, venue)
            assert r.health.reconnects == 0
            await r.send([oversized(300_000)])  # over the library's limit: the connection goes
            await wait_until(lambda: r.health.reconnects == 1, what=f"{venue} dropped")
            assert "connection dropped" in (r.health.last_reject_reason or "")
            await r.live(RECONNECT_LIMIT_S)
            await _fresh_event_arrives(r, venue)
            return r.health.rejected

    rejected = await each_venue(check)
    for venue, count in rejected.items():
        assert count == 4
        record(
            "venue",
            venue,
            "3 frames of 50 kB (limit 10 kB), 1 of 300 kB (hard limit 200 kB)",
            "3 skipped and counted; 1 dropped the connection, reconnected",
            frames=4,
            rejected=count,
        )


async def test_a_burst_of_ten_thousand_events_in_one_second() -> None:
    count = 10_000 if full() else 2_000
    texts_by_venue = {}
    reset_peak_rss()  # measure the bursts, not what earlier tests (fuzzing) left behind

    async def check(venue: str) -> tuple[float, float]:
        async with rig(venue, silence_s=5.0) as r:
            await r.live()
            chosen = events(count, venue=venue)
            texts_by_venue[venue] = texts = frames(venue, r.stream.adapter, chosen)
            started = time.monotonic()
            await r.send(texts)
            sent_s = time.monotonic() - started
            await r.wait_delivered(count, within_s=30)
            done_s = time.monotonic() - started
            assert r.engine.events_total == count and r.engine.duplicates == 0
            assert r.engine.rejected == 0 and r.health.rejected == 0
            assert r.health.reconnects == 0
            assert {e.exchange_ms for e in r.delivered} == {e.exchange_ms for e in chosen}
        return sent_s, done_s

    timings = await each_venue(check)
    rss = peak_rss_mb()
    for venue, (sent_s, done_s) in timings.items():
        record(
            "venue",
            venue,
            f"burst of {count:,} events sent in {sent_s:.2f} s",
            f"all ingested once in {done_s:.2f} s",
            frames=count,
            recovered=count,
            peak_rss_mb=round(rss, 1),
        )
    # five bursts at once (frames, events, engine) stay within a modest footprint
    assert rss < 400, f"peak RSS {rss:.0f} MB"


def test_the_default_backoff_meets_the_five_second_reconnect_rule() -> None:
    from liqterm.streams import StreamSettings

    settings = StreamSettings()
    # full jitter: the wait before the next attempt is at most the cap; connecting and the
    # first pong on a local link take milliseconds
    assert settings.backoff_cap_s <= RECONNECT_LIMIT_S - 0.5


async def test_reconnect_within_five_seconds_of_the_server_coming_back() -> None:
    """The server is gone long enough for the backoff to reach its cap, then returns."""
    from liqterm.streams import StreamSettings

    settings = dataclasses.replace(FAST, backoff_cap_s=StreamSettings().backoff_cap_s)
    outage_s = 8.0 if full() else 1.5
    if not full():
        settings = dataclasses.replace(settings, backoff_base_s=0.05, backoff_cap_s=0.4)

    async def check(venue: str) -> float:
        async with rig(venue, settings=settings) as r:
            await r.live()
            port = r.server.port
            await r.server.stop()
            await asyncio.sleep(outage_s)
            assert r.health.state in ("reconnecting", "down")
            r.server.port = port
            await r.server.start()
            seconds = await r.live(RECONNECT_LIMIT_S)
            await _fresh_event_arrives(r, venue)
            return seconds

    worst = await each_venue(check)
    for venue, seconds in worst.items():
        record(
            "venue",
            venue,
            f"server gone for {outage_s:g} s, then back on the same port",
            "live again",
            reconnect_s=round(seconds, 3),
        )

"""Rolling windows, whale tracker, dedup, validation and snapshots."""

from __future__ import annotations

import dataclasses
import math

import pytest

from liqterm.engine import Engine
from liqterm.engine.whales import dominant_side
from liqterm.model import Side

from .helpers import WEDNESDAY_US, liq

T0 = WEDNESDAY_US
HOUR = 3_600_000


def meter(engine: Engine, asset: str = "BTC"):
    return next(m for m in engine.snapshot().meters if m.asset == asset)


def test_rolling_windows_by_side_and_horizon() -> None:
    engine = Engine()
    engine.ingest(liq(1_000, ms=T0))  # will be 2 h old
    engine.ingest(liq(2_000, ms=T0 + 2 * HOUR - 30 * 60_000, side=Side.SHORT))  # 30 min old
    engine.ingest(liq(4_000, ms=T0 + 2 * HOUR - 3 * 60_000))  # 3 min old
    engine.ingest(liq(8_000, ms=T0 + 2 * HOUR - 30_000, side=Side.SHORT))  # 30 s old
    engine.ingest(liq(16_000, ms=T0 + 2 * HOUR - 5_000))  # 5 s old
    engine.ingest(liq(32_000, ms=T0 + 2 * HOUR))  # now
    m = meter(engine)
    assert (m.long_10s, m.short_10s) == (48_000, 0)
    assert (m.long_60s, m.short_60s) == (48_000, 8_000)
    assert (m.long_5m, m.short_5m) == (52_000, 8_000)
    assert (m.long_1h, m.short_1h) == (52_000, 10_000)
    assert m.events_per_min == 3


def test_per_venue_breakdown_of_the_last_minute() -> None:
    engine = Engine()
    engine.ingest(liq(1_000, venue="binance"))
    engine.ingest(liq(3_000, venue="okx", ms=T0 + 1_000))
    engine.ingest(liq(5_000, venue="binance", ms=T0 + 2_000))
    assert dict(meter(engine).venues_60s) == {"binance": 6_000, "okx": 3_000}
    assert dict(engine.snapshot().venue_events) == {"binance": 2, "okx": 1}


def test_out_of_order_events_are_counted() -> None:
    engine = Engine()
    engine.ingest(liq(1_000, ms=T0 + 5_000))
    engine.ingest(liq(2_000, ms=T0))  # arrives late, five seconds older
    assert meter(engine).long_60s == 3_000
    assert engine.now_ms == T0 + 5_000


def test_identical_events_are_ingested_once() -> None:
    engine = Engine()
    event = liq(600_000)
    first = engine.ingest(event).alerts
    replay = engine.ingest(dataclasses.replace(event, received_ms=event.received_ms + 9_000)).alerts
    assert first and replay == []
    snapshot = engine.snapshot()
    assert snapshot.events_total == 1
    assert snapshot.duplicates == 1
    assert meter(engine).long_60s == 600_000
    # The same size at another time, or on another venue, is a different event.
    assert engine.ingest(dataclasses.replace(event, exchange_ms=event.exchange_ms + 1)).alerts is not None
    engine.ingest(dataclasses.replace(event, venue="bybit"))
    assert engine.snapshot().events_total == 3


def test_dedup_memory_is_bounded_by_the_horizon() -> None:
    engine = Engine()
    for i in range(2_000):
        engine.ingest(liq(100, ms=T0 + i * 1_000))
    assert len(engine._seen) <= 900  # at most one horizon of 1 event/s is remembered


@pytest.mark.parametrize(
    "bad",
    [
        dict(price=float("nan")),
        dict(price=-1.0),
        dict(price=0.0),
        dict(usd=float("nan")),
        dict(usd=float("inf")),
        dict(usd=-5.0),
        dict(usd=0.0),
        dict(exchange_ms=T0 + 10 * 60_000),  # far ahead of its receive time
        dict(exchange_ms=T0 - 2 * 86_400_000),  # two days older than its receive time
        dict(exchange_ms=T0 // 1000),  # seconds instead of milliseconds
    ],
)
def test_implausible_events_are_rejected_and_counted(bad: dict) -> None:
    engine = Engine()
    event = dataclasses.replace(liq(1_000, ms=T0), **bad)
    assert engine.ingest(event).alerts == []
    snapshot = engine.snapshot()
    assert snapshot.rejected == 1
    assert sum(snapshot.rejects["binance"].values()) == 1
    assert snapshot.events_total == 0
    assert all(not math.isnan(m.long_60s) for m in snapshot.meters)


def test_whale_tracker_counts_sides_and_evicts_after_24h() -> None:
    engine = Engine()
    engine.ingest(liq(1_200_000, ms=T0))  # BTC whale, long
    engine.ingest(liq(3_000_000, ms=T0 + HOUR, side=Side.SHORT))  # institutional, short
    engine.ingest(liq(10_000, ms=T0 + HOUR + 1))  # retail: not tracked
    engine.ingest(liq(600_000, ms=T0 + 2 * HOUR, asset="ETH"))  # ETH whale
    snapshot = engine.snapshot()
    btc = next(w for w in snapshot.whales if w.asset == "BTC")
    assert (btc.count, btc.long_usd, btc.short_usd) == (2, 1_200_000, 3_000_000)
    assert btc.dominant == "short"
    assert btc.largest is not None and btc.largest.usd == 3_000_000
    assert btc.last_major is not None and btc.last_major.usd == 3_000_000
    assert snapshot.whales_all is not None and snapshot.whales_all.count == 3
    # 24 h after the first whale it is gone, and the largest is recomputed.
    engine.ingest(liq(100, ms=T0 + 24 * HOUR + 500, asset="XRP"))
    btc = next(w for w in engine.snapshot().whales if w.asset == "BTC")
    assert btc.count == 1 and btc.long_usd == 0
    engine.ingest(liq(100, ms=T0 + 26 * HOUR, asset="XRP"))
    snapshot = engine.snapshot()
    assert [w.asset for w in snapshot.whales] == []
    assert snapshot.whales_all is not None and snapshot.whales_all.count == 0


def test_whale_tracker_keeps_one_entry_per_whale_only() -> None:
    engine = Engine()
    for i in range(5_000):
        engine.ingest(liq(1_000, ms=T0 + i * 10))
    engine.ingest(liq(2_000_000, ms=T0 + 60_000))
    assert len(engine.whale_events()) == 1


@pytest.mark.parametrize(
    ("long_usd", "short_usd", "expected"),
    [
        (121, 100, "long"),
        (120, 100, "balanced"),
        (100, 120, "balanced"),
        (100, 121, "short"),
        (0, 0, "balanced"),
    ],
)
def test_dominant_side_needs_more_than_1_2x(long_usd: float, short_usd: float, expected: str) -> None:
    assert dominant_side(long_usd, short_usd) == expected


def test_snapshot_is_immutable_and_tape_is_newest_first_and_bounded() -> None:
    engine = Engine()
    for i in range(600):
        engine.ingest(liq(1_000 + i, ms=T0 + i))
    snapshot = engine.snapshot()
    assert len(snapshot.recent) == 500
    assert snapshot.recent[0].event.usd == 1_599
    assert snapshot.recent[0].seq > snapshot.recent[1].seq
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.at_ms = 0  # type: ignore[misc]
    with pytest.raises(TypeError):
        snapshot.venue_events["x"] = 1  # type: ignore[index]


def test_meters_put_pinned_assets_first_then_recent_usd() -> None:
    engine = Engine()
    engine.ingest(liq(5_000, asset="XRP", price=2.5))
    engine.ingest(liq(900, asset="ETH"))
    engine.ingest(liq(50_000, asset="DOGE", price=0.2))
    engine.ingest(liq(100, asset="BTC"))
    assert [m.asset for m in engine.snapshot().meters] == ["BTC", "ETH", "DOGE", "XRP"]
    assert [m.asset for m in engine.snapshot(max_meters=3).meters] == ["BTC", "ETH", "DOGE"]


def test_session_and_countdown_in_snapshot_use_event_time() -> None:
    engine = Engine()
    engine.ingest(liq(1_000, ms=T0))  # Wednesday 15:00 UTC
    session = engine.snapshot().session
    assert session is not None and session.name == "us" and session.multiplier == 1.0
    assert session.countdown_ms(engine.now_ms) == 5 * HOUR


def test_restore_rebuilds_windows_whales_and_cooldowns_without_repeating_alerts() -> None:
    events = [
        liq(usd, ms=T0 + i * 2_000, venue=("binance", "okx")[i % 2])
        for i, usd in enumerate([600_000, 1_200_000, 20_000, 3_000_000, 40_000])
    ]
    live = Engine()
    for event in events:
        live.ingest(event)
    rebuilt = Engine()
    assert rebuilt.restore(events, live.gate_state()) == len(events)
    before, after = live.snapshot(), rebuilt.snapshot()
    assert after.whales == before.whales and after.whales_all == before.whales_all
    assert [m.long_60s for m in after.meters] == [m.long_60s for m in before.meters]
    assert after.alerts == ()  # nothing re-announced
    # The next event of an already-alerted key is still inside its cooldown on both.
    follow = liq(1_100_000, ms=T0 + 12_000)
    assert [a.kind for a in rebuilt.ingest(follow).alerts] == [a.kind for a in live.ingest(follow).alerts]
    # Restored events are remembered: a venue repeating one after the restart is a duplicate.
    assert rebuilt.ingest(events[0]).alerts == [] and rebuilt.snapshot().duplicates == 1


def test_rejections_are_counted_per_venue_with_their_reason() -> None:
    engine = Engine()
    engine.ingest(dataclasses.replace(liq(1_000), venue="okx", price=float("nan")))
    engine.ingest(dataclasses.replace(liq(1_000), venue="okx", exchange_ms=T0 + 3_600_000))
    engine.ingest(dataclasses.replace(liq(1_000), venue="gateio", exchange_ms=(T0 + 50) // 1000))
    rejects = engine.snapshot().rejects
    assert dict(rejects["okx"]) == {"bad price": 1, "time in the future": 1}
    assert dict(rejects["gateio"]) == {"time too old": 1}


def test_liquidation_is_a_frozen_slotted_dataclass_with_the_contract_fields() -> None:
    event = liq(1_000)
    assert [f.name for f in dataclasses.fields(event)] == [
        "venue", "symbol", "asset", "side", "price", "quantity", "usd", "exchange_ms", "received_ms",
    ]  # fmt: skip
    assert not hasattr(event, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.usd = 5.0  # type: ignore[misc]
    again = type(event)(**{f.name: getattr(event, f.name) for f in dataclasses.fields(event)})
    assert again == event and hash(again) == hash(event)
    assert dataclasses.replace(event, usd=2.0).usd == 2.0
    with pytest.raises(TypeError):
        type(event)("binance")  # type: ignore[call-arg]

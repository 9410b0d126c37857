"""The one pipeline: frames -> decode (cut-offs, tallies) -> engine -> sinks, for every mode."""

from __future__ import annotations

import pytest

from liqterm.engine import Alert, Engine, IngestResult
from liqterm.model import Liquidation, Side
from liqterm.pipeline import EngineSink, Pipeline
from liqterm.recording import ConnectionMarker, RecordedFrame
from liqterm.venues.binance import BinanceAdapter
from liqterm.venues.okx import OkxAdapter

T0 = 1_761_145_200_000  # a Wednesday, 15:00 UTC


def binance_frame(ms: int, symbol: str = "BTCUSDT", side: str = "SELL", price: str = "107000",
                  qty: str = "0.5") -> str:  # fmt: skip
    """Binance's documented ``forceOrder`` shape."""
    return (
        f'{{"e":"forceOrder","E":{ms},"o":{{"s":"{symbol}","S":"{side}","o":"LIMIT","f":"IOC",'
        f'"q":"{qty}","p":"{price}","ap":"{price}","X":"FILLED","l":"{qty}","z":"{qty}","T":{ms}}}}}'
    )


def okx_frame(ms: int, size: str = "100") -> str:
    """OKX's documented ``liquidation-orders`` shape (BTC-USDT-SWAP, 0.01 BTC a contract)."""
    return (
        '{"arg":{"channel":"liquidation-orders","instType":"SWAP"},"data":[{"details":[{"bkLoss":"0",'
        f'"bkPx":"107000","ccy":"","posSide":"long","side":"sell","sz":"{size}","ts":"{ms}"}}],'
        '"instFamily":"BTC-USDT","instId":"BTC-USDT-SWAP","instType":"SWAP","uly":"BTC-USDT"}]}'
    )


class Trace:
    """A sink with every hook, writing down what reached it in order."""

    def __init__(self) -> None:
        self.seen: list[tuple] = []

    def on_frame(self, venue: str, received_ms: int, text: str) -> None:
        self.seen.append(("frame", venue, received_ms))

    def on_marker(self, marker: ConnectionMarker) -> None:
        self.seen.append(("marker", marker.kind, marker.received_ms))

    def on_event(self, event: Liquidation, result: IngestResult) -> None:
        self.seen.append(("event", event.exchange_ms, result.cls, len(result.alerts)))

    def on_alerts(self, alerts: list[Alert], cause: Liquidation | None) -> None:
        self.seen.append(("alerts", [a.kind for a in alerts], cause.exchange_ms if cause else None))

    def on_advance(self, at_ms: int) -> None:
        self.seen.append(("advance", at_ms))

    def of(self, kind: str) -> list[tuple]:
        return [entry for entry in self.seen if entry[0] == kind]


def test_a_frame_goes_to_the_recorder_then_the_engine_then_the_sinks() -> None:
    trace = Trace()
    pipeline = Pipeline(Engine(), {"binance": BinanceAdapter()}, [trace])
    pipeline.push(RecordedFrame(T0 + 100, "binance", binance_frame(T0, qty="6")))  # $642k: large
    assert trace.seen == [
        ("frame", "binance", T0 + 100),
        ("advance", T0 + 100),  # the first frame of a new second moves the clock
        ("event", T0, "large", 1),
        ("alerts", ["large"], T0),
    ]
    tally = pipeline.tallies()["binance"]
    assert (tally.frames, tally.events, tally.accepted, tally.rejected) == (1, 1, 1, 0)


def test_the_clock_moves_once_per_second_of_receive_time_and_time_alone_raises_alerts() -> None:
    trace = Trace()
    engine = Engine()
    pipeline = Pipeline(engine, {"binance": BinanceAdapter()}, [trace])
    for i in range(4):  # 4 x $800k within 2 s: a cascade over BTC's $2.5M
        pipeline.push(RecordedFrame(T0 + i * 500, "binance", binance_frame(T0 + i * 500, qty="7.5")))
    assert [a[1] for a in trace.of("advance")] == [T0, T0 + 1_000]
    assert engine.in_cascade("BTC")
    # Nothing but pongs for three minutes: the clock still moves, and the cascade ends.
    for second in range(2, 200):
        pipeline.push(RecordedFrame(T0 + second * 1_000, "binance", '{"result":null,"id":7}'))
    assert not engine.in_cascade("BTC")
    assert pipeline.tallies()["binance"].rejected == 0  # pongs are control frames


def test_a_venue_that_replays_the_past_has_it_dropped_from_each_subscription_on() -> None:
    trace = Trace()
    pipeline = Pipeline(Engine(), {"okx": OkxAdapter()}, [trace])
    pipeline.push(ConnectionMarker(T0, "okx", "connected"))
    pipeline.push(ConnectionMarker(T0 + 10, "okx", "subscribed"))
    pipeline.push(RecordedFrame(T0 + 20, "okx", okx_frame(T0 - 30_000)))  # replayed: dropped
    pipeline.push(RecordedFrame(T0 + 30, "okx", okx_frame(T0 - 1_000)))  # within the slack: kept
    pipeline.push(RecordedFrame(T0 + 900, "okx", okx_frame(T0 + 800)))
    pipeline.push(ConnectionMarker(T0 + 5_000, "okx", "disconnected", "closed by venue"))
    pipeline.push(ConnectionMarker(T0 + 6_000, "okx", "subscribed"))
    pipeline.push(RecordedFrame(T0 + 6_010, "okx", okx_frame(T0 + 800, size="101")))  # old now
    tally = pipeline.tallies()["okx"]
    assert (tally.dropped_replayed, tally.events, tally.accepted) == (2, 2, 2)
    assert [entry[1] for entry in trace.of("marker")] == [
        "connected",
        "subscribed",
        "disconnected",
        "subscribed",
    ]


def test_a_venue_without_the_replay_keeps_old_events() -> None:
    pipeline = Pipeline(Engine(), {"binance": BinanceAdapter()})
    pipeline.push(ConnectionMarker(T0, "binance", "subscribed"))
    pipeline.push(RecordedFrame(T0 + 10, "binance", binance_frame(T0 - 60_000)))
    assert pipeline.tallies()["binance"].accepted == 1


def test_rejections_duplicates_and_unknown_venues_are_counted_where_they_happen() -> None:
    pipeline = Pipeline(Engine(), {"binance": BinanceAdapter()})
    frame = binance_frame(T0)
    pipeline.play(
        [
            RecordedFrame(T0, "binance", frame),
            RecordedFrame(T0 + 1, "binance", frame),  # the venue repeating itself
            RecordedFrame(T0 + 2, "binance", "not json"),
            RecordedFrame(T0 + 3, "kraken", "{}"),
        ]
    )
    tally = pipeline.tallies()["binance"]
    assert (tally.frames, tally.events, tally.accepted, tally.duplicates) == (3, 2, 1, 1)
    assert (tally.rejected, tally.last_reject_reason) == (1, "invalid json")
    assert pipeline.unknown_venue_frames == 1
    assert pipeline.totals() == {
        "frames": 4, "events": 1, "duplicates": 1, "engine_rejected": 0, "rejected_frames": 1,
    }  # fmt: skip
    assert (pipeline.first_ms, pipeline.last_ms) == (T0, T0 + 3)


def test_an_unknown_symbol_is_reported_to_the_connection() -> None:
    inlet = Pipeline(Engine(), {"binance": BinanceAdapter()}).inlet("binance")
    assert not inlet.frame(binance_frame(T0), T0)
    flagged = inlet.frame(binance_frame(T0, symbol="BTCUSD_PERP"), T0)  # coin-margined: refused, not unknown
    assert not flagged and inlet.tally.rejected == 1
    assert inlet.frame(binance_frame(T0, symbol="NEWCOINXYZ"), T0)  # a listing no table knows yet
    assert inlet.tally.last_reject_reason == "unknown symbol NEWCOINXYZ"


def test_decoded_events_enter_through_the_inlet_too() -> None:
    trace = Trace()
    pipeline = Pipeline(Engine(), {}, [trace])
    event = Liquidation("broker", "BTCUSDT", "BTC", Side.LONG, 107_000.0, 6.0, 642_000.0, T0, T0 + 5)
    pipeline.inlet("broker").events([event])
    assert trace.of("event") == [("event", T0, "large", 1)]
    assert pipeline.inlet("broker").frame("{}", T0) is False  # no adapter: frames are refused
    assert pipeline.tallies()["broker"].last_reject_reason == "no adapter for this venue"


class Broken:
    def on_event(self, event: Liquidation, result: IngestResult) -> None:
        raise RuntimeError("sink bug")


def test_live_a_failing_sink_is_counted_and_the_rest_go_on() -> None:
    trace = Trace()
    pipeline = Pipeline(Engine(), {"binance": BinanceAdapter()}, [Broken(), trace])
    pipeline.push(RecordedFrame(T0, "binance", binance_frame(T0, qty="6")))
    assert pipeline.tallies()["binance"].errors == 1
    assert trace.of("event") and trace.of("alerts")


def test_strict_a_failing_sink_stops_the_replay() -> None:
    pipeline = Pipeline(Engine(), {"binance": BinanceAdapter()}, [Broken()], strict=True)
    with pytest.raises(RuntimeError, match="sink bug"):
        pipeline.push(RecordedFrame(T0, "binance", binance_frame(T0)))


def test_play_is_push_one_record_at_a_time() -> None:
    records = [ConnectionMarker(T0, "okx", "subscribed")]
    records += [
        RecordedFrame(T0 + i * 400, "binance", binance_frame(T0 + i * 400, qty=str(1 + i))) for i in range(20)
    ]
    records += [RecordedFrame(T0 + 9_000, "okx", okx_frame(T0 + 8_900))]
    adapters = {"binance": BinanceAdapter(), "okx": OkxAdapter()}
    one, two = Trace(), Trace()
    played = Pipeline(Engine(), adapters, [one])
    played.play(records)
    pushed = Pipeline(Engine(), adapters, [two])
    for record in records:
        pushed.push(record)
    assert one.seen == two.seen and played.totals() == pushed.totals()
    assert (played.first_ms, played.last_ms) == (pushed.first_ms, pushed.last_ms)


def test_a_second_engine_follows_the_first() -> None:
    follower = Engine()
    pipeline = Pipeline(Engine(), {"binance": BinanceAdapter()}, [EngineSink(follower)])
    pipeline.push(RecordedFrame(T0, "binance", binance_frame(T0)))
    pipeline.push(RecordedFrame(T0, "binance", binance_frame(T0)))  # a duplicate never reaches it
    pipeline.advance_to(T0 + 90_000)
    assert (follower.events_total, follower.duplicates, follower.now_ms) == (1, 0, T0 + 90_000)

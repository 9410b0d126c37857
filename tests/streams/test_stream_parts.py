"""The stream's parts on their own: backoff, frame text, the frame handler, symbols, quiet."""

from __future__ import annotations

import gzip
import zlib

import pytest
from stream_fakes import OkxLikeAdapter, okx_frame
from stream_helpers import FAST, Collector

from liqterm.streams import Backoff, StreamManager, SymbolList, SymbolSource
from liqterm.streams.frames import frame_text
from liqterm.streams.handler import FrameHandler
from liqterm.streams.health import HealthTracker
from liqterm.venues.base import Decoded, KeepAlive

FRAME = okx_frame("BTC-USDT-SWAP", "long", "82655.7", "0.5", 1_791_565_600_771)


def test_backoff_is_capped_full_jitter_and_resets() -> None:
    top = Backoff(base_s=0.5, cap_s=30.0, rand=lambda: 0.999999)
    ceilings = [round(top.next_delay(), 3) for _ in range(8)]
    assert ceilings == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    bottom = Backoff(rand=lambda: 0.0)
    assert bottom.next_delay() == 0.0  # full jitter reaches zero
    top.reset()
    assert top.ceiling() == 0.5
    for _ in range(10_000):
        top.next_delay()
    assert top.ceiling() == 30.0  # no overflow after a very long outage
    with pytest.raises(ValueError):
        Backoff(factor=0.5)


def test_frame_text_inflates_binary_frames_within_a_limit() -> None:
    assert frame_text("text", 10) == "text"
    assert frame_text(gzip.compress(b'{"a":1}'), 100) == '{"a":1}'
    assert frame_text(zlib.compress(b'{"b":2}'), 100) == '{"b":2}'
    assert frame_text(b"xyz", 100) == "xyz"  # starts like zlib, is plain UTF-8
    with pytest.raises(ValueError, match="inflates past"):
        frame_text(gzip.compress(b"0" * 10_000), 1_000)
    with pytest.raises(ValueError, match="UTF-8"):
        frame_text(b"\xff\xfe", 100)


def _handler(adapter: object, sink: object = None, keepalive: KeepAlive | None = None):  # type: ignore[no-untyped-def]
    tracker = HealthTracker("okx")
    handler = FrameHandler(
        adapter,
        keepalive or adapter.keepalive,
        tracker,
        FAST,  # type: ignore[attr-defined,arg-type]
        sink or Collector(),
    )  # type: ignore[arg-type]
    return handler, tracker


def test_handler_answers_server_pings_and_skips_pongs() -> None:
    keepalive = KeepAlive(
        ping_text=None,
        ping_interval_s=1,
        silence_timeout_s=2,
        is_pong=lambda text: text == "pong",
        answer_server_ping=lambda text: (
            text.replace("ping", "pong") if text.startswith('{"op":"ping"') else None
        ),
    )
    handler, tracker = _handler(OkxLikeAdapter(), keepalive=keepalive)
    assert handler.handle('{"op":"ping","ts":"17"}', 1).reply == '{"op":"pong","ts":"17"}'
    assert handler.handle("pong", 2).reply is None
    assert (tracker.frames, tracker.rejected, tracker.last_frame_ms) == (2, 0, 2)


def test_handler_survives_adapter_and_sink_exceptions() -> None:
    class Exploding(OkxLikeAdapter):
        def decode(self, frame: str | bytes, received_ms: int) -> Decoded:
            raise KeyError("bug")

    handler, tracker = _handler(Exploding())
    handler.handle(FRAME, 1)
    assert (tracker.errors, tracker.last_reject_reason) == (1, "adapter error: KeyError")

    def bad_sink(venue: str, events: list) -> None:
        raise RuntimeError("sink")

    handler, tracker = _handler(OkxLikeAdapter(), bad_sink)
    handler.handle(FRAME, 5)
    assert (tracker.errors, tracker.events, tracker.last_event_ms) == (1, 1, 5)


def test_handler_feeds_the_frame_sink_before_decoding_and_drops_replays() -> None:
    frames: list[tuple[str, int, str]] = []
    sink = Collector()
    handler, tracker = _handler(OkxLikeAdapter(drop_replayed_on_subscribe=True), sink)
    handler.on_frame = lambda venue, ms, text: frames.append((venue, ms, text))
    handler.start_connection(subscribed_ms=1_791_565_600_771 + FAST.replay_slack_ms + 1)
    handler.handle(FRAME, 9)
    assert frames == [("okx", 9, FRAME)]
    assert (tracker.dropped_replayed, tracker.events, sink.events) == (1, 0, [])
    handler.start_connection(subscribed_ms=1_791_565_600_771 + FAST.replay_slack_ms)
    handler.handle(FRAME, 10)
    assert tracker.events == 1


async def test_symbol_source_rate_limits_and_keeps_the_last_good_list() -> None:
    clock = [0.0]
    answers: list[object] = [["A", "B"], RuntimeError("down"), SymbolList(("A", "C"), "cached")]

    def provider() -> list[str] | SymbolList:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[return-value]

    source = SymbolSource(provider, min_refresh_s=60, monotonic=lambda: clock[0])
    assert (await source.get()).symbols == ("A", "B")
    assert await source.refresh() is None  # too soon
    clock[0] = 61
    assert (await source.refresh()).symbols == ("A", "B")  # type: ignore[union-attr]
    clock[0] = 122
    listed = await source.refresh()
    assert listed == SymbolList(("A", "C"), "cached")


def test_quiet_needs_a_long_silence_while_another_venue_is_busy() -> None:
    adapters = [OkxLikeAdapter(name="okx"), OkxLikeAdapter(name="bybit"), OkxLikeAdapter(name="gateio")]
    manager = StreamManager(adapters, Collector(), settings=FAST)  # quiet_after_s = 0.5
    okx, bybit, gate = (manager.streams[n].tracker for n in ("okx", "bybit", "gateio"))
    okx.state, okx.connected_since_ms, okx.last_event_ms = "live", 0, 900
    bybit.state, bybit.connected_since_ms = "live", 800
    gate.state = "reconnecting"  # down venues are never "quiet"
    manager.update_quiet(1_000)
    assert not bybit.quiet  # silent for only 200 ms
    manager.update_quiet(1_350)
    assert bybit.quiet and not okx.quiet and not gate.quiet
    manager.update_quiet(1_500)
    assert not bybit.quiet  # nobody had an event lately: a quiet market, not a silent path
    assert [h.venue for h in manager.health()] == ["okx", "bybit", "gateio"]

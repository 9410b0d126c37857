"""The stream's parts on their own: backoff, frame text, the frame handler, symbols, quiet."""

from __future__ import annotations

import gzip
import zlib

import pytest
from stream_fakes import BybitLikeAdapter, OkxLikeAdapter, bybit_frame, okx_frame
from stream_helpers import FAST, Collector, pipeline_into
from stream_helpers import Exploding as ExplodingEngine

from liqterm.pipeline import REPLAY_SLACK_MS
from liqterm.streams import Backoff, StreamManager, SymbolList, SymbolSource
from liqterm.streams.frames import frame_text
from liqterm.streams.handler import FrameHandler
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


def _handler(adapter: object, collector: Collector | None = None, keepalive: KeepAlive | None = None,
             sinks: tuple[object, ...] = ()):  # type: ignore[no-untyped-def]  # fmt: skip
    collector = collector or Collector()
    pipeline = pipeline_into(collector, [adapter])  # type: ignore[list-item]
    for sink in sinks:
        pipeline.add_sink(sink)
    inlet = pipeline.inlet(adapter.name)  # type: ignore[attr-defined]
    handler = FrameHandler(inlet, keepalive or adapter.keepalive, FAST)  # type: ignore[attr-defined]
    return handler, inlet.tally


def test_handler_answers_server_pings_and_decodes_pongs_as_control_frames() -> None:
    keepalive = KeepAlive(
        ping_text=None,
        ping_interval_s=1,
        silence_timeout_s=2,
        answer_server_ping=lambda text: (
            text.replace("ping", "pong") if text.startswith('{"op":"ping"') else None
        ),
    )
    handler, tally = _handler(OkxLikeAdapter(), keepalive=keepalive)
    assert handler.handle('{"op":"ping","ts":"17"}', 1).reply == '{"op":"pong","ts":"17"}'
    assert handler.handle("pong", 2).reply is None
    assert (tally.frames, tally.last_frame_ms) == (2, 2)
    assert tally.rejected == 0  # the pong is a control frame, not a refusal


def test_handler_refuses_oversized_frames_and_flags_unknown_symbols() -> None:
    handler, tally = _handler(OkxLikeAdapter())
    handler.handle("x" * (FAST.max_frame_bytes + 1), 1)
    assert (tally.frames, tally.rejected) == (1, 1)
    assert tally.last_reject_reason == f"oversized frame ({FAST.max_frame_bytes + 1} chars)"
    bybit, _ = _handler(BybitLikeAdapter(known={"AAAUSDT"}))
    assert bybit.handle(bybit_frame("ZZZUSDT", "Sell", "2.5", "4", 1_789_670_094_300), 2).unknown_symbol
    assert not bybit.handle(bybit_frame("AAAUSDT", "Sell", "2.5", "4", 1_789_670_094_300), 3).unknown_symbol


def test_handler_survives_adapter_and_engine_exceptions() -> None:
    class Exploding(OkxLikeAdapter):
        def decode(self, frame: str | bytes, received_ms: int) -> Decoded:
            raise KeyError("bug")

    handler, tally = _handler(Exploding())
    handler.handle(FRAME, 1)
    assert (tally.errors, tally.last_reject_reason) == (1, "adapter error: KeyError")

    handler, tally = _handler(OkxLikeAdapter(), ExplodingEngine())
    handler.handle(FRAME, 5)
    assert (tally.errors, tally.events, tally.last_event_ms) == (1, 1, 5)


def test_the_inlet_records_before_decoding_and_drops_replays_from_the_subscription_on() -> None:
    frames: list[tuple[str, int, str]] = []
    collector = Collector()

    class Tap:
        def on_frame(self, venue: str, ms: int, text: str) -> None:
            frames.append((venue, ms, text))

    adapter = OkxLikeAdapter(drop_replayed_on_subscribe=True)
    handler, tally = _handler(adapter, collector, sinks=(Tap(),))
    inlet = handler.inlet
    inlet.subscribed(1_791_565_600_771 + REPLAY_SLACK_MS + 1)
    handler.handle(FRAME, 9)
    assert frames == [("okx", 9, FRAME)]
    assert (tally.dropped_replayed, tally.events, collector.events) == (1, 0, [])
    inlet.subscribed(1_791_565_600_771 + REPLAY_SLACK_MS)
    handler.handle(FRAME, 10)
    assert tally.events == 1


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
    manager = StreamManager(
        adapters, pipeline_into(Collector(), adapters), settings=FAST
    )  # quiet_after_s = 0.5
    okx, bybit, gate = (manager.streams[n].tracker for n in ("okx", "bybit", "gateio"))
    okx.state, okx.connected_since_ms, okx.tally.last_event_ms = "live", 0, 900
    bybit.state, bybit.connected_since_ms = "live", 800
    gate.state = "reconnecting"  # down venues are never "quiet"
    manager.update_quiet(1_000)
    assert not bybit.quiet  # silent for only 200 ms
    manager.update_quiet(1_350)
    assert bybit.quiet and not okx.quiet and not gate.quiet
    manager.update_quiet(1_500)
    assert not bybit.quiet  # nobody had an event lately: a quiet market, not a silent path
    assert [h.venue for h in manager.health()] == ["okx", "bybit", "gateio"]

"""Mark prices on the Binance liquidation connection, against the fake Binance server.

The fake serves a mark-price stream only to a connection that subscribed it, as Binance
does; the frames are Binance's documented ``markPriceUpdate`` shape.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json

from stream_helpers import FAST, Collector, now_ms, open_stream, pipeline_into, wait_until

from liqterm.config.schema import Config
from liqterm.demo.servers import FakeVenueServer, config_with_urls
from liqterm.demo.servers.encode import encode_event
from liqterm.model import Liquidation, Side
from liqterm.recording.format import RecordedFrame
from liqterm.streams.live import build_manager, live_adapters
from liqterm.venues.binance import BinanceAdapter
from liqterm.venues.bybit import BybitAdapter
from liqterm.venues.marks import WithMarkPrices


def _mark(symbol: str, price: float, ms: int) -> str:
    return json.dumps(
        {
            "e": "markPriceUpdate",
            "E": ms,
            "s": symbol,
            "p": f"{price:.2f}",
            "i": f"{price:.2f}",
            "P": f"{price:.2f}",
            "r": "0.00010000",
            "T": ms + 3_600_000,
        }
    )


MARKS_AFTER_MS = 600
"""The marks follow the liquidation this late, well after the SUBSCRIBE reached the server."""


def _bybit_ticker(symbol: str, price: float, ms: int) -> str:
    """A Bybit ``tickers`` delta carrying a mark price (the docs' field names)."""
    data = {"symbol": symbol, "markPrice": f"{price:.2f}", "indexPrice": f"{price:.2f}"}
    return json.dumps({"topic": f"tickers.{symbol}", "type": "delta", "data": data, "cs": 1, "ts": ms})


MARK_OF = {"binance": _mark, "bybit": _bybit_ticker}
ADAPTER_OF = {"binance": BinanceAdapter, "bybit": BybitAdapter}


def _frames(venue: str = "binance") -> list[RecordedFrame]:
    """A liquidation, then five BTCUSDT and five ETHUSDT marks, 50 ms apart."""
    base_ms = now_ms()
    event = Liquidation(venue, "BTCUSDT", "BTC", Side.LONG, 107_734.1, 0.5, 53_867.05, base_ms, 0)
    frames = [RecordedFrame(base_ms, venue, encode_event(venue, event) or "")]
    for i in range(5):
        for symbol, price in (("BTCUSDT", 107_700.0), ("ETHUSDT", 3_800.0)):
            at_ms = base_ms + MARKS_AFTER_MS + 50 * i
            frames.append(RecordedFrame(at_ms, venue, MARK_OF[venue](symbol, price + i, at_ms)))
    return frames


class FrameTap:
    """A pipeline sink that keeps every raw frame's text."""

    def __init__(self, seen: list[str]) -> None:
        self.seen = seen

    def on_frame(self, venue: str, received_ms: int, text: str) -> None:
        self.seen.append(text)


async def _run(
    mark_prices: tuple[str, ...], until_mark: str | None = None, venue_id: str = "binance"
) -> tuple[Collector, list[str], object]:
    sink = Collector()
    seen: list[str] = []
    async with FakeVenueServer(venue_id, _frames(venue_id), speed=1.0, retime=True) as server:
        config = config_with_urls(Config(), {venue_id: server.url})
        venue = dataclasses.replace(config.venues[venue_id], mark_prices=mark_prices)
        config = dataclasses.replace(config, venues={**config.venues, venue_id: venue})
        pipeline = pipeline_into(
            sink, live_adapters(config, [venue_id], {venue_id: ADAPTER_OF[venue_id]()}).values()
        )
        pipeline.add_sink(FrameTap(seen))
        manager = build_manager(config, pipeline, settings=FAST, refresh=False)
        stop = asyncio.Event()
        task = asyncio.create_task(manager.run(stop))
        try:
            await wait_until(lambda: len(sink.events) == 1, what="the liquidation")
            if until_mark is not None:
                await wait_until(lambda: any(until_mark in text for text in seen), what="the last mark")
            else:
                await asyncio.sleep(1.0)  # the server would send its marks within 0.8 s: none may arrive
        finally:
            stop.set()
            await task
        (health,) = manager.health()
    return sink, seen, health


async def test_subscribed_mark_prices_arrive_on_the_same_connection_as_context() -> None:
    sink, seen, health = await _run(("BTCUSDT",), until_mark="107704.00")
    marks = [json.loads(text) for text in seen if "markPriceUpdate" in text]
    assert [m["s"] for m in marks] == ["BTCUSDT"] * 5  # only what was subscribed
    assert [m["p"] for m in marks] == ["107700.00", "107701.00", "107702.00", "107703.00", "107704.00"]
    assert [(e.asset, e.side) for e in sink.events] == [("BTC", Side.LONG)]
    assert health.rejected == 0  # context frames are not counted as refused
    reply = [json.loads(text) for text in seen if '"result"' in text]
    assert {"result": None, "id": 2} in reply  # the fake answered our SUBSCRIBE


async def test_bybit_tickers_arrive_on_the_liquidation_connection_as_context() -> None:
    sink, seen, health = await _run(("BTCUSDT",), until_mark="107704.00", venue_id="bybit")
    marks = [json.loads(text) for text in seen if '"tickers.' in text]
    assert [m["data"]["symbol"] for m in marks] == ["BTCUSDT"] * 5  # only what was subscribed
    assert [(e.venue, e.asset) for e in sink.events] == [("bybit", "BTC")]
    assert health.rejected == 0
    marks_read = [BybitAdapter().mark_prices(text) for text in seen if '"tickers.' in text]
    assert [row[0][2] for row in marks_read] == [107_700.0 + i for i in range(5)]


async def test_without_the_setting_no_mark_price_is_asked_for() -> None:
    sink, seen, health = await _run(())
    assert not [text for text in seen if "markPriceUpdate" in text]
    assert len(sink.events) == 1 and health.rejected == 0


def test_the_wrapper_keeps_the_adapters_own_parts() -> None:
    adapter = BinanceAdapter()
    wrapped = WithMarkPrices(adapter, ("*",))
    assert wrapped.name == "binance" and wrapped.keepalive is adapter.keepalive
    assert wrapped.subscribe_frames([]) == adapter.subscribe_frames([])  # its own, unchanged
    assert wrapped.context_frames == adapter.mark_price_frames(("*",))
    assert wrapped.clean_events.__self__ is adapter  # the hot path is the adapter's own
    copied = copy.copy(wrapped)  # no endless __getattr__ while the copy is half made
    assert copied.context_frames == wrapped.context_frames


def test_the_config_knows_exactly_the_venues_that_can_subscribe_mark_prices() -> None:
    from liqterm.config.schema import MARK_PRICE_VENUES
    from liqterm.venues import ADAPTERS
    from liqterm.venues.marks import supports_mark_prices

    assert set(MARK_PRICE_VENUES) == {name for name, a in ADAPTERS.items() if supports_mark_prices(a)}
    for name, (has_all, _) in MARK_PRICE_VENUES.items():
        try:
            ADAPTERS[name].mark_price_frames(("*",))  # type: ignore[attr-defined]
            answered_all = True
        except ValueError:
            answered_all = False
        assert answered_all == has_all, name


async def test_liqterm_record_keeps_the_marks_and_the_backtest_reads_them(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from liqterm.headless.record import record
    from liqterm.headless.replay import replay_frames
    from liqterm.recording import read_frames
    from liqterm.venues import offline_adapters
    from liqterm_lab.marks import read_marks

    path = tmp_path / "with-marks.jsonl.gz"
    async with FakeVenueServer("binance", _frames(), speed=1.0, retime=True) as server:
        config = config_with_urls(Config(), {"binance": server.url})
        venue = dataclasses.replace(config.venues["binance"], mark_prices=("BTCUSDT",))
        config = dataclasses.replace(config, venues={**config.venues, "binance": venue})
        stop = asyncio.Event()
        task = asyncio.create_task(
            record(
                config,
                ["binance"],
                path,
                lambda line: None,
                stop,
                refresh=False,
                settings=FAST,
                adapters={"binance": BinanceAdapter()},
                progress_every_s=0.05,
            )
        )
        # the liquidation and at least the last four BTC marks (the first may precede the SUBSCRIBE)
        await wait_until(lambda: server.stats.frames_sent == 6, what="the liquidation and five marks served")
        await asyncio.sleep(0.2)  # let the client take the last frames in
        stop.set()
        progress = await task
    assert dict(progress.events) == {"binance": 1}
    marks = read_marks(read_frames(path), offline_adapters())
    assert list(marks) == ["BTC"] and marks["BTC"][1].tolist() == [107_700.0 + i for i in range(5)]
    from liqterm.engine import Engine

    summary = replay_frames(read_frames(path), Engine(), offline_adapters(), lambda record, text: None)
    assert summary.rejected_frames == 0 and summary.events == 1


async def test_a_symbol_refresh_does_not_send_the_context_frames_again(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Bybit subscribes newly listed symbols on a refresh; its mark requests went once, at connect."""
    from stream_fakes import BybitLikeAdapter, bybit_frame
    from stream_helpers import running

    from liqterm.streams import connection

    sent: list[str] = []
    send_all = connection.Connection._send_all

    async def spy(self, frames):  # type: ignore[no-untyped-def]
        sent.extend(frames)
        await send_all(self, frames)

    monkeypatch.setattr(connection.Connection, "_send_all", spy)
    listings = [["AAAUSDT", "BBBUSDT", "CCCUSDT"], ["AAAUSDT", "BBBUSDT", "CCCUSDT", "DDDUSDT"]]
    calls: list[int] = []

    async def symbols() -> list[str]:
        calls.append(1)
        return listings[min(len(calls), 2) - 1]

    adapter = BybitLikeAdapter(known={"AAAUSDT", "BBBUSDT"})
    adapter.context_frames = [json.dumps({"op": "subscribe", "args": ["tickers.BTCUSDT"]})]  # type: ignore[attr-defined]
    # The adapter does not know CCCUSDT: its frame triggers a refresh, which lists DDDUSDT
    at_ms = 1_789_670_094_099
    frames = [RecordedFrame(at_ms + 10 * i, "bybit", bybit_frame(symbol, "Buy", "1.5", "10", at_ms + 10 * i))
              for i, symbol in enumerate(("AAAUSDT", "CCCUSDT"))]  # fmt: skip
    async with FakeVenueServer("bybit", frames, speed=0.05) as server:
        settings = dataclasses.replace(FAST, symbols_refresh_min_s=0.0)
        stream = open_stream(adapter, server.url, Collector(), settings=settings, symbols=symbols)
        async with running(stream):
            await wait_until(
                lambda: any("DDDUSDT" in frame for frame in sent), what="the refresh's subscribe"
            )
            topics = {topic for client in server.clients for topic in client.session.topics}
    assert sum("tickers.BTCUSDT" in frame for frame in sent) == 1
    assert "tickers.BTCUSDT" in topics

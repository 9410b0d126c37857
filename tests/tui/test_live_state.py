"""The live app keeps state across a restart, says when it cannot save, and records raw frames."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import MappingProxyType

from liqterm.config import Config, VenueConfig
from liqterm.demo.servers import FakeVenueServer
from liqterm.demo.servers.encode import encode_event
from liqterm.engine import Engine
from liqterm.model import Liquidation, Side
from liqterm.recording import ConnectionMarker, RecordedFrame, RecordingWriter, read_frames, read_records
from liqterm.state import StateStore
from liqterm.tui.app import LiqtermApp
from liqterm.tui.sources import LiveFeed
from liqterm.tui.widgets.venue_health import VenueHealthBar

T0 = 1_761_155_064_189


def whale(i: int, usd: float = 1_500_000.0) -> Liquidation:
    price = 107_000.0 + i
    return Liquidation(
        "binance", "BTCUSDT", "BTC", Side.LONG, price, usd / price, usd, T0 + i * 1_000, T0 + i * 1_000 + 30
    )


async def test_whales_survive_a_restart_and_alerts_are_not_repeated(tmp_path: Path) -> None:
    state_file = tmp_path / "state.sqlite3"
    store, report = StateStore.open(state_file, wall_ms=T0)
    app = LiqtermApp(Config(), tmp_path / "config.toml", store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        app.ingest("binance", [whale(0), whale(1, 3_000_000.0)])
        before = app.engine.snapshot()
        await pilot.press("q")
    assert before.whales_all is not None and before.whales_all.count == 2

    store, report = StateStore.open(state_file, wall_ms=T0 + 5_000)
    engine = Engine(Config())
    report.restore(engine)
    after = engine.snapshot()
    assert after.whales == before.whales and after.whales_all == before.whales_all
    restarted = LiqtermApp(Config(), tmp_path / "config.toml", store=store, engine=engine)
    async with restarted.run_test(size=(120, 40)) as pilot:
        restarted.ingest("binance", [whale(0)])  # the venue repeats a saved event after reconnecting
        assert restarted.engine.snapshot().duplicates == 1
        assert restarted.engine.snapshot().alerts == ()
        await pilot.press("q")


async def test_the_health_bar_says_when_state_cannot_be_saved(tmp_path: Path) -> None:
    store = StateStore.disabled("the data folder is read-only")
    app = LiqtermApp(Config(), tmp_path / "config.toml", store=store, clock=lambda: T0)
    async with app.run_test(size=(160, 40)) as pilot:
        app.present(app.engine.snapshot())
        await pilot.pause()
        bar = app.screen.query_one(VenueHealthBar)
        assert "not saving: the data folder is read-only" in bar.render().plain
        app.ingest("binance", [whale(0)])  # monitoring goes on
        assert app.engine.events_total == 1
        await pilot.press("q")


async def test_live_feed_records_raw_frames_and_quit_flushes_them(tmp_path: Path) -> None:
    frame = encode_event("okx", whale(0), lambda *_: 0.01) or ""
    server = FakeVenueServer("okx", [RecordedFrame(T0, "okx", frame)], retime=True)
    await server.start()
    try:
        config = Config(venues=MappingProxyType({"okx": VenueConfig(url=server.url)}))
        recording = tmp_path / "live.jsonl"
        recorder = RecordingWriter(recording, flush_s=60.0)  # only quitting flushes it
        feed = LiveFeed(config, venues=["okx"], refresh=False)
        app = LiqtermApp(config, tmp_path / "config.toml", feed=feed, recorder=recorder)
        async with app.run_test(size=(120, 40)) as pilot:
            async with asyncio.timeout(10):
                while app.engine.events_total < 1:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
            await pilot.press("q")
            await pilot.pause()
    finally:
        await server.stop()
    frames = list(read_frames(recording))
    assert any("liquidation-orders" in f.frame and "details" in f.frame for f in frames)
    assert all(f.venue == "okx" for f in frames)
    markers = [r.kind for r in read_records(recording) if isinstance(r, ConnectionMarker)]
    assert markers[:2] == ["connected", "subscribed"]  # the moments replay needs for OKX's cut-off

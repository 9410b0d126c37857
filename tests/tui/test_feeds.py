"""The data flow: demo servers through the live path, replay, worker failures, Telegram, quitting."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path

from tui_helpers import demo_events, health_values

from liqterm.config import Config
from liqterm.demo import START_MS, DemoFeed, bundled_frames, scaled_thresholds
from liqterm.recording import write_frames
from liqterm.streams.health import VenueHealth
from liqterm.telegram.status import TelegramState, TelegramStatus
from liqterm.tui.app import LiqtermApp
from liqterm.tui.sources import ReplayFeed
from liqterm.tui.widgets.venue_health import VenueHealthBar


async def wait_until(check, seconds: float = 5.0) -> None:
    """Poll ``check`` (state owned by the app and the servers: there is no event to await)."""
    async with asyncio.timeout(seconds):
        while not check():  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def test_demo_is_busy_within_two_seconds_in_recording_time(tmp_path: Path) -> None:
    feed = DemoFeed()
    app = LiqtermApp(Config(), tmp_path / "config.toml", feed=feed, engine_config=feed.engine_config)
    async with app.run_test(size=(120, 40)) as pilot:
        await asyncio.sleep(2.0)
        engine = app.engine
        assert engine.events_total >= 10
        assert engine.duplicates == 0 and engine.rejected == 0
        assert len({event.venue for event in engine.whale_events()} | {"x"}) >= 2  # a whale arrived
        venues_with_events = [h.venue for h in app.venue_health() if h.events]
        assert len(venues_with_events) >= 3, app.venue_health()
        # Time is the recording's: 2025-10-22 from 17:51:19 on, at 5x, never "now".
        assert START_MS <= engine.now_ms <= START_MS + 5 * 3_000
        assert abs(app.clock() - engine.now_ms) < 5 * 1_500
        assert "DEMO 5×" in app.main.badge and "demo data" in app.main.badge
        await pilot.press("q")
        await pilot.pause()
    assert all(server._server is None for server in feed.servers.values())  # servers stopped
    assert all(h.state == "down" for h in feed.health())  # streams finished


async def test_demo_loops_shift_time_so_every_pass_is_new(tmp_path: Path) -> None:
    frames = [frame for frame in bundled_frames() if START_MS <= frame.received_ms < START_MS + 2_000]
    feed = DemoFeed(frames, speed=10.0, start_ms=START_MS, loops=6)
    app = LiqtermApp(Config(), tmp_path / "config.toml", feed=feed, engine_config=feed.engine_config)

    def span() -> int:
        times = [row.event.exchange_ms for row in app.engine.snapshot().recent]
        return max(times) - min(times) if times else 0

    async with app.run_test(size=(120, 40)):
        await wait_until(lambda: span() >= 2 * feed.period_ms, 10.0)  # three passes, each a period later
        assert feed.period_ms == 3_000
        assert app.engine.duplicates == 0 and app.engine.rejected == 0
        await wait_until(lambda: "finished" in feed.badge, 10.0)
        assert all(server.faults.silent for server in feed.servers.values())


class FailingFeed:
    """One venue whose worker raises, one that runs until stopped."""

    mode = "live"
    badge = ""

    def __init__(self) -> None:
        self.closed = False
        self.stopped_cleanly = False

    def clock(self) -> int:
        return 1_761_155_500_000

    def adapters(self) -> Mapping:
        return {}

    async def open(self, pipeline) -> Mapping:
        async def broken(stop: asyncio.Event) -> None:
            raise RuntimeError("boom")

        async def steady(stop: asyncio.Event) -> None:
            await stop.wait()
            self.stopped_cleanly = True

        return {"binance": broken, "bybit": steady}

    def health(self) -> tuple[VenueHealth, ...]:
        return health_values(self.clock())[:2]

    async def close(self) -> None:
        self.closed = True


async def test_a_failing_worker_shows_in_the_health_bar_and_the_app_survives(tmp_path: Path) -> None:
    feed = FailingFeed()
    app = LiqtermApp(Config(), tmp_path / "config.toml", feed=feed)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(lambda: "binance" in app.worker_failures)
        await asyncio.sleep(0.4)  # a few ticks
        health = {h.venue: h for h in app.venue_health()}
        assert health["binance"].state == "down" and "boom" in health["binance"].last_disconnect
        assert health["bybit"].state == "live"
        bar = str(app.main.query_one(VenueHealthBar).render())
        assert "binance* DOWN" in bar and "bybit live" in bar
        assert app.is_running
        await pilot.press("q")
        await pilot.pause()
    assert feed.closed and feed.stopped_cleanly


class FakeForwarder:
    def __init__(self) -> None:
        self.alerts: list = []
        self.started = self.stopped = False

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    def submit(self, alert) -> None:
        self.alerts.append(alert)

    @property
    def status(self) -> TelegramStatus:
        return TelegramStatus(TelegramState.ON, queued=len(self.alerts))


async def test_alerts_go_to_telegram_and_its_status_shows(tmp_path: Path) -> None:
    forwarder = FakeForwarder()
    app = LiqtermApp(
        Config(),
        tmp_path / "config.toml",
        forwarder=forwarder,
        clock=lambda: 0,
        engine_config=scaled_thresholds,
    )
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        for event in demo_events():
            app.ingest(event.venue, [event])
        app.tick()
        await pilot.pause()
        assert forwarder.started and forwarder.alerts
        assert f"telegram on · {len(forwarder.alerts)} queued" in str(
            app.main.query_one(VenueHealthBar).render()
        )
        await pilot.press("q")
    assert forwarder.stopped


async def test_telegram_failing_is_shown_without_a_forwarder(tmp_path: Path) -> None:
    status = TelegramStatus.failing("no bot token: set LIQTERM_TELEGRAM_TOKEN")
    app = LiqtermApp(Config(), tmp_path / "config.toml", telegram=status, clock=lambda: 0)
    async with app.run_test(size=(160, 40)) as pilot:
        app.tick()
        await pilot.pause()
        assert "telegram failing: no bot token" in str(app.main.query_one(VenueHealthBar).render())


async def test_replay_opens_the_app_on_the_recording(tmp_path: Path) -> None:
    recording = tmp_path / "slice.jsonl"
    frames = [frame for frame in bundled_frames() if START_MS <= frame.received_ms < START_MS + 30_000]
    write_frames(recording, frames)
    feed = ReplayFeed(recording)
    app = LiqtermApp(Config(), tmp_path / "config.toml", feed=feed)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(lambda: feed.finished)
        await asyncio.sleep(0.3)
        assert app.engine.events_total == len(frames)
        assert app.clock() == frames[-1].received_ms  # recording time
        assert app.main.badge == "REPLAY slice.jsonl · max speed · finished"
        assert [h.venue for h in app.venue_health()] == ["binance"]
        await pilot.press("q")

"""The demo path: real Binance events spread over five fake venues, read by the live pipeline."""

from __future__ import annotations

import asyncio
from collections import Counter

from recording_fixtures import cascade_binance_frames, wait_until

from liqterm.config.schema import Config
from liqterm.demo.servers import FakeVenues, config_with_urls, demo_frames
from liqterm.engine import Engine, IngestResult
from liqterm.model import Liquidation
from liqterm.pipeline import Pipeline
from liqterm.streams import StreamSettings
from liqterm.streams.live import build_manager, enabled_venues, live_adapters

FAST = StreamSettings(
    open_timeout_s=2, close_timeout_s=0.5, subscribe_pause_s=0.01, backoff_base_s=0.05, backoff_cap_s=0.2
)


async def test_demo_frames_reach_the_engine_from_all_five_venues() -> None:
    frames = demo_frames(cascade_binance_frames(limit=400))
    spread = Counter(frame.venue for frame in frames)
    assert set(spread) == {"binance", "bybit", "okx", "gateio", "bitget"}
    got: Counter[str] = Counter()

    class Count:
        def on_event(self, event: Liquidation, result: IngestResult) -> None:
            got[event.venue] += 1

    async with FakeVenues(frames, retime=True) as fakes:
        config = config_with_urls(Config(), fakes.urls)
        venues = enabled_venues(config)
        assert venues == ["binance", "bybit", "okx", "gateio", "bitget"]
        pipeline = Pipeline(Engine(config), live_adapters(config, venues), [Count()])
        manager = build_manager(config, pipeline, settings=FAST, refresh=False)
        stop = asyncio.Event()
        task = asyncio.create_task(manager.run(stop))
        try:
            await wait_until(lambda: sum(got.values()) == len(frames), 10.0, "every event")
        finally:
            stop.set()
            await task
    assert got == spread
    assert all(health.rejected == 0 for health in manager.health())


def test_config_with_urls_disables_the_rest() -> None:
    config = config_with_urls(Config(), {"okx": "ws://127.0.0.1:1/ws/v5/public"})
    assert config.venues["okx"].url == "ws://127.0.0.1:1/ws/v5/public"
    assert config.venues["okx"].enabled and not config.venues["binance"].enabled

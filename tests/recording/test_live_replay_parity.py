"""A live session and the replay of its recording give exactly the same events and alerts.

OKX replays an already-past liquidation right after every subscription; the live pipeline
drops it from the subscription moment on. The recording keeps that moment as a marker, so
the replay drops exactly what the live run dropped, on every connection of the session.
"""

from __future__ import annotations

import asyncio
import io
import json
import time
from pathlib import Path
from types import MappingProxyType

from recording_fixtures import wait_until

from liqterm.config.schema import Config, VenueConfig
from liqterm.demo.servers import FakeVenueServer
from liqterm.demo.servers.encode import encode_event
from liqterm.headless.replay import replay_json
from liqterm.headless.watch import watch
from liqterm.model import Liquidation, Side
from liqterm.recording import ConnectionMarker, RecordedFrame, read_records, write_frames
from liqterm.streams import StreamSettings
from liqterm.venues import offline_adapters

FAST = StreamSettings(
    open_timeout_s=2, close_timeout_s=0.5, subscribe_pause_s=0.01, backoff_base_s=0.05, backoff_cap_s=0.2
)


def _okx(symbol: str, asset: str, side: Side, price: float, usd: float, at_ms: int) -> Liquidation:
    return Liquidation("okx", symbol, asset, side, price, usd / price, usd, at_ms, 0)


def _session(now: int) -> list[RecordedFrame]:
    """What the fake OKX serves after each subscription: first a liquidation half a minute old
    (the replay-on-subscribe), then fresh ones a few hundred ms apart, whales among them."""
    adapter = offline_adapters()["okx"]

    def size(_venue: str, symbol: str) -> float | None:
        item = adapter.instruments.get(symbol)
        return item.contract_size if item is not None else None

    events = [
        _okx("BTC-USDT-SWAP", "BTC", Side.LONG, 107_000.0, 1_300_000.0, now - 30_000),  # replayed past
        _okx("BTC-USDT-SWAP", "BTC", Side.LONG, 107_010.0, 640_000.0, now + 300),
        _okx("ETH-USDT-SWAP", "ETH", Side.SHORT, 3_800.0, 760_000.0, now + 600),
        _okx("BTC-USDT-SWAP", "BTC", Side.LONG, 106_990.0, 42_000.0, now + 900),
        _okx("ETH-USDT-SWAP", "ETH", Side.LONG, 3_801.0, 1_100_000.0, now + 1_200),
    ]
    frames = []
    for index, event in enumerate(events):
        text = encode_event("okx", event, size)
        assert text is not None
        frames.append(RecordedFrame(now + index * 300, "okx", text))
    return frames


async def test_a_live_okx_session_replays_to_exactly_its_own_events_and_alerts(tmp_path: Path) -> None:
    now = time.time_ns() // 1_000_000
    recording = tmp_path / "okx.jsonl"
    live: list[str] = []
    stop = asyncio.Event()
    async with FakeVenueServer("okx", _session(now), speed=1.0) as server:
        config = Config(venues=MappingProxyType({"okx": VenueConfig(url=server.url)}))
        task = asyncio.create_task(
            watch(config, ["okx"], live.append, lambda _: None, stop, json_lines=True, refresh=False,
                  settings=FAST, record=recording, state_path=tmp_path / "state.sqlite3")
        )  # fmt: skip
        await wait_until(lambda: server.stats.frames_sent >= 5, 10.0, "the first connection's frames")
        await asyncio.sleep(0.3)
        await server.disconnect_all()  # a second connection: the venue replays its past again
        await wait_until(lambda: server.stats.frames_sent >= 10, 10.0, "the second connection's frames")
        await asyncio.sleep(0.3)
        stop.set()
        pipeline = await task

    replayed = io.StringIO()
    summary = replay_json(recording, replayed, config)
    lines = replayed.getvalue().splitlines()
    assert lines[:-1] == live  # every liquidation, alert and cascade line, in the same order
    records = [json.loads(line) for line in live]
    liquidations = [r for r in records if r["type"] == "liquidation"]
    assert [r["exchange_ms"] for r in liquidations] == [now + 300, now + 600, now + 900, now + 1_200]
    alert_kinds = {r["kind"] for r in records if r["type"] == "alert"}
    assert "large" in alert_kinds and alert_kinds & {"whale", "institutional"}  # class depends on the session
    # The past liquidation was served on both connections and dropped both times, live and in replay.
    tally = pipeline.tallies()["okx"]
    assert tally.dropped_replayed == summary.venues["okx"].dropped_replayed >= 2
    kinds = [r.kind for r in read_records(recording) if isinstance(r, ConnectionMarker)]
    assert kinds.count("subscribed") == 2 and kinds.count("disconnected") >= 1

    # Without the markers (a recording from before they existed) the replay cannot know the
    # cut-off and takes the venue's replayed past as news: the markers are what makes it exact.
    bare = tmp_path / "bare.jsonl"
    write_frames(bare, [r for r in read_records(recording) if isinstance(r, RecordedFrame)])
    old_style = io.StringIO()
    replay_json(bare, old_style, config)
    old_times = [json.loads(line)["exchange_ms"] for line in old_style.getvalue().splitlines()
                 if json.loads(line)["type"] == "liquidation"]  # fmt: skip
    assert now - 30_000 in old_times

"""record -> replay round trip and watch, over live streams from the five fake venues."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import MappingProxyType

from recording_fixtures import bundled_adapters, wait_until

from liqterm.config.schema import Config, VenueConfig
from liqterm.demo.servers import FakeVenueServer
from liqterm.demo.servers.encode import encode_event
from liqterm.headless.record import record
from liqterm.headless.replay import replay_json
from liqterm.headless.watch import watch
from liqterm.model import Liquidation, Side
from liqterm.recording import read_frames
from liqterm.streams import StreamSettings

VENUES = ["binance", "bybit", "okx", "gateio", "bitget"]
FAST = StreamSettings(
    open_timeout_s=2, close_timeout_s=0.5, subscribe_pause_s=0.01, backoff_base_s=0.05, backoff_cap_s=0.2
)
EVENTS = [
    Liquidation("binance", "BTCUSDT", "BTC", Side.LONG, 107_734.1, 0.5, 53_867.05, 1_761_155_064_189, 0),
    Liquidation("binance", "ETHUSDT", "ETH", Side.SHORT, 3_812.36, 10.0, 38_123.6, 1_761_155_064_200, 0),
]


def _frames(venue: str):  # type: ignore[no-untyped-def]
    from liqterm.recording import RecordedFrame

    adapter = bundled_adapters()[venue]

    def size(name: str, symbol: str) -> float | None:
        item = adapter.instruments.get(symbol)
        return item.contract_size if item is not None else None

    return [
        RecordedFrame(event.exchange_ms + 100, venue, encode_event(venue, event, size) or "")
        for event in EVENTS
    ]


@contextlib.asynccontextmanager
async def five_venues() -> AsyncIterator[dict[str, FakeVenueServer]]:
    servers = {venue: FakeVenueServer(venue, _frames(venue), retime=True) for venue in VENUES}
    for server in servers.values():
        await server.start()
    try:
        yield servers
    finally:
        for server in servers.values():
            await server.stop()


def config_for(servers: dict[str, FakeVenueServer]) -> Config:
    return Config(
        venues=MappingProxyType({name: VenueConfig(url=server.url) for name, server in servers.items()})
    )


async def _until_served(servers: dict[str, FakeVenueServer]) -> None:
    await wait_until(
        lambda: all(server.stats.frames_sent >= len(EVENTS) for server in servers.values()),
        what="frames served",
    )
    await asyncio.sleep(0.2)  # let the client take the last frames in


async def test_record_then_replay_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "live.jsonl.gz"
    stop = asyncio.Event()
    statuses: list[str] = []
    async with five_venues() as servers:
        task = asyncio.create_task(
            record(
                config_for(servers),
                VENUES,
                path,
                statuses.append,
                stop,
                refresh=False,
                settings=FAST,
                adapters=bundled_adapters(),
                progress_every_s=0.05,
            )
        )
        await _until_served(servers)
        stop.set()
        progress = await task
    assert dict(progress.events) == {venue: 2 for venue in VENUES}
    assert statuses and "binance live" in statuses[-1]
    recorded = list(read_frames(path))
    assert {frame.venue for frame in recorded} == set(VENUES)
    assert len(recorded) == sum(progress.frames.values())  # every frame, acks and pongs too

    out = io.StringIO()
    summary = replay_json(path, out, adapters=bundled_adapters())
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    liquidations = [line for line in lines if line["type"] == "liquidation"]
    assert sorted((line["venue"], line["asset"], line["side"]) for line in liquidations) == sorted(
        (venue, event.asset, str(event.side)) for venue in VENUES for event in EVENTS
    )
    assert summary.rejected_frames == 0 and summary.events == 10
    received = {frame.received_ms for frame in recorded}
    assert all(line["received_ms"] in received for line in liquidations)


async def test_watch_prints_json_lines_and_state_changes() -> None:
    stop = asyncio.Event()
    lines: list[str] = []
    statuses: list[str] = []
    async with five_venues() as servers:
        task = asyncio.create_task(
            watch(
                config_for(servers),
                VENUES,
                lines.append,
                statuses.append,
                stop,
                json_lines=True,
                refresh=False,
                settings=FAST,
                adapters=bundled_adapters(),
                status_every_s=0.02,
            )
        )
        await _until_served(servers)
        stop.set()
        feed = await task
    records = [json.loads(line) for line in lines]
    assert sum(record["type"] == "liquidation" for record in records) == 10 == feed.totals()["events"]
    assert any(status == "okx: live" for status in statuses)


async def test_cli_record_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    path = tmp_path / "cli.jsonl"
    async with five_venues() as servers:
        config = tmp_path / "config.toml"
        config.write_text(f'[venues.okx]\nurl = "{servers["okx"].url}"\n')
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "liqterm.cli",
            "--config",
            str(config),
            "record",
            "--venues",
            "okx",
            "-o",
            str(path),
            "--offline-instruments",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        await wait_until(
            lambda: servers["okx"].stats.frames_sent >= len(EVENTS), 20.0, "the subprocess to subscribe"
        )
        await asyncio.sleep(0.2)
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(10):
            _, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    assert "liquidations to" in err.decode()
    frames = list(read_frames(path))
    assert sum("liquidation-orders" in frame.frame and "details" in frame.frame for frame in frames) == 2


async def test_watch_forwards_alerts_to_telegram_when_enabled(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from fakes.telegram_api import CANARY_TOKEN, FakeBotApi
    from liqterm.config.schema import TelegramConfig

    whale = Liquidation(
        "binance", "BTCUSDT", "BTC", Side.LONG, 107_734.1, 12.0, 1_292_809.2, 1_761_155_064_189, 0
    )
    monkeypatch.setenv("LIQTERM_TELEGRAM_TOKEN", CANARY_TOKEN)
    stop = asyncio.Event()
    statuses: list[str] = []
    async with FakeBotApi(CANARY_TOKEN) as api:
        server = FakeVenueServer("binance", [_frame_of("binance", whale)], retime=True)
        await server.start()
        try:
            config = replace(
                config_for({"binance": server}),
                telegram=TelegramConfig(
                    enabled=True,
                    chat_ids=(4242,),
                    api_url=api.url,
                    per_chat_per_s=0,
                    per_group_per_min=0,
                    global_per_s=0,
                ),
            )
            task = asyncio.create_task(
                watch(
                    config,
                    ["binance"],
                    lambda _line: None,
                    statuses.append,
                    stop,
                    refresh=False,
                    settings=FAST,
                    adapters=bundled_adapters(),
                    status_every_s=0.02,
                )
            )
            sent = await api.wait_sent(1, within=10.0)
            stop.set()
            await asyncio.wait_for(task, 10)
        finally:
            await server.stop()
    assert "BTC" in sent[0].text and "whale" in sent[0].text.lower()
    assert any(status.startswith("telegram: ") for status in statuses)
    assert all(CANARY_TOKEN not in status for status in statuses)


def _frame_of(venue: str, event: Liquidation):  # type: ignore[no-untyped-def]
    from liqterm.recording import RecordedFrame

    return RecordedFrame(event.exchange_ms + 100, venue, encode_event(venue, event, lambda *_: None) or "")

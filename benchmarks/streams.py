"""Connection-manager and recording throughput: how many frames per second each stage takes.

1. ``handler``: FrameHandler.handle (size check, then the pipeline: count, frame sink,
   decode, engine) on Binance frames, against the adapter's ``decode`` alone and the
   engine's ``ingest`` of the same events (what the pipeline itself adds).
2. ``websocket``: a local fake Binance server sends N frames flat out to one
   VenueStream (real adapter, the pipeline into an engine): frames/s through the full
   socket path.
3. ``record`` / ``read`` / ``replay``: RecordingWriter (gzip), RecordingReader, and
   replay through the adapters and the engine.

Frames are re-encoded Binance events (BTC, ETH, SOL at varying prices) so that no
two are identical and the engine's dedup never short-cuts. Run:
``.venv/bin/python benchmarks/streams.py`` (or ``make bench``).
"""

from __future__ import annotations

import asyncio
import io
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from liqterm.demo.servers import FakeVenueServer
from liqterm.demo.servers.encode import encode_event
from liqterm.engine import Engine
from liqterm.headless.replay import replay_json
from liqterm.model import Liquidation, Side
from liqterm.pipeline import Pipeline
from liqterm.recording import RecordedFrame, RecordingReader, RecordingWriter
from liqterm.streams import StreamSettings, VenueStream
from liqterm.streams.handler import FrameHandler
from liqterm.venues.binance import BinanceAdapter

N = 20_000
START_MS = 1_761_155_064_189


def frames(count: int = N) -> list[RecordedFrame]:
    assets = [("BTCUSDT", "BTC", 107_734.1), ("ETHUSDT", "ETH", 3_812.36), ("SOLUSDT", "SOL", 187.5)]
    out = []
    for index in range(count):
        symbol, asset, price = assets[index % 3]
        price *= 1 + (index % 997) * 1e-5
        ms = START_MS + index * 7
        event = Liquidation(
            "binance",
            symbol,
            asset,
            Side.LONG if index % 4 else Side.SHORT,
            price,
            0.01 * (1 + index % 13),
            0.0,
            ms,
            ms + 100,
        )
        out.append(RecordedFrame(ms + 100, "binance", encode_event("binance", event) or ""))
    return out


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>12,.0f} frames/s  ({seconds * 1e6 / count:.2f} µs/frame)"


class _FrameSink:
    def on_frame(self, venue: str, received_ms: int, text: str) -> None:
        return None


def _best_of(rounds: int, run: Callable[[], None]) -> float:
    """The shortest of ``rounds`` runs, in seconds (the machine is shared)."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def bench_handler(recorded: list[RecordedFrame]) -> None:
    adapter = BinanceAdapter()
    decoded = [adapter.decode(frame.frame, frame.received_ms).events for frame in recorded]

    def decode() -> None:
        for frame in recorded:
            adapter.decode(frame.frame, frame.received_ms)

    def ingest() -> None:
        engine = Engine()
        for events in decoded:
            for event in events:
                engine.ingest(event)

    def handle() -> None:
        pipeline = Pipeline(Engine(), {"binance": adapter}, [_FrameSink()])
        handler = FrameHandler(pipeline.inlet("binance"), adapter.keepalive, StreamSettings())
        for frame in recorded:
            handler.handle(frame.frame, frame.received_ms)

    decode_s, ingest_s, handle_s = (_best_of(5, run) for run in (decode, ingest, handle))
    extra_us = (handle_s - decode_s - ingest_s) * 1e6 / len(recorded)
    print(f"decode alone       {rate(len(recorded), decode_s)}")
    print(f"Engine.ingest      {rate(len(recorded), ingest_s)}")
    print(f"handler.handle     {rate(len(recorded), handle_s)}  (size check, inlet, tally, frame sink: "
          f"{extra_us:+.2f} µs/frame over decode + ingest)")  # fmt: skip


async def bench_websocket(recorded: list[RecordedFrame]) -> None:
    done = asyncio.Event()

    class Count:
        """Counts the data frames the pipeline took in (acks and pongs aside)."""

        frames = 0

        def on_frame(self, venue: str, received_ms: int, text: str) -> None:
            if text.startswith('{"e":"forceOrder"'):
                Count.frames += 1
                if Count.frames >= len(recorded):
                    done.set()

    adapter = BinanceAdapter()
    pipeline = Pipeline(Engine(), {"binance": adapter}, [Count()])
    async with FakeVenueServer("binance", recorded) as server:
        stream = VenueStream(adapter, server.url, pipeline.inlet("binance"))
        stop = asyncio.Event()
        task = asyncio.create_task(stream.run(stop))
        started = time.perf_counter()
        async with asyncio.timeout(60):
            await done.wait()
        elapsed = time.perf_counter() - started
        stop.set()
        await task
    print(f"server -> VenueStream -> pipeline (one socket, with connect) {rate(Count.frames, elapsed)}")


def bench_recording(recorded: list[RecordedFrame]) -> None:
    folder = Path(tempfile.mkdtemp())
    path = folder / "bench.jsonl.gz"
    started = time.perf_counter()
    with RecordingWriter(path) as writer:
        for frame in recorded:
            writer.write(frame)
    write_s = time.perf_counter() - started
    started = time.perf_counter()
    count = sum(1 for _ in RecordingReader(path))
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    summary = replay_json(path, io.StringIO(), adapters={"binance": BinanceAdapter()})
    replay_s = time.perf_counter() - started
    size = path.stat().st_size
    print(f"record (gzip)      {rate(len(recorded), write_s)}  {size / len(recorded):.0f} bytes/frame")
    print(f"read (gzip)        {rate(count, read_s)}")
    print(
        f"replay --json      {rate(summary.frames, replay_s)}  "
        f"({summary.events} events, {summary.alerts} alerts)"
    )


def main() -> None:
    recorded = frames()
    print(f"{len(recorded)} Binance frames")
    bench_handler(recorded)
    asyncio.run(bench_websocket(recorded))
    bench_recording(recorded)


if __name__ == "__main__":
    main()

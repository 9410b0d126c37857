"""Running streams against fake servers in tests: fast settings, polling waits, clean stops."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from liqterm.engine import Engine, IngestResult
from liqterm.model import Liquidation
from liqterm.pipeline import Pipeline
from liqterm.recording.format import RecordedFrame
from liqterm.streams import StreamSettings, VenueStream
from liqterm.venues.base import VenueAdapter

FAST = StreamSettings(
    open_timeout_s=2.0,
    close_timeout_s=0.5,
    subscribe_pause_s=0.01,
    backoff_base_s=0.05,
    backoff_cap_s=0.2,
    healthy_after_s=0.5,
    quiet_after_s=0.5,
)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def recorded(
    venue: str, frames: list[str], start_ms: int = 1_700_000_000_000, step_ms: int = 10
) -> list[RecordedFrame]:
    return [RecordedFrame(start_ms + i * step_ms, venue, frame) for i, frame in enumerate(frames)]


class Collector:
    """Stands in for the engine at the end of a pipeline: takes every event it is given.

    The stream tests are about what reaches the engine (decoded, after the cut-off), so
    this accepts everything, duplicates included, and remembers it.
    """

    def __init__(self) -> None:
        self.events: list[Liquidation] = []

    def ingest(self, event: Liquidation) -> IngestResult:
        self.events.append(event)
        return IngestResult(True, cls="retail", session="us")

    def advance_to(self, ms: int) -> list:
        return []


class Delivering:
    """A real engine at the end of a pipeline, remembering every event handed to it
    (duplicates included: the engine decides what to keep)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.delivered: list[Liquidation] = []

    def ingest(self, event: Liquidation) -> IngestResult:
        self.delivered.append(event)
        return self.engine.ingest(event)

    def advance_to(self, ms: int) -> list:
        return self.engine.advance_to(ms)


class Exploding(Collector):
    """An engine stand-in with a bug: every event raises."""

    def ingest(self, event: Liquidation) -> IngestResult:
        raise RuntimeError("engine bug")


def pipeline_into(collector: Collector | Delivering, adapters: Iterable[VenueAdapter]) -> Pipeline:
    """A live (non-strict) pipeline from ``adapters`` into ``collector``."""
    return Pipeline(collector, {adapter.name: adapter for adapter in adapters})  # type: ignore[arg-type]


def open_stream(
    adapter: VenueAdapter, url: str | None, collector: Collector | Delivering, **options: Any
) -> VenueStream:
    """A :class:`VenueStream` of ``adapter`` feeding ``collector`` through a pipeline."""
    inlet = pipeline_into(collector, [adapter]).inlet(adapter.name)
    return VenueStream(adapter, url, inlet, **options)


async def wait_until(check: Callable[[], bool], within_s: float = 5.0, what: str = "") -> None:
    """Poll ``check`` every 10 ms until it is true; fail the test after ``within_s``."""
    deadline = time.monotonic() + within_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def running(runner: VenueStream | object) -> AsyncIterator[asyncio.Event]:
    """Run ``runner.run(stop)`` in the background; stop it and check it finished on exit."""
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))  # type: ignore[attr-defined]
    try:
        yield stop
    finally:
        stop.set()
        async with asyncio.timeout(5):
            await task

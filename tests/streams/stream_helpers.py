"""Running streams against fake servers in tests: fast settings, polling waits, clean stops."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable

from liqterm.model import Liquidation
from liqterm.recording.format import RecordedFrame
from liqterm.streams import StreamSettings, VenueStream

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
    """An event sink that remembers everything it was given."""

    def __init__(self) -> None:
        self.events: list[Liquidation] = []
        self.batches: list[tuple[str, list[Liquidation]]] = []

    def __call__(self, venue: str, events: list[Liquidation]) -> None:
        self.batches.append((venue, events))
        self.events.extend(events)


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

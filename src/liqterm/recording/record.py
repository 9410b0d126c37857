"""``liqterm record``: every frame of the chosen venues into a recording, with progress."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from liqterm.config.schema import Config
from liqterm.model import Liquidation
from liqterm.recording.writer import RecordingWriter
from liqterm.streams.live import build_manager, refresh_notes
from liqterm.streams.manager import StreamManager
from liqterm.streams.settings import StreamSettings
from liqterm.venues.base import VenueAdapter


class RecordProgress:
    """Frames and events recorded per venue (the progress line)."""

    def __init__(self) -> None:
        self.frames: Counter[str] = Counter()
        self.events: Counter[str] = Counter()

    def on_events(self, venue: str, events: list[Liquidation]) -> None:
        self.events[venue] += len(events)

    def line(self, manager: StreamManager) -> str:
        """``binance live 120f 3e | okx reconnecting 40f 0e``."""
        parts = []
        for health in manager.health():
            parts.append(f"{health.venue} {health.state} {health.frames}f {self.events[health.venue]}e")
        return " | ".join(parts)


async def record(
    config: Config,
    venues: Sequence[str],
    path: str | Path,
    write_status: Callable[[str], object],
    stop: asyncio.Event,
    *,
    refresh: bool = True,
    settings: StreamSettings | None = None,
    adapters: dict[str, VenueAdapter] | None = None,
    progress_every_s: float = 1.0,
) -> RecordProgress:
    """Record ``venues`` to ``path`` until ``stop``; the file is flushed and closed on return.

    Args:
        config: configuration (venue URLs).
        venues: venue ids to connect.
        path: output file (``.jsonl`` or ``.jsonl.gz``).
        write_status: receives the progress line every ``progress_every_s``.
        stop: set it to finish (Ctrl-C does, in the CLI).
        refresh: fetch instruments over REST (else cached/bundled only).
        settings: stream tunables (tests shorten them).
        adapters: adapters to use instead of the registry's (tests).
        progress_every_s: progress line period.
    """
    progress = RecordProgress()
    with RecordingWriter(path) as writer:
        manager = build_manager(
            config,
            venues,
            progress.on_events,
            on_frame=writer.on_frame,
            settings=settings,
            refresh=refresh,
            adapters=adapters,
        )
        async with asyncio.TaskGroup() as group:
            group.create_task(manager.run(stop))
            if refresh:
                group.create_task(refresh_notes(manager))
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(progress_every_s):
                        await stop.wait()
                if writer.flush_due():
                    writer.flush()
                write_status(progress.line(manager))
        for health in manager.health():
            progress.frames[health.venue] = health.frames
    return progress

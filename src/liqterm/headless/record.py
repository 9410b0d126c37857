"""``liqterm record``: every frame of the chosen venues into a recording, with progress."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from liqterm.config.schema import Config
from liqterm.engine import Engine
from liqterm.pipeline import Pipeline
from liqterm.recording.writer import RecordingWriter
from liqterm.streams.live import build_manager, live_adapters, refresh_notes
from liqterm.streams.manager import StreamManager
from liqterm.streams.settings import StreamSettings
from liqterm.venues.base import VenueAdapter


class RecordProgress:
    """Frames and events recorded per venue (the progress line and the final count)."""

    def __init__(self) -> None:
        self.frames: Counter[str] = Counter()
        self.events: Counter[str] = Counter()

    def take(self, manager: StreamManager) -> None:
        for venue, tally in manager.pipeline.tallies().items():
            self.frames[venue] = tally.frames
            self.events[venue] = tally.events

    def line(self, manager: StreamManager) -> str:
        """``binance live 120f 3e | okx reconnecting 40f 0e``."""
        return " | ".join(
            f"{health.venue} {health.state} {health.frames}f {health.events}e" for health in manager.health()
        )


async def record(
    config: Config,
    venues: Sequence[str],
    path: str | Path,
    write_status: Callable[[str], object],
    stop: asyncio.Event,
    *,
    refresh: bool = True,
    settings: StreamSettings | None = None,
    adapters: Mapping[str, VenueAdapter] | None = None,
    progress_every_s: float = 1.0,
) -> RecordProgress:
    """Record ``venues`` to ``path`` until ``stop``; the file is flushed and closed on return.

    The frames go through the same pipeline as everywhere (so the progress line counts
    the liquidations they hold), with the recorder as its sink: every frame and every
    connection marker, as received.

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
        pipeline = Pipeline(Engine(config), live_adapters(config, venues, adapters), [writer])
        manager = build_manager(config, pipeline, settings=settings, refresh=refresh)
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
        progress.take(manager)
    return progress

"""Where the app's frames come from: live venues, a recording (REPLAY), or the demo.

A feed names the adapters its frames need, and, given the app's pipeline, hands
the app named jobs (``job(stop)`` coroutines) that put its frames into it; the app
runs each as its own Textual worker (one per venue, per-venue group,
``exit_on_error=False``), so one feed failing never touches another or the app.
A feed also says what time it is (wall clock when live, recording time in demo and
replay) and reports health. No Textual here: the demo's feed
(:mod:`liqterm.demo.feed`) implements the same shape.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from liqterm.config.schema import Config
from liqterm.engine import Alert
from liqterm.pipeline import Pipeline
from liqterm.recording.reader import RecordingReader
from liqterm.streams.frames import wall_ms
from liqterm.streams.health import VenueHealth
from liqterm.streams.manager import StreamManager
from liqterm.telegram.status import TelegramStatus
from liqterm.venues.base import VenueAdapter

Job = Callable[[asyncio.Event], Awaitable[None]]
"""A long-running feed task; it returns soon after the event is set."""


class Feed(Protocol):
    """What the app needs from a source of liquidations."""

    mode: str
    """``live``, ``demo`` or ``replay``."""
    badge: str
    """Shown in the session banner when not live (``DEMO 4× · demo data``)."""

    def clock(self) -> int:
        """Epoch ms "now": wall clock live, recording time in demo and replay."""
        ...

    def adapters(self) -> Mapping[str, VenueAdapter]:
        """The venue adapters the feed's frames are decoded with (the app's pipeline is built on them)."""
        ...

    async def open(self, pipeline: Pipeline) -> Mapping[str, Job]:
        """Start whatever serves the data and return the jobs, keyed by venue (or feed) name."""
        ...

    def health(self) -> tuple[VenueHealth, ...]:
        """Every venue's health now."""
        ...

    async def close(self) -> None:
        """Stop serving (the app has already stopped the jobs)."""
        ...


class AlertForwarder(Protocol):
    """What the app needs from the Telegram forwarder (:class:`liqterm.telegram.forwarder.Forwarder`)."""

    @property
    def status(self) -> TelegramStatus: ...

    def submit(self, alert: Alert) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class LiveFeed:
    """The enabled venues over the internet, with instruments refreshed over REST."""

    mode = "live"
    badge = ""

    def __init__(self, config: Config, venues: Sequence[str] | None = None, refresh: bool = True) -> None:
        from liqterm.streams.live import enabled_venues

        self.config = config
        self.venues = enabled_venues(config, venues)
        self.refresh = refresh  # instruments over REST (tests run offline)
        self.manager: StreamManager | None = None
        self._adapters: Mapping[str, VenueAdapter] | None = None

    def clock(self) -> int:
        return wall_ms()

    def adapters(self) -> Mapping[str, VenueAdapter]:
        from liqterm.streams.live import live_adapters

        if self._adapters is None:
            self._adapters = live_adapters(self.config, self.venues)
        return self._adapters

    async def open(self, pipeline: Pipeline) -> Mapping[str, Job]:
        from liqterm.streams.live import build_manager, refresh_notes

        manager = self.manager = build_manager(self.config, pipeline, refresh=self.refresh)
        jobs: dict[str, Job] = {name: stream.run for name, stream in manager.streams.items()}

        async def instruments(stop: asyncio.Event) -> None:
            await refresh_notes(manager)

        if self.refresh:
            jobs["instruments"] = instruments
        return jobs

    def health(self) -> tuple[VenueHealth, ...]:
        if self.manager is None:
            return ()
        self.manager.update_quiet(wall_ms())
        return self.manager.health()

    async def close(self) -> None:
        self.manager = None


@dataclass(slots=True)
class ReplayFeed:
    """A recording played through the app's pipeline (``liqterm replay FILE`` on a terminal).

    Args:
        path: the recording.
        speed: times the recorded pace; ``None`` = as fast as the UI allows.
        monotonic: injectable for tests.
    """

    path: Path
    speed: float | None = None
    monotonic: Callable[[], float] = time.monotonic
    mode: str = "replay"
    badge: str = ""
    now_ms: int = 0
    finished: bool = False
    pipeline: Pipeline | None = None
    _adapters: Mapping[str, VenueAdapter] = field(default_factory=dict)

    def __post_init__(self) -> None:
        pace = "max speed" if self.speed is None else f"{self.speed:g}×"
        self.badge = f"REPLAY {self.path.name} · {pace}"

    def clock(self) -> int:
        return self.now_ms

    def adapters(self) -> Mapping[str, VenueAdapter]:
        from liqterm.venues import offline_adapters

        if not self._adapters:
            self._adapters = offline_adapters()
        return self._adapters

    async def open(self, pipeline: Pipeline) -> Mapping[str, Job]:
        self.pipeline = pipeline

        async def play(stop: asyncio.Event) -> None:
            origin: tuple[int, float] | None = None
            for count, record in enumerate(RecordingReader(self.path)):
                if stop.is_set():
                    return
                if self.speed is not None:
                    origin = origin or (record.received_ms, self.monotonic())
                    due = origin[1] + (record.received_ms - origin[0]) / 1000 / self.speed
                    delay = due - self.monotonic()
                    if delay > 0:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(stop.wait(), delay)
                elif count % 200 == 0:
                    await asyncio.sleep(0)  # flat out, but the UI keeps ticking
                self.now_ms = max(self.now_ms, record.received_ms)
                pipeline.push(record)
            self.finished = True
            self.badge += " · finished"

        return {"replay": play}

    def health(self) -> tuple[VenueHealth, ...]:
        if self.pipeline is None:
            return ()
        adapters = self.adapters()
        return tuple(
            VenueHealth(
                venue=venue,
                state="live",
                connected_since_ms=None,
                reconnects=0,
                frames=t.frames,
                events=t.events,
                rejected=t.rejected,
                last_reject_reason=t.last_reject_reason,
                last_event_ms=t.last_event_ms,
                last_frame_ms=t.last_frame_ms,
                quiet=False,
                throttle_note=getattr(adapters.get(venue), "throttle_note", None),
                note="replayed from " + self.path.name,
                dropped_replayed=t.dropped_replayed,
                errors=t.errors,
            )
            for venue, t in sorted(self.pipeline.tallies().items())
        )

    async def close(self) -> None:
        return None

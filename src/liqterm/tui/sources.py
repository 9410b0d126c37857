"""Where the app's events come from: live venues, a recording (REPLAY), or the demo.

A feed hands the app named jobs (``job(stop)`` coroutines); the app runs each as
its own Textual worker (one per venue, per-venue group, ``exit_on_error=False``),
so one feed failing never touches another or the app. Every job delivers events
through the app's sink straight into the engine. A feed also says what time it
is (wall clock when live, recording time in demo and replay) and reports health.
No Textual here: the demo's feed (:mod:`liqterm.demo`) implements the same shape.
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
from liqterm.recording.reader import RecordingReader
from liqterm.streams.frames import wall_ms
from liqterm.streams.handler import EventSink, FrameSink
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

    async def open(self, sink: EventSink) -> Mapping[str, Job]:
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
    """The five venues over the internet, with instruments refreshed over REST."""

    mode = "live"
    badge = ""

    def __init__(
        self,
        config: Config,
        venues: Sequence[str] | None = None,
        on_frame: FrameSink | None = None,
        refresh: bool = True,
    ) -> None:
        from liqterm.streams.live import enabled_venues

        self.config = config
        self.venues = enabled_venues(config, venues)
        self.on_frame = on_frame
        self.refresh = refresh  # instruments over REST (tests run offline)
        self.manager: StreamManager | None = None

    def clock(self) -> int:
        return wall_ms()

    async def open(self, sink: EventSink) -> Mapping[str, Job]:
        from liqterm.streams.live import build_manager, refresh_notes

        manager = self.manager = build_manager(
            self.config, self.venues, sink, on_frame=self.on_frame, refresh=self.refresh
        )
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
class _Tally:
    frames: int = 0
    events: int = 0
    rejected: int = 0
    last_reason: str | None = None
    last_event_ms: int | None = None


@dataclass(slots=True)
class ReplayFeed:
    """A recording played through the adapters into the engine (``liqterm replay FILE``).

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
    tallies: dict[str, _Tally] = field(default_factory=dict)
    adapters: Mapping[str, VenueAdapter] = field(default_factory=dict)

    def __post_init__(self) -> None:
        pace = "max speed" if self.speed is None else f"{self.speed:g}×"
        self.badge = f"REPLAY {self.path.name} · {pace}"

    def clock(self) -> int:
        return self.now_ms

    async def open(self, sink: EventSink) -> Mapping[str, Job]:
        from liqterm.recording.replay import default_adapters

        adapters = self.adapters = default_adapters()

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
                self._feed(record.venue, record.received_ms, record.frame, adapters, sink)
            self.finished = True
            self.badge += " · finished"

        return {"replay": play}

    def _feed(self, venue: str, received_ms: int, frame: str, adapters: Mapping, sink: EventSink) -> None:
        self.now_ms = max(self.now_ms, received_ms)
        adapter = adapters.get(venue)
        if adapter is None:
            return
        tally = self.tallies.setdefault(venue, _Tally())
        tally.frames += 1
        decoded = adapter.decode(frame, received_ms)
        if decoded.rejected is not None:
            tally.rejected += 1
            tally.last_reason = decoded.rejected
        if decoded.events:
            tally.events += len(decoded.events)
            tally.last_event_ms = received_ms
            sink(venue, decoded.events)

    def health(self) -> tuple[VenueHealth, ...]:
        return tuple(
            VenueHealth(
                venue=venue,
                state="live",
                connected_since_ms=None,
                reconnects=0,
                frames=t.frames,
                events=t.events,
                rejected=t.rejected,
                last_reject_reason=t.last_reason,
                last_event_ms=t.last_event_ms,
                last_frame_ms=None,
                quiet=False,
                throttle_note=getattr(self.adapters.get(venue), "throttle_note", None),
                note="replayed from " + self.path.name,
            )
            for venue, t in sorted(self.tallies.items())
        )

    async def close(self) -> None:
        return None

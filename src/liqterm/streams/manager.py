"""Several venue streams under one roof, for the headless commands and the tests.

The manager runs one :class:`VenueStream` per adapter in a TaskGroup (so a
stop or a cancellation ends them all and none is left behind), and adds the one
judgement that needs every venue at once: the silent-path check. A venue that
is connected but has delivered nothing for a long time while the others are
busy is probably being served an empty feed (a retired endpoint that still
accepts connections does exactly that), which the per-connection watchdog
cannot see because acks and pongs keep flowing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Mapping

from liqterm.pipeline import Pipeline
from liqterm.streams.frames import wall_ms
from liqterm.streams.health import VenueHealth
from liqterm.streams.settings import StreamSettings
from liqterm.streams.symbols import SymbolSource, SymbolsProvider
from liqterm.streams.venue_stream import VenueStream
from liqterm.venues.base import KeepAlive, VenueAdapter

log = logging.getLogger(__name__)


class StreamManager:
    """Runs one stream per venue into one pipeline and judges which venues have gone quiet.

    Args:
        adapters: the venue adapters to connect (the pipeline must know each).
        pipeline: where every venue's frames go (``pipeline.inlet(venue)``).
        urls: per-venue URL overrides (from config); missing venues use the adapter URL.
        settings: tunables shared by all streams.
        keepalives: per-venue keep-alive overrides (tests).
        symbols: per-venue instrument sources for adapters that need symbols.
        clock: wall-clock epoch ms; injectable for tests.
        rand: random source for backoff jitter.
    """

    def __init__(
        self,
        adapters: Iterable[VenueAdapter],
        pipeline: Pipeline,
        *,
        urls: Mapping[str, str | None] | None = None,
        settings: StreamSettings | None = None,
        keepalives: Mapping[str, KeepAlive] | None = None,
        symbols: Mapping[str, SymbolSource | SymbolsProvider] | None = None,
        clock: Callable[[], int] = wall_ms,
        rand: Callable[[], float] | None = None,
    ) -> None:
        self.settings = settings or StreamSettings()
        self.pipeline = pipeline
        self._clock = clock
        urls = urls or {}
        keepalives = keepalives or {}
        symbols = symbols or {}
        self.streams: dict[str, VenueStream] = {}
        for adapter in adapters:
            self.streams[adapter.name] = VenueStream(
                adapter,
                urls.get(adapter.name),
                pipeline.inlet(adapter.name),
                settings=self.settings,
                keepalive=keepalives.get(adapter.name),
                symbols=symbols.get(adapter.name),
                clock=clock,
                rand=rand,
            )

    def health(self) -> tuple[VenueHealth, ...]:
        """Every venue's current health, in the order the adapters were given."""
        return tuple(stream.health() for stream in self.streams.values())

    async def run(self, stop: asyncio.Event) -> None:
        """Run every stream until ``stop`` is set; returns when all have finished."""
        async with asyncio.TaskGroup() as group:
            for name, stream in self.streams.items():
                group.create_task(stream.run(stop), name=f"stream-{name}")
            group.create_task(self._watch_quiet(stop), name="streams-quiet-check")

    async def _watch_quiet(self, stop: asyncio.Event) -> None:
        # Checking a few times per quiet window is plenty and costs nothing.
        period = max(0.05, min(5.0, self.settings.quiet_after_s / 4))
        while not stop.is_set():
            self.update_quiet(self._clock())
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(period):
                    await stop.wait()

    def update_quiet(self, now_ms: int) -> None:
        """Set each stream's ``quiet`` flag as of wall-clock ``now_ms`` (see :func:`update_quiet`)."""
        update_quiet(self.streams.values(), now_ms, self.settings.quiet_after_s)


def update_quiet(streams: Iterable[VenueStream], now_ms: int, quiet_after_s: float) -> None:
    """Flag the silent paths among ``streams`` as of wall-clock ``now_ms``.

    A venue is quiet when it has been live for at least ``quiet_after_s``,
    delivered no event in that span, and some other venue delivered one in it.
    An app that runs each :class:`VenueStream` in its own worker calls this from
    a timer with all of them.
    """
    window_ms = quiet_after_s * 1000
    trackers = [stream.tracker for stream in streams]
    for tracker in trackers:
        quiet = False
        if tracker.state == "live" and tracker.connected_since_ms is not None:
            since = max(tracker.connected_since_ms, tracker.last_event_ms or 0)
            if now_ms - since >= window_ms:
                quiet = any(
                    other.last_event_ms is not None and now_ms - other.last_event_ms < window_ms
                    for other in trackers
                    if other is not tracker
                )
        if quiet and not tracker.quiet:
            log.warning(
                "%s: no liquidations for %g s while other venues have some", tracker.venue, quiet_after_s
            )
        tracker.quiet = quiet

"""All five fake venues at once, and the demo's recording spread over them.

The demo (and the fault demo) starts :class:`FakeVenues` from one recording,
points the configuration's venue URLs at it with :func:`config_with_urls`, and
then runs the ordinary live pipeline: nothing downstream knows it is local.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from types import MappingProxyType, TracebackType
from typing import Any

from liqterm.config.schema import Config, VenueConfig
from liqterm.demo.servers.encode import DEMO_WEIGHTS, derive_frames
from liqterm.demo.servers.protocols import PROTOCOLS
from liqterm.demo.servers.server import FakeVenueServer
from liqterm.model import VENUE_IDS
from liqterm.recording.format import RecordedFrame


class FakeVenues:
    """One :class:`FakeVenueServer` per venue, sharing one recording and options.

    Args:
        frames: the recording; each server serves its own venue's frames.
        venues: which venues to run (default: every venue with frames in the recording).
        **server_options: passed to every server (``speed``, ``loop``, ``retime``,
            ``shared_clock``, windows...). Faults are per server: ``fakes.servers[v].faults``.

    Example:
        >>> async with FakeVenues(frames, speed=1.0, loop=True, retime=True) as fakes:  # doctest: +SKIP
        ...     config = config_with_urls(config, fakes.urls)
    """

    def __init__(
        self,
        frames: Iterable[RecordedFrame],
        venues: Iterable[str] | None = None,
        **server_options: Any,
    ) -> None:
        recording = list(frames)
        if venues is None:
            present = {frame.venue for frame in recording}
            venues = [venue for venue in VENUE_IDS if venue in present and venue in PROTOCOLS]
        self.servers = {venue: FakeVenueServer(venue, recording, **server_options) for venue in venues}

    @property
    def urls(self) -> dict[str, str]:
        """Venue id -> websocket URL (valid once started)."""
        return {venue: server.url for venue, server in self.servers.items()}

    async def start(self) -> None:
        """Start every server (each on its own OS-chosen port)."""
        for server in self.servers.values():
            await server.start()

    async def stop(self) -> None:
        """Stop every server."""
        for server in self.servers.values():
            await server.stop()

    async def __aenter__(self) -> FakeVenues:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


def config_with_urls(config: Config, urls: Mapping[str, str]) -> Config:
    """``config`` with these venues enabled at these URLs, and every other venue disabled."""
    venues = {
        name: dataclasses.replace(
            config.venues.get(name, VenueConfig()), enabled=name in urls, url=urls.get(name)
        )
        for name in {*config.venues, *urls}
    }
    return dataclasses.replace(config, venues=MappingProxyType(venues))


def demo_frames(
    frames: Iterable[RecordedFrame], weights: Mapping[str, int] = DEMO_WEIGHTS
) -> list[RecordedFrame]:
    """A one-venue recording spread over the five venues' frame shapes (see ``encode``).

    Decodes with the registry's adapter of each frame's venue and sizes OKX and
    Gate contracts from the registry's instrument tables, so what the fake
    servers send is exactly what those adapters will read back. Events that
    cannot be sized, or whose symbol a per-symbol venue would not be subscribed
    to, stay on their own venue.
    """
    from liqterm.venues import ADAPTERS

    def contract_size(venue: str, symbol: str) -> float | None:
        item = ADAPTERS[venue].instruments.get(symbol)
        return item.contract_size if item is not None and item.linear else None

    def listed(venue: str, symbol: str) -> bool:
        # A per-symbol venue only sends what the adapter subscribes: its table's symbols.
        adapter = ADAPTERS[venue]
        return not adapter.needs_symbols or adapter.instruments.get(symbol) is not None

    out: list[RecordedFrame] = []
    recording = list(frames)
    for venue in sorted({frame.venue for frame in recording}):
        source = [frame for frame in recording if frame.venue == venue]
        if venue in ADAPTERS:
            out.extend(derive_frames(source, ADAPTERS[venue].parse, contract_size, weights, listed))
        else:
            out.extend(source)
    out.sort(key=lambda frame: frame.received_ms)
    return out

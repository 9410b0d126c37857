"""Wiring live connections from configuration: the app, ``liqterm watch`` and ``liqterm record``.

The enabled venues' adapters come from the registry (:func:`live_adapters`), the
pipeline is built on them by the caller, and :func:`build_manager` connects each
venue into it with its URL from config and an instruments refresher that doubles
as the symbol source (for adapters that subscribe per symbol) and as the re-fetch
on "unknown symbol" (a new listing, whose contract size a contracts-based venue needs).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence

from liqterm.config.schema import Config
from liqterm.pipeline import Pipeline
from liqterm.streams.manager import StreamManager
from liqterm.streams.settings import StreamSettings
from liqterm.streams.symbols import SymbolList, SymbolSource
from liqterm.venues.base import VenueAdapter
from liqterm.venues.marks import WithMarkPrices

log = logging.getLogger(__name__)


def enabled_venues(config: Config, wanted: Iterable[str] | None = None) -> list[str]:
    """Venues to connect: ``wanted`` (validated) or every venue enabled in config.

    Raises:
        ValueError: a wanted venue has no adapter.
    """
    from liqterm.venues import ADAPTERS

    if wanted:
        names = [name.strip().lower() for name in wanted if name.strip()]
        unknown = [name for name in names if name not in ADAPTERS]
        if unknown:
            raise ValueError(f"unknown venue(s) {', '.join(unknown)}; known: {', '.join(ADAPTERS)}")
        return list(dict.fromkeys(names))
    return [name for name in ADAPTERS if config.venues.get(name) is None or config.venues[name].enabled]


def instruments_source(venue: str, min_refresh_s: float) -> SymbolSource:
    """A symbol source that refreshes ``venue``'s instruments (REST, else cache, else bundled)."""

    async def fetch() -> SymbolList:
        from liqterm.venues import refresh_instruments

        table = (await refresh_instruments([venue]))[venue]
        return SymbolList(tuple(table.linear_symbols()), table.note)

    return SymbolSource(fetch, min_refresh_s)


def live_adapters(
    config: Config, venues: Sequence[str], adapters: Mapping[str, VenueAdapter] | None = None
) -> dict[str, VenueAdapter]:
    """The adapters of ``venues`` (the registry's, with cached/bundled instruments, unless given),
    each asking for its mark prices on the same connection where the config says so."""
    from liqterm.venues import ADAPTERS, load_offline_instruments

    if adapters is None:
        load_offline_instruments(venues)
        adapters = {name: ADAPTERS[name] for name in venues}
    chosen: dict[str, VenueAdapter] = {}
    for name in venues:
        marks = config.venues[name].mark_prices if name in config.venues else ()
        chosen[name] = WithMarkPrices(adapters[name], marks) if marks else adapters[name]  # type: ignore[assignment]
    return chosen


def build_manager(
    config: Config,
    pipeline: Pipeline,
    *,
    settings: StreamSettings | None = None,
    refresh: bool = True,
) -> StreamManager:
    """A manager connecting every venue of ``pipeline`` with config URLs and, when ``refresh``,
    live instruments (without, the adapters keep their cached/bundled tables: offline use, tests)."""
    venues = list(pipeline.adapters)
    settings = settings or StreamSettings()
    urls = {name: (config.venues[name].url if name in config.venues else None) for name in venues}
    symbols = {}
    if refresh:
        symbols = {name: instruments_source(name, settings.symbols_refresh_min_s) for name in venues}
    return StreamManager(
        [pipeline.adapters[name] for name in venues],
        pipeline,
        urls=urls,
        settings=settings,
        symbols=symbols,
    )


async def refresh_notes(manager: StreamManager) -> None:
    """Fetch instruments for venues that subscribe without symbols and show any fallback note.

    (Venues that need symbols fetch theirs when they first subscribe.)
    """

    async def one(name: str) -> None:
        stream = manager.streams[name]
        if stream.symbols is None or stream.adapter.needs_symbols:
            return
        listed = await stream.symbols.refresh()
        if listed is not None:
            stream.set_note(listed.note)

    await asyncio.gather(*(one(name) for name in manager.streams))


async def print_health_changes(
    manager: StreamManager,
    write: Callable[[str], object],
    stop: asyncio.Event,
    every_s: float = 1.0,
) -> None:
    """Write a line whenever a venue's state or quiet flag changes, until ``stop``."""
    seen: dict[str, tuple[str, bool]] = {}
    while not stop.is_set():
        for health in manager.health():
            now = (health.state, health.quiet)
            if seen.get(health.venue) != now:
                seen[health.venue] = now
                detail = ""
                if health.last_disconnect and health.state != "live":
                    detail = f" ({health.last_disconnect})"
                quiet = " quiet" if health.quiet else ""
                write(f"{health.venue}: {health.state}{quiet}{detail}")
        try:
            async with asyncio.timeout(every_s):
                await stop.wait()
        except TimeoutError:
            pass

"""``liqterm watch``: the live pipeline without a screen, one line per liquidation and alert."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from liqterm.config.schema import Config
from liqterm.engine import Engine
from liqterm.recording.feed import EngineFeed
from liqterm.recording.lines import to_json
from liqterm.streams.live import build_manager, print_health_changes, refresh_notes
from liqterm.streams.settings import StreamSettings
from liqterm.telegram import build_forwarder
from liqterm.telegram.commands import snapshot_status
from liqterm.venues.base import VenueAdapter


async def watch(
    config: Config,
    venues: Sequence[str],
    write_line: Callable[[str], object],
    write_status: Callable[[str], object],
    stop: asyncio.Event,
    *,
    json_lines: bool = False,
    refresh: bool = True,
    settings: StreamSettings | None = None,
    adapters: dict[str, VenueAdapter] | None = None,
    status_every_s: float = 1.0,
) -> EngineFeed:
    """Stream ``venues`` into an engine until ``stop``; returns the feed's counters.

    Args:
        config: configuration (thresholds, venue URLs).
        venues: venue ids to connect.
        write_line: receives each liquidation/alert line (stdout).
        write_status: receives venue state changes (stderr).
        stop: set it to finish (Ctrl-C does, in the CLI).
        json_lines: write the replay ``--json`` records instead of text
            (cascade changes included).
        refresh: fetch instruments over REST (else cached/bundled only).
        settings: stream tunables (tests shorten them).
        adapters: adapters to use instead of the registry's (tests).
        status_every_s: how often venue states are checked for changes.

    Alerts are forwarded to Telegram when ``[telegram] enabled`` (the token from
    the environment or the token file); its state is reported on ``write_status``.
    """

    def emit(record: dict[str, Any], text: str) -> None:
        if json_lines:
            write_line(to_json(record))
        elif record["type"] != "cascade":
            write_line(text)

    engine = Engine(config)
    forwarder, telegram_status = build_forwarder(
        config.telegram, status_provider=snapshot_status(engine.snapshot)
    )
    if config.telegram.enabled:
        write_status(f"telegram: {telegram_status.label}")
    feed = EngineFeed(engine, emit, on_alert=forwarder.submit if forwarder else None)
    manager = build_manager(
        config, venues, feed.on_events, settings=settings, refresh=refresh, adapters=adapters
    )
    if forwarder is not None:
        await forwarder.start()
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(manager.run(stop))
            group.create_task(print_health_changes(manager, write_status, stop, status_every_s))
            if refresh:
                group.create_task(refresh_notes(manager))
    finally:
        if forwarder is not None:
            await forwarder.stop()
    return feed

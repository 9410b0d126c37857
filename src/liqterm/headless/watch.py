"""``liqterm watch``: the live pipeline without a screen, one line per liquidation and alert.

It is how liqterm runs on a server, so it keeps the same state as the app: the
engine is rebuilt from the state store at start (24 h whales, windows, alert
cooldowns) and every accepted event and cooldown is saved again, so a restart
forgets nothing and never sends an alert twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from liqterm.config.schema import Config
from liqterm.engine import Engine
from liqterm.notify import build_notifier
from liqterm.pipeline import AlertCallback, LineSink, Pipeline, StoreSink
from liqterm.recording.lines import to_json
from liqterm.recording.writer import RecordingWriter
from liqterm.state import StateStore
from liqterm.streams.live import build_manager, live_adapters, print_health_changes, refresh_notes
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
    adapters: Mapping[str, VenueAdapter] | None = None,
    status_every_s: float = 1.0,
    state_path: Path | None = None,
    record: Path | None = None,
) -> Pipeline:
    """Stream ``venues`` through the pipeline until ``stop``; returns the pipeline (its tallies).

    Args:
        config: configuration (thresholds, venue URLs).
        venues: venue ids to connect.
        write_line: receives each liquidation/alert line (stdout).
        write_status: receives venue state changes and start-up notes (stderr).
        stop: set it to finish (Ctrl-C does, in the CLI).
        json_lines: write the replay ``--json`` records instead of text
            (cascade changes included).
        refresh: fetch instruments over REST (else cached/bundled only).
        settings: stream tunables (tests shorten them).
        adapters: adapters to use instead of the registry's (tests).
        status_every_s: how often venue states are checked for changes.
        state_path: the state file (default: the one the app uses, under the data dir).
        record: also keep every raw frame and connection marker in this recording.

    Alerts are forwarded to Telegram when ``[telegram] enabled`` (the token from
    the environment or the token file) and to every ``[[notify]]`` destination; their
    state is reported on ``write_status``. No sound and no desktop notification here.
    """

    def emit(record: dict[str, Any], text: str) -> None:
        if json_lines:
            write_line(to_json(record))
        elif record["type"] != "cascade":
            write_line(text)

    store, report = await asyncio.to_thread(StateStore.open, state_path)
    engine = Engine(config)
    report.restore(engine)
    if report.message:
        write_status(f"state: {report.message}")
    recorder = RecordingWriter(record) if record is not None else None
    sinks: list[object] = [] if recorder is None else [recorder]
    sinks += [LineSink(engine, emit), StoreSink(store, engine)]
    pipeline = Pipeline(engine, live_adapters(config, venues, adapters), sinks)
    forwarder, telegram_status = build_forwarder(
        config.telegram, status_provider=snapshot_status(engine.snapshot)
    )
    if config.telegram.enabled:
        write_status(f"telegram: {telegram_status.label}")
    if forwarder is not None:
        pipeline.add_sink(AlertCallback(forwarder.submit))
    notifier, notify_status = build_notifier(config.notify)
    if notifier is not None:
        write_status(notify_status.label)
        pipeline.add_sink(notifier)
    manager = build_manager(config, pipeline, settings=settings, refresh=refresh)
    try:
        if forwarder is not None:
            await forwarder.start()
        if notifier is not None:
            await notifier.start()
        async with asyncio.TaskGroup() as group:
            group.create_task(manager.run(stop))
            group.create_task(print_health_changes(manager, write_status, stop, status_every_s))
            if refresh:
                group.create_task(refresh_notes(manager))
            if recorder is not None:
                group.create_task(_flush_on_quiet_feeds(recorder, stop))
    finally:
        if forwarder is not None:
            await forwarder.stop()
        if notifier is not None:
            await notifier.stop()
        if recorder is not None:
            await asyncio.to_thread(recorder.close)
        await asyncio.to_thread(store.close)
    return pipeline


async def _flush_on_quiet_feeds(recorder: RecordingWriter, stop: asyncio.Event) -> None:
    """Write buffered frames out at least once a second even when nothing new arrives."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1.0):
                await stop.wait()
        if recorder.flush_due():
            recorder.flush()

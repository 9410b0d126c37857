"""The headless pipeline with persistence, as a child process the kill -9 test can SIGKILL.

Not a test module. ``python pipeline_child.py VENUE URL STATE_FILE`` restores the
engine from STATE_FILE, streams VENUE from URL through the pipeline (the state store a sink) and
writes one JSON line per happening to stdout, flushed at once (so the parent sees
exactly what happened before the kill):

* ``{"t": "restored", "events": n, "whales": {...}}`` after the restore,
* ``{"t": "live"}`` when subscribed,
* ``{"t": "E", "id": [...], "wall": ms}`` per accepted event,
* ``{"t": "A", "kind": ..., "key": ..., "at": ms}`` per alert,
* ``{"t": "final", ...}`` after SIGTERM, once the store is closed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

from liqterm.engine import Alert, Engine, IngestResult
from liqterm.model import Liquidation
from liqterm.pipeline import Pipeline, StoreSink
from liqterm.state import StateStore
from liqterm.streams import StreamSettings, VenueStream
from liqterm.venues import ADAPTERS, load_offline_instruments

SETTINGS = StreamSettings(open_timeout_s=2.0, close_timeout_s=0.5, backoff_base_s=0.05, backoff_cap_s=0.2)


def emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def whales(engine: Engine) -> dict[str, Any]:
    stats = engine.snapshot().whales_all
    if stats is None:
        return {"count": 0}
    return {
        "count": stats.count,
        "long": stats.long_usd,
        "short": stats.short_usd,
        "largest": stats.largest.identity if stats.largest else None,
    }


async def main(venue: str, url: str, state: Path) -> None:
    load_offline_instruments([venue])
    store, report = StateStore.open(state)
    engine = Engine()
    restored = report.restore(engine)
    emit({"t": "restored", "events": restored, "whales": whales(engine), "message": report.message})

    class Lines:
        """A pipeline sink writing what the engine did, line by line, before the kill can come."""

        def on_event(self, event: Liquidation, result: IngestResult) -> None:
            emit({"t": "E", "id": list(event.identity), "wall": time.time_ns() // 1_000_000})

        def on_alerts(self, alerts: list[Alert], cause: Liquidation | None) -> None:
            for alert in alerts:
                emit({"t": "A", "kind": alert.kind, "key": alert.key, "at": alert.at_ms})

    adapter = ADAPTERS[venue]
    pipeline = Pipeline(engine, {venue: adapter}, [StoreSink(store, engine), Lines()])
    keepalive = dataclasses.replace(adapter.keepalive, ping_interval_s=0.15, silence_timeout_s=2.0)
    stream = VenueStream(adapter, url, pipeline.inlet(venue), settings=SETTINGS, keepalive=keepalive)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)

    async def announce_live() -> None:
        for _ in range(3_000):  # polled: the stream has no "went live" event to wait on
            if stream.health().state == "live":
                emit({"t": "live"})
                return
            await asyncio.sleep(0.01)

    announcer = asyncio.create_task(announce_live())
    await stream.run(stop)
    announcer.cancel()
    store.close()
    emit(
        {
            "t": "final",
            "events_total": engine.events_total,
            "duplicates": engine.duplicates,
            "whales": whales(engine),
            "written": store.status().written,
        }
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], Path(sys.argv[3])))

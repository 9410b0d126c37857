"""kill -9 in the middle of a burst, then a restart: the state comes back, nothing counts twice.

The parent runs the fake Binance server and sends a burst of distinct liquidations;
the child (pipeline_child.py: stream -> StateStore.ingest -> engine) reports every
event it accepts and every alert. The child is SIGKILLed mid-burst, a second child
starts on the same state file, and the server sends the whole burst again (as a
venue re-sending after a reconnect would).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import signal
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from fault_table import full, record
from stream_helpers import wait_until
from venue_rig import events, frames
from websockets.exceptions import ConnectionClosed

from liqterm.demo.servers import FakeVenueServer
from liqterm.engine import Engine
from liqterm.model import Liquidation
from liqterm.venues.binance import BinanceAdapter

CHILD = Path(__file__).with_name("pipeline_child.py")
FLUSH_BOUND_MS = 1_000


class Child:
    """One pipeline_child process and everything it has said so far."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[dict[str, Any]] = []
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, url: str, state: Path) -> Child:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(CHILD), "binance", url, str(state), stdout=asyncio.subprocess.PIPE, env=env
        )
        return cls(process)

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for line in self.process.stdout:
            self.lines.append(json.loads(line))

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [line for line in self.lines if line["t"] == kind]

    async def said(self, kind: str, within_s: float = 15.0) -> dict[str, Any]:
        await wait_until(lambda: bool(self.of(kind)), within_s, f"child said {kind}")
        return self.of(kind)[0]

    async def finish(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(sig)
        async with asyncio.timeout(10):
            await self.process.wait()
            await self._reader


def _identity(event: Liquidation) -> tuple:
    return tuple(event.identity)


def _persisted(state: Path) -> set[tuple]:
    with contextlib.closing(sqlite3.connect(state)) as db:
        rows = db.execute("SELECT venue, symbol, side, price, quantity, exchange_ms FROM events").fetchall()
    return {tuple(row) for row in rows}


def _whales(engine: Engine) -> dict[str, Any]:
    stats = engine.snapshot().whales_all
    if stats is None:
        return {"count": 0}
    return {
        "count": stats.count,
        "long": stats.long_usd,
        "short": stats.short_usd,
        "largest": list(stats.largest.identity) if stats.largest else None,
    }


async def test_kill_9_during_a_burst_then_restart(tmp_path: Path) -> None:
    count = 10_000 if full() else 3_000
    chosen = [dataclasses.replace(e, received_ms=e.exchange_ms) for e in events(count)]
    by_id = {_identity(e): e for e in chosen}
    texts = frames("binance", BinanceAdapter(), chosen)
    state = tmp_path / "state.sqlite3"
    async with FakeVenueServer("binance", server_ping=(0.1, 0.4)) as server:
        first = await Child.start(server.url, state)
        try:
            await first.said("live")
            await server.wait_for_clients(1)

            async def paced() -> None:
                for start in range(0, len(texts), 50):
                    await _send(server, texts[start : start + 50])
                    await asyncio.sleep(0.02)

            sender = asyncio.create_task(paced())
            # mid-burst, after at least one commit (so the restart has something to show)
            await wait_until(
                lambda: len(first.of("E")) >= count // 3 and state.exists() and bool(_persisted(state)),
                20,
                "a third of the burst, partly saved",
            )
            killed_wall = time.time_ns() // 1_000_000
            await first.finish(signal.SIGKILL)
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
        finally:
            if first.process.returncode is None:
                await first.finish(signal.SIGKILL)
        assert first.process.returncode == -signal.SIGKILL

        accepted_1 = [tuple(line["id"]) for line in first.of("E")]
        walls_1 = {tuple(line["id"]): line["wall"] for line in first.of("E")}
        persisted = _persisted(state)
        assert persisted <= set(accepted_1), "the file holds an event the child never accepted"
        unsaved = set(accepted_1) - persisted
        assert all(walls_1[i] >= killed_wall - FLUSH_BOUND_MS - 500 for i in unsaved), (
            "lost more than the last unflushed second"
        )

        # what the killed engine held at its last commit is what the restart must show
        reference = Engine()
        reference.restore([by_id[i] for i in accepted_1 if i in persisted])  # in live order
        second = await Child.start(server.url, state)
        try:
            restored = await second.said("restored")
            assert restored["events"] == len(persisted)
            assert restored["whales"] == _whales(reference)
            await second.said("live")
            await server.wait_for_clients(1)
            started = time.monotonic()
            await _send(server, texts)  # the whole burst again
            await wait_until(lambda: len(second.of("E")) + len(persisted) >= count, 30, "all events")
            recovered_s = time.monotonic() - started
            await asyncio.sleep(0.2)  # anything still to come (it must not) would show now
            await second.finish(signal.SIGTERM)
        finally:
            if second.process.returncode is None:
                await second.finish(signal.SIGKILL)
        final = second.of("final")[0]

    accepted_2 = [tuple(line["id"]) for line in second.of("E")]
    # no event ingested twice by the restored engine; together they are the whole burst, once
    assert not set(accepted_2) & persisted
    assert len(accepted_2) == len(set(accepted_2))
    assert persisted | set(accepted_2) == set(by_id)
    clean = Engine()
    expected_alerts = Counter()
    for event in chosen:
        for alert in clean.ingest(event).alerts:
            # Cascade warnings also come when time alone passes, and the children's clock is
            # their receive time (seconds apart between the runs): the events' own alerts are
            # what must survive the kill exactly.
            if alert.kind != "cascade_warning":
                expected_alerts[(alert.kind, alert.key, alert.at_ms)] += 1
    assert final["whales"] == _whales(clean) and final["events_total"] == count

    alerts_1 = Counter((a["kind"], a["key"], a["at"]) for a in first.of("A"))
    alerts_2 = Counter((a["kind"], a["key"], a["at"]) for a in second.of("A"))
    newest_saved = max((by_id[i].exchange_ms for i in persisted), default=0)
    lost = set(expected_alerts) - set(alerts_1) - set(alerts_2)
    repeated = {a for a in set(alerts_1) & set(alerts_2) if a[2] <= newest_saved}
    assert not lost, f"alerts lost across the kill: {sorted(lost)[:5]}"
    assert not repeated, f"alerts raised again for saved events: {sorted(repeated)[:5]}"
    delivered = len(set(alerts_1) | set(alerts_2))
    record(
        "process",
        "pipeline",
        f"kill -9 after {len(accepted_1):,} of {count:,} burst events",
        f"{len(persisted):,} restored (whale pane equal), {len(unsaved)} unsaved in the last second, "
        f"burst complete once in {recovered_s:.1f} s",
        frames=count,
        recovered=len(persisted),
        alerts_sent=delivered,
        alerts_expected=len(expected_alerts),
    )


async def _send(server: FakeVenueServer, texts: list[str]) -> None:
    for client in list(server.clients):
        if client.subscribed.is_set():
            with contextlib.suppress(ConnectionClosed):  # the killed child's connection
                for text in texts:
                    await client.send(text, data=True)

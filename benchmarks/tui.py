"""The app under a burst: tick cost and key-press latency while 2,000 events/s are ingested.

Headless (``App.run_test``, 200×60), the real app and widgets, a 500-row tape
and 30 cascade meters. Events are the bundled recording's real liquidations
(spread over the five venues as in the demo) replayed round and round with fresh
timestamps, 20 every 10 ms on the app's own event loop, as the venue workers
would deliver them. Measured:

- tick: one ``Engine.snapshot()`` and the update of every widget (``LiqtermApp.tick``);
- render: Textual's layout and compositor work that follows (time spent in
  ``Screen._refresh_layout`` and ``Screen._compositor_refresh``), per tick;
- keys: time for ``pilot.press`` to return (the key handled and the screen idle),
  for the view keys, pause/follow, the filter dialog and the cursor;
- tape alternatives: a keyed ``DataTable`` taking the same per-tick diff (add the
  new rows, remove the evicted ones) against the Line-API tape.

Targets: under 10 ms per tick (snapshot → screen update), keys answered within 100 ms.
Run: ``.venv/bin/python benchmarks/tui.py`` (or ``make bench``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import statistics
import tempfile
import time
from pathlib import Path

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable

from liqterm.config import Config
from liqterm.demo import bundled_frames, scaled_thresholds, spread_over_venues
from liqterm.model import Liquidation
from liqterm.tui.app import LiqtermApp
from liqterm.venues import ADAPTERS

RATE = 2_000
BATCH = 20
SECONDS = 6.0
TICK_TARGET_MS = 10.0
KEY_TARGET_MS = 100.0
SIZE = (200, 60)


def real_events() -> list[Liquidation]:
    events: list[Liquidation] = []
    for frame in spread_over_venues(bundled_frames()):
        events += ADAPTERS[frame.venue].parse(frame.frame, frame.received_ms)
    return events


class EventPump:
    """Real events with fresh, increasing timestamps, ``RATE`` per second of event time."""

    def __init__(self, events: list[Liquidation]) -> None:
        self.events = events
        self.index = 0
        self.start_ms = events[0].exchange_ms

    def take(self, count: int) -> list[Liquidation]:
        out = []
        for _ in range(count):
            event = self.events[self.index % len(self.events)]
            ms = self.start_ms + self.index * 1000 // RATE
            out.append(dataclasses.replace(event, exchange_ms=ms, received_ms=ms + 50))
            self.index += 1
        return out


class RenderTimer:
    """Accumulates the time Textual spends laying out and compositing, and when each frame ended."""

    def __init__(self) -> None:
        self.total = 0.0
        self.frame_ends: list[float] = []
        self._originals: dict[str, object] = {}

    def install(self) -> None:
        for name in ("_refresh_layout", "_compositor_refresh"):
            original = getattr(Screen, name)
            self._originals[name] = original

            def timed(screen, *args, _original=original, _name=name, **kwargs):
                started = time.perf_counter()
                try:
                    return _original(screen, *args, **kwargs)
                finally:
                    ended = time.perf_counter()
                    self.total += ended - started
                    if _name == "_compositor_refresh":
                        self.frame_ends.append(ended)

            setattr(Screen, name, timed)

    def remove(self) -> None:
        for name, original in self._originals.items():
            setattr(Screen, name, original)


class ActionTimer:
    """When each action (what a key is bound to) finished."""

    def __init__(self, app: App) -> None:
        self.done: list[tuple[str, float]] = []
        original = app.run_action

        async def timed(action, *args, **kwargs):
            try:
                return await original(action, *args, **kwargs)
            finally:
                self.done.append((str(action), time.perf_counter()))

        app.run_action = timed  # type: ignore[method-assign]


KEYS = [
    "p",
    "space",
    "3",
    "1",
    "r",
    "r",
    "down",
    "down",
    "up",
    "slash",
    "escape",
    "w",
    "tab",
    "question_mark",
    "escape",
    "h",
    "escape",
]


async def press(app: App, key: str, actions: ActionTimer, frames: RenderTimer) -> tuple[float, float]:
    """Post ``key`` as the terminal driver would; ms until its action ran and until the next frame."""
    from textual import events

    character = {"space": " ", "slash": "/", "question_mark": "?"}.get(key, key if len(key) == 1 else None)
    seen = len(actions.done)
    posted = time.perf_counter()
    app.post_message(events.Key(key, character))
    async with asyncio.timeout(10):
        while len(actions.done) == seen:  # noqa: ASYNC110 (the app's own state; nothing to await)
            await asyncio.sleep(0.001)
        handled = actions.done[seen][1]
        while not frames.frame_ends or frames.frame_ends[-1] < handled:  # noqa: ASYNC110
            await asyncio.sleep(0.001)
    shown = next(end for end in frames.frame_ends if end >= handled)
    return (handled - posted) * 1000, (shown - posted) * 1000


async def burst(tick_hz: float, events: list[Liquidation]) -> dict[str, object]:
    config = Config()
    config = dataclasses.replace(config, tui=dataclasses.replace(config.tui, tape_rows=500, meters=30))
    path = Path(tempfile.mkdtemp()) / "config.toml"
    pump = EventPump(events)
    app = LiqtermApp(config, path, engine_config=scaled_thresholds, clock=lambda: pump.start_ms)
    snapshots: list[float] = []
    widgets: list[float] = []
    renders: list[float] = []
    handled: list[float] = []
    shown: list[float] = []
    timer = RenderTimer()
    stop = asyncio.Event()
    ingest_s = 0.0
    ingested = 0

    async def ingest() -> None:
        nonlocal ingest_s, ingested
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while not stop.is_set():
            started = time.perf_counter()
            for event in pump.take(BATCH):
                app.ingest(event.venue, [event])
            ingested += BATCH
            ingest_s += time.perf_counter() - started
            next_at += BATCH / RATE
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    measuring = True

    async def tick() -> None:
        while not stop.is_set():
            before = timer.total
            started = time.perf_counter()
            # exactly what LiqtermApp.tick does, timed in two parts
            snapshot = app.take_snapshot()
            middle = time.perf_counter()
            app.present(snapshot, app.venue_health())
            ended = time.perf_counter()
            await asyncio.sleep(1 / tick_hz)
            if measuring:
                snapshots.append((middle - started) * 1000)
                widgets.append((ended - middle) * 1000)
                renders.append((timer.total - before) * 1000)

    async with app.run_test(size=SIZE):
        timer.install()
        actions = ActionTimer(app)
        try:
            tasks = [asyncio.create_task(ingest()), asyncio.create_task(tick())]
            await asyncio.sleep(1.0)  # fill the tape and the meters first
            for values in (snapshots, widgets, renders):
                values.clear()
            ingested, ingest_s = 0, 0.0
            started = time.monotonic()
            await asyncio.sleep(SECONDS)  # ticks alone: no key presses, no dialogs
            measuring = False  # then the keys, still under the burst (ticks not counted)
            while time.monotonic() - started < 2 * SECONDS:
                for key in KEYS:
                    handled_ms, shown_ms = await press(app, key, actions, timer)
                    handled.append(handled_ms)
                    shown.append(shown_ms)
                    await asyncio.sleep(0.1)
            elapsed = time.monotonic() - started
            stop.set()
            await asyncio.gather(*tasks)
            snapshot = app.engine.snapshot()
            on_screen = (len(app.main.tape.keys), len(app.main.query_one("#meters").keys))
        finally:
            timer.remove()
    return {
        "hz": tick_hz,
        "snapshots": snapshots,
        "widgets": widgets,
        "renders": renders,
        "handled": handled,
        "shown": shown,
        "rate": ingested / elapsed,
        "ingest_share": ingest_s / elapsed,
        "assets": len(snapshot.meters),
        "on_screen": on_screen,
    }


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable(id="table")


async def datatable_diff(per_tick: int, rows: int = 500, ticks: int = 20) -> list[float]:
    """A keyed DataTable taking the tape's per-tick diff (add new rows, remove evicted ones)."""
    app = TableApp()
    out = []
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        table.add_columns("time", "venue", "symbol", "side", "size", "price", "USD", "class", "x")
        seq = 0
        for _ in range(rows):
            seq += 1
            table.add_row(
                "17:51:25",
                "binance",
                "BTCUSDT",
                "LONG",
                "0.5",
                "107,000.1",
                "$53.5k",
                "large",
                "",
                key=str(seq),
            )
        await pilot.pause()
        for _ in range(ticks):
            started = time.perf_counter()
            for _ in range(per_tick):
                seq += 1
                table.add_row(
                    "17:51:25",
                    "binance",
                    "BTCUSDT",
                    "LONG",
                    "0.5",
                    "107,000.1",
                    "$53.5k",
                    "large",
                    "",
                    key=str(seq),
                )
                table.remove_row(str(seq - rows))
            await pilot.pause()
            out.append((time.perf_counter() - started) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    events = real_events()
    print(
        f"{len(events)} real events cycled at {RATE}/s, tape 500 rows, 30 meters, {SIZE[0]}x{SIZE[1]} "
        f"headless, {SECONDS:.0f} s per run"
    )
    for hz in (5.0, 10.0):
        r = asyncio.run(burst(hz, events))
        snap, wid, ren = r["snapshots"], r["widgets"], r["renders"]
        total = [a + b + c for a, b, c in zip(snap, wid, ren, strict=False)]
        print(
            f"\ntick at {hz:g} Hz: {len(total)} ticks, ingested {r['rate']:,.0f} events/s "
            f"({r['ingest_share']:.0%} of the loop), {r['assets']} assets in the engine's meters, "
            f"tape/meters on screen {r['on_screen']}"
        )
        for name, values in (
            ("engine snapshot", snap),
            ("widget updates", wid),
            ("render", ren),
            ("snapshot -> screen", total),
        ):
            print(
                f"  {name:<20} median {statistics.median(values):6.2f} ms   p95 {pct(values, 0.95):6.2f} ms"
            )
        own = statistics.median([b + c for b, c in zip(wid, ren, strict=False)])
        median = statistics.median(total)
        print(
            f"  target < {TICK_TARGET_MS:.0f} ms per tick: ratio {median / TICK_TARGET_MS:.2f}"
            f" (median), {pct(total, 0.95) / TICK_TARGET_MS:.2f} (p95); widgets + render alone "
            f"{own / TICK_TARGET_MS:.2f}"
        )
        handled, shown = r["handled"], r["shown"]
        print(
            f"  {len(handled)} key presses: action done median {statistics.median(handled):.1f} ms, "
            f"on screen median {statistics.median(shown):.1f} ms, p95 {pct(shown, 0.95):.1f} ms, "
            f"max {max(shown):.1f} ms; target < {KEY_TARGET_MS:.0f} ms: "
            f"ratio {pct(shown, 0.95) / KEY_TARGET_MS:.2f} (p95)"
        )
    per_tick = RATE // 5
    table = asyncio.run(datatable_diff(per_tick))
    print(
        f"\nDataTable instead of the Line-API tape, {per_tick} rows added and {per_tick} removed per tick on "
        f"500 (2,000/s at 5 Hz): median {statistics.median(table):.1f} ms per tick with its render, "
        f"ratio {statistics.median(table) / TICK_TARGET_MS:.1f} to the target"
    )


if __name__ == "__main__":
    main()

"""The app under a burst: tick cost and key-press latency while 2,000 events/s are ingested.

Headless (``App.run_test``, 200×60), the real app and widgets, a 500-row tape
and 30 cascade meters. Events are the bundled recording's real liquidations
(spread over the five venues as in the demo) replayed round and round with fresh
timestamps, 20 every 10 ms on the app's own event loop, as the venue workers
would deliver them. Measured:

- tick: one ``Engine.snapshot()`` and the update of every widget (``LiqtermApp.tick``);
- render: Textual's layout and compositor work that follows (time spent in
  ``Screen._refresh_layout`` and ``Screen._compositor_refresh``), per tick. The app
  itself uses no private Textual API; this instrumentation does, and is written for
  the Textual version the test extra pins (it stops with a message if they are gone);
- the same tick in this thread's CPU time, beside the wall-clock figures: on a shared
  machine other processes lengthen the latter, not the former;
- keys: time for ``pilot.press`` to return (the key handled and the screen idle),
  for the view keys, pause/follow, the filter dialog and the cursor;
- tape alternatives: a keyed ``DataTable`` taking the same per-tick diff (add the
  new rows, remove the evicted ones) against the Line-API tape.

Target: a tick, snapshot → screen (engine snapshot + widget updates + render), has a
p95 under 25 ms at 2,000 events/s with the default 5 Hz tick; the 10 Hz run is
shown against the same figure for information. Keys answered within 100 ms (p95).
Every figure printed is measured in the run.
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
TICK_SECONDS = {5.0: 20.0, 10.0: 10.0}
"""Seconds of ticks measured per rate: about 100 ticks each, so the p95 is not one outlier."""
KEY_SECONDS = 6.0
TARGET_HZ = 5.0
TICK_TARGET_MS = 25.0
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
    """Accumulates the time Textual spends laying out and compositing, and when each frame ended.

    A layout composites too (``_refresh_layout`` calls ``_compositor_refresh``): only the
    outermost of the two is counted, so no time is counted twice.
    """

    NAMES = ("_refresh_layout", "_compositor_refresh")

    def __init__(self) -> None:
        self.total = 0.0
        self.cpu = 0.0
        """The same, in this thread's CPU time (what other processes on the machine do not add)."""
        self.layouts = 0
        self.frame_ends: list[float] = []
        self._originals: dict[str, object] = {}
        self._depth = 0

    def install(self) -> None:
        missing = [name for name in self.NAMES if not hasattr(Screen, name)]
        if missing:
            raise SystemExit(f"this Textual has no Screen.{missing[0]}: run with the test extra's pin")
        for name in self.NAMES:
            original = getattr(Screen, name)
            self._originals[name] = original

            def timed(screen, *args, _original=original, _name=name, **kwargs):
                started, cpu = time.perf_counter(), time.thread_time()
                self._depth += 1
                try:
                    return _original(screen, *args, **kwargs)
                finally:
                    self._depth -= 1
                    ended = time.perf_counter()
                    if not self._depth:
                        self.total += ended - started
                        self.cpu += time.thread_time() - cpu
                    if _name == "_refresh_layout":
                        self.layouts += 1
                    else:  # a frame went out
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
    layouts: list[int] = []
    cpu: list[float] = []
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
            before, laid_out, cpu_before = timer.total, timer.layouts, timer.cpu
            started, cpu_started = time.perf_counter(), time.thread_time()
            # exactly what LiqtermApp.tick does, timed in two parts
            snapshot = app.take_snapshot()
            middle = time.perf_counter()
            app.present(snapshot, app.venue_health())
            ended, cpu_ended = time.perf_counter(), time.thread_time()
            await asyncio.sleep(1 / tick_hz)
            if measuring:
                snapshots.append((middle - started) * 1000)
                widgets.append((ended - middle) * 1000)
                renders.append((timer.total - before) * 1000)
                layouts.append(timer.layouts - laid_out)
                cpu.append((cpu_ended - cpu_started + timer.cpu - cpu_before) * 1000)

    async with app.run_test(size=SIZE):
        timer.install()
        actions = ActionTimer(app)
        try:
            tasks = [asyncio.create_task(ingest()), asyncio.create_task(tick())]
            await asyncio.sleep(1.0)  # fill the tape and the meters first
            for values in (snapshots, widgets, renders, layouts, cpu):
                values.clear()
            ingested, ingest_s = 0, 0.0
            started = time.monotonic()
            await asyncio.sleep(TICK_SECONDS[tick_hz])  # ticks alone: no key presses, no dialogs
            measuring = False  # then the keys, still under the burst (ticks not counted)
            keys_from = time.monotonic()
            while time.monotonic() - keys_from < KEY_SECONDS:
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
        "layouts": layouts,
        "cpu": cpu,
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
        f"headless; ticks measured for {TICK_SECONDS[TARGET_HZ]:.0f} s at {TARGET_HZ:g} Hz, "
        f"{TICK_SECONDS[10.0]:.0f} s at 10 Hz, then {KEY_SECONDS:.0f} s of key presses"
    )
    for hz in TICK_SECONDS:
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
        cpu = r["cpu"]
        print(
            f"  {'(its CPU time)':<20} median {statistics.median(cpu):6.2f} ms   p95 {pct(cpu, 0.95):6.2f} ms"
            "   (this thread alone: a busy machine adds to the figures above, not to these)"
        )
        laid_out = sum(1 for count in r["layouts"] if count)
        print(f"  {laid_out} of {len(total)} ticks laid out the screen (the rest only repainted)")
        p95 = pct(total, 0.95)
        role = "target" if hz == TARGET_HZ else f"for information, the {TARGET_HZ:g} Hz target"
        print(
            f"  {role}: snapshot -> screen p95 < {TICK_TARGET_MS:.0f} ms; measured p95 {p95:.2f} ms "
            f"(median {statistics.median(total):.2f} ms): ratio {p95 / TICK_TARGET_MS:.2f}"
            f"{'' if hz != TARGET_HZ else ' (met)' if p95 < TICK_TARGET_MS else ' (MISSED)'}"
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
        f"{statistics.median(table) / TICK_TARGET_MS:.1f} times the tape's tick target"
    )


if __name__ == "__main__":
    main()

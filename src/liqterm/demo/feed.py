"""``liqterm demo``: the live path, offline, on real liquidations bundled with the package.

The bundled recording holds 3,096 real Binance USD-M liquidations of
2025-10-22 17:42–18:18 UTC. Each event is handed to one of the five venues and
re-encoded in that venue's documented frame shape
(:func:`liqterm.demo.servers.encode.derive_frames`), five local
:class:`~liqterm.demo.servers.FakeVenueServer` s serve them on 127.0.0.1, and the
app connects to them exactly as it connects to the exchanges (VenueStream,
adapter, URL overridden). Nothing downstream knows it is a demo.

Time is the recording's own event time, never re-timed to now: the demo clock
runs from the chosen start at ``speed`` times real time, and every loop shifts
timestamps by whole loop periods so the engine sees new events, not duplicates.
Playback starts at 17:51:19, six seconds before the first cascade episode's
onset (17:51:25), at 5× real time, so within two seconds the tape has about 25
events and the first institutional liquidation (XPL, 17:51:24) has hit the
meters and the whale pane.

The recording is Binance's throttled feed (at most one event per symbol per
second), so its notionals understate the market (CoinGlass puts Binance's
shortfall at 10–20×); the demo runs the thresholds ×0.1 to show the classes and
meters a real session would. Keyboard edits save the real (unscaled) values.

No Textual here: :func:`run_demo` imports the app only when called.
"""

from __future__ import annotations

import asyncio
import calendar
import dataclasses
import json
import math
from collections.abc import Awaitable, Callable, Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from liqterm.config.schema import AssetThresholds, Config, ThresholdConfig, Thresholds
from liqterm.demo.servers.encode import derive_frames, shift_times
from liqterm.demo.servers.playback import LOOP_GAP_MS
from liqterm.demo.servers.server import FakeVenueServer
from liqterm.pipeline import Pipeline
from liqterm.recording.format import RecordedFrame
from liqterm.recording.reader import read_frames
from liqterm.streams.health import VenueHealth
from liqterm.streams.manager import StreamManager
from liqterm.streams.symbols import SymbolList
from liqterm.venues.base import VenueAdapter

RECORDING = "demo-binance-2025-10-22.jsonl.gz"
START_MS = calendar.timegm((2025, 10, 22, 17, 51, 19, 0, 0, 0)) * 1000
"""Playback starts here: 6 s before episode A's onset (17:51:25 UTC)."""
SPEED = 5.0
THRESHOLD_SCALE = 0.1
Job = Callable[[asyncio.Event], Awaitable[None]]
"""A feed task run as one app worker; it returns soon after the event is set."""
SOURCE_NOTE = "demo data: real Binance liquidations of 2025-10-22, re-encoded in this venue's frame shape"


def bundled_frames() -> list[RecordedFrame]:
    """The bundled recording's frames (real Binance events, ``derived`` from a CSV)."""
    with resources.as_file(resources.files("liqterm") / "data" / RECORDING) as path:
        return list(read_frames(path))


def spread_over_venues(frames: list[RecordedFrame]) -> list[RecordedFrame]:
    """Each event handed to one venue and written in its frame shape (see ``encode``)."""
    from liqterm.venues import ADAPTERS, load_offline_instruments

    load_offline_instruments()

    def contract_size(venue: str, symbol: str) -> float | None:
        item = ADAPTERS[venue].instruments.get(symbol)
        return item.contract_size if item is not None and item.linear else None

    out = list(derive_frames(frames, ADAPTERS["binance"].parse, contract_size))
    out.sort(key=lambda frame: frame.received_ms)
    return out


def rotate(frames: list[RecordedFrame], start_ms: int) -> tuple[list[RecordedFrame], int]:
    """Frames from ``start_ms`` on, then the earlier ones one period later; and that period.

    The period is the recording's span plus a gap, in whole seconds (so second-
    resolution time fields shift exactly). Playing the result from ``start_ms``
    and looping every period shows the whole recording, starting mid-way.
    """
    first, last = frames[0].received_ms, frames[-1].received_ms
    period = math.ceil((last - first + LOOP_GAP_MS) / 1000) * 1000
    later = [frame for frame in frames if frame.received_ms >= start_ms]
    earlier = [
        RecordedFrame(
            frame.received_ms + period, frame.venue, shift_times(frame.frame, period), frame.derived
        )
        for frame in frames
        if frame.received_ms < start_ms
    ]
    return later + earlier, period


def scaled_thresholds(config: Config, scale: float = THRESHOLD_SCALE) -> Config:
    """``config`` with every USD threshold times ``scale`` (the demo's engine config)."""
    thresholds = config.thresholds
    default = thresholds.default.scaled(scale)
    assets = {
        name: AssetThresholds(spec.base * scale, spec.whale * scale, spec.cascade * scale, spec.sessions)
        for name, spec in thresholds.assets.items()
    }
    scaled = ThresholdConfig(
        Thresholds(default.base, default.whale, default.cascade),
        thresholds.sessions,
        MappingProxyType(assets),
    )
    return dataclasses.replace(config, thresholds=scaled)


def symbols_of(frames: list[RecordedFrame], venue: str) -> list[str]:
    """The symbols ``venue``'s frames mention (Bybit subscribes per symbol)."""
    found: set[str] = set()
    for frame in frames:
        if frame.venue == venue:
            for row in json.loads(frame.frame).get("data", ()):
                found.add(row["s"])
    return sorted(found)


class DemoFeed:
    """Local venue servers playing the bundled recording, and the clock of their timeline.

    Args:
        frames: the source recording (default: the bundled one).
        speed: times real time.
        start_ms: recording time playback starts at.
        loops: stop serving after this many passes (0 = forever).
        scale: threshold scale of the demo's engine.
    """

    mode = "demo"

    def __init__(
        self,
        frames: list[RecordedFrame] | None = None,
        *,
        speed: float = SPEED,
        start_ms: int = START_MS,
        loops: int = 0,
        scale: float = THRESHOLD_SCALE,
    ) -> None:
        self.source = frames
        self.speed = speed
        self.start_ms = start_ms
        self.loops = loops
        self.scale = scale
        self.badge = f"DEMO {speed:g}× · demo data · thresholds ×{scale:g}"
        self.threshold_note = f"The demo runs every threshold ×{scale:g}; the values here are saved as typed."
        self.servers: dict[str, FakeVenueServer] = {}
        self.manager: StreamManager | None = None
        self.period_ms = 0
        self._origin: float | None = None

    def clock(self) -> int:
        """Recording time now: the start plus wall time since the servers started, times speed."""
        if self._origin is None:
            return self.start_ms
        elapsed = asyncio.get_running_loop().time() - self._origin
        return self.start_ms + int(elapsed * 1000 * self.speed)

    def engine_config(self, config: Config) -> Config:
        return scaled_thresholds(config, self.scale)

    def adapters(self) -> Mapping[str, VenueAdapter]:
        """The registry's adapters, with their bundled or cached instruments."""
        from liqterm.venues import ADAPTERS, load_offline_instruments

        load_offline_instruments()
        return ADAPTERS

    async def open(self, pipeline: Pipeline) -> Mapping[str, Job]:
        """Start the five servers and return one stream job per venue (plus the loop limit)."""
        from liqterm.venues import ADAPTERS

        frames = spread_over_venues(self.source if self.source is not None else bundled_frames())
        frames, self.period_ms = rotate(frames, self.start_ms)
        venues = [venue for venue in ADAPTERS if any(frame.venue == venue for frame in frames)]
        for venue in venues:
            server = FakeVenueServer(
                venue,
                frames,
                speed=self.speed,
                loop=True,
                shared_clock=True,
                loop_shift=True,
                timeline=(self.start_ms, self.period_ms),
            )
            self.servers[venue] = server
            await server.start()
        self._origin = min(server.started_at for server in self.servers.values())
        bybit = symbols_of(frames, "bybit")
        self.manager = StreamManager(
            [ADAPTERS[venue] for venue in venues],
            pipeline,
            urls={venue: server.url for venue, server in self.servers.items()},
            clock=self.clock,
            symbols={"bybit": lambda: SymbolList(tuple(bybit), SOURCE_NOTE)},
        )
        jobs: dict[str, Job] = {}
        for name, stream in self.manager.streams.items():
            stream.set_note(SOURCE_NOTE)
            jobs[name] = stream.run
        if self.loops:
            jobs["demo-loops"] = self._finish_after_loops
        return jobs

    async def _finish_after_loops(self, stop: asyncio.Event) -> None:
        seconds = self.loops * self.period_ms / 1000 / self.speed
        try:
            await asyncio.wait_for(stop.wait(), seconds)
        except TimeoutError:
            for server in self.servers.values():
                server.faults.silent = True
            self.badge = f"DEMO finished ({self.loops} loop{'s' if self.loops > 1 else ''}) · demo data"

    def health(self) -> tuple[VenueHealth, ...]:
        if self.manager is None:
            return ()
        self.manager.update_quiet(self.clock())
        return self.manager.health()

    async def close(self) -> None:
        """Stop every server (their clients are closed with 1001 going away)."""
        await asyncio.gather(*(server.stop() for server in self.servers.values()), return_exceptions=True)


def run_demo(config: Config, path: Path, loops: int = 0) -> None:
    """``liqterm demo``: open the app on the local servers (the CLI's entry point)."""
    from liqterm.telegram.status import TelegramStatus
    from liqterm.tui.app import LiqtermApp, run_app

    feed = DemoFeed(loops=loops)
    app = LiqtermApp(
        config,
        path,
        feed=feed,
        engine_config=feed.engine_config,
        telegram=TelegramStatus.off("the demo does not forward alerts"),
    )
    app.threshold_note = feed.threshold_note
    run_app(app)

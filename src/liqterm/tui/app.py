"""The liqterm app: holds the pipeline, runs the feed's workers, and ticks snapshots to the screen.

Data flow: each feed job (one per venue) is a Textual worker that puts its frames
into the app's :class:`~liqterm.pipeline.Pipeline` (decode, the engine, then the
sinks: the state store, the recorder, Telegram and the session's scorecard). No
widget is touched per event. A clock tick (``[tui] tick_hz``, 4–10 Hz) takes one
:meth:`Engine.snapshot` (a pure read) and :meth:`LiqtermApp.present` hands it, with
venue health, the clock and the scorecard, to every widget inside one
``batch_update``. Tests and screenshots call :meth:`present` themselves with
injected snapshots and a frozen clock, and run no feed.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from textual.app import App
from textual.reactive import var
from textual.worker import Worker, WorkerState

from liqterm.config.schema import Config
from liqterm.engine import Alert, Engine, EngineSnapshot
from liqterm.model import VENUE_IDS, Liquidation
from liqterm.notify import Notifier, NotifyStatus
from liqterm.pipeline import AlertCallback, Pipeline, StoreSink
from liqterm.recording.writer import RecordingWriter
from liqterm.scorecard import shipped_figures, shipped_summary
from liqterm.state import StateStore
from liqterm.streams.frames import wall_ms
from liqterm.streams.health import VenueHealth
from liqterm.telegram.status import TelegramStatus
from liqterm.tui.alerting import LocalAlerts
from liqterm.tui.scoring import SessionScore
from liqterm.tui.screens.main import MainScreen
from liqterm.tui.sources import AlertForwarder, Feed

log = logging.getLogger(__name__)

MIN_TICK_HZ, MAX_TICK_HZ = 4.0, 10.0
STOP_TIMEOUT_S = 3.0
GC_THRESHOLD = (50_000, 20, 20)
"""The collector's thresholds while the app runs (see ``on_mount``)."""


def _same(config: Config) -> Config:
    return config


class LiqtermApp(App[None]):
    """The terminal liquidation monitor.

    Args:
        config: the configuration as loaded from (and saved to) ``config_path``.
        config_path: where keyboard changes are saved.
        feed: where events come from; ``None`` runs no workers and no tick (tests).
        engine: an engine to use (tests prepare one); default: a fresh one.
        clock: epoch ms "now" when there is no feed (tests freeze it).
        engine_config: turns the file's config into the engine's (the demo scales
            thresholds); keyboard edits are saved unscaled.
        forwarder: a started-on-mount Telegram forwarder, or ``None``.
        telegram: the Telegram status to show when there is no forwarder.
        store: persists accepted events, whales and cooldowns (live only); its note,
            when saving fails, is shown in the health bar.
        recorder: the raw-frame recording to flush and close on quit (``liqterm --record``).
        notifier: the ``[[notify]]`` destinations (a pipeline sink), started on mount, or ``None``.
    """

    CSS_PATH = "liqterm.tcss"
    TITLE = "liqterm"

    snapshot: var[EngineSnapshot | None] = var(None, always_update=True)
    """The latest snapshot presented (detail screens read it)."""

    def __init__(
        self,
        config: Config,
        config_path: Path,
        *,
        feed: Feed | None = None,
        engine: Engine | None = None,
        clock: Callable[[], int] | None = None,
        engine_config: Callable[[Config], Config] = _same,
        forwarder: AlertForwarder | None = None,
        telegram: TelegramStatus | None = None,
        store: StateStore | None = None,
        recorder: RecordingWriter | None = None,
        notifier: Notifier | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.config_path = config_path
        self.feed = feed
        self.engine_config = engine_config
        self.engine = engine or Engine(engine_config(config))
        self.clock: Callable[[], int] = feed.clock if feed is not None else (clock or wall_ms)
        self.mode = feed.mode if feed is not None else "live"
        self.badge = ""
        """Banner badge when there is no feed (tests); a feed's own badge wins."""
        self.threshold_note = ""
        """Shown in the threshold editor (the demo says its thresholds are scaled)."""
        self.forwarder = forwarder
        self.telegram = telegram or TelegramStatus.off()
        self.store = store
        self.recorder = recorder
        sinks: list[object] = [] if recorder is None else [recorder]
        if store is not None:
            sinks.append(StoreSink(store, self.engine))
        sinks.append(AlertCallback(self._alerted))
        self.notifier = notifier
        if notifier is not None:
            sinks.append(notifier)
        self.local_alerts: LocalAlerts | None = None
        """The bell and desktop notifications: in front of the user only (live and demo)."""
        if self.mode in ("live", "demo"):
            self.local_alerts = LocalAlerts(self)
            sinks.append(self.local_alerts)
        self.pipeline = Pipeline(self.engine, feed.adapters() if feed is not None else {}, sinks)
        """Frames from the feed's jobs through the engine to the store, recorder and alert sinks."""
        self.worker_failures: dict[str, str] = {}
        self.scorecard = SessionScore()
        """This session's cascade warnings against onsets (every alert the engine raises)."""
        self.shipped_figures = shipped_figures()
        """The shipped predictor's backtest figures with their data (read once)."""
        self.shipped = shipped_summary()
        self._stop = asyncio.Event()
        self._shut_down = False
        self._gc_threshold: tuple[int, int, int] | None = None
        self.main = MainScreen()

    # -- start and stop --------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.push_screen(self.main)
        # Everything built so far (Textual, styles, the screen) lives as long as the app. Freezing
        # it keeps full garbage collections from re-scanning it: under a burst they otherwise
        # pause the loop for ~100 ms every few seconds (benchmarks/tui.py).
        self.call_after_refresh(gc.freeze)
        # A burst allocates tens of thousands of short-lived objects a second (events, rows,
        # strips). At the default thresholds (700, 10, 10) the collector then runs hundreds of
        # times a second and promotes whatever is alive at that instant into ever larger older
        # generations: at 2,000 events/s that cost ~1 ms of the median tick and most of its
        # p95 (render p95 ~20 ms -> ~8 ms, benchmarks/tui.py). Restored when the app unmounts.
        self._gc_threshold = gc.get_threshold()
        gc.set_threshold(*GC_THRESHOLD)
        if self.feed is not None:
            self.run_worker(self._open_feed(self.feed), name="feed", group="feed", exit_on_error=False)
            hz = min(MAX_TICK_HZ, max(MIN_TICK_HZ, self.config.tui.tick_hz))
            self.set_interval(1 / hz, self.tick, name="tick")
        if self.forwarder is not None:
            self.run_worker(self.forwarder.start(), name="telegram", group="telegram", exit_on_error=False)
        if self.notifier is not None:
            self.run_worker(self.notifier.start(), name="notify", group="notify", exit_on_error=False)

    async def _open_feed(self, feed: Feed) -> None:
        jobs = await feed.open(self.pipeline)
        for name, job in jobs.items():
            # One group per venue: exclusive=True cancels only the other workers of its own group.
            group = f"venue-{name}" if name in VENUE_IDS else f"feed-{name}"
            self.run_worker(
                job(self._stop),
                name=name,
                group=group,
                exclusive=True,
                exit_on_error=False,
                description=f"{name} liquidation feed",
            )

    async def action_quit(self) -> None:
        """Quit cleanly: streams stopped, servers and Telegram closed, then exit."""
        await self.shutdown()
        self.exit()

    async def shutdown(self) -> None:
        """Stop every feed job and close the feed and the forwarder (idempotent, bounded)."""
        if self._shut_down:
            return
        self._shut_down = True
        self._stop.set()
        jobs = [w for w in self.workers if w.group.startswith(("venue-", "feed-"))]
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(STOP_TIMEOUT_S):
                await asyncio.gather(*(job.wait() for job in jobs), return_exceptions=True)
        if self.feed is not None:
            await _bounded(self.feed.close(), "closing the feed")
        if self.forwarder is not None:
            await _bounded(self.forwarder.stop(), "stopping Telegram")
        if self.notifier is not None:
            await _bounded(self.notifier.stop(), "stopping notifications")
        if self.recorder is not None:
            await _bounded(asyncio.to_thread(self.recorder.close), "closing the recording")
        if self.store is not None:
            await _bounded(asyncio.to_thread(self.store.close), "saving state")

    async def on_unmount(self) -> None:
        await self.shutdown()
        if self._gc_threshold is not None:
            gc.set_threshold(*self._gc_threshold)

    # -- data in -------------------------------------------------------------------------------

    def ingest(self, venue: str, events: list[Liquidation]) -> None:
        """Events already decoded (tests, benchmarks) into the pipeline, as a feed's would go."""
        self.pipeline.inlet(venue).events(events)

    def _alerted(self, alert: Alert) -> None:
        """Every alert the pipeline admits: the scorecard counts cascade warnings and onsets,
        Telegram gets all it is set up to forward."""
        self.scorecard.on_alert(alert)
        if self.forwarder is not None:
            self.forwarder.submit(alert)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR and worker.group.startswith("venue-"):
            venue = worker.group.removeprefix("venue-")
            self.worker_failures[venue] = f"worker failed: {worker.error!r}"
            log.error("%s feed worker failed", venue, exc_info=worker.error)
        elif event.state is WorkerState.ERROR:
            log.error("%s worker failed", worker.name, exc_info=worker.error)

    # -- data out ------------------------------------------------------------------------------

    def venue_health(self) -> tuple[VenueHealth, ...]:
        """The feed's health, with failed workers shown as down."""
        health = self.feed.health() if self.feed is not None else ()
        if not self.worker_failures:
            return health
        failed = dict(self.worker_failures)
        merged = [
            dataclasses.replace(h, state="down", last_disconnect=failed.pop(h.venue))
            if h.venue in failed
            else h
            for h in health
        ]
        merged += [_failed_health(venue, reason) for venue, reason in failed.items()]
        return tuple(merged)

    def telegram_status(self) -> TelegramStatus:
        return self.forwarder.status if self.forwarder is not None else self.telegram

    def notify_status(self) -> NotifyStatus:
        return self.notifier.status if self.notifier is not None else NotifyStatus()

    def tick(self) -> None:
        """One snapshot of the engine to every widget."""
        self.present(self.take_snapshot(), self.venue_health())

    def take_snapshot(self) -> EngineSnapshot:
        """The tick's snapshot: meters only for the assets the pane shows (the predictor runs per
        meter), and no cross-venue correlations (no pane shows them; an event's detail takes its
        own snapshot)."""
        meters = self.main.meters_shown or self.config.tui.meters
        return self.engine.snapshot(max_meters=meters, correlations=False)

    def present(
        self, snapshot: EngineSnapshot, health: tuple[VenueHealth, ...] = (), now_ms: int | None = None
    ) -> None:
        """Show ``snapshot`` (what the tick does; tests inject their own)."""
        self.snapshot = snapshot
        screen = self.main
        with self.batch_update():
            screen.now_ms = self.clock() if now_ms is None else now_ms
            screen.health = health
            screen.telegram = self.telegram_status()
            screen.notifications = self.notify_status()
            screen.persistence = self.store.note if self.store is not None else None
            screen.badge = self.feed.badge if self.feed is not None else self.badge
            screen.snapshot = snapshot
            screen.scorecard = self.scorecard.view(snapshot.at_ms)

    # -- configuration -------------------------------------------------------------------------

    def apply_config(self, config: Config) -> None:
        """Use a config just saved to the file: the engine gets it live (thresholds, policy)."""
        self.config = config
        self.engine.set_config(self.engine_config(config))


async def _bounded(step: Coroutine[Any, Any, None], what: str) -> None:
    """Await ``step`` for at most ``STOP_TIMEOUT_S``; a failure is logged, quitting goes on."""
    try:
        async with asyncio.timeout(STOP_TIMEOUT_S):
            await step
    except Exception:
        log.exception("%s failed", what)


def _failed_health(venue: str, reason: str) -> VenueHealth:
    return VenueHealth(
        venue=venue,
        state="down",
        connected_since_ms=None,
        reconnects=0,
        frames=0,
        events=0,
        rejected=0,
        last_reject_reason=None,
        last_event_ms=None,
        last_frame_ms=None,
        quiet=False,
        throttle_note=None,
        note=None,
        last_disconnect=reason,
    )


def run_app(app: LiqtermApp) -> None:
    """Run the app in the terminal (the CLI's commands end here)."""
    app.run()


def run_live(config: Config, path: Path, record: Path | None = None) -> None:
    """``liqterm``: connect to every enabled venue and open the monitor.

    The engine is rebuilt from the saved state first (whales, windows, cooldowns),
    alerts go to Telegram when enabled and to every ``[[notify]]`` destination, and
    ``record`` keeps every raw frame.
    """
    import sys

    from liqterm.notify import build_notifier
    from liqterm.recording.writer import RecordingWriter
    from liqterm.state import StateStore
    from liqterm.telegram.commands import snapshot_status
    from liqterm.telegram.forwarder import build_forwarder
    from liqterm.tui.sources import LiveFeed

    print("liqterm: restoring saved state…", file=sys.stderr, flush=True)
    store, report = StateStore.open()
    engine = Engine(config)
    report.restore(engine)
    if report.message:
        print(f"liqterm: {report.message}", file=sys.stderr, flush=True)
    recorder = RecordingWriter(record) if record is not None else None
    notifier, _ = build_notifier(config.notify)
    app = LiqtermApp(
        config, path, feed=LiveFeed(config), engine=engine, store=store, recorder=recorder, notifier=notifier
    )
    app.forwarder, app.telegram = build_forwarder(
        config.telegram, status_provider=snapshot_status(lambda: app.snapshot)
    )
    try:
        run_app(app)
    finally:
        if recorder is not None:
            recorder.close()
        store.close()


def run_replay(config: Config, path: Path, recording: Path, speed: float | None) -> None:
    """``liqterm replay FILE`` on a terminal: the recording through the app (REPLAY badge)."""
    from liqterm.tui.sources import ReplayFeed

    run_app(LiqtermApp(config, path, feed=ReplayFeed(recording, speed)))

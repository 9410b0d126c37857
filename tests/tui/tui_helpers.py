"""Helpers for the app tests: real events, an engine fed with them, a frozen clock, health values.

The events are the bundled recording's real Binance liquidations from 17:51:19
to 17:52:07 UTC (the demo's opening), spread over the five venues exactly as the
demo does; the engine runs the demo's scaled thresholds so every class shows.
No test runs a venue worker or reads the wall clock: snapshots are injected with
``LiqtermApp.present`` (what the tick does) and the clock is frozen.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path

from liqterm.config import Config
from liqterm.demo import START_MS, bundled_frames, scaled_thresholds, spread_over_venues
from liqterm.engine import Engine, EngineSnapshot
from liqterm.model import Liquidation
from liqterm.streams.health import VenueHealth
from liqterm.telegram.status import TelegramStatus
from liqterm.tui.app import LiqtermApp
from liqterm.venues import ADAPTERS

END_MS = START_MS + 48_000
THROTTLED = {"binance": "at most one liquidation per symbol per second", "okx": "one per second"}
STARTER = """# my liqterm settings
[tui]
# how fast the screen refreshes
tick_hz = 5.0

[thresholds.assets.BTC]  # bitcoin
base = 500000.0
whale = 1000000.0
cascade = 2500000.0
"""


@lru_cache(maxsize=1)
def demo_events() -> tuple[Liquidation, ...]:
    """Real events of the demo's first 48 s of recording time, decoded by each venue's adapter."""
    frames = [f for f in bundled_frames() if START_MS <= f.received_ms < END_MS]
    events: list[Liquidation] = []
    for frame in spread_over_venues(frames):
        events += ADAPTERS[frame.venue].parse(frame.frame, frame.received_ms)
    return tuple(events)


class FillPredictor:
    """A fixed stand-in for the cascade predictor: the 60 s USD as a share of the cascade threshold.

    The shipped predictor's coefficients are refitted from time to time; the app's
    tests and snapshots must not change when they are.
    """

    name = "fill"
    observes_buckets = False

    def new_state(self, ref_price: float) -> None:
        return None

    def observe(self, state: object, bucket: list) -> None:
        return None

    def probability(self, flow, now_ms: int, cascade_usd: float) -> float:
        return min(0.99, (flow.long_60s + flow.short_60s) / cascade_usd / 1.5)


def demo_engine(count: int | None = None, config: Config | None = None) -> Engine:
    """An engine with the demo's thresholds that has ingested the first ``count`` events."""
    engine = Engine(scaled_thresholds(config or Config()), predictor=FillPredictor())
    for event in demo_events()[:count]:
        engine.ingest(event)
    return engine


def frozen_now(snapshot: EngineSnapshot) -> int:
    """The frozen clock: 1.5 s after the snapshot's last event."""
    return snapshot.at_ms + 1_500


def health_values(now_ms: int, down: str | None = None) -> tuple[VenueHealth, ...]:
    """Five venues, all live (``down``: that venue has failed three connection attempts)."""
    values = []
    for index, venue in enumerate(("binance", "bybit", "okx", "gateio", "bitget")):
        live = venue != down
        values.append(
            VenueHealth(
                venue=venue,
                state="live" if live else "down",
                connected_since_ms=now_ms - 60_000 if live else None,
                reconnects=0 if live else 3,
                frames=120 + index,
                events=100 + index,
                rejected=index % 2,
                last_reject_reason="unknown symbol XYZUSDT" if index % 2 else None,
                last_event_ms=now_ms - 1_000 * (index + 1) if live else now_ms - 95_000,
                last_frame_ms=now_ms - 500,
                quiet=False,
                throttle_note=THROTTLED.get(venue),
                note=None,
                last_disconnect=None if live else "connect failed: [Errno 111] Connection refused",
            )
        )
    return tuple(values)


def make_app(config_path: Path, engine: Engine | None = None, config: Config | None = None) -> LiqtermApp:
    """An app with no feed (no workers, no tick) and a frozen clock; its scorecard has seen the
    engine's alerts so far."""
    engine = engine or demo_engine()
    snapshot = engine.snapshot()
    app = LiqtermApp(
        config or Config(),
        config_path,
        engine=engine,
        clock=lambda: frozen_now(snapshot),
        engine_config=scaled_thresholds,
        telegram=TelegramStatus.off(),
    )
    app.badge = "DEMO 5× · demo data · thresholds ×0.1"
    for alert in reversed(snapshot.alerts):  # the engine was fed directly: as if through app.ingest
        app.scorecard.on_alert(alert)
    return app


def show(app: LiqtermApp, engine: Engine | None = None, down: str | None = None) -> EngineSnapshot:
    """Inject the engine's snapshot the way the tick does; returns it."""
    snapshot = (engine or app.engine).snapshot()
    app.present(snapshot, health_values(frozen_now(snapshot), down), frozen_now(snapshot))
    return snapshot


def replace_tui(config: Config, **changes: object) -> Config:
    return dataclasses.replace(config, tui=dataclasses.replace(config.tui, **changes))


def text_of(path: Path) -> str:
    return path.read_text(encoding="utf-8")

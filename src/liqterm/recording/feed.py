"""Events into the engine, outcomes out as records: shared by replay and watch.

For each event the engine accepts (not a duplicate, not implausible) it emits
the liquidation, then each alert it raised, then a cascade line when the
asset's probability has moved by at least :data:`CASCADE_STEP` since the last
one reported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from liqterm.engine import Alert, Engine, session_at
from liqterm.model import Liquidation
from liqterm.recording.lines import (
    alert_record,
    alert_text,
    cascade_record,
    liquidation_record,
    liquidation_text,
)

CASCADE_STEP = 0.05
"""A cascade line is emitted when an asset's probability moved at least this much."""

Emit = Callable[[dict[str, Any], str], None]
"""``emit(record, human_text)``: receives each liquidation, alert and cascade line."""


class EngineFeed:
    """Feeds one engine and reports what happened.

    Args:
        engine: the engine (fresh for a reproducible replay).
        emit: receives ``(record, text)`` for every outcome.
        on_alert: also receives each alert (live forwarding, e.g. to Telegram).
    """

    def __init__(self, engine: Engine, emit: Emit, on_alert: Callable[[Alert], object] | None = None) -> None:
        self.engine = engine
        self.emit = emit
        self.on_alert = on_alert
        self.events = 0
        self.duplicates = 0
        self.engine_rejected = 0
        self.alerts = 0
        self.cascade_changes = 0
        self._reported: dict[str, float] = {}

    def feed(self, event: Liquidation) -> bool:
        """Ingest one event; ``False`` when the engine dropped it (duplicate or implausible)."""
        engine = self.engine
        duplicates, rejected = engine.duplicates, engine.rejected
        alerts = engine.ingest(event)
        if engine.duplicates != duplicates:
            self.duplicates += 1
            return False
        if engine.rejected != rejected:
            self.engine_rejected += 1
            return False
        self.events += 1
        cls = engine.classify(event)
        self.emit(
            liquidation_record(event, cls, session_at(event.exchange_ms).name), liquidation_text(event, cls)
        )
        for alert in alerts:
            self.alerts += 1
            self.emit(alert_record(alert), alert_text(alert))
            if self.on_alert is not None:
                self.on_alert(alert)
        probability = engine.probability(event.asset)
        if abs(probability - self._reported.get(event.asset, 0.0)) >= CASCADE_STEP:
            self._reported[event.asset] = probability
            self.cascade_changes += 1
            self.emit(
                cascade_record(event.asset, probability, event.exchange_ms),
                f"cascade probability {event.asset} {probability:.2f}",
            )
        return True

    def on_events(self, venue: str, events: list[Liquidation]) -> None:
        """An ``EventSink`` for :mod:`liqterm.streams`."""
        for event in events:
            self.feed(event)

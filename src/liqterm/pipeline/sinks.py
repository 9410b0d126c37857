"""The sinks every mode plugs into the pipeline: lines out, state saved, alerts passed on.

The recorder is :class:`~liqterm.recording.writer.RecordingWriter` itself (it has
``on_frame`` and ``on_marker``); the app's screens read the engine's snapshots on
their own clock and need no sink.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from liqterm.engine import Alert, Engine, IngestResult
from liqterm.model import Liquidation
from liqterm.recording.lines import (
    alert_record,
    alert_text,
    cascade_record,
    liquidation_record,
    liquidation_text,
)
from liqterm.state.store import StateStore

CASCADE_STEP = 0.05
"""A cascade line is emitted when an asset's probability moved at least this much."""

Emit = Callable[[dict[str, Any], str], None]
"""``emit(record, human_text)``: receives each liquidation, alert and cascade line."""


class LineSink:
    """Every accepted liquidation, every alert and every cascade change as a record and a line.

    ``liqterm replay`` (``--json`` or text) and ``liqterm watch`` print what this emits.
    For each accepted event it emits the liquidation, then each alert it raised, then a
    cascade line when the asset's probability has moved by at least :data:`CASCADE_STEP`
    since the last one reported; alerts time alone raised come on their own.

    Args:
        engine: the pipeline's engine (asked for the asset's probability after each event).
        emit: receives ``(record, text)`` for every line.
    """

    def __init__(self, engine: Engine, emit: Emit) -> None:
        self.engine = engine
        self.emit = emit
        self.cascade_changes = 0
        self._reported: dict[str, float] = {}

    def on_event(self, event: Liquidation, result: IngestResult) -> None:
        emit = self.emit
        cls = result.cls or ""
        emit(liquidation_record(event, cls, result.session or ""), liquidation_text(event, cls))
        for alert in result.alerts:
            emit(alert_record(alert), alert_text(alert))
        asset = event.asset
        probability = self.engine.probability(asset)
        if abs(probability - self._reported.get(asset, 0.0)) >= CASCADE_STEP:
            self._reported[asset] = probability
            self.cascade_changes += 1
            emit(
                cascade_record(asset, probability, event.exchange_ms),
                f"cascade probability {asset} {probability:.2f}",
            )

    def on_alerts(self, alerts: list[Alert], cause: Liquidation | None) -> None:
        if cause is not None:  # already emitted with the liquidation that raised them
            return
        for alert in alerts:
            self.emit(alert_record(alert), alert_text(alert))


class StoreSink:
    """Saves what a restart needs: the accepted events (whales marked) and the alert cooldowns."""

    def __init__(self, store: StateStore, engine: Engine) -> None:
        self.store = store
        self.engine = engine

    def on_event(self, event: Liquidation, result: IngestResult) -> None:
        self.store.add_event(event, result.cls or "")

    def on_alerts(self, alerts: list[Alert], cause: Liquidation | None) -> None:
        self.store.add_cooldowns([self.engine.cooldown_row(alert) for alert in alerts])


class AlertCallback:
    """Hands every admitted alert, whatever raised it, to ``callback`` (Telegram, the scorecard)."""

    def __init__(self, callback: Callable[[Alert], object]) -> None:
        self.callback = callback

    def on_alerts(self, alerts: list[Alert], cause: Liquidation | None) -> None:
        callback = self.callback
        for alert in alerts:
            callback(alert)


class EngineSink:
    """Keeps a second engine in step with the pipeline's: the same accepted events, the same clock.

    The backtest scores several predictors at once, each in its own engine, on one
    decode of the recording.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def on_event(self, event: Liquidation, result: IngestResult) -> None:
        self.engine.ingest(event)

    def on_advance(self, at_ms: int) -> None:
        self.engine.advance_to(at_ms)

"""The pipeline: frames in, decoded with each venue's rules, through the engine, out to every sink.

One :class:`Pipeline` owns the whole path for every way liqterm runs: the live
monitor and ``watch`` (frames from the connections), ``demo`` (frames from local
venue servers), ``replay`` and the backtest (frames from a recording). Each
source hands frames to the venue's :class:`VenueInlet`, which counts them in the
venue's one :class:`~liqterm.pipeline.tally.VenueTally`, decodes them with the
venue's adapter, applies the venue's cut-off (a venue that replays the past right
after a subscription has it dropped), and gives the events to the engine. What the
engine says happened goes to the sinks.

Time: the engine's clock moves with the events' own times, and, so that windows
roll and cascades end while a market is quiet, the pipeline also advances it to the
receive time of the first frame of every new second. Receive times are recorded
with the frames, so a replay moves the clock exactly as the live run did and gives
exactly its events and alerts.

Sinks are plain objects with any of these hooks (a missing hook is simply not called):

* ``on_frame(venue, received_ms, text)``: every raw frame, before it is decoded
  (the recorder);
* ``on_marker(marker)``: every :class:`~liqterm.recording.format.ConnectionMarker`
  (the recorder);
* ``on_event(event, result)``: every event the engine accepted, with its
  :class:`~liqterm.engine.IngestResult` (class, session, the alerts it raised);
* ``on_alerts(alerts, cause)``: every non-empty list of admitted alerts, after the
  ``on_event`` of the event that raised them (``cause``), or with ``cause=None``
  when time alone raised them;
* ``on_advance(at_ms)``: the engine's clock was advanced (after its alerts went out).

Live, a failing sink or adapter is logged and counted in the venue's tally and the
pipeline goes on; a replay or backtest (``strict=True``) lets the error through.

The pipeline is on the hot path of every replay, so this module and the tally are
compiled with the engine (see setup.py); the same source runs as plain Python where
no compiler is found.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from liqterm.engine import DUPLICATE, Alert, IngestResult
from liqterm.model import Liquidation
from liqterm.pipeline.tally import VenueTally
from liqterm.recording.format import ConnectionMarker, Record, RecordedFrame
from liqterm.venues.base import CleanReader, Decoded, VenueAdapter, clean_reader

log = logging.getLogger(__name__)

REPLAY_SLACK_MS = 2_000
"""Events up to this much older than the subscription moment are kept (clock skew between
the venue and us); older ones, from a venue that replays the past on subscribe, are dropped."""

_HOOKS = ("on_frame", "on_marker", "on_event", "on_alerts", "on_advance")


class EngineLike(Protocol):
    """What the pipeline needs of its engine (:class:`~liqterm.engine.Engine`; tests use stand-ins)."""

    def ingest(self, event: Liquidation) -> IngestResult: ...

    def advance_to(self, ms: int) -> list[Alert]: ...


def _no_frames(frame: str | bytes, received_ms: int) -> None:
    return None


def _no_decoder(frame: str | bytes, received_ms: int) -> Decoded:
    return Decoded([], "no adapter for this venue")


class VenueInlet:
    """Where one venue's frames and connection moments enter the pipeline.

    A live connection holds one (``pipeline.inlet(venue)``) and calls :meth:`frame` for
    every frame and :meth:`connected`, :meth:`subscribed`, :meth:`disconnected` as its
    connection goes; a recording's frames and markers arrive here through
    :meth:`Pipeline.push`. Never raises in live use.
    """

    __slots__ = ("_clean", "_decode", "_pipeline", "adapter", "cutoff_ms", "tally", "venue")

    def __init__(self, pipeline: Pipeline, venue: str, adapter: VenueAdapter | None) -> None:
        self._pipeline = pipeline
        self.adapter = adapter
        self.venue = venue
        self.tally = VenueTally(venue)
        self.cutoff_ms: int | None = None
        """Events older than this are dropped (set when a subscription is sent)."""
        self._clean: CleanReader = clean_reader(adapter) if adapter is not None else _no_frames
        self._decode: Callable[[str | bytes, int], Decoded] = (
            adapter.decode if adapter is not None else _no_decoder
        )

    def frame(self, text: str, received_ms: int) -> bool:
        """Take one frame (already text); returns whether it named a symbol the adapter does not know."""
        tally = self.tally
        tally.frames += 1
        tally.last_frame_ms = received_ms
        pipeline = self._pipeline
        if pipeline._frame_hooks:
            for hook in pipeline._frame_hooks:
                try:
                    hook(self.venue, received_ms, text)
                except Exception as exc:
                    pipeline._survive(tally, "a frame sink", exc)
        if received_ms >= pipeline._second_end_ms:
            pipeline._tick(received_ms)
        unknown = False
        try:
            events = self._clean(text, received_ms)
            if events is None:
                decoded = self._decode(text, received_ms)
                if decoded.rejected is not None:
                    tally.reject(decoded.rejected)
                    unknown = decoded.unknown_symbol
                events = decoded.events
        except Exception as exc:  # the adapter promises never to raise; don't trust it
            tally.reject(f"adapter error: {type(exc).__name__}")
            pipeline._survive(tally, f"the {self.venue} adapter", exc)
            return False
        if not events:
            return unknown
        cutoff = self.cutoff_ms
        if cutoff is not None:
            fresh = [event for event in events if event.exchange_ms >= cutoff]
            if len(fresh) != len(events):
                tally.dropped_replayed += len(events) - len(fresh)
                events = fresh
                if not events:
                    return unknown
        tally.events += len(events)
        tally.last_event_ms = received_ms
        pipeline._take(tally, events)
        return unknown

    def events(self, events: list[Liquidation], received_ms: int | None = None) -> None:
        """Take events a source has already decoded (a broker carries normalised events)."""
        if not events:
            return
        tally = self.tally
        tally.events += len(events)
        tally.last_event_ms = received_ms if received_ms is not None else events[-1].received_ms
        self._pipeline._take(tally, events)

    def reject(self, reason: str) -> None:
        """Count a frame refused before it could be decoded (oversized, not text)."""
        self.tally.frames += 1
        self.tally.reject(reason)

    def connected(self, at_ms: int) -> None:
        """The venue's websocket opened."""
        self.mark(ConnectionMarker(at_ms, self.venue, "connected"))

    def subscribed(self, at_ms: int) -> None:
        """The subscription was sent: from now on, the past a venue replays is dropped."""
        self.mark(ConnectionMarker(at_ms, self.venue, "subscribed"))

    def disconnected(self, at_ms: int, reason: str = "") -> None:
        """The connection ended (``reason`` for a person reading the recording)."""
        self.mark(ConnectionMarker(at_ms, self.venue, "disconnected", reason))

    def mark(self, marker: ConnectionMarker) -> None:
        """Apply a connection moment (live, or read back from a recording) and pass it on."""
        pipeline = self._pipeline
        for hook in pipeline._marker_hooks:
            try:
                hook(marker)
            except Exception as exc:
                pipeline._survive(self.tally, "a marker sink", exc)
        if marker.kind == "subscribed":
            if self.adapter is not None and self.adapter.drop_replayed_on_subscribe:
                self.cutoff_ms = marker.received_ms - pipeline.replay_slack_ms
            else:
                self.cutoff_ms = None


class Pipeline:
    """Frames → decode → engine → sinks, for one engine and the venues of ``adapters``.

    Args:
        engine: the engine every event goes through (restored from the state store
            beforehand where there is one).
        adapters: venue id → adapter; frames of other venues are counted and skipped.
        sinks: objects with any of the hooks described in the module docstring.
        replay_slack_ms: see :data:`REPLAY_SLACK_MS`.
        strict: let a failing adapter or sink raise (replay, backtest) instead of
            logging and counting it (live).
    """

    def __init__(
        self,
        engine: EngineLike,
        adapters: Mapping[str, VenueAdapter],
        sinks: Sequence[object] = (),
        *,
        replay_slack_ms: int = REPLAY_SLACK_MS,
        strict: bool = False,
    ) -> None:
        self.engine = engine
        self.adapters = adapters
        self.replay_slack_ms = replay_slack_ms
        self.strict = strict
        self.inlets: dict[str, VenueInlet] = {}
        self.sinks: list[object] = []
        self._frame_hooks: list[Callable[[str, int, str], object]] = []
        self._marker_hooks: list[Callable[[ConnectionMarker], object]] = []
        self._event_hooks: list[Callable[[Liquidation, IngestResult], object]] = []
        self._alert_hooks: list[Callable[[list[Alert], Liquidation | None], object]] = []
        self._advance_hooks: list[Callable[[int], object]] = []
        self._ingest: Callable[[Liquidation], IngestResult] = engine.ingest
        self._second_end_ms = -(1 << 62)
        self.unknown_venue_frames = 0
        self.alerts = 0
        self.first_ms: int | None = None
        self.last_ms: int | None = None
        for sink in sinks:
            self.add_sink(sink)

    def add_sink(self, sink: object) -> None:
        """Send what flows through the pipeline to ``sink`` from now on (its hooks, in order)."""
        self.sinks.append(sink)
        lists: tuple[list[Any], ...] = (
            self._frame_hooks,
            self._marker_hooks,
            self._event_hooks,
            self._alert_hooks,
            self._advance_hooks,
        )
        for name, hooks in zip(_HOOKS, lists, strict=True):
            hook = getattr(sink, name, None)
            if callable(hook):
                hooks.append(hook)

    def inlet(self, venue: str) -> VenueInlet:
        """The inlet of ``venue`` (made on first use). A venue without an adapter gets one that
        takes already-decoded events only (its frames are refused, counted as such)."""
        inlet = self.inlets.get(venue)
        if inlet is None:
            inlet = self.inlets[venue] = VenueInlet(self, venue, self.adapters.get(venue))
        return inlet

    # -- sources ---------------------------------------------------------------------------------

    def push(self, record: Record) -> None:
        """One line of a recording: a frame to its venue's inlet, or a connection marker."""
        received_ms = record.received_ms
        if self.first_ms is None:
            self.first_ms = received_ms
        self.last_ms = received_ms
        venue = record.venue
        inlet = self.inlets.get(venue)
        if inlet is None:
            if venue not in self.adapters:
                if type(record) is RecordedFrame:
                    self.unknown_venue_frames += 1
                return
            inlet = self.inlet(venue)
        if type(record) is RecordedFrame:
            inlet.frame(record.frame, received_ms)
        else:
            inlet.mark(record)  # type: ignore[arg-type]

    def play(self, records: Iterable[Record], pace: Callable[[Record], object] | None = None) -> None:
        """Every record of a recording, in order (``pace`` is called before each: a human replay
        sleeps there; it cannot change what comes out). :meth:`push` for each, with the common
        case (a frame of a venue already seen) taken straight to its inlet."""
        inlets = self.inlets
        record: Record | None = None
        for record in records:
            if pace is not None:
                pace(record)
            if type(record) is RecordedFrame:
                inlet = inlets.get(record.venue)
                if inlet is not None:
                    if self.first_ms is None:
                        self.first_ms = record.received_ms
                    inlet.frame(record.frame, record.received_ms)
                    continue
            self.push(record)
        if record is not None:
            self.last_ms = record.received_ms

    # -- time --------------------------------------------------------------------------------------

    def advance_to(self, ms: int) -> list[Alert]:
        """Move the engine's clock on to ``ms``; the alerts time alone raised go to the sinks."""
        alerts = self.engine.advance_to(ms)
        if alerts:
            self._deliver(alerts, None)
        for hook in self._advance_hooks:
            try:
                hook(ms)
            except Exception as exc:
                self._survive(None, "an advance sink", exc)
        return alerts

    def _tick(self, received_ms: int) -> None:
        """The first frame of a new second of receive time: advance the clock to it."""
        self._second_end_ms = (received_ms // 1000 + 1) * 1000
        self.advance_to(received_ms)

    # -- events ------------------------------------------------------------------------------------

    def _take(self, tally: VenueTally, events: list[Liquidation]) -> None:
        ingest = self._ingest
        event_hooks = self._event_hooks
        accepted = 0
        for event in events:
            try:
                result = ingest(event)
            except Exception as exc:  # the engine never raises by design; a bug must not end a feed
                self._survive(tally, "the engine", exc)
                continue
            if not result.accepted:
                if result.reason == DUPLICATE:
                    tally.duplicates += 1
                else:
                    tally.refused += 1
                continue
            accepted += 1
            for hook in event_hooks:
                try:
                    hook(event, result)
                except Exception as exc:
                    self._survive(tally, "an event sink", exc)
            alerts = result.alerts
            if alerts:
                self._deliver(alerts, event)
        tally.accepted += accepted

    def _deliver(self, alerts: list[Alert], cause: Liquidation | None) -> None:
        self.alerts += len(alerts)
        for hook in self._alert_hooks:
            try:
                hook(alerts, cause)
            except Exception as exc:
                self._survive(None, "an alert sink", exc)

    def _survive(self, tally: VenueTally | None, what: str, exc: Exception) -> None:
        """A sink, the engine or an adapter raised: live, log it, count it and go on; strict,
        let it through."""
        if self.strict:
            raise exc
        if tally is not None:
            tally.errors += 1
        log.error("%s failed", what, exc_info=exc)

    # -- totals --------------------------------------------------------------------------------

    def tallies(self) -> dict[str, VenueTally]:
        """Every venue's tally, by venue id."""
        return {venue: inlet.tally for venue, inlet in self.inlets.items()}

    def totals(self) -> dict[str, int]:
        """Frames, accepted events, duplicates, engine refusals and rejected frames over all venues."""
        tallies = self.inlets.values()
        return {
            "frames": sum(i.tally.frames for i in tallies) + self.unknown_venue_frames,
            "events": sum(i.tally.accepted for i in tallies),
            "duplicates": sum(i.tally.duplicates for i in tallies),
            "engine_rejected": sum(i.tally.refused for i in tallies),
            "rejected_frames": sum(i.tally.rejected for i in tallies),
        }

"""Per-venue health: a frozen value for the UI and the mutable tracker behind it.

The connection code updates a :class:`HealthTracker` in place (its state,
reconnects, notes), the pipeline counts frames and events in the venue's
:class:`~liqterm.pipeline.tally.VenueTally`, and anyone who wants to look takes an
immutable :class:`VenueHealth` snapshot of both, so the UI never sees a
half-updated record and never holds a reference into the stream's state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from liqterm.pipeline.tally import VenueTally

State = Literal["connecting", "live", "reconnecting", "stale", "down"]
"""Connection states, in the order a healthy start passes through them."""

STATES: tuple[State, ...] = ("connecting", "live", "reconnecting", "stale", "down")


@dataclass(frozen=True, slots=True)
class VenueHealth:
    """One venue's connection health at one moment (contract for the UI).

    Attributes:
        venue: lower-case venue id.
        state: ``connecting`` (first attempt), ``live`` (connected and subscribed),
            ``reconnecting`` (lost; waiting for or attempting the next connection),
            ``stale`` (the watchdog closed a silent connection; until live again) or
            ``down`` (stopped, or several connection attempts in a row failed).
        connected_since_ms: wall-clock ms when the current connection went live;
            ``None`` when not connected.
        reconnects: connections lost (and retried) since start.
        frames: frames received (data, acks and pongs).
        events: liquidations delivered to the sink.
        rejected: frames (or parts of frames) the adapter rejected, plus oversized
            frames and adapter errors.
        last_reject_reason: the most recent rejection reason, for the UI.
        last_event_ms: receive time of the last delivered liquidation (the UI
            computes the age).
        last_frame_ms: receive time of the last frame of any kind.
        quiet: the venue is connected but has delivered no liquidation for an
            unusually long time while other venues have (a silent path, not an
            outage).
        throttle_note: what the venue leaves out of its feed (from the adapter).
        note: anything else worth showing about the feed, e.g. that the
            instrument list came from a bundled fallback.
        dropped_replayed: events dropped because they predate the subscription
            (venues that replay old events on subscribe).
        errors: exceptions raised by the adapter or the sink (logged and survived).
        last_disconnect: why the previous connection ended (or the last attempt
            failed), e.g. ``"closed by venue: 4004 No data received in 30s."``.
    """

    venue: str
    state: State
    connected_since_ms: int | None
    reconnects: int
    frames: int
    events: int
    rejected: int
    last_reject_reason: str | None
    last_event_ms: int | None
    last_frame_ms: int | None
    quiet: bool
    throttle_note: str | None
    note: str | None
    dropped_replayed: int = 0
    errors: int = 0
    last_disconnect: str | None = None


class HealthTracker:
    """One venue's connection state; :meth:`snapshot` joins it with the venue's pipeline tally
    (frames, events, rejections) into a :class:`VenueHealth`."""

    __slots__ = (
        "connected_since_ms",
        "errors",
        "last_disconnect",
        "note",
        "quiet",
        "reconnects",
        "state",
        "tally",
        "throttle_note",
        "venue",
    )

    def __init__(self, tally: VenueTally, throttle_note: str | None = None) -> None:
        self.venue = tally.venue
        self.tally = tally
        self.state: State = "connecting"
        self.connected_since_ms: int | None = None
        self.reconnects = 0
        self.quiet = False
        self.throttle_note = throttle_note
        self.note: str | None = None
        self.errors = 0
        self.last_disconnect: str | None = None

    @property
    def last_event_ms(self) -> int | None:
        return self.tally.last_event_ms

    def snapshot(self) -> VenueHealth:
        """The current values as an immutable :class:`VenueHealth`."""
        tally = self.tally
        return VenueHealth(
            venue=self.venue,
            state=self.state,
            connected_since_ms=self.connected_since_ms,
            reconnects=self.reconnects,
            frames=tally.frames,
            events=tally.events,
            rejected=tally.rejected,
            last_reject_reason=tally.last_reject_reason,
            last_event_ms=tally.last_event_ms,
            last_frame_ms=tally.last_frame_ms,
            quiet=self.quiet,
            throttle_note=self.throttle_note,
            note=self.note,
            dropped_replayed=tally.dropped_replayed,
            errors=self.errors + tally.errors,
            last_disconnect=self.last_disconnect,
        )

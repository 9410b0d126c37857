"""What happens to one received frame: count, record, answer, decode, filter, deliver.

Everything here is synchronous and survives anything a frame, the adapter or
the sink can throw at it: a bad frame is counted with its reason and skipped;
an exception from the adapter or the sink is logged and counted. Nothing in
this module may end a connection.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from liqterm.model import Liquidation
from liqterm.streams.health import HealthTracker
from liqterm.streams.settings import StreamSettings
from liqterm.venues.base import KeepAlive, VenueAdapter, clean_reader

log = logging.getLogger(__name__)

EventSink = Callable[[str, list[Liquidation]], object]
"""``on_events(venue, events)``: receives every non-empty batch of liquidations."""

FrameSink = Callable[[str, int, str], object]
"""``on_frame(venue, received_ms, text)``: receives every raw frame (for the recorder)."""

UNKNOWN_SYMBOL = "unknown symbol"


@dataclass(frozen=True, slots=True)
class Handled:
    """What the connection must do after a frame.

    Attributes:
        reply: text to send back (the answer to a server application ping).
        unknown_symbol: the adapter did not know a symbol; re-fetch instruments.
    """

    reply: str | None = None
    unknown_symbol: bool = False


NOTHING = Handled()


class FrameHandler:
    """Processes frames for one venue stream (shared by all its connections).

    Args:
        adapter: the venue adapter that decodes frames.
        keepalive: the keep-alive rule in force (the adapter's, or a test override).
        tracker: health counters to update.
        settings: frame size limit and replay slack.
        on_events: the event sink.
        on_frame: the optional raw-frame sink.
    """

    def __init__(
        self,
        adapter: VenueAdapter,
        keepalive: KeepAlive,
        tracker: HealthTracker,
        settings: StreamSettings,
        on_events: EventSink,
        on_frame: FrameSink | None = None,
    ) -> None:
        self.adapter = adapter
        self._clean_events = clean_reader(adapter)
        self.venue = adapter.name
        self.keepalive = keepalive
        self.tracker = tracker
        self.settings = settings
        self.on_events = on_events
        self.on_frame = on_frame
        self.replay_cutoff_ms: int | None = None
        """Events older than this are dropped (set per connection when subscribing)."""

    def start_connection(self, subscribed_ms: int) -> None:
        """Note the subscription moment of a new connection (for replay dropping)."""
        if self.adapter.drop_replayed_on_subscribe:
            self.replay_cutoff_ms = subscribed_ms - self.settings.replay_slack_ms
        else:
            self.replay_cutoff_ms = None

    def handle(self, text: str, received_ms: int) -> Handled:
        """Process one frame already turned into text; never raises."""
        tracker = self.tracker
        tracker.frames += 1
        tracker.last_frame_ms = received_ms
        if len(text) > self.settings.max_frame_bytes:
            tracker.reject(f"oversized frame ({len(text)} chars)")
            return NOTHING
        if self.on_frame is not None:
            try:
                self.on_frame(self.venue, received_ms, text)
            except Exception:
                tracker.errors += 1
                log.exception("%s: frame sink failed", self.venue)
        keepalive = self.keepalive
        if keepalive.is_pong is not None and self._safe_bool(keepalive.is_pong, text):
            return NOTHING
        if keepalive.answer_server_ping is not None:
            reply = self._safe_call(keepalive.answer_server_ping, text)
            if reply is not None:
                return Handled(reply=reply)
        return self._decode(text, received_ms)

    def count_rejection(self, reason: str) -> None:
        """Count a frame refused before it reached :meth:`handle` (e.g. not text)."""
        self.tracker.frames += 1
        self.tracker.reject(reason)

    def _decode(self, text: str, received_ms: int) -> Handled:
        tracker = self.tracker
        unknown = False
        try:
            events = self._clean_events(text, received_ms)
            if events is None:
                decoded = self.adapter.decode(text, received_ms)
                if decoded.rejected is not None:
                    tracker.reject(decoded.rejected)
                    unknown = UNKNOWN_SYMBOL in decoded.rejected.lower()
                events = decoded.events
        except Exception as exc:  # the adapter promises never to raise; don't trust it
            tracker.errors += 1
            tracker.reject(f"adapter error: {type(exc).__name__}")
            log.exception("%s: adapter.decode raised", self.venue)
            return NOTHING
        if events and self.replay_cutoff_ms is not None:
            cutoff = self.replay_cutoff_ms
            fresh = [event for event in events if event.exchange_ms >= cutoff]
            tracker.dropped_replayed += len(events) - len(fresh)
            events = fresh
        if events:
            tracker.events += len(events)
            tracker.last_event_ms = received_ms
            try:
                self.on_events(self.venue, events)
            except Exception:
                tracker.errors += 1
                log.exception("%s: event sink failed", self.venue)
        return Handled(unknown_symbol=True) if unknown else NOTHING

    def _safe_bool(self, check: Callable[[str], bool], text: str) -> bool:
        try:
            return bool(check(text))
        except Exception:
            self.tracker.errors += 1
            log.exception("%s: keep-alive pong check raised", self.venue)
            return False

    def _safe_call(self, answer: Callable[[str], str | None], text: str) -> str | None:
        try:
            return answer(text)
        except Exception:
            self.tracker.errors += 1
            log.exception("%s: keep-alive ping answer raised", self.venue)
            return None

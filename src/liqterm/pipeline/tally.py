"""One venue's counts of what came through the pipeline: the one tally every mode keeps.

Live, the health bar shows them; a replay prints them in its summary; the backtest
reports the rejected frames. All read the same object, kept by the pipeline's
:class:`~liqterm.pipeline.core.VenueInlet` for its venue.
"""

from __future__ import annotations


class VenueTally:
    """Mutable counters for one venue (plain attribute writes: cheap on the hot path).

    Attributes:
        frames: frames received (data, acks and pongs), refused ones included.
        events: liquidations decoded and handed to the engine (after the cut-off).
        accepted: of those, the ones the engine took (not duplicates, not implausible).
        duplicates: of those, the ones the engine had already taken.
        refused: of those, the ones the engine found implausible.
        rejected: frames (or parts of frames) the adapter refused, plus frames refused
            before decoding (oversized, not text).
        last_reject_reason: the most recent rejection reason.
        dropped_replayed: events older than the subscription (venues that replay the
            past on subscribe), dropped by the cut-off.
        errors: exceptions raised by the adapter or a sink (logged and survived).
        last_frame_ms: receive time of the last frame of any kind.
        last_event_ms: receive time of the last frame that held an event.
    """

    __slots__ = (
        "accepted",
        "dropped_replayed",
        "duplicates",
        "errors",
        "events",
        "frames",
        "last_event_ms",
        "last_frame_ms",
        "last_reject_reason",
        "refused",
        "rejected",
        "venue",
    )

    def __init__(self, venue: str) -> None:
        self.venue = venue
        self.frames = 0
        self.events = 0
        self.accepted = 0
        self.duplicates = 0
        self.refused = 0
        self.rejected = 0
        self.last_reject_reason: str | None = None
        self.dropped_replayed = 0
        self.errors = 0
        self.last_frame_ms: int | None = None
        self.last_event_ms: int | None = None

    def reject(self, reason: str) -> None:
        """Count one rejected frame (or part of one) and remember why."""
        self.rejected += 1
        self.last_reject_reason = reason

    def summary(self) -> dict[str, object]:
        """The replay summary's per-venue record (``events`` there are the ones the engine took)."""
        return {
            "frames": self.frames,
            "events": self.accepted,
            "rejected": self.rejected,
            "last_reject_reason": self.last_reject_reason,
        }

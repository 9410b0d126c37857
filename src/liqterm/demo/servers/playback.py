"""When each recorded frame is due: recorded pace scaled by a speed factor, or flat out."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from liqterm.recording.format import RecordedFrame

LOOP_GAP_MS = 1_000
"""Pause between the end of a recording and its next loop, in recording time."""


@dataclass(frozen=True, slots=True)
class Due:
    """One frame to send, ``at_ms`` recording-milliseconds after the playback started."""

    at_ms: float
    frame: RecordedFrame
    cycle: int


class Playback:
    """A venue's frames in receive order, with their offsets from the first.

    Args:
        frames: recorded frames (already filtered to one venue).
        loop: start again after the last frame.
        timeline: ``(origin_ms, period_ms)``: offsets count from recording time
            ``origin_ms`` and a loop lasts ``period_ms``, instead of from this venue's
            first frame and over its own span (several venues then share one
            timeline). Frames before ``origin_ms`` or at/after ``origin_ms + period_ms``
            are not played.
    """

    def __init__(
        self,
        frames: Iterable[RecordedFrame],
        loop: bool = False,
        timeline: tuple[int, int] | None = None,
    ) -> None:
        ordered = sorted(frames, key=lambda record: record.received_ms)
        if timeline is not None:
            origin, period = timeline
            ordered = [record for record in ordered if origin <= record.received_ms < origin + period]
        self.frames = tuple(ordered)
        first = ordered[0].received_ms if ordered else 0
        if timeline is not None:
            first = timeline[0]
        self.offsets = [record.received_ms - first for record in ordered]
        self.loop = loop
        self.period_ms = (self.offsets[-1] + LOOP_GAP_MS) if ordered else 0
        if timeline is not None:
            self.period_ms = timeline[1]

    def __len__(self) -> int:
        return len(self.frames)

    def schedule(self, from_ms: float = 0.0) -> Iterator[Due]:
        """Frames due from recording time ``from_ms`` on (a client joining late)."""
        if not self.frames:
            return
        cycle = 0
        if self.loop and from_ms >= self.period_ms:
            cycle = int(from_ms // self.period_ms)
        start = bisect.bisect_left(self.offsets, from_ms - cycle * self.period_ms)
        while True:
            for index in range(start, len(self.frames)):
                yield Due(cycle * self.period_ms + self.offsets[index], self.frames[index], cycle)
            if not self.loop:
                return
            cycle += 1
            start = 0

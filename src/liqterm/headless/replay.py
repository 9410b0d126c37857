"""Replay a recording through the pipeline the live app runs: same decode, cut-offs, engine.

A replay is deterministic: time comes from the recording (each frame's
``received_ms``, each event's ``exchange_ms``), never from the wall clock, the
connection markers recorded live re-apply the live cut-offs, and the engine is
pure, so the same file gives the same lines every time, and a live recording gives
the live session's events and alerts. The optional ``pace`` callback is the only
place wall time may enter (the human replay sleeps in it); it cannot change what
is emitted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from liqterm.config.schema import Config
from liqterm.engine import Engine
from liqterm.pipeline import LineSink, Pipeline, VenueTally
from liqterm.pipeline.sinks import Emit
from liqterm.recording.format import Record
from liqterm.recording.lines import to_json
from liqterm.recording.reader import RecordingReader
from liqterm.venues import offline_adapters
from liqterm.venues.base import VenueAdapter


@dataclass(slots=True)
class ReplaySummary:
    """Totals of a replay (the last JSON line, and the human summary)."""

    frames: int = 0
    events: int = 0
    duplicates: int = 0
    engine_rejected: int = 0
    alerts: int = 0
    cascade_changes: int = 0
    rejected_frames: int = 0
    unknown_venue_frames: int = 0
    bad_lines: int = 0
    first_ms: int | None = None
    last_ms: int | None = None
    venues: dict[str, VenueTally] = field(default_factory=dict)

    @classmethod
    def of(cls, pipeline: Pipeline, lines: LineSink | None = None, bad_lines: int = 0) -> ReplaySummary:
        """The totals of what ``pipeline`` took in (``lines``: its cascade-change count)."""
        return cls(
            **pipeline.totals(),
            alerts=pipeline.alerts,
            cascade_changes=lines.cascade_changes if lines is not None else 0,
            unknown_venue_frames=pipeline.unknown_venue_frames,
            bad_lines=bad_lines,
            first_ms=pipeline.first_ms,
            last_ms=pipeline.last_ms,
            venues=pipeline.tallies(),
        )

    def record(self) -> dict[str, Any]:
        """``{"type":"summary", ...}`` with venues sorted by name."""
        return {
            "type": "summary",
            "frames": self.frames,
            "events": self.events,
            "duplicates": self.duplicates,
            "engine_rejected": self.engine_rejected,
            "alerts": self.alerts,
            "cascade_changes": self.cascade_changes,
            "rejected_frames": self.rejected_frames,
            "unknown_venue_frames": self.unknown_venue_frames,
            "bad_lines": self.bad_lines,
            "first_ms": self.first_ms,
            "last_ms": self.last_ms,
            "venues": {name: tally.summary() for name, tally in sorted(self.venues.items())},
        }


def replay_frames(
    records: Iterable[Record],
    engine: Engine,
    adapters: Mapping[str, VenueAdapter],
    emit: Emit,
    pace: Callable[[Record], None] | None = None,
) -> ReplaySummary:
    """Play a recording's records through a pipeline into ``engine``, emitting every outcome.

    Args:
        records: the recording's frames and markers, in file order.
        engine: the engine to ingest into (fresh for a reproducible replay).
        adapters: venue id -> adapter; frames of other venues are counted and skipped.
        emit: receives ``(record, text)`` for each accepted liquidation, each alert
            and each cascade probability change (see :class:`LineSink`).
        pace: called before each record (the human replay sleeps here).
    """
    lines = LineSink(engine, emit)
    pipeline = Pipeline(engine, adapters, [lines], strict=True)
    pipeline.play(records, pace)
    return ReplaySummary.of(pipeline, lines)


class Pacer:
    """Sleeps so frames come out at recorded pace times ``speed`` (the human replay).

    Args:
        speed: 1.0 = as recorded, 10.0 = ten times faster.
        sleep: injectable for tests.
        monotonic: injectable for tests.
    """

    def __init__(
        self,
        speed: float,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._sleep = sleep
        self._monotonic = monotonic
        self._origin: tuple[int, float] | None = None

    def __call__(self, record: Record) -> None:
        if self._origin is None:
            self._origin = (record.received_ms, self._monotonic())
            return
        first_ms, started = self._origin
        due = started + (record.received_ms - first_ms) / 1000 / self.speed
        delay = due - self._monotonic()
        if delay > 0:
            self._sleep(delay)


def replay_json(
    path: str | Path,
    out: TextIO,
    config: Config | None = None,
    adapters: Mapping[str, VenueAdapter] | None = None,
) -> ReplaySummary:
    """``liqterm replay FILE --json``: every line to ``out``, then the summary line.

    Same file in, same bytes out: no wall clock is read and keys are in fixed order.
    """
    reader = RecordingReader(path)

    def emit(record: dict[str, Any], _text: str) -> None:
        out.write(to_json(record))
        out.write("\n")

    engine = Engine(config or Config())
    summary = replay_frames(reader, engine, adapters or offline_adapters(), emit)
    summary.bad_lines = reader.bad_lines
    out.write(to_json(summary.record()))
    out.write("\n")
    return summary


def replay_text(
    path: str | Path,
    out: TextIO,
    config: Config | None = None,
    adapters: Mapping[str, VenueAdapter] | None = None,
    pace: Callable[[Record], None] | None = None,
) -> ReplaySummary:
    """Human replay: one text line per liquidation and alert, at ``pace``; returns totals."""
    reader = RecordingReader(path)

    def emit(record: dict[str, Any], text: str) -> None:
        if record["type"] != "cascade":
            out.write(text + "\n")

    engine = Engine(config or Config())
    summary = replay_frames(reader, engine, adapters or offline_adapters(), emit, pace)
    summary.bad_lines = reader.bad_lines
    return summary


def summary_text(summary: ReplaySummary) -> str:
    """A few human lines describing a replay's totals."""
    lines = [
        f"{summary.frames} frames, {summary.events} liquidations, {summary.alerts} alerts, "
        f"{summary.duplicates} duplicates, {summary.rejected_frames} rejected frames, "
        f"{summary.bad_lines} bad lines"
    ]
    for name, tally in sorted(summary.venues.items()):
        reason = f" (last: {tally.last_reject_reason})" if tally.last_reject_reason else ""
        lines.append(
            f"  {name:<8} {tally.frames:>7} frames {tally.accepted:>7} events "
            f"{tally.rejected:>5} rejected{reason}"
        )
    if summary.unknown_venue_frames:
        lines.append(f"  {summary.unknown_venue_frames} frames of venues without an adapter")
    return "\n".join(lines)

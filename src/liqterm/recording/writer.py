"""Writing recordings: batched, flushed on close, gzip when the name ends in ``.gz``.

A :class:`RecordingWriter` is also one of the pipeline's sinks: it takes every raw
frame and every connection marker as they arrive (``on_frame``, ``on_marker``).
"""

from __future__ import annotations

import gzip
import io
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TextIO

from liqterm.recording.format import ConnectionMarker, Record, RecordedFrame, encode_line, is_gzip_path


class RecordingWriter:
    """Appends frames to a recording file.

    Lines are buffered and written in batches (every ``batch`` frames or every
    ``flush_s`` seconds, whichever comes first) so a busy feed costs few system
    calls, and everything is flushed on :meth:`close` (also on leaving a
    ``with`` block, including Ctrl-C).

    Args:
        path: target file; ``.gz`` selects gzip. Parent folders are created.
        batch: frames per write.
        flush_s: longest time a frame waits in the buffer.
        append: add to an existing file instead of replacing it (a gzip file
            then gets a new member, which readers handle transparently).
        monotonic: injectable clock for tests.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        batch: int = 256,
        flush_s: float = 1.0,
        append: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._batch = max(1, batch)
        self._flush_s = flush_s
        self._monotonic = monotonic
        self._buffer: list[str] = []
        self._last_flush = monotonic()
        self.frames = 0
        mode = "ab" if append else "wb"
        raw = gzip.open(self.path, mode) if is_gzip_path(self.path) else open(self.path, mode)
        self._out: TextIO = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
        self.closed = False

    def write(self, record: Record) -> None:
        """Queue one frame or marker; writes the batch when it is full or old enough."""
        if self.closed:
            raise ValueError("recording is closed")
        self._buffer.append(encode_line(record))
        self.frames += 1
        if len(self._buffer) >= self._batch or self.flush_due():
            self.flush()

    def flush_due(self) -> bool:
        """Whether buffered frames have waited ``flush_s`` (poll it from a timer on quiet feeds)."""
        return bool(self._buffer) and self._monotonic() - self._last_flush >= self._flush_s

    def on_frame(self, venue: str, received_ms: int, text: str) -> None:
        """The pipeline's frame hook: record every frame as received."""
        self.write(RecordedFrame(received_ms, venue, text))

    def on_marker(self, marker: ConnectionMarker) -> None:
        """The pipeline's marker hook: record a connection's moments beside its frames."""
        self.write(marker)

    def flush(self) -> None:
        """Write buffered lines and flush them to the operating system."""
        if self._buffer:
            self._out.write("\n".join(self._buffer))
            self._out.write("\n")
            self._buffer.clear()
        self._out.flush()
        self._last_flush = self._monotonic()

    def close(self) -> None:
        """Flush and close (idempotent)."""
        if self.closed:
            return
        try:
            self.flush()
        finally:
            self._out.close()
            self.closed = True

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def write_frames(path: str | Path, records: list[Record] | tuple[Record, ...]) -> int:
    """Write ``records`` to a new recording at ``path``; returns how many were written."""
    with RecordingWriter(path) as writer:
        for record in records:
            writer.write(record)
    return writer.frames

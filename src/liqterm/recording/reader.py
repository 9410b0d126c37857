"""Reading recordings lazily: one record (frame or marker) at a time, bad lines counted and skipped."""

from __future__ import annotations

import gzip
import io
import logging
import zlib
from collections.abc import Iterator
from pathlib import Path

from liqterm.recording.format import BadLine, Record, RecordedFrame, decode_line, is_gzip_path

log = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b"


class RecordingReader:
    """Iterates over the records of a recording file (``.jsonl`` or ``.jsonl.gz``): its frames
    and, in recordings that have them, its connection markers.

    Blank lines are ignored; lines that are not valid frame records are counted
    in :attr:`bad_lines` (with the last reason in :attr:`last_error`) and skipped,
    so one damaged line never loses the rest of a recording. A gzip file cut off
    mid-write (a crash) yields everything up to the damage. Whether a file is gzip is read
    from its first bytes, not its name.

    Args:
        path: the recording file.

    Example:
        >>> reader = RecordingReader("session.jsonl.gz")  # doctest: +SKIP
        >>> for frame in reader: ...  # doctest: +SKIP
        >>> reader.bad_lines  # doctest: +SKIP
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.lines = 0
        self.frames = 0
        self.bad_lines = 0
        self.last_error: str | None = None

    def __iter__(self) -> Iterator[Record]:
        with self._open() as handle:
            try:
                for line in handle:
                    self.lines += 1
                    try:
                        record = decode_line(line)
                    except BadLine as exc:
                        if not line.strip():  # blank: skipped, not counted (checked only here,
                            continue  # as stripping every line costs a copy of it)
                        self._bad(f"line {self.lines}: {exc}")
                        continue
                    self.frames += 1
                    yield record
            except (EOFError, gzip.BadGzipFile, OSError, zlib.error) as exc:
                self._bad(f"truncated or corrupt file after line {self.lines}: {exc}")

    def _open(self) -> io.TextIOBase:
        # The content decides, not the name: a renamed or hand-compressed file still reads.
        if _gzip_content(self.path):
            return io.TextIOWrapper(gzip.open(self.path, "rb"), encoding="utf-8", errors="replace")
        return open(self.path, encoding="utf-8", errors="replace")

    def _bad(self, reason: str) -> None:
        self.bad_lines += 1
        self.last_error = reason
        log.warning("%s: %s", self.path, reason)


def _gzip_content(path: Path) -> bool:
    """Whether the file starts with gzip's magic bytes (an unreadable one: as its name says)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(2) == GZIP_MAGIC
    except OSError:
        return is_gzip_path(path)


def read_records(path: str | Path) -> Iterator[Record]:
    """The records of a recording, frames and markers, lazily (bad lines skipped; use
    RecordingReader to count them)."""
    return iter(RecordingReader(path))


def read_frames(path: str | Path) -> Iterator[RecordedFrame]:
    """The frames of a recording, lazily, without its connection markers."""
    return (record for record in RecordingReader(path) if type(record) is RecordedFrame)

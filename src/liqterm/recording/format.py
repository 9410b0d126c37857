"""The recording format: JSON Lines (optionally gzip), one raw frame per line.

Each line is ``{"received_ms": <int epoch ms>, "venue": "<id>", "frame": "<text>"}``,
with an optional ``"derived": true`` for frames re-encoded from other data (the
demo's four non-Binance venues). ``frame`` is the frame exactly as received, as
text; binary (compressed) frames are stored decompressed. Keys are written in
that fixed order so identical input gives identical files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class RecordedFrame:
    """One frame as it arrived.

    Attributes:
        received_ms: local receive time, wall-clock epoch ms.
        venue: lower-case venue id.
        frame: the frame text, byte for byte as received (after decompression).
        derived: re-encoded from other data rather than received from the venue.
    """

    received_ms: int
    venue: str
    frame: str
    derived: bool = False


class BadLine(ValueError):
    """A recording line that is not a valid frame record."""


def encode_line(record: RecordedFrame) -> str:
    """The JSON line for ``record`` (no trailing newline)."""
    data: dict[str, object] = {
        "received_ms": record.received_ms,
        "venue": record.venue,
        "frame": record.frame,
    }
    if record.derived:
        data["derived"] = True
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def decode_line(line: str) -> RecordedFrame:
    """Parse one recording line.

    Raises:
        BadLine: the line is not JSON or misses/mistypes a required key.
    """
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"not JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise BadLine("not a JSON object")
    received_ms = data.get("received_ms")
    venue = data.get("venue")
    frame = data.get("frame")
    if not isinstance(received_ms, int) or isinstance(received_ms, bool):
        raise BadLine("received_ms is not an integer")
    if not isinstance(venue, str) or not venue:
        raise BadLine("venue is not a string")
    if not isinstance(frame, str):
        raise BadLine("frame is not a string")
    return RecordedFrame(received_ms, venue, frame, data.get("derived") is True)


def is_gzip_path(path: str | Path) -> bool:
    """Whether ``path`` names a gzip-compressed recording (``.gz`` suffix)."""
    return str(path).endswith(".gz")

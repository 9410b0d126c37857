"""The recording format: JSON Lines (optionally gzip), one raw frame or connection marker per line.

A frame line is ``{"received_ms": <int epoch ms>, "venue": "<id>", "frame": "<text>"}``,
with an optional ``"derived": true`` for frames re-encoded from other data (the
demo's four non-Binance venues). ``frame`` is the frame exactly as received, as
text; binary (compressed) frames are stored decompressed.

A marker line is ``{"received_ms": <int>, "venue": "<id>", "marker": "<kind>"}`` with
an optional ``"detail"``: the connection's ``connected``, ``subscribed`` and
``disconnected`` moments. They let a replay apply exactly the cut-offs the live app
applied (a venue that replays the past on subscribe has it dropped from the
subscription moment on). Recordings made before markers existed simply have none,
and a reader that predates them counts their lines as bad and skips them.

Keys are written in a fixed order so identical input gives identical files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

try:  # a replay reads each line and then its frame: orjson reads both ~3x faster than json
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover - orjson is a dependency; the stdlib gives the same frames
    _fast_loads = json.loads


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


MARKER_KINDS: tuple[str, ...] = ("connected", "subscribed", "disconnected")


@dataclass(frozen=True, slots=True)
class ConnectionMarker:
    """A moment in the life of one venue's connection.

    Attributes:
        received_ms: local time of the moment, wall-clock epoch ms (the frames' clock).
        venue: lower-case venue id.
        kind: ``connected`` (the websocket opened), ``subscribed`` (the subscription was
            sent: the cut-off for venues that replay the past), ``disconnected``.
        detail: why a connection ended, for a person reading the file.
    """

    received_ms: int
    venue: str
    kind: str
    detail: str = ""


Record = RecordedFrame | ConnectionMarker
"""One line of a recording."""


class BadLine(ValueError):
    """A recording line that is not a valid frame record."""


def encode_line(record: Record) -> str:
    """The JSON line for ``record`` (no trailing newline)."""
    data: dict[str, object] = {"received_ms": record.received_ms, "venue": record.venue}
    if type(record) is ConnectionMarker:
        data["marker"] = record.kind
        if record.detail:
            data["detail"] = record.detail
    else:
        data["frame"] = record.frame  # type: ignore[union-attr]
        if record.derived:  # type: ignore[union-attr]
            data["derived"] = True
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class _FrameSlots:
    """RecordedFrame's slots on a class without the frozen ``__setattr__`` (see _new_frame)."""

    __slots__ = RecordedFrame.__slots__


def _new_frame(received_ms: int, venue: str, frame: str, derived: bool) -> RecordedFrame:
    """``RecordedFrame(...)`` about three times faster: the fields are stored on an instance
    of a plain class with the same slots, which is then given its real class (Python allows
    ``__class__`` assignment between layout-compatible classes). The result is an ordinary,
    frozen RecordedFrame (liqterm.venues._build builds events the same way)."""
    record = _FrameSlots()
    record.received_ms = received_ms  # type: ignore[attr-defined]
    record.venue = venue  # type: ignore[attr-defined]
    record.frame = frame  # type: ignore[attr-defined]
    record.derived = derived  # type: ignore[attr-defined]
    record.__class__ = RecordedFrame  # type: ignore[assignment]
    return record  # type: ignore[return-value]


try:
    _new_frame(1, "x", "", False)
except TypeError:  # pragma: no cover - only if RecordedFrame changes shape
    _new_frame = RecordedFrame  # type: ignore[assignment]


def decode_line(line: str) -> Record:
    """Parse one recording line.

    A well-formed line is read by orjson (when installed); anything else by the stdlib,
    whose verdict and reason it always was (orjson refuses NaN and reads integers past
    64 bits as floats, so those lines take the stdlib path too).

    Raises:
        BadLine: the line is not JSON or misses/mistypes a required key.
    """
    try:
        data = _fast_loads(line)
    except (ValueError, RecursionError):  # orjson's errors are ValueErrors too
        data = None
    if type(data) is dict:
        received_ms = data.get("received_ms")
        venue = data.get("venue")
        frame = data.get("frame")
        if type(received_ms) is int and type(venue) is str and venue and type(frame) is str:
            return _new_frame(received_ms, venue, frame, data.get("derived") is True)
    return _decode_line_stdlib(line)


def _decode_line_stdlib(line: str) -> Record:
    """:func:`decode_line` with ``json.loads`` alone: the reference, and its reasons."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"not JSON: {exc.msg}") from None
    except RecursionError:
        raise BadLine("not JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise BadLine("not a JSON object")
    received_ms = data.get("received_ms")
    venue = data.get("venue")
    frame = data.get("frame")
    if not isinstance(received_ms, int) or isinstance(received_ms, bool):
        raise BadLine("received_ms is not an integer")
    if not isinstance(venue, str) or not venue:
        raise BadLine("venue is not a string")
    if "marker" in data and frame is None:
        kind, detail = data["marker"], data.get("detail", "")
        if kind not in MARKER_KINDS:
            raise BadLine(f"unknown marker {str(kind)[:40]!r}")
        if not isinstance(detail, str):
            raise BadLine("marker detail is not a string")
        return ConnectionMarker(received_ms, venue, kind, detail)
    if not isinstance(frame, str):
        raise BadLine("frame is not a string")
    return RecordedFrame(received_ms, venue, frame, data.get("derived") is True)


def is_gzip_path(path: str | Path) -> bool:
    """Whether ``path`` names a gzip-compressed recording (``.gz`` suffix)."""
    return str(path).endswith(".gz")

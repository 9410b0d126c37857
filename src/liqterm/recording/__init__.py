"""Record live frames, read recordings, and replay them through the live decode path.

The format (JSON Lines, optionally gzip) is defined in :mod:`liqterm.recording.format`.
"""

from liqterm.recording.format import (
    BadLine,
    ConnectionMarker,
    Record,
    RecordedFrame,
    decode_line,
    encode_line,
)
from liqterm.recording.reader import RecordingReader, read_frames, read_records
from liqterm.recording.writer import RecordingWriter, write_frames

__all__ = [
    "BadLine",
    "ConnectionMarker",
    "Record",
    "RecordedFrame",
    "RecordingReader",
    "RecordingWriter",
    "decode_line",
    "encode_line",
    "read_frames",
    "read_records",
    "write_frames",
]

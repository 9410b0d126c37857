"""Turning what the socket delivered into text, and the wall clock stamped on it."""

from __future__ import annotations

import time
import zlib

GZIP_MAGIC = b"\x1f\x8b"


def wall_ms() -> int:
    """Wall-clock epoch milliseconds: the ``received_ms`` of every frame."""
    return time.time_ns() // 1_000_000


def frame_text(message: str | bytes, limit: int) -> str:
    """A frame as text; binary frames are inflated (gzip or zlib) first.

    Venues that compress (some gzip every frame, others deflate on request)
    send binary frames. Recordings store text, so the decompressed form is what the
    adapter, the recorder and replay all see.

    Args:
        message: the websocket message as received.
        limit: the largest decompressed size accepted, so a small compressed
            frame cannot expand without bound.

    Raises:
        ValueError: the bytes are neither valid compressed data nor UTF-8, or
            inflate past ``limit``.
    """
    if isinstance(message, str):
        return message
    data = bytes(message)
    if data.startswith(GZIP_MAGIC):
        data = _inflate(data, zlib.MAX_WBITS | 16, limit)
    elif data[:1] == b"\x78":  # zlib header byte (deflate, 32K window)
        try:
            data = _inflate(data, zlib.MAX_WBITS, limit)
        except zlib.error:
            pass  # not zlib after all; maybe plain UTF-8 that starts with "x"
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError("binary frame is not UTF-8 text") from exc


def _inflate(data: bytes, wbits: int, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error:
        if wbits & 16:
            raise ValueError("corrupt gzip frame") from None
        raise
    if len(out) > limit:
        raise ValueError(f"frame inflates past {limit} bytes")
    return out


__all__ = ["frame_text", "wall_ms"]

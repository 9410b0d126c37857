"""Fault switches of a fake venue server, flipped by tests and the fault demo."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Faults:
    """What a fake venue does wrong. Mutable: change it while clients are connected.

    Attributes:
        stall: open but dead: no data, no acks, no pongs (reading is paused, so
            protocol pings go unanswered too). Use :meth:`FakeVenueServer.set_stall`
            to flip it on live connections.
        silent: acks and pongs as usual but never any data (the silent path).
        garbage_every: every Nth data frame is sent cut in half (malformed JSON).
        oversize_every: after every Nth data frame, send a frame of
            ``oversize_bytes`` characters.
        oversize_bytes: size of the oversized frames.
        drop_after_s: close every connection this long after it opened, with the
            venue's lifetime close code (the 24 h rule, shortened).
    """

    stall: bool = False
    silent: bool = False
    garbage_every: int = 0
    oversize_every: int = 0
    oversize_bytes: int = 2 * 1024 * 1024
    drop_after_s: float | None = None


def garbage_of(frame: str) -> str:
    """A malformed version of ``frame``: its first half (what a cut connection delivers)."""
    return frame[: max(1, len(frame) // 2)]


def oversized(size: int) -> str:
    """A syntactically valid JSON frame of ``size`` characters."""
    padding = max(0, size - len('{"padding":""}'))
    return '{"padding":"' + "x" * padding + '"}'

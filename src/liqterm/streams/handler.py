"""What happens to one received frame on a connection: size check, into the pipeline, answer.

The pipeline's :class:`~liqterm.pipeline.core.VenueInlet` does the rest (counting,
recording, decoding, the cut-off, the engine). Everything here is synchronous and
survives anything a frame or the keep-alive rule can throw at it: nothing in this
module may end a connection.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from liqterm.pipeline import VenueInlet
from liqterm.streams.settings import StreamSettings
from liqterm.venues.base import KeepAlive

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Handled:
    """What the connection must do after a frame.

    Attributes:
        reply: text to send back (the answer to a server application ping).
        unknown_symbol: the adapter did not know a symbol; re-fetch instruments.
    """

    reply: str | None = None
    unknown_symbol: bool = False


NOTHING = Handled()


class FrameHandler:
    """Hands one venue's frames to its inlet and answers the venue's own pings.

    Args:
        inlet: the venue's way into the pipeline.
        keepalive: the keep-alive rule in force (the adapter's, or a test override).
        settings: the frame size limit.
    """

    def __init__(self, inlet: VenueInlet, keepalive: KeepAlive, settings: StreamSettings) -> None:
        self.inlet = inlet
        self.adapter = inlet.adapter
        self.venue = inlet.venue
        self.keepalive = keepalive
        self.settings = settings

    def handle(self, text: str, received_ms: int) -> Handled:
        """Process one frame already turned into text; never raises."""
        if len(text) > self.settings.max_frame_bytes:
            self.inlet.reject(f"oversized frame ({len(text)} chars)")
            return NOTHING
        unknown = self.inlet.frame(text, received_ms)
        reply = None
        answer = self.keepalive.answer_server_ping
        if answer is not None:
            reply = self._safe_call(answer, text)
        if reply is None and not unknown:
            return NOTHING
        return Handled(reply, unknown)

    def count_rejection(self, reason: str) -> None:
        """Count a frame refused before it reached :meth:`handle` (e.g. not text)."""
        self.inlet.reject(reason)

    def _safe_call(self, answer: Callable[[str], str | None], text: str) -> str | None:
        try:
            return answer(text)
        except Exception:
            self.inlet.tally.errors += 1
            log.exception("%s: keep-alive ping answer raised", self.venue)
            return None

"""What a fake venue server must know about one venue's wire protocol.

A :class:`FakeProtocol` answers the client's messages (subscribe acks, pongs,
errors) in the venue's own shapes, decides which recorded frames a session has
subscribed to, and states the venue's keep-alive rule, which the server
enforces by dropping clients that break it. Subclasses, one per venue, hold
nothing but those shapes and rules.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

_conn_ids = itertools.count(1)


@dataclass(slots=True)
class Session:
    """One client connection's protocol state.

    Attributes:
        path: request path (with query) the client connected to.
        topics: what the client has subscribed to, in the protocol's own terms.
        conn_id: connection id some venues put in their acks.
        combined: Binance combined-stream connection (frames wrapped in ``{"stream","data"}``).
    """

    path: str
    topics: set[str] = field(default_factory=set)
    conn_id: str = field(default_factory=lambda: f"{next(_conn_ids):08x}")
    combined: bool = False


@dataclass(frozen=True, slots=True)
class IdleRule:
    """When the server drops a client for not keeping the connection alive.

    Attributes:
        window_s: allowed idle time.
        client_ping: a client application ping resets the timer.
        server_data: a data frame sent by the server resets it.
        server_any: anything sent by the server (acks, pongs) resets it.
        close_code: close code used when dropping an idle client.
        close_reason: close reason used when dropping an idle client.
    """

    window_s: float
    client_ping: bool = True
    server_data: bool = False
    server_any: bool = False
    close_code: int = 1000
    close_reason: str = "idle"


class FakeProtocol:
    """Base class: a venue's request/response shapes and keep-alive rules.

    Attributes:
        venue: lower-case venue id; recorded frames of this venue are served.
        path: default request path of the real endpoint.
        idle: application-level keep-alive rule, or ``None`` when the venue relies
            on websocket protocol pings (then see ``server_ping``).
        server_ping: ``(interval_s, timeout_s)`` of websocket protocol pings the
            server sends; a client whose library does not answer is dropped.
        lifetime_close: close code and reason of the venue's forced disconnect.
        max_messages_per_s: incoming-message limit; exceeding it closes with 1008.
    """

    venue: str = ""
    path: str = "/"
    idle: IdleRule | None = None
    server_ping: tuple[float, float] | None = None
    lifetime_close: tuple[int, str] = (1000, "connection lifetime reached")
    max_messages_per_s: int | None = None

    def open(self, path: str) -> Session | None:
        """A new session for a client that asked for ``path``; ``None`` refuses it (HTTP 404)."""
        return Session(path)

    def reply(self, text: str, session: Session) -> tuple[list[str], bool]:
        """Answer one client message.

        Returns:
            The frames to send back, and whether the message was a keep-alive ping.
        """
        raise NotImplementedError

    def wants(self, frame: str, session: Session) -> bool:
        """Whether ``session`` subscribed to the recorded data frame ``frame``."""
        raise NotImplementedError

    def shape(self, frame: str, session: Session) -> str:
        """The frame as this session receives it (Binance wraps for combined streams)."""
        return frame


def loads_object(text: str) -> dict[str, Any] | None:
    """``text`` parsed as a JSON object, or ``None``."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def dumps(data: object) -> str:
    """Compact JSON, the way venues send it."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def now_ms() -> int:
    """Wall-clock epoch ms (venue timestamps in acks and pongs)."""
    return time.time_ns() // 1_000_000

"""The one interface every venue adapter implements.

An adapter is declarative (URL, subscribe frames, keep-alive rule, throttling
disclosure) plus one PURE parser. The connection manager in
:mod:`liqterm.streams` drives any adapter through this interface and never
names a venue; a venue changing its feed is a change to one adapter module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from liqterm.model import Liquidation


@dataclass(frozen=True, slots=True)
class KeepAlive:
    """How a venue wants an idle connection kept open, and when we call it dead.

    Attributes:
        ping_text: application-level ping we send as a text frame (``'{"op":"ping"}'``,
            ``"ping"``); ``None`` when the venue only uses websocket protocol pings.
        ping_interval_s: how often we send ``ping_text`` (or a protocol ping).
        silence_timeout_s: a connection with no frame at all (data, ack or pong) for
            this long is stale: the manager closes and reconnects it. (The venue's pong
            itself needs no rule here: the adapter reads it as a control frame.)
        answer_server_ping: builds the reply to a server-initiated application ping
            (``None`` when the server only sends protocol pings, which the websockets
            library answers by itself).
        max_lifetime_s: the venue drops every connection after this long (24 h on
            Binance and Bitget); the manager reconnects just before.
    """

    ping_text: str | None
    ping_interval_s: float
    silence_timeout_s: float
    answer_server_ping: Callable[[str], str | None] | None = None
    max_lifetime_s: float | None = None


@dataclass(frozen=True, slots=True)
class Decoded:
    """What one frame held: its events, and why (part of) it was rejected.

    ``rejected`` is a short reason ("invalid json", "unknown symbol XYZ",
    "bad price") the manager counts per venue; ``None`` for a clean frame. A
    control frame (ack, pong) is clean and has no events; ``is_control`` tells the
    manager it proves the connection alive without being market data.
    ``unknown_symbol`` says a row was refused because its symbol is not in the
    instruments table (a new listing): the connection re-fetches the table.
    """

    events: list[Liquidation]
    rejected: str | None = None
    is_control: bool = False
    unknown_symbol: bool = False


@runtime_checkable
class VenueAdapter(Protocol):
    """A venue's liquidation feed, described for the connection manager.

    Attributes:
        name: the lower-case venue id (``binance`` ...).
        url: the default websocket URL (config may override it).
        keepalive: the venue's keep-alive rule.
        throttle_note: what the venue drops from its feed, shown to users; ``None``
            when the feed is complete.
        needs_symbols: the venue has no all-symbols subscription, so
            :meth:`subscribe_frames` must be given the instrument list.
        drop_replayed_on_subscribe: the venue replays already-past events right
            after a subscription; the manager drops events older than the moment
            of subscribing on each connection.

    An adapter may also have ``headers`` (a mapping of HTTP headers for the
    websocket handshake, e.g. Gate's ``X-Gate-Size-Decimal``); the manager sends
    them when present; and ``context_frames``, frames the manager sends once per
    connection after the subscription (mark prices, see :mod:`liqterm.venues.marks`),
    never again when a symbol refresh subscribes more. It may also have
    ``clean_events(frame, received_ms)``, the
    events of a frame ``decode`` would find clean or ``None`` ("ask ``decode``"): the
    hot loops read it through :func:`clean_reader`.
    """

    name: str
    url: str
    keepalive: KeepAlive
    throttle_note: str | None
    needs_symbols: bool
    drop_replayed_on_subscribe: bool

    def subscribe_frames(self, symbols: Sequence[str]) -> list[str]:
        """Text frames to send after connecting, already chunked to the venue's limits."""
        ...

    def decode(self, frame: str | bytes, received_ms: int) -> Decoded:
        """Decode one frame with the reason for anything rejected; never raises."""
        ...

    def parse(self, frame: str | bytes, received_ms: int) -> list[Liquidation]:
        """Decode one frame to events only (``decode(...).events``); never raises."""
        ...


CleanReader = Callable[[str | bytes, int], "list[Liquidation] | None"]


def _ask_decode(frame: str | bytes, received_ms: int) -> None:
    return None


def clean_reader(adapter: VenueAdapter) -> CleanReader:
    """``adapter.clean_events`` when the adapter has that shortcut, else a reader that always
    defers to ``decode``. Callers use it as::

        events = read(frame, ms)
        if events is None:
            decoded = adapter.decode(frame, ms)  # rejections, control frames, the rest
    """
    return getattr(adapter, "clean_events", None) or _ask_decode

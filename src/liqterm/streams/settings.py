"""Tunables of the connection manager, with production defaults (tests shrink them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StreamSettings:
    """How a venue stream connects, reads, retries and judges silence.

    Attributes:
        max_frame_bytes: frames larger than this are counted as rejected and
            skipped; the connection stays up.
        hard_max_frame_bytes: the websockets library limit. A frame beyond it
            cannot be skipped (the library refuses to buffer it), so the
            connection is dropped and retried; it bounds memory per connection.
        max_queue: frames the library buffers before applying back-pressure.
        open_timeout_s: TCP + TLS + websocket handshake deadline.
        close_timeout_s: how long a closing handshake may take before the socket
            is dropped.
        subscribe_pause_s: pause between subscribe frames; venues cap incoming
            messages per connection (10 per second is common).
        backoff_base_s: ceiling of the first reconnect delay.
        backoff_cap_s: no reconnect delay is longer than this. 4 s keeps a venue that
            comes back after a long outage live again within 5 s (the reliability
            rule) at under one attempt per 2 s on average, far below venue limits.
        healthy_after_s: a connection live this long resets the backoff.
        down_after_failures: consecutive failed connection attempts after which
            the venue is reported ``down`` (it keeps retrying).
        lifetime_margin_s: reconnect this long before a venue's forced
            disconnect (at most 10% of the lifetime, for short test lifetimes).
        symbols_refresh_min_s: shortest time between two instrument re-fetches.
        quiet_after_s: a live venue without a liquidation for this long, while
            another venue had one within the same span, is flagged ``quiet``.
    """

    max_frame_bytes: int = 1 << 20
    hard_max_frame_bytes: int = 8 << 20
    max_queue: int = 256
    open_timeout_s: float = 10.0
    close_timeout_s: float = 2.0
    subscribe_pause_s: float = 0.25
    backoff_base_s: float = 0.5
    backoff_cap_s: float = 4.0
    healthy_after_s: float = 60.0
    down_after_failures: int = 3
    lifetime_margin_s: float = 60.0
    symbols_refresh_min_s: float = 300.0
    quiet_after_s: float = 600.0

    def lifetime_margin(self, lifetime_s: float) -> float:
        """How long before ``lifetime_s`` to rotate the connection."""
        return min(self.lifetime_margin_s, 0.1 * lifetime_s)

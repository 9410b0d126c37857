"""Local fake venue servers: each venue's real protocol on 127.0.0.1, fed from recordings.

Used by the tests (every protocol and fault path without the network) and by
the demo (five venues from one real Binance recording, see
:mod:`liqterm.demo.servers.encode`). Start one with
``async with FakeVenueServer("bybit", frames) as server: server.url``.
"""

from liqterm.demo.servers.cluster import FakeVenues, config_with_urls, demo_frames
from liqterm.demo.servers.faults import Faults
from liqterm.demo.servers.protocols import PROTOCOLS
from liqterm.demo.servers.server import FakeVenueServer, ServerStats

__all__ = [
    "PROTOCOLS",
    "FakeVenueServer",
    "FakeVenues",
    "Faults",
    "ServerStats",
    "config_with_urls",
    "demo_frames",
]

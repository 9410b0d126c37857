"""Local fake venue servers: each venue's real protocol on 127.0.0.1, fed from recordings.

Used by the tests (every protocol and fault path without the network) and by
the demo (five venues from one real Binance recording, see
:mod:`liqterm.venues.fake.encode`). Start one with
``async with FakeVenueServer("bybit", frames) as server: server.url``.
"""

from liqterm.venues.fake.cluster import FakeVenues, config_with_urls, demo_frames
from liqterm.venues.fake.faults import Faults
from liqterm.venues.fake.protocols import PROTOCOLS
from liqterm.venues.fake.server import FakeVenueServer, ServerStats

__all__ = [
    "PROTOCOLS",
    "FakeVenueServer",
    "FakeVenues",
    "Faults",
    "ServerStats",
    "config_with_urls",
    "demo_frames",
]

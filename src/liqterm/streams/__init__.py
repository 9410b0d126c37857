"""The venue-agnostic connection manager.

One websocket per venue, subscribe frames from the adapter, keep-alive per the
adapter's rule, capped jittered reconnects, a silence watchdog, a silent-path
(``quiet``) check across venues, and immutable health values for the UI.

Use :class:`VenueStream` for one venue (a Textual worker) and
:class:`StreamManager` for several (the demo and the headless ``watch`` and ``record``).
"""

from liqterm.streams.backoff import Backoff
from liqterm.streams.frames import wall_ms
from liqterm.streams.health import STATES, State, VenueHealth
from liqterm.streams.manager import StreamManager, update_quiet
from liqterm.streams.settings import StreamSettings
from liqterm.streams.symbols import SymbolList, SymbolSource
from liqterm.streams.venue_stream import VenueStream

__all__ = [
    "STATES",
    "Backoff",
    "State",
    "StreamManager",
    "StreamSettings",
    "SymbolList",
    "SymbolSource",
    "VenueHealth",
    "VenueStream",
    "update_quiet",
    "wall_ms",
]

"""Venue adapters: one module per exchange behind :class:`liqterm.venues.base.VenueAdapter`.

:data:`ADAPTERS` holds one adapter per venue id. Each starts with the bundled
instruments table; :func:`refresh_instruments` fetches fresh tables (REST, else
cache, else bundled) and swaps them into the adapters, whose parsers stay pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

from liqterm.model import VENUE_IDS
from liqterm.venues._common import AdapterBase
from liqterm.venues.binance import BinanceAdapter
from liqterm.venues.bitget import BitgetAdapter
from liqterm.venues.bybit import BybitAdapter
from liqterm.venues.gateio import GateAdapter
from liqterm.venues.instruments import VenueInstruments, offline, refresh_all
from liqterm.venues.okx import OkxAdapter

ADAPTERS: Mapping[str, AdapterBase] = MappingProxyType(
    {
        "binance": BinanceAdapter(),
        "bybit": BybitAdapter(),
        "okx": OkxAdapter(),
        "gateio": GateAdapter(),
        "bitget": BitgetAdapter(),
    }
)
"""Venue id -> adapter, in :data:`liqterm.model.VENUE_IDS` order."""


def install_instruments(tables: Mapping[str, VenueInstruments]) -> None:
    """Swap refreshed tables into :data:`ADAPTERS` (venues not in ``tables`` keep theirs)."""
    for venue, table in tables.items():
        ADAPTERS[venue].use_instruments(table)


def load_offline_instruments(
    venues: Iterable[str] = VENUE_IDS, cache_folder: Path | None = None
) -> dict[str, VenueInstruments]:
    """Install the cached tables (bundled where there is no cache); no network, fast start."""
    tables = {venue: offline(venue, cache_folder) for venue in venues}
    install_instruments(tables)
    return tables


def offline_adapters() -> Mapping[str, AdapterBase]:
    """:data:`ADAPTERS` with their cached instruments installed (bundled where there is no
    cache): what a replay, the demo and the backtest decode with, no network needed."""
    load_offline_instruments()
    return ADAPTERS


async def refresh_instruments(
    venues: Iterable[str] = VENUE_IDS,
    *,
    base_urls: Mapping[str, str] | None = None,
    cache_folder: Path | None = None,
    timeout_s: float = 10.0,
) -> dict[str, VenueInstruments]:
    """Fetch every venue's table (REST -> cache -> bundled) and install it.

    The returned tables say their ``source`` and carry a ``note`` when not fresh.
    """
    tables = await refresh_all(venues, base_urls=base_urls, cache_folder=cache_folder, timeout_s=timeout_s)
    install_instruments(tables)
    return tables


__all__ = [
    "ADAPTERS",
    "VenueInstruments",
    "install_instruments",
    "load_offline_instruments",
    "offline_adapters",
    "refresh_instruments",
]

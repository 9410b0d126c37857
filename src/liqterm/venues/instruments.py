"""Instrument tables: what one contract of a venue's symbol is worth, and in which asset.

OKX and Gate report liquidation sizes in CONTRACTS, so their parsers need each
symbol's contract size; Bybit has no all-symbols topic, so it needs the symbol
list; Binance, Bybit and Bitget take the venue's own base-asset names from it.

Where a table comes from, best first (the result says which, so the UI can show it):

1. ``rest``: a fresh fetch from the venue's public REST endpoint (saved to the cache);
2. ``cache``: the last successful fetch, from ``cache_dir()/instruments/<venue>.json``;
3. ``bundled``: ``instruments_bundled.json`` beside this module. It holds ONLY major
   assets, each contract size checked against a recorded venue response (see that
   file's ``_about``). OKX and Gate reject any other symbol as unknown (a contract size
   is never guessed); Binance, Bybit and Bitget sizes need no table, so they read the
   base asset off the symbol's stablecoin suffix.

Refreshing is async I/O with httpx; parsing a response is pure
(:mod:`liqterm.venues.instrument_responses`, re-exported here).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import httpx

from liqterm.model import VENUE_IDS, canonical_asset
from liqterm.venues.instrument_responses import (
    USD_STABLECOINS,
    Row,
    parse_binance_exchange_info,
    parse_bitget_contracts,
    parse_bybit_instruments,
    parse_gate_contracts,
    parse_okx_instruments,
    positive_number,
)

log = logging.getLogger(__name__)

__all__ = [
    "USD_STABLECOINS",
    "Instrument",
    "Row",
    "VenueInstruments",
    "build",
    "bundled",
    "fetch_rows",
    "load_cache",
    "offline",
    "parse_binance_exchange_info",
    "parse_bitget_contracts",
    "parse_bybit_instruments",
    "parse_gate_contracts",
    "parse_okx_instruments",
    "refresh",
    "refresh_all",
    "save_cache",
]

CACHE_FORMAT = 1
BUNDLED_FILE = Path(__file__).with_name("instruments_bundled.json")

DEFAULT_BASE_URLS: Mapping[str, str] = MappingProxyType(
    {
        "binance": "https://fapi.binance.com",
        "bybit": "https://api.bybit.com",
        "okx": "https://www.okx.com",
        "gateio": "https://api.gateio.ws",
        "bitget": "https://api.bitget.com",
    }
)


class Instrument(NamedTuple):
    """One symbol of one venue.

    Attributes:
        asset: canonical asset (``PEPE`` for ``1000PEPE``), see :func:`canonical_asset`.
        contract_size: what one reported size unit is: units of the RAW base for a linear
            contract (OKX ``ctVal*ctMult``, Gate ``quanto_multiplier``, 1.0 where sizes are
            already in base), or USD for an inverse contract (OKX ``BTC-USD-SWAP``: 100).
        linear: quoted and settled in a USD stablecoin, size in base units.
        scale: canonical units per raw base unit (1000 for ``1000PEPE``).
    """

    asset: str
    contract_size: float
    linear: bool
    scale: float = 1.0


@dataclass(frozen=True, slots=True)
class VenueInstruments:
    """A venue's instrument table and where it came from.

    ``source`` is ``"rest"``, ``"cache"`` or ``"bundled"``; ``note`` is a short
    human sentence when the table is not fresh (show it in the UI), else ``None``.
    """

    venue: str
    symbols: Mapping[str, Instrument]
    source: str
    fetched_ms: int | None = None
    note: str | None = None

    def get(self, symbol: str) -> Instrument | None:
        return self.symbols.get(symbol)

    def linear_symbols(self) -> list[str]:
        """Sorted linear symbols: what to subscribe to where a venue needs a list (Bybit)."""
        return sorted(name for name, item in self.symbols.items() if item.linear)


def build(
    venue: str,
    rows: Mapping[str, Row],
    source: str,
    fetched_ms: int | None = None,
    note: str | None = None,
) -> VenueInstruments:
    """Turn cached/bundled/parsed rows into a table (canonical assets computed here)."""
    table: dict[str, Instrument] = {}
    for symbol, (raw_base, contract_size, linear) in rows.items():
        asset, scale = canonical_asset(raw_base)
        table[symbol] = Instrument(asset, float(contract_size), bool(linear), scale)
    # A plain dict, not a read-only proxy: parsers look symbols up once per event.
    return VenueInstruments(venue, table, source, fetched_ms, note)


# --- fetching --------------------------------------------------------------------------------

# venue -> (path, query, parser) for the venues whose list is one response.
SINGLE_PAGE: Mapping[str, tuple[str, Mapping[str, str], Callable[[Any], dict[str, Row]]]] = {
    "okx": ("/api/v5/public/instruments", {"instType": "SWAP"}, parse_okx_instruments),
    "gateio": ("/api/v4/futures/usdt/contracts", {}, parse_gate_contracts),
    "binance": ("/fapi/v1/exchangeInfo", {}, parse_binance_exchange_info),
    "bitget": (
        "/api/v2/mix/market/contracts",
        {"productType": "USDT-FUTURES"},
        parse_bitget_contracts,
    ),
}
BYBIT_PATH = "/v5/market/instruments-info"


async def _get_json(client: httpx.AsyncClient, url: str, params: Mapping[str, str]) -> Any:
    response = await client.get(url, params=params)
    response.raise_for_status()
    return response.json()


async def fetch_rows(client: httpx.AsyncClient, venue: str, base: str) -> dict[str, Row]:
    """One venue's rows from its REST endpoint at ``base``; raises on any failure."""
    if venue != "bybit":
        path, query, parse = SINGLE_PAGE[venue]
        return parse(await _get_json(client, f"{base}{path}", query))
    rows: dict[str, Row] = {}
    query = {"category": "linear", "status": "Trading", "limit": "1000"}
    for _page in range(20):  # ~800 symbols fit one page today; 20 pages is a runaway guard
        page, cursor = parse_bybit_instruments(await _get_json(client, f"{base}{BYBIT_PATH}", query))
        rows.update(page)
        if not cursor:
            break
        query = {**query, "cursor": cursor}
    return rows


# --- cache and bundled fallback ----------------------------------------------------------------


def default_cache_dir() -> Path:
    from liqterm.config.paths import cache_dir

    return cache_dir() / "instruments"


def _cache_path(venue: str, folder: Path | None) -> Path:
    return (folder if folder is not None else default_cache_dir()) / f"{venue}.json"


def save_cache(venue: str, rows: Mapping[str, Row], fetched_ms: int, folder: Path | None = None) -> None:
    """Write rows atomically (temp file + rename) so a crash never leaves half a cache."""
    path = _cache_path(venue, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"format": CACHE_FORMAT, "venue": venue, "fetched_ms": fetched_ms, "rows": rows}
    temp = path.with_suffix(f".tmp{os.getpid()}")
    temp.write_text(json.dumps(body, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
    os.replace(temp, path)


def _valid_rows(raw: Any) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    if isinstance(raw, dict):
        for symbol, row in raw.items():
            if isinstance(row, list) and len(row) == 3 and isinstance(row[0], str):
                size = positive_number(row[1])
                if size is not None and isinstance(row[2], bool):
                    rows[symbol] = (row[0], size, row[2])
    return rows


def load_cache(venue: str, folder: Path | None = None, note: str | None = None) -> VenueInstruments | None:
    """The cached table, or ``None`` when there is none or it is unreadable."""
    try:
        body = json.loads(_cache_path(venue, folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(body, dict) or body.get("format") != CACHE_FORMAT or body.get("venue") != venue:
        return None
    rows, fetched_ms = _valid_rows(body.get("rows")), body.get("fetched_ms")
    if not rows or not isinstance(fetched_ms, int):
        return None
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(fetched_ms / 1000))
    text = f"{venue}: instruments from the cache of {when}" + (f" ({note})" if note else "")
    return build(venue, rows, "cache", fetched_ms, text)


@lru_cache(maxsize=1)
def _bundled_rows() -> Mapping[str, Mapping[str, Row]]:
    body = json.loads(BUNDLED_FILE.read_text(encoding="utf-8"))
    return {venue: _valid_rows(body.get(venue, {})) for venue in VENUE_IDS}


def bundled(venue: str, note: str | None = None) -> VenueInstruments:
    """The shipped major-assets table (no I/O beyond reading the packaged file once)."""
    text = f"{venue}: using the bundled major-asset instrument list (no fresh or cached list)"
    return build(
        venue,
        _bundled_rows().get(venue, {}),
        "bundled",
        None,
        text + (f" ({note})" if note else ""),
    )


def offline(venue: str, folder: Path | None = None) -> VenueInstruments:
    """Best table without network: the cache, else the bundled one (for a fast start)."""
    return load_cache(venue, folder) or bundled(venue)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, httpx.HTTPStatusError):
        return f"REST refresh failed: HTTP {exc.response.status_code}"
    if isinstance(exc, httpx.TimeoutException):
        return "REST refresh failed: timeout"
    return f"REST refresh failed: {type(exc).__name__}: {str(exc)[:80]}"


async def refresh(
    venue: str,
    *,
    base_url: str | None = None,
    client: httpx.AsyncClient | None = None,
    cache_folder: Path | None = None,
    timeout_s: float = 10.0,
) -> VenueInstruments:
    """Fresh REST, else cache, else bundled; never raises for a network or shape failure."""
    base = (base_url or DEFAULT_BASE_URLS[venue]).rstrip("/")
    try:
        if client is None:
            async with httpx.AsyncClient(timeout=timeout_s) as own_client:
                rows = await fetch_rows(own_client, venue, base)
        else:
            rows = await fetch_rows(client, venue, base)
        if not rows:
            raise ValueError("empty instrument list")
    except Exception as exc:  # any failure means "use the fallback"; the note says why
        reason = _describe(exc)
        log.warning("%s instruments: %s", venue, reason)
        return load_cache(venue, cache_folder, reason) or bundled(venue, reason)
    fetched_ms = int(time.time() * 1000)
    try:
        save_cache(venue, rows, fetched_ms, cache_folder)
    except OSError as exc:
        log.warning("%s instruments: could not write the cache: %s", venue, exc)
    return build(venue, rows, "rest", fetched_ms, None)


async def refresh_all(
    venues: Iterable[str] = VENUE_IDS,
    *,
    base_urls: Mapping[str, str] | None = None,
    cache_folder: Path | None = None,
    timeout_s: float = 10.0,
) -> dict[str, VenueInstruments]:
    """:func:`refresh` every venue concurrently over one HTTP client."""
    names = list(venues)
    urls = base_urls or {}
    async with httpx.AsyncClient(timeout=timeout_s) as client:
        tables = await asyncio.gather(
            *(
                refresh(name, base_url=urls.get(name), client=client, cache_folder=cache_folder)
                for name in names
            )
        )
    return dict(zip(names, tables, strict=True))

"""Instrument tables: what one contract of a venue's symbol is worth, and in which asset.

OKX and Gate report liquidation sizes in CONTRACTS, so their parsers need each
symbol's contract size; Bybit has no all-symbols topic, so it needs the symbol
list; Binance and Bitget use the table for the venue's own base-asset names.

Where a table comes from, best first (the result says which, so the UI can show it):

1. ``rest``: a fresh fetch from the venue's public REST endpoint (saved to the cache);
2. ``cache``: the last successful fetch, from ``cache_dir()/instruments/<venue>.json``;
3. ``bundled``: ``instruments_bundled.json`` beside this module. It holds ONLY major
   assets, each contract size checked by hand against a recorded venue response
   (see that file's ``_about``). Any other symbol is rejected as unknown, never guessed.

Refreshing is async I/O with httpx; parsing a response is pure and works on the
documented response shapes (tests feed it recorded real responses).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import httpx

from liqterm.model import VENUE_IDS, canonical_asset

log = logging.getLogger(__name__)

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

USD_STABLECOINS = frozenset({"USDT", "USDC"})
"""Quotes taken at par with USD. Contracts quoted in anything else (Binance ``ETHBTC``)
are left out of the tables, so their events are rejected rather than shown in BTC."""

Row = tuple[str, float, bool]
"""``(raw base asset as the venue names it, contract size, linear)``: the cached form."""


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


def _number(value: object) -> float | None:
    """A positive finite float from a REST string/number field, else ``None``."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if 0.0 < number < math.inf else None


def _records(payload: Any, key: str | None) -> list[Any]:
    items = payload.get(key) if key and isinstance(payload, dict) else payload
    if not isinstance(items, list):
        raise ValueError(f"unexpected response shape (no {key or 'list'})")
    return [item for item in items if isinstance(item, dict)]


# --- response parsers (pure) ---------------------------------------------------------------


# OKX "USD" settle is its USD unified-margin linear swap (SOL-USD_UM-SWAP), priced in USD.
_OKX_USD_SETTLE = USD_STABLECOINS | {"USD"}


def parse_okx_instruments(payload: Any) -> dict[str, Row]:
    """``GET /api/v5/public/instruments?instType=SWAP``: ``sz`` is contracts of ``ctVal*ctMult``.

    Linear: ``ctValCcy`` is the base coin. Inverse: ``ctValCcy`` is ``USD`` and the base is
    the first part of ``instFamily``/``uly``. Rows with empty values (``preopen``) are skipped.
    """
    if isinstance(payload, dict) and str(payload.get("code", "0")) != "0":
        raise ValueError(f"okx error {payload.get('code')}: {payload.get('msg')}")
    rows: dict[str, Row] = {}
    for item in _records(payload, "data"):
        inst_id, ct_type = item.get("instId"), item.get("ctType")
        ct_val, ct_mult = _number(item.get("ctVal")), _number(item.get("ctMult"))
        value_ccy = item.get("ctValCcy")
        if not isinstance(inst_id, str) or ct_val is None or ct_mult is None:
            continue
        if not isinstance(value_ccy, str) or not value_ccy:
            continue
        if ct_type == "linear" and item.get("settleCcy") in _OKX_USD_SETTLE:
            rows[inst_id] = (value_ccy, ct_val * ct_mult, True)
        elif ct_type == "inverse" and value_ccy == "USD":
            family = item.get("instFamily") or item.get("uly") or inst_id
            if isinstance(family, str) and family.split("-")[0]:
                rows[inst_id] = (family.split("-")[0], ct_val * ct_mult, False)
    return rows


def parse_gate_contracts(payload: Any) -> dict[str, Row]:
    """``GET /api/v4/futures/usdt/contracts``: ``size`` is contracts of ``quanto_multiplier`` base.

    The base is the part of ``name`` before ``_``; ``type`` ``direct`` is linear.
    """
    rows: dict[str, Row] = {}
    for item in _records(payload, None):
        name, multiplier = item.get("name"), _number(item.get("quanto_multiplier"))
        if not isinstance(name, str) or "_" not in name or multiplier is None:
            continue
        rows[name] = (name.split("_")[0], multiplier, item.get("type", "direct") == "direct")
    return rows


def parse_bybit_instruments(payload: Any) -> tuple[dict[str, Row], str]:
    """One page of ``GET /v5/market/instruments-info?category=linear``: rows, next cursor.

    Linear sizes (``v``) are already base coin, so the contract size is 1.
    """
    if not isinstance(payload, dict) or payload.get("retCode", 0) != 0:
        message = payload.get("retMsg") if isinstance(payload, dict) else payload
        raise ValueError(f"bybit error: {message}")
    result = payload.get("result")
    if not isinstance(result, dict):
        raise ValueError("unexpected response shape (no result)")
    rows: dict[str, Row] = {}
    for item in _records(result, "list"):
        symbol, base = item.get("symbol"), item.get("baseCoin")
        if isinstance(symbol, str) and isinstance(base, str) and base:
            if item.get("quoteCoin", "USDT") in USD_STABLECOINS:
                rows[symbol] = (base, 1.0, True)
    cursor = result.get("nextPageCursor")
    return rows, cursor if isinstance(cursor, str) else ""


def parse_binance_exchange_info(payload: Any) -> dict[str, Row]:
    """``GET /fapi/v1/exchangeInfo`` (USD-M): linear, size in ``baseAsset``.

    USD-M also lists ``ETHBTC`` (quoted in BTC); only stablecoin-quoted symbols are kept.
    """
    rows: dict[str, Row] = {}
    for item in _records(payload, "symbols"):
        symbol, base = item.get("symbol"), item.get("baseAsset")
        if isinstance(symbol, str) and isinstance(base, str) and base:
            if item.get("quoteAsset", "USDT") in USD_STABLECOINS:
                rows[symbol] = (base, 1.0, True)
    return rows


def parse_bitget_contracts(payload: Any) -> dict[str, Row]:
    """``GET /api/v2/mix/market/contracts?productType=USDT-FUTURES``: symbol and ``baseCoin``.

    The v1 response (``BTCUSDT_UMCBL``) is accepted too, its product suffix dropped, since the
    v3 websocket names the same contract ``BTCUSDT``.
    """
    if isinstance(payload, dict) and str(payload.get("code", "00000")) != "00000":
        raise ValueError(f"bitget error {payload.get('code')}: {payload.get('msg')}")
    rows: dict[str, Row] = {}
    for item in _records(payload, "data"):
        symbol, base = item.get("symbol"), item.get("baseCoin")
        if isinstance(symbol, str) and isinstance(base, str) and base:
            if item.get("quoteCoin", "USDT") in USD_STABLECOINS:
                rows[symbol.split("_")[0]] = (base, 1.0, True)
    return rows


# --- fetching --------------------------------------------------------------------------------

Fetcher = Callable[[httpx.AsyncClient, str], Awaitable[dict[str, Row]]]


async def _get_json(client: httpx.AsyncClient, url: str, params: Mapping[str, str]) -> Any:
    response = await client.get(url, params=params)
    response.raise_for_status()
    return response.json()


async def _fetch_okx(client: httpx.AsyncClient, base: str) -> dict[str, Row]:
    url = f"{base}/api/v5/public/instruments"
    return parse_okx_instruments(await _get_json(client, url, {"instType": "SWAP"}))


async def _fetch_gate(client: httpx.AsyncClient, base: str) -> dict[str, Row]:
    return parse_gate_contracts(
        await _get_json(client, f"{base}/api/v4/futures/usdt/contracts", {})
    )


async def _fetch_bybit(client: httpx.AsyncClient, base: str) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    params = {"category": "linear", "status": "Trading", "limit": "1000"}
    for _page in range(20):  # ~800 symbols fit one page today; 20 pages is a runaway guard
        page, cursor = parse_bybit_instruments(
            await _get_json(client, f"{base}/v5/market/instruments-info", params)
        )
        rows.update(page)
        if not cursor:
            break
        params = {**params, "cursor": cursor}
    return rows


async def _fetch_binance(client: httpx.AsyncClient, base: str) -> dict[str, Row]:
    return parse_binance_exchange_info(await _get_json(client, f"{base}/fapi/v1/exchangeInfo", {}))


async def _fetch_bitget(client: httpx.AsyncClient, base: str) -> dict[str, Row]:
    url = f"{base}/api/v2/mix/market/contracts"
    return parse_bitget_contracts(await _get_json(client, url, {"productType": "USDT-FUTURES"}))


FETCHERS: Mapping[str, Fetcher] = MappingProxyType(
    {
        "binance": _fetch_binance,
        "bybit": _fetch_bybit,
        "okx": _fetch_okx,
        "gateio": _fetch_gate,
        "bitget": _fetch_bitget,
    }
)


# --- cache and bundled fallback ----------------------------------------------------------------


def default_cache_dir() -> Path:
    from liqterm.config.paths import cache_dir

    return cache_dir() / "instruments"


def _cache_path(venue: str, folder: Path | None) -> Path:
    return (folder if folder is not None else default_cache_dir()) / f"{venue}.json"


def save_cache(
    venue: str, rows: Mapping[str, Row], fetched_ms: int, folder: Path | None = None
) -> None:
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
                size = _number(row[1])
                if size is not None and isinstance(row[2], bool):
                    rows[symbol] = (row[0], size, row[2])
    return rows


def load_cache(
    venue: str, folder: Path | None = None, note: str | None = None
) -> VenueInstruments | None:
    """The cached table, or ``None`` when there is none or it is unreadable."""
    try:
        body = json.loads(_cache_path(venue, folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(body, dict)
        or body.get("format") != CACHE_FORMAT
        or body.get("venue") != venue
    ):
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
    fetch = FETCHERS[venue]
    base = (base_url or DEFAULT_BASE_URLS[venue]).rstrip("/")
    try:
        if client is None:
            async with httpx.AsyncClient(timeout=timeout_s) as own_client:
                rows = await fetch(own_client, base)
        else:
            rows = await fetch(client, base)
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

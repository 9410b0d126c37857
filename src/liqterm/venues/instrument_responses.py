"""Pure parsers for the venues' instrument REST responses (the documented shapes).

Each returns ``{symbol: (raw base asset, contract size, linear)}`` rows, keeps
contracts quoted in a USD stablecoin (plus OKX inverse swaps worth USD per contract,
and Binance's BTC-quoted ones marked not linear so they are refused by name),
skips malformed rows and raises ``ValueError`` for an error envelope, so the caller
falls back to its cache. Tests feed them recorded real responses.
"""

from __future__ import annotations

import math
from typing import Any

USD_STABLECOINS = frozenset({"USDT", "USDC"})
"""Quotes taken at par with USD. Contracts quoted in anything else (Binance ``ETHBTC``)
are left out of the tables, so their events are rejected rather than shown in BTC."""

Row = tuple[str, float, bool]
"""``(raw base asset as the venue names it, contract size, linear)``: the cached form."""


def positive_number(value: object) -> float | None:
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
        ct_val, ct_mult = positive_number(item.get("ctVal")), positive_number(item.get("ctMult"))
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
        name, multiplier = item.get("name"), positive_number(item.get("quanto_multiplier"))
        if not isinstance(name, str) or "_" not in name or multiplier is None:
            continue
        if name.split("_")[1] not in USD_STABLECOINS:
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

    USD-M also lists ``ETHBTC`` (quoted in BTC): kept as not linear, so the parser can
    refuse it as "not USD-quoted" instead of "unknown" (which would ask for a re-fetch).
    """
    rows: dict[str, Row] = {}
    for item in _records(payload, "symbols"):
        symbol, base = item.get("symbol"), item.get("baseAsset")
        if isinstance(symbol, str) and isinstance(base, str) and base:
            rows[symbol] = (base, 1.0, item.get("quoteAsset", "USDT") in USD_STABLECOINS)
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

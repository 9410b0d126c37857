"""Re-encode normalised liquidations into each venue's documented frame shape.

The bundled demo recording holds real Binance events only. To show five venues
from it, each event is handed to one venue (a stable hash picks it, weighted
roughly by venue size, so total notional stays the real figure) and written in
that venue's own frame shape — Bybit's ``allLiquidation`` array, OKX's
``liquidation-orders`` with ``sz`` in contracts, Gate's ``public_liquidates``
with signed contract sizes, Bitget's v3 ``liquidation`` — so the demo drives
the real adapters through the real connection code. Such frames are marked
``derived`` in recordings.

Shapes and side conventions are the venues' own (docs/venues.md):
Binance and OKX ``side`` are the closing order (SELL = long liquidated), Bybit
``S`` and Bitget ``side`` the position (Buy = long), Gate's ``size`` is
negative for a long (probable, undocumented).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from liqterm.model import Liquidation, Side, canonical_asset
from liqterm.recording.format import RecordedFrame

ContractSize = Callable[[str, str], float | None]
"""``contract_size(venue, symbol)``: base units per contract (OKX ``ctVal*ctMult``,
Gate ``quanto_multiplier``), or ``None`` when unknown (the event is then skipped
for that venue rather than sent with a wrong size)."""

QUOTES = ("USDT", "USDC", "USD")

DEMO_WEIGHTS: Mapping[str, int] = {
    "binance": 35,
    "bybit": 25,
    "okx": 20,
    "gateio": 10,
    "bitget": 10,
}
"""Share of demo events each venue gets (rough open-interest order)."""

BITGET_AMOUNT_IN_QUOTE = True
"""Bitget's ``amount`` is reportedly quote currency (USDT); see exchanges.md §5.4."""

_TIME_KEYS = frozenset({"E", "T", "ts", "time", "time_ms", "updatedTime", "created_at"})


def number(value: float) -> str:
    """A float as venues print it: plain decimal, no exponent, 12 significant digits."""
    text = format(Decimal(f"{value:.12g}"), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def raw_base(event: Liquidation) -> tuple[str, float]:
    """The venue-style base (``1000PEPE``) of an event and its scale to ``event.asset``."""
    symbol = event.symbol.upper().replace("-", "").replace("_", "")
    symbol = symbol.removesuffix("SWAP")
    for quote in QUOTES:
        if symbol.endswith(quote) and len(symbol) > len(quote):
            base = symbol[: -len(quote)]
            asset, scale = canonical_asset(base)
            if asset == event.asset:
                return base, scale
    return event.asset, 1.0


def venue_symbol(venue: str, event: Liquidation) -> str:
    """The event's instrument as ``venue`` names its USDT perpetual."""
    base, _ = raw_base(event)
    return {"okx": f"{base}-USDT-SWAP", "gateio": f"{base}_USDT"}.get(venue, f"{base}USDT")


def encode_event(venue: str, event: Liquidation, contract_size: ContractSize | None = None) -> str | None:
    """One liquidation as one ``venue`` data frame; ``None`` if it cannot be sized.

    Args:
        venue: target venue id.
        event: the normalised liquidation.
        contract_size: contract multiplier lookup, needed for ``okx`` and ``gateio``.
    """
    base, scale = raw_base(event)
    price = event.price * scale  # per unit of the venue's (possibly 1000-prefixed) base
    quantity = event.quantity / scale
    symbol = venue_symbol(venue, event)
    ms = event.exchange_ms
    is_long = event.side == Side.LONG
    if venue == "binance":
        qty = number(quantity)
        order = {
            "s": symbol,
            "S": "SELL" if is_long else "BUY",
            "o": "LIMIT",
            "f": "IOC",
            "q": qty,
            "p": number(price),
            "ap": number(price),
            "X": "FILLED",
            "l": qty,
            "z": qty,
            "T": ms,
        }
        return _dump({"e": "forceOrder", "E": ms, "o": order})
    if venue == "bybit":
        row = {
            "T": ms,
            "s": symbol,
            "S": "Buy" if is_long else "Sell",
            "v": number(quantity),
            "p": number(price),
        }
        return _dump({"topic": f"allLiquidation.{symbol}", "type": "snapshot", "ts": ms, "data": [row]})
    if venue == "bitget":
        amount = quantity * price if BITGET_AMOUNT_IN_QUOTE else quantity
        row = {
            "symbol": symbol,
            "side": "buy" if is_long else "sell",
            "price": number(price),
            "amount": number(amount),
            "ts": str(ms),
        }
        arg = {"instType": "usdt-futures", "topic": "liquidation"}
        return _dump({"action": "update", "arg": arg, "data": [row], "ts": ms})
    size = contract_size(venue, symbol) if contract_size is not None else None
    if not size:
        return None
    contracts = quantity / size
    if venue == "okx":
        detail = {
            "bkLoss": "0",
            "bkPx": number(price),
            "ccy": "",
            "posSide": "long" if is_long else "short",
            "side": "sell" if is_long else "buy",
            "sz": number(contracts),
            "ts": str(ms),
        }
        family = f"{base}-USDT"
        return _dump(
            {
                "arg": {"channel": "liquidation-orders", "instType": "SWAP"},
                "data": [
                    {
                        "details": [detail],
                        "instFamily": family,
                        "instId": symbol,
                        "instType": "SWAP",
                        "uly": family,
                    }
                ],
            }
        )
    if venue == "gateio":
        row = {
            "price": number(price),
            "size": number(-contracts if is_long else contracts),
            "time": ms,
            "contract": symbol,
        }
        return _dump(
            {
                "time": ms // 1000,
                "time_ms": ms,
                "channel": "futures.public_liquidates",
                "event": "update",
                "result": [row],
            }
        )
    raise ValueError(f"no encoder for venue {venue!r}")


def pick_venue(event: Liquidation, weights: Mapping[str, int] = DEMO_WEIGHTS) -> str:
    """The venue a demo event is given to: a stable hash of the event, weighted."""
    key = f"{event.symbol}|{event.exchange_ms}|{event.price!r}|{event.quantity!r}".encode()
    slot = zlib.crc32(key) % sum(weights.values())
    for venue, weight in weights.items():
        if slot < weight:
            return venue
        slot -= weight
    raise AssertionError("unreachable: slot is below the weight total")


def derive_frames(
    frames: Iterable[RecordedFrame],
    decode: Callable[[str, int], list[Liquidation]],
    contract_size: ContractSize | None = None,
    weights: Mapping[str, int] = DEMO_WEIGHTS,
    listed: Callable[[str, str], bool] | None = None,
) -> Iterator[RecordedFrame]:
    """Spread one venue's recorded events over several venues' frame shapes.

    Each event goes to one venue (:func:`pick_venue`); events staying on the
    recorded venue keep their original frame untouched. Re-encoded frames keep
    the original ``received_ms`` and are marked ``derived``.

    Args:
        frames: the source recording (e.g. real Binance frames).
        decode: the source venue adapter's ``parse(frame, received_ms)``.
        contract_size: multiplier lookup for OKX and Gate (events it cannot
            size stay on the source venue).
        weights: venue shares.
        listed: ``listed(venue, symbol)``: whether a client of ``venue`` would
            receive that symbol (a venue subscribed per symbol only sends what is
            in the client's list); unlisted events stay on the source venue.
    """
    for record in frames:
        events = decode(record.frame, record.received_ms)
        if not events:
            yield record
            continue
        kept = False
        for event in events:
            target = pick_venue(event, weights)
            text = None
            if target != record.venue and (listed is None or listed(target, venue_symbol(target, event))):
                text = encode_event(target, event, contract_size)
            if text is None:
                kept = True
                continue
            yield RecordedFrame(record.received_ms, target, text, derived=True)
        if kept:
            yield record


def shift_times(frame: str, offset_ms: int) -> str:
    """``frame`` with every timestamp moved by ``offset_ms`` (fresh times for a looping demo).

    Time fields are recognised by name (``E``, ``T``, ``ts``, ``time``, ``time_ms``,
    ``updatedTime``, ``created_at``) and value: 13-digit values are ms and move by
    ``offset_ms``, 10-digit values are seconds and move by ``offset_ms // 1000``;
    strings stay strings. A frame that is not JSON is returned unchanged.
    """
    try:
        data = json.loads(frame)
    except ValueError:
        return frame
    return _dump(_shift(data, offset_ms))


def _shift(node: Any, offset_ms: int) -> Any:
    if isinstance(node, dict):
        return {
            key: _shift_value(value, offset_ms) if key in _TIME_KEYS else _shift(value, offset_ms)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_shift(item, offset_ms) for item in node]
    return node


def _shift_value(value: Any, offset_ms: int) -> Any:
    as_string = isinstance(value, str)
    if as_string and not value.isdigit():
        return value
    if not as_string and (not isinstance(value, int) or isinstance(value, bool)):
        return _shift(value, offset_ms)
    stamp = int(value)
    if stamp >= 10**12:
        stamp += offset_ms
    elif stamp >= 10**9:
        stamp += offset_ms // 1000
    return str(stamp) if as_string else stamp


def _dump(data: object) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

"""Bitget UTA (v3) public websocket: the ``liquidation`` topic for USDT futures.

Facts (../shared/research/exchanges.md §5):

* ``wss://ws.bitget.com/v3/ws/public``; one subscription per instType covers all pairs
  (the v2 websocket has no liquidation channel).
* Heavily throttled: each second Bitget pushes, per pair, only the largest long and
  the largest short liquidation of the previous second.
* Keep-alive (Bitget websocket intro): send the text ``ping`` every 30 s, expect
  ``pong``; the server drops connections after 2 min without a ping and every 24 h.

SIDE — MEDIUM/LOW CONFIDENCE: ``side`` is read as the POSITION side, ``buy`` => a long
was liquidated, as tardis-node does ("Bitget side is position side"). The push-field
table of Bitget's doc page could not be read; confirm against live data.

``amount`` IS THE QUOTE (USDT) NOTIONAL — MEDIUM-HIGH CONFIDENCE. A summary of Bitget's
doc says "quote coin", and the only real frame (tardis-node test input, 2026-04-28)
proves it arithmetically: amount / price is a whole number of 0.1-lots for both rows
(APEUSDT 13.70319 / 0.1649 = 83.1; IPUSDT 143.330431857868 / 0.500280739469 = 286.5)
while the amounts themselves are not multiples of the 0.1 lot size, so they cannot
be base quantities. Hence usd = amount and quantity = amount / price.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from liqterm.model import Liquidation, canonical_asset
from liqterm.venues._common import (
    LONG,
    SHORT,
    AdapterBase,
    control,
    epoch_ms,
    event,
    load_json,
    positive,
    strip_quote,
)
from liqterm.venues.base import Decoded, KeepAlive

URL = "wss://ws.bitget.com/v3/ws/public"
INST_TYPE = "usdt-futures"
SUBSCRIBE = json.dumps(
    {"op": "subscribe", "args": [{"instType": INST_TYPE, "topic": "liquidation"}]},
    separators=(",", ":"),
)
# usdc-futures are linear too (BTCPERP); coin-futures (BTCUSD) are inverse and refused.
LINEAR_INST_TYPES = frozenset({"usdt-futures", "usdc-futures"})
LINEAR_SUFFIXES = ("USDT", "PERP", "USDC")


def is_pong(text: str) -> bool:
    return text == "pong"


class BitgetAdapter(AdapterBase):
    name = "bitget"
    url = URL
    keepalive = KeepAlive(
        ping_text="ping",
        ping_interval_s=30.0,
        silence_timeout_s=45.0,  # our 30 s ping's pong + 15 s grace
        is_pong=is_pong,
        max_lifetime_s=24 * 3600.0,
    )
    throttle_note = (
        "Bitget pushes only the largest long and the largest short liquidation per pair per second."
    )
    needs_symbols = False
    drop_replayed_on_subscribe = False

    def subscribe_frames(self, symbols: Sequence[str]) -> list[str]:
        """One frame for every USDT future; ``symbols`` is not needed."""
        return [SUBSCRIBE]

    def _resolve_asset(self, symbol: str) -> tuple[str, float] | str:
        known = self.instruments.symbols.get(symbol)
        if known is not None:
            return (known.asset, known.scale) if known.linear else f"not USD-quoted {symbol}"
        # amount is already USDT, so only the asset name is needed: <BASE>USDT by naming rule.
        base = strip_quote(symbol, LINEAR_SUFFIXES)
        return canonical_asset(base) if base else f"unknown symbol {symbol}"[:60]

    def _decode(self, frame: str | bytes, received_ms: int) -> Decoded:
        """Decode a ``liquidation`` push; each ``data`` row is one liquidation.

        Documented example (Bitget UTA "Liquidation Channel")::

            {"data":[{"symbol":"BTCUSDT","side":"buy","price":"89000","amount":"37.722858",
              "ts":"1736371332162"}],"arg":{"instType":"usdt-futures","topic":"liquidation"},
             "action":"update","ts":1736371332162}
        """
        if frame == "pong" or frame == b"pong":
            return control()
        message, reason = load_json(frame)
        if reason:
            return Decoded([], reason)
        if type(message) is not dict:
            return Decoded([], "not an object")
        if "event" in message:  # subscribe ack or error
            if message.get("event") == "error":
                return control(f"error {message.get('code')}: {message.get('msg')}"[:120])
            return control()
        arg = message.get("arg")
        rows = message.get("data")
        if type(arg) is not dict or arg.get("topic") != "liquidation" or type(rows) is not list:
            return Decoded([], "unexpected message")
        if arg.get("instType") not in LINEAR_INST_TYPES:
            return Decoded([], f"not USD-quoted {arg.get('instType')}"[:60])
        envelope_ms = message.get("ts")
        assets = self._assets  # memo of symbol -> (asset, scale) or refusal reason
        events: list[Liquidation] = []
        rejected: str | None = None
        for row in rows:
            if type(row) is not dict:
                rejected = rejected or "bad row"
                continue
            symbol = row.get("symbol")
            if type(symbol) is not str or not symbol:
                rejected = rejected or "bad symbol"
                continue
            asset = assets.get(symbol) or self._asset(symbol)
            if type(asset) is str:
                rejected = rejected or asset
                continue
            side_text = row.get("side")
            if side_text == "buy":
                side = LONG
            elif side_text == "sell":
                side = SHORT
            else:
                rejected = rejected or "bad side"
                continue
            price = positive(row.get("price"))
            if not price:
                rejected = rejected or "bad price"
                continue
            usd = positive(row.get("amount"))
            if not usd:
                rejected = rejected or "bad size"
                continue
            exchange_ms = epoch_ms(row.get("ts")) or epoch_ms(envelope_ms)
            if not exchange_ms:
                rejected = rejected or "bad time"
                continue
            name, scale = asset
            events.append(
                event(
                    "bitget",
                    symbol,
                    name,
                    scale,
                    side,
                    price,
                    usd / price,
                    exchange_ms,
                    received_ms,
                )
            )
        return Decoded(events, rejected)

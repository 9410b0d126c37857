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

from liqterm.model import Liquidation
from liqterm.venues._build import event_of, number_of
from liqterm.venues._common import (
    _HUGE,
    _MAX_MS,
    _MIN_MS,
    _TINY,
    LONG,
    SHORT,
    AdapterBase,
    Resolved,
    control,
    epoch_ms,
    liquidation_or_reason,
    positive,
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

    def _resolve_asset(self, symbol: str) -> Resolved | str:
        # amount is already USDT, so only the asset name is needed: <BASE>USDT by naming rule.
        found = self._listed_or_named(symbol, symbol, LINEAR_SUFFIXES, size_in_usd=True)
        return found if found is not None else f"unknown symbol {symbol}"[:60]

    def _fast(self, message: object, received_ms: int) -> list[Liquidation] | None:
        """A ``liquidation`` push whose rows are all valid, else ``None`` (see _common)."""
        try:
            arg = message["arg"]  # type: ignore[index]
            rows = message["data"]  # type: ignore[index]
            if "event" in message or type(rows) is not list:  # type: ignore[operator]
                return None
            if arg["topic"] != "liquidation" or arg["instType"] not in LINEAR_INST_TYPES:
                return None
            assets = self._assets
            events = []
            for row in rows:
                symbol = row["symbol"]
                resolved = assets[symbol]  # KeyError until the full path has resolved it once
                side = row["side"]
                ms = row["ts"]
                price = number_of(row["price"])
                if type(price) is not float:
                    if type(price) is not int:
                        return None
                    price = float(price)
                size = number_of(row["amount"])  # USDT (size_in_usd)
                if type(size) is not float:
                    if type(size) is not int:
                        return None
                    size = float(size)
                if type(resolved) is str:
                    return None
                # epoch_ms's rule for a digit string, less its seconds case
                if type(ms) is not str or not (ms.isascii() and ms.isdigit() and len(ms) < 18):
                    return None
                ms = int(ms)
                if not (_TINY < price < _HUGE and _TINY < size < _HUGE and _MIN_MS <= ms < _MAX_MS):
                    return None
                if side == "buy":  # read as the POSITION side
                    side = LONG
                elif side == "sell":
                    side = SHORT
                else:
                    return None
                events.append(event_of("bitget", symbol, resolved, side, price, size, ms, received_ms))
            return events
        except Exception:
            return None

    def _decode(self, frame: str | bytes, received_ms: int) -> Decoded:
        if frame == "pong" or frame == b"pong":
            return control()
        return super()._decode(frame, received_ms)

    def _decode_message(self, message: object, received_ms: int) -> Decoded:
        """Decode a ``liquidation`` push; each ``data`` row is one liquidation.

        Documented example (Bitget UTA "Liquidation Channel")::

            {"data":[{"symbol":"BTCUSDT","side":"buy","price":"89000","amount":"37.722858",
              "ts":"1736371332162"}],"arg":{"instType":"usdt-futures","topic":"liquidation"},
             "action":"update","ts":1736371332162}
        """
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
        return self._decode_rows(rows, "symbol", message.get("ts"), received_ms)

    def _read_row(
        self, row: dict, symbol: str, resolved: Resolved, envelope_ms: object, received_ms: int
    ) -> Liquidation | str:
        side = row.get("side")  # read as the POSITION side (module docstring): buy is a long
        return liquidation_or_reason(
            "bitget",
            symbol,
            resolved,
            LONG if side == "buy" else SHORT if side == "sell" else None,
            positive(row.get("price")),
            positive(row.get("amount")),  # USDT: quantity = amount / price (size_in_usd)
            epoch_ms(row.get("ts")) or epoch_ms(envelope_ms),
            received_ms,
        )

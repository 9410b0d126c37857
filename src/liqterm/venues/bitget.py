"""Bitget UTA (v3) public websocket: the ``liquidation`` topic for USDT futures.

Facts (sources in docs/venues.md):

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

from liqterm.venues._common import LONG, SHORT, AdapterBase, Rows, control
from liqterm.venues._rows import EpochMs, Number, Refused, Resolved, RowLayout, SideOf, SizeUnit, unknown
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


class BitgetAdapter(AdapterBase):
    name = "bitget"
    url = URL
    keepalive = KeepAlive(
        ping_text="ping",
        ping_interval_s=30.0,
        silence_timeout_s=45.0,  # our 30 s ping's pong + 15 s grace
        max_lifetime_s=24 * 3600.0,
    )
    throttle_note = (
        "Bitget pushes only the largest long and the largest short liquidation per pair per second."
    )
    needs_symbols = False
    bare_control_text = "pong"  # the answer to our ping, not JSON
    drop_replayed_on_subscribe = False

    rows = RowLayout(
        symbol="symbol",
        side=SideOf("side", {"buy": LONG, "sell": SHORT}),  # read as the POSITION side (module docstring)
        price=Number("price"),
        size=Number("amount"),
        unit=SizeUnit.QUOTE,  # USDT: quantity = amount / price (module docstring)
        time=EpochMs("ts"),
        envelope_time="ts",  # the push's time, where a row has none
    )

    def _resolve_asset(self, symbol: str) -> Resolved | Refused:
        # amount is already USDT, so only the asset name is needed: <BASE>USDT by naming rule.
        found = self._listed_or_named(symbol, symbol, LINEAR_SUFFIXES)
        return found if found is not None else unknown(symbol)

    def _envelope(self, message: object) -> Rows | Decoded:
        """The rows of a ``liquidation`` push; each ``data`` row is one liquidation.

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
        return rows, message

    def subscribe_frames(self, symbols: Sequence[str]) -> list[str]:
        """One frame for every USDT future; ``symbols`` is not needed."""
        return [SUBSCRIBE]

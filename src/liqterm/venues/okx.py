"""OKX v5: the ``liquidation-orders`` channel for every perpetual swap.

Facts (sources in docs/venues.md):

* One subscription ``{"channel":"liquidation-orders","instType":"SWAP"}`` covers all
  swaps, USDT/USDC-margined (linear) and coin-margined (inverse) alike.
* ``sz`` is in CONTRACTS. Linear: base = ``sz * ctVal * ctMult``. Inverse
  (``BTC-USD-SWAP``, ``ctValCcy`` USD): USD = ``sz * ctVal * ctMult`` and base =
  USD / price. Contract values come from the instruments table; a symbol missing
  from it is rejected, never guessed.
* ``posSide`` names the liquidated position (``long``/``short``); in net mode it is
  ``net`` and ``side`` is the closing order (sell closes a long). 100 live events
  always had the pair opposite.
* ``bkPx`` is the bankruptcy price; rows are not necessarily in time order.
* The first push after subscribing replays an already-past liquidation (tardis drops
  it), hence ``drop_replayed_on_subscribe``.
* Keep-alive: OKX drops a connection after 30 s without traffic; we send the text
  ``ping`` every 20 s and get ``pong``.
* Per OKX the feed "doesn't represent the total number of liquidations"; older docs:
  at most one order per contract per second.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from liqterm.venues._common import LONG, SHORT, AdapterBase, Rows, control
from liqterm.venues._rows import EpochMs, Number, Refused, Resolved, RowLayout, SideOf, SizeUnit
from liqterm.venues.base import Decoded, KeepAlive

URL = "wss://ws.okx.com:8443/ws/v5/public"
SUBSCRIBE = json.dumps(
    {"op": "subscribe", "args": [{"channel": "liquidation-orders", "instType": "SWAP"}]},
    separators=(",", ":"),
)
CLOSING_ORDER = {"sell": LONG, "buy": SHORT}
"""The side of the position an order closed: a sell closes a long."""


class OkxAdapter(AdapterBase):
    name = "okx"
    url = URL
    keepalive = KeepAlive(
        ping_text="ping",
        ping_interval_s=20.0,  # OKX closes after 30 s of silence
        silence_timeout_s=35.0,
    )
    throttle_note = (
        "OKX says its liquidation feed is not the total number of liquidations "
        "(at most one order per contract per second)."
    )
    needs_symbols = False
    bare_control_text = "pong"  # the answer to our ping, not JSON
    drop_replayed_on_subscribe = True

    rows = RowLayout(
        symbol="instId",
        rows_in_group="details",  # data[] holds one group per instrument, its rows in details[]
        # the liquidated position; in net mode ("net") the closing order's side (sell closes a long)
        side=SideOf("posSide", {"long": LONG, "short": SHORT}, otherwise=SideOf("side", CLOSING_ORDER)),
        price=Number("bkPx"),  # the bankruptcy price
        size=Number("sz"),
        unit=SizeUnit.CONTRACTS,  # ctVal * ctMult base units; USD for an inverse swap
        time=EpochMs("ts"),  # rows carry their own time, the push none
    )

    def _resolve_asset(self, symbol: str) -> Resolved | Refused:
        """A swap of the table; sizes are contracts, never guessed for a missing symbol."""
        # inverse (BTC-USD-SWAP): each contract is worth contract_size USD, not base units
        return self._listed_contract(symbol, inverse_in_usd=True)

    def _envelope(self, message: object) -> Rows | Decoded:
        """The instrument groups of a ``liquidation-orders`` push, each with its ``details[]`` rows.

        Documented example (OKX v5 "Liquidation orders channel")::

            {"arg":{"channel":"liquidation-orders","instType":"SWAP"},
             "data":[{"details":[{"bkLoss":"0","bkPx":"0.007831","ccy":"","posSide":"short",
               "side":"buy","sz":"13","ts":"1692266434010"}],
              "instFamily":"IOST-USDT","instId":"IOST-USDT-SWAP","instType":"SWAP",
              "uly":"IOST-USDT"}]}
        """
        if type(message) is not dict:
            return Decoded([], "not an object")
        if "event" in message:  # subscribe ack, error, service notice
            if message.get("event") == "error":
                return control(f"error {message.get('code')}: {message.get('msg')}"[:120])
            return control()
        arg = message.get("arg")
        if type(arg) is dict and arg.get("channel") != "liquidation-orders":
            return Decoded([], f"unexpected channel {arg.get('channel')}"[:60])
        groups = message.get("data")
        if type(groups) is not list:
            return Decoded([], "unexpected message")
        return groups, message

    def subscribe_frames(self, symbols: Sequence[str]) -> list[str]:
        """One frame for every swap; ``symbols`` is not needed."""
        return [SUBSCRIBE]

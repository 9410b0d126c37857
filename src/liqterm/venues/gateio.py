"""Gate futures v4 (USDT-settled): the ``futures.public_liquidates`` channel, all contracts.

Facts (sources in docs/venues.md):

* ``payload: ["!all"]`` subscribes every contract on one connection.
* ``size`` is in CONTRACTS of ``quanto_multiplier`` base units (instruments table);
  a contract missing from the table is rejected, never guessed.
* The message shape drifts: live frames (2026-08-10, reported on Gate's websocket
  issue tracker) carry ``result`` as a bare OBJECT with the row time in ``time`` (ms),
  price a string and size an int; the docs (since 2026-08-20) show an ARRAY of rows aggregated per
  contract per second, with ``time`` or ``time_ms``, and sizes as strings when the
  ``X-Gate-Size-Decimal: 1`` header is sent (integers, rounded down, otherwise).
  All of these are accepted.
* Keep-alive: Gate pings at the protocol level (websockets answers). We also send the
  documented app-level ``futures.ping`` so a silent feed still proves it is alive.
  ``ping_text`` is static, so its ``time`` is a fixed value; Gate echoes its own
  time in the pong and nothing documents a check on ours.

SIDE FROM THE SIGN OF ``size`` — LOW-MEDIUM CONFIDENCE (docs/venues.md). Gate does
not document it. We read ``size`` as the liquidation ORDER's signed quantity, so a
negative size is a sell that closed a LONG, a positive one a buy that closed a short:

* the docs call the field "liquidate order quantity" (zh: 强平订单数量);
* on the REST analogue ``/futures/usdt/liq_orders`` the ORDER size has the opposite
  sign to the position size in 167 of 167 live records (long position => negative order);
* the two live HEI_USDT frames are both negative while the price falls
  (0.13827 -> 0.13761), as a run of long liquidations would look.

No live check against the order book exists yet; if one shows the opposite, flip
``SideFromSign(negative=LONG)`` in the row layout and nothing else.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from liqterm.venues._common import LONG, AdapterBase, Rows, control
from liqterm.venues._rows import EpochMs, Number, Refused, Resolved, RowLayout, SideFromSign, SizeUnit
from liqterm.venues.base import Decoded, KeepAlive

URL = "wss://fx-ws.gateio.ws/v4/ws/usdt"
CHANNEL = "futures.public_liquidates"
# Static by interface; the fixed time is documented above as harmless.
PING = '{"time":1700000000,"channel":"futures.ping"}'
# Gate sends decimal sizes as strings only with this header (else integers, rounded
# down); the connection sends it, and the parser takes both forms anyway.
HEADERS = {"X-Gate-Size-Decimal": "1"}


class GateAdapter(AdapterBase):
    name = "gateio"
    url = URL
    headers = HEADERS
    keepalive = KeepAlive(
        ping_text=PING,
        ping_interval_s=20.0,
        silence_timeout_s=35.0,  # our 20 s ping's futures.pong + 15 s grace
    )
    throttle_note = (
        "Gate aggregates per contract per second since 2026-08-20 "
        "(before: at most one liquidation per contract per second)."
    )
    needs_symbols = False
    drop_replayed_on_subscribe = False

    rows = RowLayout(
        symbol="contract",
        side=SideFromSign(negative=LONG),  # a negative order size is a sell that closed a long
        price=Number("price"),
        size=Number("size", signed=True),  # an int, or a decimal string with X-Gate-Size-Decimal
        unit=SizeUnit.CONTRACTS,  # quanto_multiplier base units each
        time=EpochMs("time_ms", "time"),  # time_ms in older rows
        envelope_time="time_ms",  # the push's time, where a row has neither
    )

    def _resolve_asset(self, symbol: str) -> Resolved | Refused:
        """A contract of the table; sizes are contracts of ``quanto_multiplier`` base units."""
        return self._listed_contract(symbol, inverse_in_usd=False)

    def _envelope(self, message: object) -> Rows | Decoded:
        """The rows of a ``futures.public_liquidates`` update (one row object or an array of rows).

        Documented example (Gate futures WS v4, after the 2026-08-20 change)::

            {"channel":"futures.public_liquidates","event":"update","time":1541505434,
             "time_ms":1541505434123,"result":[{"price":"215.1","size":"-124.5",
             "time":1541486601123,"contract":"BTC_USDT"},{"price":"215.2","size":"-10.5",
             "time":1541486601456,"contract":"BTC_USDT"}]}
        """
        if type(message) is not dict:
            return Decoded([], "not an object")
        channel = message.get("channel")
        event_name = message.get("event")
        error = message.get("error")
        if error:
            return control(f"error: {error}"[:120])
        if channel != CHANNEL or event_name != "update":
            if channel == "futures.pong" or event_name in ("subscribe", "unsubscribe"):
                status = message.get("result")
                if type(status) is dict and status.get("status", "success") != "success":
                    return control(f"subscribe {status.get('status')}"[:60])
                return control()
            return Decoded([], "unexpected message")
        rows = message.get("result")  # an array of rows, or (live frames) a bare row
        if type(rows) is not list and type(rows) is not dict:
            return Decoded([], "bad result")
        return rows, message

    def subscribe_frames(self, symbols: Sequence[str]) -> list[str]:
        """One ``!all`` subscription (``time`` is the current epoch second, as Gate asks)."""
        request = {
            "time": int(time.time()),
            "channel": CHANNEL,
            "event": "subscribe",
            "payload": ["!all"],
        }
        return [json.dumps(request, separators=(",", ":"))]

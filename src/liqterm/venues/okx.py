"""OKX v5: the ``liquidation-orders`` channel for every perpetual swap.

Facts (../shared/research/exchanges.md §3):

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

URL = "wss://ws.okx.com:8443/ws/v5/public"
SUBSCRIBE = json.dumps(
    {"op": "subscribe", "args": [{"channel": "liquidation-orders", "instType": "SWAP"}]},
    separators=(",", ":"),
)


def is_pong(text: str) -> bool:
    return text == "pong"


class OkxAdapter(AdapterBase):
    name = "okx"
    url = URL
    keepalive = KeepAlive(
        ping_text="ping",
        ping_interval_s=20.0,  # OKX closes after 30 s of silence
        silence_timeout_s=35.0,
        is_pong=is_pong,
    )
    throttle_note = (
        "OKX says its liquidation feed is not the total number of liquidations "
        "(at most one order per contract per second)."
    )
    needs_symbols = False
    drop_replayed_on_subscribe = True

    def subscribe_frames(self, symbols: Sequence[str]) -> list[str]:
        """One frame for every swap; ``symbols`` is not needed."""
        return [SUBSCRIBE]

    def _resolve_asset(self, symbol: str) -> Resolved | str:
        """A swap of the table; sizes are contracts, never guessed for a missing symbol."""
        instrument = self.instruments.symbols.get(symbol)
        if instrument is None:
            return f"unknown symbol {symbol}"[:60]
        # inverse (BTC-USD-SWAP): each contract is worth contract_size USD, not base units
        return Resolved(instrument.asset, instrument.scale, instrument.contract_size, not instrument.linear)

    def _fast(self, message: object, received_ms: int) -> list[Liquidation] | None:
        """A ``liquidation-orders`` push whose rows are all valid, else ``None`` (see _common)."""
        try:
            if "event" in message or message["arg"]["channel"] != "liquidation-orders":  # type: ignore[operator,index]
                return None
            groups = message["data"]  # type: ignore[index]
            if type(groups) is not list:
                return None
            assets = self._assets
            events = []
            for group in groups:
                symbol = group["instId"]
                resolved = assets[symbol]  # KeyError until the full path has resolved it once
                details = group["details"]
                if type(resolved) is str or type(details) is not list:
                    return None
                for row in details:
                    position = row["posSide"]
                    ms = row["ts"]
                    price = number_of(row["bkPx"])
                    if type(price) is not float:
                        if type(price) is not int:
                            return None
                        price = float(price)
                    size = number_of(row["sz"])  # contracts
                    if type(size) is not float:
                        if type(size) is not int:
                            return None
                        size = float(size)
                    # epoch_ms's rule for a digit string, less its seconds case
                    if type(ms) is not str or not (ms.isascii() and ms.isdigit() and len(ms) < 18):
                        return None
                    ms = int(ms)
                    if not (_TINY < price < _HUGE and _TINY < size < _HUGE and _MIN_MS <= ms < _MAX_MS):
                        return None
                    if position == "long":
                        side = LONG
                    elif position == "short":
                        side = SHORT
                    else:  # net mode: the full path reads the order's side
                        return None
                    events.append(event_of("okx", symbol, resolved, side, price, size, ms, received_ms))
            return events
        except Exception:
            return None

    def _decode(self, frame: str | bytes, received_ms: int) -> Decoded:
        if frame == "pong" or frame == b"pong":
            return control()
        return super()._decode(frame, received_ms)

    def _decode_message(self, message: object, received_ms: int) -> Decoded:
        """Decode a ``liquidation-orders`` push: ``data[]`` instruments, each with ``details[]``.

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
        assets = self._assets  # memo of symbol -> Resolved or refusal reason
        read_row = self._read_row
        events: list[Liquidation] = []
        rejected: str | None = None
        for group in groups:  # one instrument each; its rows are in details[]
            if type(group) is not dict:
                rejected = rejected or "bad row"
                continue
            symbol = group.get("instId")
            details = group.get("details")
            if type(symbol) is not str or not symbol or type(details) is not list:
                rejected = rejected or "bad row"
                continue
            resolved = assets.get(symbol) or self._asset(symbol)
            if type(resolved) is str:
                rejected = rejected or resolved
                continue
            for detail in details:
                if type(detail) is dict:
                    found = read_row(detail, symbol, resolved, None, received_ms)
                else:
                    found = "bad row"
                if type(found) is str:
                    rejected = rejected or found
                else:
                    events.append(found)
        return Decoded(events, rejected)

    def _read_row(
        self, row: dict, symbol: str, resolved: Resolved, envelope_ms: object, received_ms: int
    ) -> Liquidation | str:
        position = row.get("posSide")
        if position == "long":
            side = LONG
        elif position == "short":
            side = SHORT
        else:  # "net" or absent: the closing order's side tells (sell closes a long)
            order_side = row.get("side")
            side = LONG if order_side == "sell" else SHORT if order_side == "buy" else None
        return liquidation_or_reason(
            "okx",
            symbol,
            resolved,
            side,
            positive(row.get("bkPx")),
            positive(row.get("sz")),  # contracts, each worth resolved.size_unit (see _resolve_asset)
            epoch_ms(row.get("ts")),  # rows carry their own time, the push none
            received_ms,
        )

"""Binance USD-M futures: the all-market ``!forceOrder@arr`` stream.

One raw connection carries every symbol; the stream is chosen by the URL path, so
nothing is sent after connecting. Facts (sources in docs/venues.md):

* Since the 2026 URL split the stream lives under ``/market``; the legacy ``/ws/`` path
  still accepts the connection (and answers requests) but pushes nothing. A dead
  path therefore looks alive at the protocol level, which is why we also send an
  application request (``LIST_SUBSCRIPTIONS``) as a ping: a connection whose reply
  never arrives is provably dead. The reply is a control frame.
* Binance pings at the protocol level every 3 min (websockets answers those) and
  closes every connection at 24 h.
* At most one liquidation per symbol per second is pushed (the latest), so totals
  are a floor.

Mark prices (opt-in, ``[venues.binance] mark_prices``) ride on the same connection: a
``SUBSCRIBE`` adds ``!markPrice@arr@1s`` (every symbol's ``markPriceUpdate`` once a
second, in one array) or ``<symbol>@markPrice@1s`` per symbol. Their frames are context,
not liquidations: ``decode`` reads them as control frames (a once-a-second proof the
feed is alive) and :meth:`BinanceAdapter.mark_prices` reads their prices for the
recorder's and the backtest's use.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from liqterm.venues._common import LONG, SHORT, AdapterBase, Rows, control, load_json
from liqterm.venues._rows import (
    EpochMs,
    Number,
    Refused,
    Resolved,
    RowLayout,
    SideOf,
    SizeUnit,
    epoch_ms,
    positive,
    refused,
    unknown,
)
from liqterm.venues.base import Decoded, KeepAlive

URL = "wss://fstream.binance.com/market/ws/!forceOrder@arr"
# A fixed id is enough: we only need *a* reply, and ids are echoed back verbatim.
LIST_SUBSCRIPTIONS = '{"method":"LIST_SUBSCRIPTIONS","id":7}'
USD_M_QUOTES = ("USDT", "USDC")
MARK_PRICE_ALL = "!markPrice@arr@1s"
MARK_PRICE_REQUEST_ID = 2
_STREAMS_PER_REQUEST = 200  # Binance allows 1024 streams a connection; requests stay small


def _is_mark_price(message: object) -> bool:
    """A ``markPriceUpdate`` (one symbol's stream) or a non-empty array of them (``!markPrice@arr``)."""
    if type(message) is dict:
        return message.get("e") == "markPriceUpdate"
    return (
        type(message) is list
        and bool(message)
        and all(type(item) is dict and item.get("e") == "markPriceUpdate" for item in message)
    )


class BinanceAdapter(AdapterBase):
    name = "binance"
    url = URL
    keepalive = KeepAlive(
        ping_text=LIST_SUBSCRIPTIONS,
        ping_interval_s=30.0,
        silence_timeout_s=45.0,  # the reply to our 30 s request + 15 s grace
        max_lifetime_s=24 * 3600.0,
    )
    throttle_note = (
        "Binance pushes at most one liquidation per symbol per second (the latest), "
        "so counts and USD are a floor."
    )
    needs_symbols = False
    drop_replayed_on_subscribe = False
    mark_price_marker = '"markPriceUpdate"'
    """Text every mark-price frame holds (a cheap test before parsing one)."""

    rows = RowLayout(
        symbol="s",
        side=SideOf("S", {"SELL": LONG, "BUY": SHORT}),  # the forced ORDER's side: SELL closes a long
        # the average fill price; the order's limit price only where that is 0 or absent
        price=Number("ap", otherwise=Number("p")),
        size=Number("z", "q"),  # filled so far (l is only the last fill); the order's size where z is absent
        unit=SizeUnit.BASE,
        time=EpochMs("T"),  # the trade time
        envelope_time="E",  # the event time, where the trade time is missing
    )

    def _resolve_asset(self, symbol: str) -> Resolved | Refused:
        """What a USD-M symbol's rows mean, or why they are refused."""
        # Not in the table (the bundled one lists majors only). USD-M symbols are
        # <BASE><USDT|USDC>, plus _YYMMDD for quarterlies, and size is in base units,
        # so the base is read off the name. COIN-M names (BTCUSD_PERP, BTCUSD_200925:
        # quantity in $100 contracts, ~1000x off as base) end in plain USD and are refused.
        pair = symbol.partition("_")[0]
        found = self._listed_or_named(symbol, pair, USD_M_QUOTES)
        if found is not None:
            return found
        if pair.endswith("USD"):
            return refused(f"coin-margined symbol {symbol}")
        return unknown(symbol)

    def _envelope(self, message: object) -> Rows | Decoded:
        """The order of a ``forceOrder`` event, raw or wrapped as ``{"stream":..,"data":..}``.

        Documented example (Binance USD-M "All Market Liquidation Order Streams"; the
        original carries ``//`` comments)::

            {"e":"forceOrder","E":1568014460893,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT",
             "f":"IOC","q":"0.014","p":"9910","ap":"9910","X":"FILLED","l":"0.014",
             "z":"0.014","T":1568014460893}}

        ``o`` is the one row; mark-price updates and request replies are control frames.
        """
        if type(message) is dict and "data" in message and "stream" in message:
            message = message["data"]
        order = message.get("o") if type(message) is dict else None
        if type(order) is dict:
            return order, message
        if type(message) is not dict:
            return control() if _is_mark_price(message) else Decoded([], "not an object")
        if message.get("e") == "markPriceUpdate":
            return control()
        if "result" in message or "id" in message:  # SUBSCRIBE / LIST_SUBSCRIPTIONS reply
            # errors: {"error":{"code":..,"msg":..},"id":..} or {"code":..,"msg":..,"id":..}
            error = message.get("error") or message.get("msg")
            return control(f"error {error}"[:120] if error else None)
        return Decoded([], "unexpected message")

    def subscribe_frames(self, symbols: Sequence[str]) -> list[str]:
        """Nothing to send: the URL path already names ``!forceOrder@arr``."""
        return []

    def mark_price_frames(self, symbols: Sequence[str]) -> list[str]:
        """``SUBSCRIBE`` requests for mark prices on the liquidation connection.

        ``("*",)`` asks for ``!markPrice@arr@1s`` (every USD-M symbol once a second, about
        100 KB a second); otherwise each listed symbol's ``<symbol>@markPrice@1s``.
        """
        if "*" in symbols:
            streams = [MARK_PRICE_ALL]
        else:
            streams = [f"{symbol.lower()}@markPrice@1s" for symbol in symbols]
        step = _STREAMS_PER_REQUEST
        return [
            json.dumps({"method": "SUBSCRIBE", "params": streams[i : i + step], "id": MARK_PRICE_REQUEST_ID})
            for i in range(0, len(streams), step)
        ]

    def mark_prices(self, frame: str | bytes) -> list[tuple[str, int, float]]:
        """``(asset, event ms, mark price per unit of asset)`` of a mark-price frame; ``[]`` for any
        other frame.

        One series per asset: only USDT-margined perpetuals (``<BASE>USDT``) are read. The
        all-market array also holds the quarterlies (``BTCUSDT_260626``), whose marks carry
        their basis, and USDC twins (``BTCUSDC``); mixing them into the asset's series would
        read the jumps between them as moves. Symbols the adapter refuses (unknown,
        coin-margined) and rows without a positive price or a valid time are left out too."""
        message, reason = load_json(frame)
        if reason is not None:
            return []
        if type(message) is dict and "data" in message and "stream" in message:
            message = message["data"]
        if not _is_mark_price(message):
            return []
        out = []
        for row in message if type(message) is list else [message]:  # type: ignore[union-attr]
            symbol = row.get("s")
            price = positive(row.get("p"))
            ms = epoch_ms(row.get("E"))
            perpetual = type(symbol) is str and symbol.endswith("USDT") and "_" not in symbol
            resolved = self._asset(symbol) if perpetual else None
            if price and ms and type(resolved) is Resolved:
                out.append((resolved.asset, ms, price / resolved.scale))
        return out

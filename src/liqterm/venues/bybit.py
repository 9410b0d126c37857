"""Bybit v5 linear: the ``allLiquidation.{symbol}`` topics.

Facts (sources in docs/venues.md):

* ``allLiquidation`` pushes EVERY liquidation, batched every 500 ms (``data`` is an
  array). The older ``liquidation.{symbol}`` topic pushed at most one per second and
  was removed in 2025; we never subscribe to it and refuse its frames.
* There is no wildcard: one topic per symbol, so the adapter needs the symbol list
  (from the instruments table). A subscribe request's ``args`` must stay under
  21,000 characters; we send 200 topics per frame (~6,000 characters).
* ``S`` is the POSITION side: ``Buy`` means a long was liquidated (the opposite of
  Binance's order side). Bybit's docs say so, and a live check against the order
  book found Buy events printing below the best bid 21/21 times.
* ``v`` is in base coin for linear contracts; ``p`` is the bankruptcy price.
* Keep-alive: ``{"op":"ping"}`` every 20 s; without traffic Bybit cuts at 10 min.

Mark prices (opt-in, ``[venues.bybit] mark_prices``) come from ``tickers.{symbol}`` on the
same connection: a snapshot, then deltas every 100 ms that carry ``markPrice`` only when it
changed. There is no all-symbol form, so the symbols must be listed. The parser reads
those frames as control frames; :meth:`BybitAdapter.mark_prices` reads their prices.
"""

from __future__ import annotations

import json
import math
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

URL = "wss://stream.bybit.com/v5/public/linear"
TOPIC_PREFIX = "allLiquidation."
TICKER_PREFIX = "tickers."
TOPICS_PER_FRAME = 200
MAX_ARGS_CHARS = 20_000  # Bybit's documented ceiling is 21,000; keep a margin
# Linear symbols are <BASE>USDT, <BASE>PERP (USDC perpetual), <BASE>USDT-<date>.
LINEAR_SUFFIXES = ("USDT", "PERP", "USDC")


def _requests(topics: list[str]) -> list[str]:
    """``{"op":"subscribe","args":[...]}`` frames for ``topics`` (each once), 200 a frame and
    under the args size limit."""
    frames: list[str] = []
    chunk: list[str] = []
    chunk_chars = 2
    for topic in dict.fromkeys(topics):
        cost = len(topic) + 3  # quotes and comma
        if chunk and (len(chunk) >= TOPICS_PER_FRAME or chunk_chars + cost > MAX_ARGS_CHARS):
            frames.append(json.dumps({"op": "subscribe", "args": chunk}, separators=(",", ":")))
            chunk, chunk_chars = [], 2
        chunk.append(topic)
        chunk_chars += cost
    if chunk:
        frames.append(json.dumps({"op": "subscribe", "args": chunk}, separators=(",", ":")))
    return frames


class BybitAdapter(AdapterBase):
    name = "bybit"
    url = URL
    keepalive = KeepAlive(
        ping_text='{"op":"ping"}',
        ping_interval_s=20.0,
        silence_timeout_s=35.0,  # our 20 s ping's pong + 15 s grace
    )
    throttle_note = None  # allLiquidation carries every liquidation
    mark_price_marker = '"tickers.'
    """Text every mark-price frame holds (a cheap test before parsing one)."""
    needs_symbols = True
    drop_replayed_on_subscribe = False

    rows = RowLayout(
        symbol="s",
        side=SideOf("S", {"Buy": LONG, "Sell": SHORT}),  # the POSITION side: Buy is a liquidated long
        price=Number("p"),  # the bankruptcy price
        size=Number("v"),
        unit=SizeUnit.BASE,  # base coin, for every linear symbol
        time=EpochMs("T"),
        envelope_time="ts",  # the push's time, where a row has none
    )

    def _resolve_asset(self, symbol: str) -> Resolved | Refused:
        # Not in the table: v is base coin for any linear symbol, so the name's base is
        # enough. Inverse symbols (BTCUSD, size in USD contracts) are refused: we only
        # subscribe the linear endpoint, so one arriving means something is off.
        pair = symbol.partition("-")[0]
        found = self._listed_or_named(symbol, pair, LINEAR_SUFFIXES)
        if found is not None:
            return found
        if pair.endswith("USD"):
            return refused(f"inverse symbol {symbol}")
        return unknown(symbol)

    def _envelope(self, message: object) -> Rows | Decoded:
        """The rows of an ``allLiquidation`` push; every row is one liquidation.

        Documented example (Bybit v5 "All Liquidation")::

            {"topic":"allLiquidation.ROSEUSDT","type":"snapshot","ts":1739502303204,
             "data":[{"T":1739502302929,"s":"ROSEUSDT","S":"Sell","v":"20000","p":"0.04499"}]}
        """
        if type(message) is not dict:
            return Decoded([], "not an object")
        topic = message.get("topic")
        if type(topic) is not str:
            if "op" in message or "success" in message:  # subscribe ack, pong
                if message.get("success") is False:
                    return control(f"error: {message.get('ret_msg')}"[:120])
                return control()
            return Decoded([], "unexpected message")
        if not topic.startswith(TOPIC_PREFIX):
            if topic.startswith(TICKER_PREFIX):  # mark prices, when subscribed: context
                return control()
            return Decoded([], f"unsupported topic {topic.partition('.')[0]}"[:60])
        rows = message.get("data")
        if type(rows) is not list:
            return Decoded([], "bad data")
        return rows, message

    def subscribe_frames(self, symbols: Sequence[str]) -> list[str]:
        """``{"op":"subscribe","args":["allLiquidation.BTCUSDT",...]}`` frames, 200 topics each.

        An empty ``symbols`` means "the linear symbols of the current instruments table".
        """
        wanted = [symbols] if isinstance(symbols, str) else list(symbols)
        wanted = wanted or self.instruments.linear_symbols()
        return _requests([f"{TOPIC_PREFIX}{s}" for s in wanted if isinstance(s, str) and s])

    def mark_price_frames(self, symbols: Sequence[str]) -> list[str]:
        """``{"op":"subscribe","args":["tickers.BTCUSDT",...]}`` frames for the listed symbols.

        Raises:
            ValueError: for ``"*"``: Bybit has no all-symbol ticker topic.
        """
        if "*" in symbols:
            raise ValueError("bybit has no all-symbol ticker stream: list the symbols")
        return _requests([f"{TICKER_PREFIX}{s.upper()}" for s in symbols])

    def mark_prices(self, frame: str | bytes) -> list[tuple[str, int, float]]:
        """``(asset, ms, mark price per unit of asset)`` of a ``tickers`` frame; ``[]`` for any
        other frame. A delta carries ``markPrice`` only when it changed: one without it gives
        NaN, "unchanged since the last". USDT perpetuals only (``BTCUSDT``; not ``BTCPERP``
        or dated ``BTCUSDT-26DEC25``): one series per asset."""
        message, reason = load_json(frame)
        if reason is not None or type(message) is not dict:
            return []
        topic, data = message.get("topic"), message.get("data")
        if type(topic) is not str or not topic.startswith(TICKER_PREFIX) or type(data) is not dict:
            return []
        symbol = data.get("symbol")
        ms = epoch_ms(message.get("ts"))
        if type(symbol) is not str or not symbol.endswith("USDT") or "-" in symbol or not ms:
            return []
        resolved = self._asset(symbol)
        if type(resolved) is not Resolved:
            return []
        if "markPrice" not in data:
            return [(resolved.asset, ms, math.nan)]
        price = positive(data["markPrice"])
        return [(resolved.asset, ms, price / resolved.scale)] if price else []

"""Small test adapters speaking the fake servers' protocols (stand-ins until the real adapters land).

They decode just enough for the manager tests: OKX-shaped frames with ``sz`` taken as
the base quantity, Bybit-shaped frames with symbols, Binance-shaped raw forceOrder frames.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from liqterm.model import Liquidation, Side
from liqterm.venues.base import Decoded, KeepAlive


def _event(
    venue: str, symbol: str, side: Side, price: float, qty: float, ms: int, received_ms: int
) -> Liquidation:
    asset = symbol.split("-")[0].removesuffix("USDT")
    return Liquidation(venue, symbol, asset, side, price, qty, price * qty, ms, received_ms)


@dataclass
class OkxLikeAdapter:
    """Speaks the fake OKX protocol; ``sz`` is read as base quantity."""

    name: str = "okx"
    url: str = "ws://127.0.0.1:1/ws/v5/public"
    keepalive: KeepAlive = field(
        default_factory=lambda: KeepAlive(ping_text="ping", ping_interval_s=0.2, silence_timeout_s=1.0)
    )
    throttle_note: str | None = "test throttle"
    needs_symbols: bool = False
    drop_replayed_on_subscribe: bool = False

    def subscribe_frames(self, symbols: Sequence[str]) -> list[str]:
        return ['{"op":"subscribe","args":[{"channel":"liquidation-orders","instType":"SWAP"}]}']

    def decode(self, frame: str | bytes, received_ms: int) -> Decoded:
        if frame == "pong":  # the answer to our ping: proves the link alive, like any control frame
            return Decoded([], None, is_control=True)
        try:
            data = json.loads(frame)
        except ValueError:
            return Decoded([], "invalid json")
        if not isinstance(data, dict):
            return Decoded([], "not an object")
        if "event" in data:
            return Decoded([], None if data["event"] != "error" else "error", is_control=True)
        events = []
        for row in data.get("data", []):
            for detail in row.get("details", []):
                side = Side.LONG if detail["posSide"] == "long" else Side.SHORT
                events.append(
                    _event(
                        self.name,
                        row["instId"],
                        side,
                        float(detail["bkPx"]),
                        float(detail["sz"]),
                        int(detail["ts"]),
                        received_ms,
                    )
                )
        return Decoded(events)

    def parse(self, frame: str | bytes, received_ms: int) -> list[Liquidation]:
        return self.decode(frame, received_ms).events


@dataclass
class BybitLikeAdapter:
    """Speaks the fake Bybit protocol: one topic per symbol, JSON op ping."""

    name: str = "bybit"
    url: str = "ws://127.0.0.1:1/v5/public/linear"
    keepalive: KeepAlive = field(
        default_factory=lambda: KeepAlive(
            ping_text='{"op":"ping"}',
            ping_interval_s=0.2,
            silence_timeout_s=1.0,
        )
    )
    throttle_note: str | None = None
    needs_symbols: bool = True
    drop_replayed_on_subscribe: bool = False
    known: set[str] = field(default_factory=set)
    chunk: int = 2

    def subscribe_frames(self, symbols: Sequence[str]) -> list[str]:
        topics = [f"allLiquidation.{symbol}" for symbol in symbols]
        return [
            json.dumps({"op": "subscribe", "args": topics[i : i + self.chunk]})
            for i in range(0, len(topics), self.chunk)
        ]

    def decode(self, frame: str | bytes, received_ms: int) -> Decoded:
        try:
            data = json.loads(frame)
        except ValueError:
            return Decoded([], "invalid json")
        if "op" in data:
            return Decoded([], is_control=True)
        events, rejected, unknown = [], None, False
        for row in data.get("data", []):
            if self.known and row["s"] not in self.known:
                rejected, unknown = f"unknown symbol {row['s']}", True
                continue
            side = Side.LONG if row["S"] == "Buy" else Side.SHORT
            events.append(
                _event(
                    self.name, row["s"], side, float(row["p"]), float(row["v"]), int(row["T"]), received_ms
                )
            )
        return Decoded(events, rejected, unknown_symbol=unknown)

    def parse(self, frame: str | bytes, received_ms: int) -> list[Liquidation]:
        return self.decode(frame, received_ms).events


@dataclass
class BinanceLikeAdapter:
    """Speaks the fake Binance protocol: stream on the URL path, protocol pings only."""

    name: str = "binance"
    url: str = "ws://127.0.0.1:1/market/ws/!forceOrder@arr"
    keepalive: KeepAlive = field(
        default_factory=lambda: KeepAlive(ping_text=None, ping_interval_s=0.2, silence_timeout_s=1.0)
    )
    throttle_note: str | None = None
    needs_symbols: bool = False
    drop_replayed_on_subscribe: bool = False

    def subscribe_frames(self, symbols: Sequence[str]) -> list[str]:
        return []

    def decode(self, frame: str | bytes, received_ms: int) -> Decoded:
        try:
            data = json.loads(frame)
            order = data["o"]
            side = Side.LONG if order["S"] == "SELL" else Side.SHORT
            event = _event(
                self.name,
                order["s"],
                side,
                float(order["ap"]),
                float(order["z"]),
                int(order["T"]),
                received_ms,
            )
        except (ValueError, KeyError, TypeError):
            return Decoded([], "bad frame")
        return Decoded([event])

    def parse(self, frame: str | bytes, received_ms: int) -> list[Liquidation]:
        return self.decode(frame, received_ms).events


def okx_frame(inst: str, pos_side: str, px: str, sz: str, ts: int) -> str:
    """An OKX liquidation-orders frame in the documented shape."""
    detail = {
        "bkLoss": "0",
        "bkPx": px,
        "ccy": "",
        "posSide": pos_side,
        "side": "sell" if pos_side == "long" else "buy",
        "sz": sz,
        "ts": str(ts),
    }
    family = inst.removesuffix("-SWAP")
    return json.dumps(
        {
            "arg": {"channel": "liquidation-orders", "instType": "SWAP"},
            "data": [
                {"details": [detail], "instFamily": family, "instId": inst, "instType": "SWAP", "uly": family}
            ],
        },
        separators=(",", ":"),
    )


def bybit_frame(symbol: str, side: str, price: str, size: str, ts: int) -> str:
    """A Bybit allLiquidation frame in the documented shape."""
    return json.dumps(
        {
            "topic": f"allLiquidation.{symbol}",
            "type": "snapshot",
            "ts": ts,
            "data": [{"T": ts, "s": symbol, "S": side, "v": size, "p": price}],
        },
        separators=(",", ":"),
    )


def binance_frame(symbol: str, side: str, price: str, qty: str, ts: int) -> str:
    """A Binance forceOrder frame in the documented shape."""
    order = {
        "s": symbol,
        "S": side,
        "o": "LIMIT",
        "f": "IOC",
        "q": qty,
        "p": price,
        "ap": price,
        "X": "FILLED",
        "l": qty,
        "z": qty,
        "T": ts,
    }
    return json.dumps({"e": "forceOrder", "E": ts, "o": order}, separators=(",", ":"))

"""Re-encoding events into each venue's frame shape: the real adapters must read back the same event."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from liqterm.demo.servers.encode import (
    derive_frames,
    encode_event,
    number,
    pick_venue,
    raw_base,
    shift_times,
    venue_symbol,
)
from liqterm.model import Liquidation, Side
from liqterm.recording import RecordedFrame
from liqterm.venues.binance import BinanceAdapter
from liqterm.venues.bitget import BitgetAdapter
from liqterm.venues.bybit import BybitAdapter
from liqterm.venues.gateio import GateAdapter
from liqterm.venues.okx import OkxAdapter

ADAPTERS = {
    "binance": BinanceAdapter(),
    "bybit": BybitAdapter(),
    "okx": OkxAdapter(),
    "gateio": GateAdapter(),
    "bitget": BitgetAdapter(),
}


def contract_size(venue: str, symbol: str) -> float | None:
    item = ADAPTERS[venue].instruments.get(symbol)
    return item.contract_size if item is not None and item.linear else None


def _event(symbol: str, asset: str, side: Side, price: float, qty: float) -> Liquidation:
    return Liquidation(
        "binance", symbol, asset, side, price, qty, price * qty, 1_761_155_064_189, 1_761_155_064_300
    )


EVENTS = [
    _event("BTCUSDT", "BTC", Side.LONG, 107734.1, 0.018),
    _event("ETHUSDT", "ETH", Side.SHORT, 3812.36, 177.683),
    _event("1000PEPEUSDT", "PEPE", Side.LONG, 0.0000101, 5_000_000.0),
]


@pytest.mark.parametrize("venue", sorted(ADAPTERS))
@pytest.mark.parametrize("event", EVENTS[:2], ids=["btc-long", "eth-short"])
def test_every_venue_reads_back_the_encoded_event(venue: str, event: Liquidation) -> None:
    frame = encode_event(venue, event, contract_size)
    assert frame is not None
    decoded = ADAPTERS[venue].decode(frame, event.received_ms)
    assert decoded.rejected is None, decoded.rejected
    (back,) = decoded.events
    assert (back.venue, back.symbol, back.asset, back.side) == (
        venue,
        venue_symbol(venue, event),
        event.asset,
        event.side,
    )
    assert back.exchange_ms == event.exchange_ms
    assert back.usd == pytest.approx(event.usd, rel=1e-9)
    assert back.price == pytest.approx(event.price, rel=1e-9)
    assert back.quantity == pytest.approx(event.quantity, rel=1e-9)


def test_scaled_symbols_keep_their_venue_prefix_and_price_unit() -> None:
    pepe = EVENTS[2]
    assert raw_base(pepe) == ("1000PEPE", 1000.0)
    order = json.loads(encode_event("binance", pepe) or "")["o"]
    assert (order["s"], order["p"], order["q"]) == ("1000PEPEUSDT", "0.0101", "5000")
    (back,) = ADAPTERS["binance"].parse(encode_event("binance", pepe) or "", 0)
    assert (back.asset, back.usd) == ("PEPE", pytest.approx(pepe.usd))


def test_contract_venues_need_a_contract_size() -> None:
    assert encode_event("okx", EVENTS[0]) is None
    assert encode_event("gateio", EVENTS[0], lambda venue, symbol: None) is None
    gate = json.loads(encode_event("gateio", EVENTS[0], lambda venue, symbol: 0.0001) or "")
    assert gate["result"][0]["size"] == "-180"  # a long: negative contracts


def test_numbers_are_plain_decimals() -> None:
    assert [number(x) for x in (1e-7, 107734.1, 0.1 + 0.2, 5e6)] == [
        "0.0000001",
        "107734.1",
        "0.3",
        "5000000",
    ]


def test_shift_times_moves_ms_and_second_stamps_and_keeps_types() -> None:
    gate = (
        '{"time":1786327033,"time_ms":1786327033532,"channel":"futures.public_liquidates",'
        '"event":"update","result":{"contract":"HEI_USDT","price":"0.13827",'
        '"time":1786327033531,"size":-23}}'
    )
    moved = json.loads(shift_times(gate, 10_000))
    assert (moved["time"], moved["time_ms"], moved["result"]["time"]) == (
        1786327043,
        1786327043532,
        1786327043531,
    )
    assert moved["result"]["price"] == "0.13827" and moved["result"]["size"] == -23
    okx = encode_event("okx", EVENTS[0], contract_size) or ""
    detail = json.loads(shift_times(okx, 5))["data"][0]["details"][0]
    assert detail["ts"] == str(EVENTS[0].exchange_ms + 5)
    assert shift_times("pong", 5) == "pong"


def test_pick_venue_is_stable_and_weighted() -> None:
    picks = Counter(pick_venue(_event("BTCUSDT", "BTC", Side.LONG, 1.0 + i, 1.0)) for i in range(2000))
    assert pick_venue(EVENTS[0]) == pick_venue(EVENTS[0])
    assert set(picks) == set(ADAPTERS)
    assert picks["binance"] > picks["bybit"] > picks["gateio"]


def test_derive_frames_spreads_events_and_keeps_what_cannot_be_encoded() -> None:
    source = [
        RecordedFrame(
            1_761_155_064_300 + i,
            "binance",
            encode_event("binance", _event("BTCUSDT", "BTC", Side.LONG, 100.0 + i, 1.0)) or "",
        )
        for i in range(200)
    ]
    source.append(RecordedFrame(1, "binance", "pong"))
    derived = list(derive_frames(source, ADAPTERS["binance"].parse, contract_size))
    venues = Counter(frame.venue for frame in derived)
    assert set(venues) == set(ADAPTERS) and sum(venues.values()) == 201
    assert all(frame.derived == (frame.venue != "binance") for frame in derived)
    without_sizes = list(derive_frames(source, ADAPTERS["binance"].parse, None))
    assert {frame.venue for frame in without_sizes} == {"binance", "bybit", "bitget"}

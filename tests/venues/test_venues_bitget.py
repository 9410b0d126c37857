"""Bitget v3 ``liquidation`` parsing on the one real frame, ../shared/data/frames/bitget.jsonl"""

from __future__ import annotations

import json

import pytest
from venue_frames import frame, instruments_response

from liqterm.model import Side
from liqterm.venues.bitget import BitgetAdapter
from liqterm.venues.instruments import build, parse_bitget_contracts

RECEIVED = 1_800_000_000_000
# Bitget UTA docs example ("Liquidation Channel").
DOCS_EXAMPLE = (
    '{"data":[{"symbol":"BTCUSDT","side":"buy","price":"89000","amount":"37.722858",'
    '"ts":"1736371332162"}],"arg":{"instType":"usdt-futures","topic":"liquidation"},'
    '"action":"update","ts":1736371332162}'
)


@pytest.fixture
def bitget() -> BitgetAdapter:
    return BitgetAdapter()


def test_real_frame_amount_is_usdt(bitget: BitgetAdapter) -> None:
    """tardis-node test input, 2026-04-28: amount / price is a whole number of 0.1 lots."""
    decoded = bitget.decode(frame("bitget", "APEUSDT"), RECEIVED)
    assert decoded.rejected is None
    ape, ip = decoded.events
    assert (ape.symbol, ape.asset, ape.side) == ("APEUSDT", "APE", Side.LONG)
    assert ape.usd == pytest.approx(13.70319) and ape.quantity == pytest.approx(83.1)
    assert ip.usd == pytest.approx(143.330431857868) and ip.quantity == pytest.approx(286.5)
    assert (ape.exchange_ms, ip.exchange_ms) == (1777358886549, 1777358876983)  # row ts


def test_docs_example(bitget: BitgetAdapter) -> None:
    (event,) = bitget.parse(DOCS_EXAMPLE, RECEIVED)
    assert event.side is Side.LONG and event.price == 89000.0
    assert event.quantity == pytest.approx(37.722858 / 89000)


def test_sell_is_a_short_and_bad_rows_are_reported(bitget: BitgetAdapter) -> None:
    message = json.loads(frame("bitget", "APEUSDT"))
    message["data"][0]["side"] = "sell"
    message["data"][1]["amount"] = "-3"
    decoded = bitget.decode(json.dumps(message), RECEIVED)
    assert [e.side for e in decoded.events] == [Side.SHORT] and decoded.rejected == "bad size"


def test_coin_futures_are_refused(bitget: BitgetAdapter) -> None:
    text = DOCS_EXAMPLE.replace("usdt-futures", "coin-futures").replace("BTCUSDT", "BTCUSD")
    decoded = bitget.decode(text, RECEIVED)
    assert decoded.events == [] and decoded.rejected == "not USD-quoted coin-futures"


def test_only_an_unknown_symbol_sets_the_flag(bitget: BitgetAdapter) -> None:
    known = bitget.decode(DOCS_EXAMPLE, RECEIVED)
    assert known.events and not known.unknown_symbol
    unknown = bitget.decode(DOCS_EXAMPLE.replace('"BTCUSDT"', '"BTCEUR"'), RECEIVED)
    assert unknown.rejected == "unknown symbol BTCEUR" and unknown.unknown_symbol
    coin_futures = bitget.decode(DOCS_EXAMPLE.replace("usdt-futures", "coin-futures"), RECEIVED)
    assert coin_futures.rejected == "not USD-quoted coin-futures" and not coin_futures.unknown_symbol


def test_recorded_contract_list_names(bitget: BitgetAdapter) -> None:
    """The only recorded Bitget list is v1 (2022, ``BTCUSDT_UMCBL``); v3 names drop the suffix."""
    rows = parse_bitget_contracts(instruments_response("bitget-mix-v1-umcbl-contracts-2022-04-07.json"))
    assert rows["BTCUSDT"] == ("BTC", 1.0, True)
    bitget.use_instruments(build("bitget", rows, "rest"))
    assert bitget.parse(DOCS_EXAMPLE, RECEIVED)[0].asset == "BTC"


def test_control_frames_and_subscription(bitget: BitgetAdapter) -> None:
    ack = (
        '{"event":"subscribe","arg":{"instType":"usdt-futures","topic":"liquidation"},"connId":"xxxxxxxxxx"}'
    )
    assert bitget.decode(ack, RECEIVED).is_control
    assert bitget.decode("pong", RECEIVED).is_control
    assert bitget.decode(b"pong", RECEIVED).is_control
    error = bitget.decode('{"event":"error","code":30001,"msg":"instType doesn\'t exist"}', 1)
    assert error.is_control and error.rejected == "error 30001: instType doesn't exist"
    (subscribe,) = bitget.subscribe_frames([])
    assert json.loads(subscribe) == {
        "op": "subscribe",
        "args": [{"instType": "usdt-futures", "topic": "liquidation"}],
    }
    assert bitget.url == "wss://ws.bitget.com/v3/ws/public"
    assert bitget.keepalive.ping_text == "ping" and bitget.keepalive.ping_interval_s == 30

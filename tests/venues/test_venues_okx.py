"""OKX ``liquidation-orders`` parsing, on real frames from ../shared/data/frames/okx.jsonl."""

from __future__ import annotations

import json

import pytest
from venue_frames import frame, instruments_response, records

from liqterm.model import Side
from liqterm.venues.instruments import build, parse_okx_instruments
from liqterm.venues.okx import OkxAdapter

RECEIVED = 1_800_000_000_000
# OKX v5 docs example ("Liquidation orders channel").
DOCS_EXAMPLE = (
    '{"arg":{"channel":"liquidation-orders","instType":"SWAP"},"data":[{"details":[{"bkLoss":"0",'
    '"bkPx":"0.007831","ccy":"","posSide":"short","side":"buy","sz":"13","ts":"1692266434010"}],'
    '"instFamily":"IOST-USDT","instId":"IOST-USDT-SWAP","instType":"SWAP","uly":"IOST-USDT"}]}'
)


@pytest.fixture
def okx() -> OkxAdapter:
    return OkxAdapter()


@pytest.fixture
def recorded_okx() -> OkxAdapter:
    """The adapter on the recorded 2025-10-02 ``/api/v5/public/instruments?instType=SWAP``."""
    rows = parse_okx_instruments(instruments_response("okx-swap-instruments.json"))
    return OkxAdapter(build("okx", rows, "rest"))


def _edited(text: str, **detail: object) -> str:
    message = json.loads(text)
    for key, value in detail.items():
        if key == "instId":
            message["data"][0]["instId"] = value
        elif value is None:
            message["data"][0]["details"][0].pop(key, None)
        else:
            message["data"][0]["details"][0][key] = value
    return json.dumps(message)


def test_contracts_times_contract_value(okx: OkxAdapter) -> None:
    """BTC-USDT-SWAP live 2026-10-09 (code-index 70094144863): 8.55 contracts x ctVal 0.01."""
    decoded = okx.decode(frame("okx", "BTC-USDT-SWAP"), RECEIVED)
    assert decoded.rejected is None
    (event,) = decoded.events
    assert (event.venue, event.asset, event.side) == ("okx", "BTC", Side.LONG)
    assert event.quantity == pytest.approx(0.0855) and event.price == 82655.7
    assert event.usd == pytest.approx(0.0855 * 82655.7) and event.exchange_ms == 1791565600771


def test_docs_example_with_the_recorded_table(recorded_okx: OkxAdapter) -> None:
    """IOST-USDT-SWAP ctVal 1000 in the recorded instruments: 13 contracts = 13,000 IOST."""
    (event,) = recorded_okx.parse(DOCS_EXAMPLE, RECEIVED)
    assert event.side is Side.SHORT and event.quantity == 13_000.0


def test_live_frames_with_the_recorded_table(recorded_okx: OkxAdapter) -> None:
    """Every live SWAP capture: CELO (ctVal 1, short), MUBARAK (100), MINA (1), LA (10, long)."""
    expected = {
        "CELO-USDT-SWAP": (Side.SHORT, 19979.0),
        "MUBARAK-USDT-SWAP": (Side.LONG, 200.0),
        "MINA-USDT-SWAP": (Side.SHORT, 10975.0),
        "LA-USDT-SWAP": (Side.LONG, 5080.0),
        "BTC-USDT-SWAP": (Side.LONG, 0.0855),
    }
    for symbol, (side, quantity) in expected.items():
        (event,) = recorded_okx.parse(frame("okx", symbol), RECEIVED)
        assert event.side is side and event.quantity == pytest.approx(quantity), symbol
    # CNPY was listed after the recorded table: reported, never guessed.
    assert recorded_okx.decode(frame("okx", "CNPY-USDT-SWAP"), RECEIVED).rejected == (
        "unknown symbol CNPY-USDT-SWAP"
    )


def test_unknown_symbol_is_reported(okx: OkxAdapter) -> None:
    """CELO-USDT-SWAP is not a bundled major."""
    decoded = okx.decode(frame("okx", "CELO-USDT-SWAP"), RECEIVED)
    assert decoded.events == [] and decoded.rejected == "unknown symbol CELO-USDT-SWAP"


def test_only_an_unknown_symbol_sets_the_flag(okx: OkxAdapter) -> None:
    """IOST-USDT-SWAP (the docs example) is not a bundled major; BTC-USDT-SWAP is."""
    unknown = okx.decode(DOCS_EXAMPLE, RECEIVED)
    assert unknown.rejected == "unknown symbol IOST-USDT-SWAP" and unknown.unknown_symbol
    known = okx.decode(DOCS_EXAMPLE.replace('"IOST-USDT-SWAP"', '"BTC-USDT-SWAP"'), RECEIVED)
    assert known.events and known.rejected is None and not known.unknown_symbol
    btc = DOCS_EXAMPLE.replace('"IOST-USDT-SWAP"', '"BTC-USDT-SWAP"')
    bad_size = okx.decode(btc.replace('"13"', '"0"'), RECEIVED)
    assert bad_size.rejected == "bad size" and not bad_size.unknown_symbol


def test_net_position_side_falls_back_to_the_order_side(okx: OkxAdapter) -> None:
    text = frame("okx", "BTC-USDT-SWAP")  # posSide long, side sell
    (sold,) = okx.parse(_edited(text, posSide="net"), RECEIVED)
    (bought,) = okx.parse(_edited(text, posSide=None, side="buy"), RECEIVED)
    assert (sold.side, bought.side) == (Side.LONG, Side.SHORT)


def test_inverse_swap_is_converted_from_usd_contracts(recorded_okx: OkxAdapter) -> None:
    """BTC-USD-SWAP: ctVal 100 USD (recorded table). 10 contracts at 60,000 = $1,000."""
    text = _edited(frame("okx", "BTC-USDT-SWAP"), instId="BTC-USD-SWAP", sz="10", bkPx="60000")
    (event,) = recorded_okx.parse(text, RECEIVED)
    assert event.asset == "BTC" and event.usd == pytest.approx(1000.0)
    assert event.quantity == pytest.approx(1000.0 / 60000.0)


def test_futures_are_not_in_the_swap_table(recorded_okx: OkxAdapter) -> None:
    """tardis-node FUTURES input XRP-USD-230929: not subscribed, not in the table."""
    decoded = recorded_okx.decode(frame("okx", "XRP-USD-230929"), RECEIVED)
    assert decoded.rejected == "unknown symbol XRP-USD-230929"


def test_generated_frames_of_old_channels_are_refused(okx: OkxAdapter) -> None:
    for record in records("okx"):
        if record.get("generated"):
            decoded = okx.decode(record["frame"], RECEIVED)
            assert decoded.events == [] and decoded.rejected


def test_bad_detail_keeps_the_others(okx: OkxAdapter) -> None:
    message = json.loads(frame("okx", "BTC-USDT-SWAP"))
    good = message["data"][0]["details"][0]
    message["data"][0]["details"] = [good, {**good, "sz": "NaN"}, {**good, "ts": None}, good]
    decoded = okx.decode(json.dumps(message), RECEIVED)
    assert len(decoded.events) == 2 and decoded.rejected == "bad size"


def test_control_frames(okx: OkxAdapter) -> None:
    assert okx.decode("pong", RECEIVED).is_control and okx.decode("pong", RECEIVED).rejected is None
    assert okx.keepalive.ping_text == "ping"
    ack = '{"event":"subscribe","arg":{"channel":"liquidation-orders","instType":"SWAP"},"connId":"8d8400eb"}'
    assert okx.decode(ack, RECEIVED).is_control
    error = okx.decode(
        '{"event":"error","msg":"channel:liquidations,instId:ETH-USDT-SWAP doesn\'t exist","code":"60018"}',
        RECEIVED,
    )
    assert error.is_control and error.rejected and error.rejected.startswith("error 60018")
    notice = (
        '{"event":"notice","code":"64008","msg":"The connection will soon be closed for a service'
        ' upgrade. Please reconnect.","connId":"a4d3ae55"}'
    )
    assert okx.decode(notice, RECEIVED).is_control


def test_declaration(okx: OkxAdapter) -> None:
    (subscribe,) = okx.subscribe_frames([])
    assert json.loads(subscribe) == {
        "op": "subscribe",
        "args": [{"channel": "liquidation-orders", "instType": "SWAP"}],
    }
    assert okx.drop_replayed_on_subscribe and not okx.needs_symbols
    assert okx.keepalive.ping_interval_s < 30 < okx.keepalive.silence_timeout_s

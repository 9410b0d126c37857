"""Binance USD-M ``forceOrder`` parsing, on real frames from ../shared/data/frames/binance.jsonl."""

from __future__ import annotations

import json

import pytest
from venue_frames import frame, instruments_response

from liqterm.model import Side
from liqterm.venues.binance import BinanceAdapter
from liqterm.venues.instruments import build, parse_binance_exchange_info

RECEIVED = 1_800_000_000_000
# Binance USD-M docs example ("All Market Liquidation Order Streams"), comments removed.
DOCS_EXAMPLE = (
    '{"e":"forceOrder","E":1568014460893,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","f":"IOC",'
    '"q":"0.014","p":"9910","ap":"9910","X":"FILLED","l":"0.014","z":"0.014","T":1568014460893}}'
)


@pytest.fixture
def binance() -> BinanceAdapter:
    return BinanceAdapter()


def _edited(text: str, **order_fields: object) -> str:
    """A real frame with some ``o`` fields replaced (None deletes the field)."""
    message = json.loads(text)
    order = message["data"]["o"] if "data" in message else message["o"]
    for key, value in order_fields.items():
        if value is None:
            order.pop(key, None)
        else:
            order[key] = value
    return json.dumps(message)


def test_docs_example(binance: BinanceAdapter) -> None:
    (event,) = binance.parse(DOCS_EXAMPLE, RECEIVED)
    assert (event.symbol, event.asset, event.side) == ("BTCUSDT", "BTC", Side.LONG)
    assert event.price == 9910.0 and event.quantity == 0.014
    assert event.received_ms == RECEIVED


def test_sell_is_a_long_liquidation_with_filled_quantity_at_average_price(
    binance: BinanceAdapter,
) -> None:
    """Live raw /market/ws frame, 2026-10-04 (code-index file 70879616083): z 2049.1, l 245.9."""
    text = frame("binance", "MANTAUSDT")
    decoded = binance.decode(text, RECEIVED)
    assert decoded.rejected is None and not decoded.is_control
    (event,) = decoded.events
    assert event.venue == "binance" and event.side is Side.LONG
    assert event.quantity == 2049.1  # z, not the last fill l
    assert event.price == 0.0722187  # ap, not the limit price p
    assert event.usd == pytest.approx(2049.1 * 0.0722187)
    assert event.exchange_ms == 1791091026103  # o.T


def test_buy_is_a_short_liquidation_in_the_combined_stream_wrapper(binance: BinanceAdapter) -> None:
    """Live combined-stream frame ``xrpusdt@forceOrder``, 2026-10-04 (code-index 70879616083)."""
    (event,) = binance.parse(frame("binance", '"stream":"xrpusdt@forceOrder"'), RECEIVED)
    assert (event.symbol, event.asset, event.side) == ("XRPUSDT", "XRP", Side.SHORT)
    assert (event.price, event.quantity, event.exchange_ms) == (1.4912, 127.2, 1791091174219)


def test_all_market_wrapper(binance: BinanceAdapter) -> None:
    """Live ``!forceOrder@arr`` combined frame, BTCUSDT, 2026-10-09 (code-index 70094144863)."""
    (event,) = binance.parse(frame("binance", '"stream":"!forceOrder@arr"', "BTCUSDT"), RECEIVED)
    assert event.side is Side.LONG and event.quantity == 0.19 and event.price == 82651.9


@pytest.mark.parametrize("average", ["0", "0.0", None])
def test_limit_price_when_average_price_is_zero_or_missing(
    binance: BinanceAdapter, average: str | None
) -> None:
    """Real MANTAUSDT frame with ``ap`` zeroed/removed: fall back to ``p`` 0.0711500."""
    (event,) = binance.parse(_edited(frame("binance", "MANTAUSDT"), ap=average), RECEIVED)
    assert event.price == 0.07115


def test_coin_margined_symbols_are_refused(binance: BinanceAdapter) -> None:
    """tardis-node COIN-M input ``BTCUSD_200925`` (quantity in $100 contracts, with ``ps``)."""
    decoded = binance.decode(frame("binance", "BTCUSD_200925"), RECEIVED)
    assert decoded.events == [] and decoded.rejected == "coin-margined symbol BTCUSD_200925"
    perp = _edited(frame("binance", "MANTAUSDT"), s="BTCUSD_PERP", ps="BTCUSD")
    assert binance.decode(perp, RECEIVED).rejected == "coin-margined symbol BTCUSD_PERP"


def test_usd_m_quarterly_is_linear_and_kept(binance: BinanceAdapter) -> None:
    text = _edited(frame("binance", "MANTAUSDT"), s="BTCUSDT_250926", ps="BTCUSDT")
    (event,) = binance.parse(text, RECEIVED)
    assert (event.symbol, event.asset) == ("BTCUSDT_250926", "BTC")


def test_exchange_info_table_gives_base_assets_and_refuses_btc_quoted() -> None:
    """Recorded ``/fapi/v1/exchangeInfo`` (2025-08-22): quarterlies kept, ``ETHBTC`` refused."""
    table = build(
        "binance",
        parse_binance_exchange_info(instruments_response("binance-usdm-exchangeinfo.json")),
        "rest",
    )
    adapter = BinanceAdapter(table)
    (event,) = adapter.parse(_edited(frame("binance", "MANTAUSDT"), s="ETHUSDT_251226"), RECEIVED)
    assert event.asset == "ETH"
    decoded = adapter.decode(_edited(frame("binance", "MANTAUSDT"), s="ETHBTC"), RECEIVED)
    assert decoded.events == [] and decoded.rejected == "not USD-quoted ETHBTC"
    bundled_only = BinanceAdapter().decode(_edited(frame("binance", "MANTAUSDT"), s="ETHBTC"), 1)
    assert bundled_only.rejected == "unknown symbol ETHBTC"  # asks the manager for a re-fetch


def test_only_an_unknown_symbol_sets_the_flag(binance: BinanceAdapter) -> None:
    """The stream re-fetches the instruments on the flag, never on the reason's text."""
    known = binance.decode(DOCS_EXAMPLE, RECEIVED)
    assert known.events and not known.unknown_symbol
    unknown = binance.decode(DOCS_EXAMPLE.replace('"BTCUSDT"', '"ETHBTC"'), RECEIVED)
    assert unknown.rejected == "unknown symbol ETHBTC" and unknown.unknown_symbol
    coin_margined = binance.decode(DOCS_EXAMPLE.replace('"BTCUSDT"', '"BTCUSD_PERP"'), RECEIVED)
    assert coin_margined.rejected == "coin-margined symbol BTCUSD_PERP" and not coin_margined.unknown_symbol
    listed = BinanceAdapter(build("binance", {"ETHBTC": ("ETH", 1.0, False)}, "rest"))
    not_usd = listed.decode(DOCS_EXAMPLE.replace('"BTCUSDT"', '"ETHBTC"'), RECEIVED)
    assert not_usd.rejected == "not USD-quoted ETHBTC" and not not_usd.unknown_symbol


def test_scaled_symbol_is_rescaled_to_one_coin(binance: BinanceAdapter) -> None:
    text = _edited(frame("binance", "MANTAUSDT"), s="1000PEPEUSDT", ap="0.0100", z="5000")
    (event,) = binance.parse(text, RECEIVED)
    assert event.asset == "PEPE"
    assert event.price == pytest.approx(0.00001) and event.quantity == pytest.approx(5_000_000)
    assert event.price * event.quantity == event.usd == pytest.approx(50.0)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"S": "HOLD"}, "bad side"),
        ({"ap": "NaN", "p": "-1"}, "bad price"),
        ({"ap": "inf", "p": "0"}, "bad price"),
        ({"z": "0"}, "bad size"),
        ({"z": True}, "bad size"),
        ({"T": "yesterday"}, None),  # falls back to the event time E
        ({"s": 42}, "bad symbol"),
    ],
)
def test_bad_fields_are_rejected_with_a_reason(
    binance: BinanceAdapter, fields: dict[str, object], reason: str | None
) -> None:
    decoded = binance.decode(_edited(frame("binance", "MANTAUSDT"), **fields), RECEIVED)
    assert decoded.rejected == reason
    assert len(decoded.events) == (0 if reason else 1)


def test_acks_and_list_subscriptions_replies_are_control(binance: BinanceAdapter) -> None:
    reply = '{"result":["!forceOrder@arr"],"id":7}'
    assert binance.decode(reply, RECEIVED).is_control
    assert binance.decode('{"result": null, "id": 1}', RECEIVED).is_control
    error = binance.decode('{"error":{"code":2,"msg":"Invalid request"},"id":7}', RECEIVED)
    assert error.is_control and error.rejected and "Invalid request" in error.rejected
    flat = binance.decode('{"code":0,"msg":"Unknown property","id":7}', RECEIVED)
    assert flat.is_control and flat.rejected == "error Unknown property"
    assert binance.decode(reply, RECEIVED).rejected is None  # our ping's answer refuses nothing


def test_declaration(binance: BinanceAdapter) -> None:
    assert binance.url == "wss://fstream.binance.com/market/ws/!forceOrder@arr"
    assert binance.subscribe_frames(["BTCUSDT"]) == []
    ping = json.loads(binance.keepalive.ping_text or "")
    assert ping["method"] == "LIST_SUBSCRIPTIONS" and isinstance(ping["id"], int)
    assert binance.keepalive.max_lifetime_s == 24 * 3600
    assert binance.keepalive.silence_timeout_s > binance.keepalive.ping_interval_s
    assert binance.throttle_note and not binance.needs_symbols


# -- mark prices on the same connection --------------------------------------------------------
# Binance USD-M docs examples ("Mark Price Stream" and "Mark Price Stream for All market"),
# comments removed; the second symbol of the array is ours.
MARK_PRICE_DOCS = (
    '{"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15000000",'
    '"i":"11784.62659091","P":"11784.25641265","r":"0.00038167","T":1562306400000}'
)
MARK_PRICE_ARRAY = (
    "[" + MARK_PRICE_DOCS + ',{"e":"markPriceUpdate","E":1562305380000,"s":"1000PEPEUSDT","p":"0.0105",'
    '"i":"0.0105","P":"0.0105","r":"0.0001","T":1562306400000}]'
)


@pytest.mark.parametrize(
    "frame",
    [MARK_PRICE_DOCS, MARK_PRICE_ARRAY, '{"stream":"!markPrice@arr@1s","data":' + MARK_PRICE_ARRAY + "}"],
)
def test_mark_price_frames_are_context_not_rejections(binance: BinanceAdapter, frame: str) -> None:
    decoded = binance.decode(frame, RECEIVED)
    assert decoded.is_control and decoded.rejected is None and decoded.events == []
    assert binance.clean_events(frame, RECEIVED) is None  # decode is asked, so it stays a control frame


def test_mark_prices_are_read_per_asset_unit(binance: BinanceAdapter) -> None:
    assert binance.mark_prices(MARK_PRICE_DOCS) == [("BTC", 1562305380000, 11794.15)]
    wrapped = '{"stream":"!markPrice@arr@1s","data":' + MARK_PRICE_ARRAY + "}"
    btc, pepe = binance.mark_prices(wrapped)
    assert btc == ("BTC", 1562305380000, 11794.15)
    assert pepe[:2] == ("PEPE", 1562305380000) and pepe[2] == pytest.approx(0.0105 / 1000)
    assert binance.mark_prices(DOCS_EXAMPLE) == []  # a liquidation is no mark price
    assert binance.mark_prices("[1, 2]") == [] and binance.mark_prices("not json") == []
    no_price = MARK_PRICE_DOCS.replace('"p":"11794.15000000"', '"p":"0"')
    assert binance.mark_prices(no_price) == []


def test_an_array_that_is_not_mark_prices_is_still_refused(binance: BinanceAdapter) -> None:
    assert binance.decode("[" + MARK_PRICE_DOCS + ', {"e":"other"}]', RECEIVED).rejected == "not an object"
    assert binance.decode("[]", RECEIVED).rejected == "not an object"


def test_mark_price_subscription_requests(binance: BinanceAdapter) -> None:
    (every,) = binance.mark_price_frames(("*",))
    assert json.loads(every) == {"method": "SUBSCRIBE", "params": ["!markPrice@arr@1s"], "id": 2}
    (some,) = binance.mark_price_frames(("BTCUSDT", "ETHUSDT"))
    assert json.loads(some)["params"] == ["btcusdt@markPrice@1s", "ethusdt@markPrice@1s"]
    many = binance.mark_price_frames(tuple(f"S{i}USDT" for i in range(450)))
    assert [len(json.loads(f)["params"]) for f in many] == [200, 200, 50]


def test_one_mark_series_per_asset_the_usdt_perpetual(binance: BinanceAdapter) -> None:
    rows = [json.loads(MARK_PRICE_DOCS) | {"s": symbol, "p": price} for symbol, price in
            (("BTCUSDT_260626", "12100.0"), ("BTCUSDC", "11790.0"), ("BTCUSDT", "11794.15"))]  # fmt: skip
    assert binance.mark_prices(json.dumps(rows)) == [("BTC", 1562305380000, 11794.15)]


def test_a_nested_array_is_neither_a_mark_price_nor_a_crash(binance: BinanceAdapter) -> None:
    nested = "[" + MARK_PRICE_ARRAY + "]"
    assert binance.decode(nested, RECEIVED).rejected == "not an object"
    assert binance.mark_prices(nested) == []

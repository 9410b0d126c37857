"""Bybit v5 ``allLiquidation`` parsing, on real frames from ../shared/data/frames/bybit.jsonl."""

from __future__ import annotations

import json
import math

import pytest
from venue_frames import frame, instruments_response

from liqterm.model import Side
from liqterm.venues.bybit import BybitAdapter
from liqterm.venues.instruments import build, parse_bybit_instruments

RECEIVED = 1_800_000_000_000
# Bybit v5 docs example ("All Liquidation").
DOCS_EXAMPLE = (
    '{"topic":"allLiquidation.ROSEUSDT","type":"snapshot","ts":1739502303204,"data":[{"T":'
    '1739502302929,"s":"ROSEUSDT","S":"Sell","v":"20000","p":"0.04499"}]}'
)
# Bybit connect docs: the linear pong and the subscribe ack.
DOCS_PONG = (
    '{"success":true,"ret_msg":"pong","conn_id":"465772b1-7630-4fdc-a492-e003e6f0f260",'
    '"req_id":"","op":"ping"}'
)
DOCS_ACK = (
    '{"success":true,"ret_msg":"","conn_id":"3cd84cb1-4d06-4a05-930a-2efe5fc70f0f",'
    '"req_id":"","op":"subscribe"}'
)


@pytest.fixture
def bybit() -> BybitAdapter:
    return BybitAdapter()


def test_docs_example(bybit: BybitAdapter) -> None:
    (event,) = bybit.parse(DOCS_EXAMPLE, RECEIVED)
    assert (event.asset, event.side, event.price, event.quantity) == (
        "ROSE",
        Side.SHORT,
        0.04499,
        20000.0,
    )
    assert event.exchange_ms == 1739502302929  # row T, not the envelope ts


def test_buy_is_the_liquidated_long_position(bybit: BybitAdapter) -> None:
    """ICPUSDT live 2026-09-18 (belyjelli/ai-rates liquidations_test.go; Buy printed below bid)."""
    (event,) = bybit.parse(frame("bybit", "allLiquidation.ICPUSDT"), RECEIVED)
    assert event.side is Side.LONG
    assert (event.symbol, event.asset, event.price, event.quantity) == (
        "ICPUSDT",
        "ICP",
        2.585,
        19.7,
    )
    assert event.usd == pytest.approx(2.585 * 19.7)


def test_sell_is_the_liquidated_short_position(bybit: BybitAdapter) -> None:
    """MARSCOINUSDT live 2026-09-18 (belyjelli/ai-rates; Sell printed above the ask)."""
    (event,) = bybit.parse(frame("bybit", "allLiquidation.MARSCOINUSDT"), RECEIVED)
    assert event.side is Side.SHORT and event.quantity == 2380.0


def test_one_push_carries_several_liquidations(bybit: BybitAdapter) -> None:
    """BTCUSDT live 2026-10-09 (code-index 70094144863): two rows in one 500 ms push."""
    events = bybit.parse(frame("bybit", "allLiquidation.BTCUSDT", "0.038"), RECEIVED)
    assert [(e.quantity, e.price, e.exchange_ms) for e in events] == [
        (0.006, 82396.90, 1791565600992),
        (0.038, 82394.30, 1791565601058),
    ]


def test_a_bad_row_does_not_lose_the_good_ones(bybit: BybitAdapter) -> None:
    message = json.loads(frame("bybit", "allLiquidation.BTCUSDT", "0.038"))
    message["data"].insert(1, {**message["data"][0], "p": "-5"})
    message["data"].append("not a row")
    decoded = bybit.decode(json.dumps(message), RECEIVED)
    assert len(decoded.events) == 2 and decoded.rejected == "bad price"


def test_removed_liquidation_topic_is_refused(bybit: BybitAdapter) -> None:
    """Deprecated ``liquidation.GALAUSDT`` (tardis-node input = the old docs example)."""
    decoded = bybit.decode(frame("bybit", "liquidation.GALAUSDT"), RECEIVED)
    assert decoded.events == [] and decoded.rejected == "unsupported topic liquidation"


def test_inverse_symbols_are_refused(bybit: BybitAdapter) -> None:
    """Inverse sizes are USD contracts (tardis XRPUSD input); we subscribe linear only."""
    message = json.loads(frame("bybit", "allLiquidation.ICPUSDT"))
    message["data"][0]["s"] = "XRPUSD"
    decoded = bybit.decode(json.dumps(message), RECEIVED)
    assert decoded.events == [] and decoded.rejected == "inverse symbol XRPUSD"
    assert not decoded.unknown_symbol


def test_only_an_unknown_symbol_sets_the_flag(bybit: BybitAdapter) -> None:
    known = bybit.decode(DOCS_EXAMPLE, RECEIVED)
    assert known.events and not known.unknown_symbol
    unknown = bybit.decode(DOCS_EXAMPLE.replace('"ROSEUSDT"', '"ROSEEUR"'), RECEIVED)
    assert unknown.rejected == "unknown symbol ROSEEUR" and unknown.unknown_symbol
    inverse = bybit.decode(DOCS_EXAMPLE.replace('"ROSEUSDT"', '"ROSEUSD"'), RECEIVED)
    assert inverse.rejected == "inverse symbol ROSEUSD" and not inverse.unknown_symbol


def test_the_flag_is_set_by_any_row_not_only_the_first_reason(bybit: BybitAdapter) -> None:
    message = json.loads(DOCS_EXAMPLE)
    good = message["data"][0]
    message["data"] = [{**good, "p": "-1"}, {**good, "s": "NEWCOINEUR"}, good]
    decoded = bybit.decode(json.dumps(message), RECEIVED)
    assert decoded.rejected == "bad price" and decoded.unknown_symbol and len(decoded.events) == 1


def test_scaled_symbol_from_the_recorded_instruments(bybit: BybitAdapter) -> None:
    """``1000PEPEUSDT`` (recorded instruments-info, baseCoin 1000PEPE) is PEPE per coin."""
    rows, _cursor = parse_bybit_instruments(instruments_response("bybit-linear-instruments.json"))
    bybit.use_instruments(build("bybit", rows, "rest"))
    message = json.loads(frame("bybit", "allLiquidation.ICPUSDT"))
    message["data"][0].update(s="1000PEPEUSDT", v="2000", p="0.0125")
    (event,) = bybit.parse(json.dumps(message), RECEIVED)
    assert event.asset == "PEPE" and event.quantity == 2_000_000
    assert event.price == pytest.approx(0.0000125) and event.usd == pytest.approx(25.0)


def test_subscribe_frames_stay_under_the_args_limit() -> None:
    """All 800 Trading linear symbols of the recorded instruments-info response."""
    rows, _cursor = parse_bybit_instruments(instruments_response("bybit-linear-instruments.json"))
    frames = BybitAdapter().subscribe_frames(sorted(rows))
    topics: list[str] = []
    for text in frames:
        request = json.loads(text)
        assert request["op"] == "subscribe"
        assert len(json.dumps(request["args"])) < 21_000 and len(request["args"]) <= 200
        topics += request["args"]
    assert len(frames) == 4 and len(topics) == 800
    assert all(t.startswith("allLiquidation.") for t in topics)


def test_long_symbols_split_by_characters_too() -> None:
    frames = BybitAdapter().subscribe_frames([f"{'X' * 150}{i}USDT" for i in range(150)])
    assert len(frames) > 1
    assert all(len(json.dumps(json.loads(f)["args"])) < 21_000 for f in frames)


def test_empty_symbol_list_means_the_table(bybit: BybitAdapter) -> None:
    (only,) = bybit.subscribe_frames([])
    assert "allLiquidation.BTCUSDT" in json.loads(only)["args"]
    (single,) = bybit.subscribe_frames("ETHUSDT")  # type: ignore[arg-type]
    assert json.loads(single)["args"] == ["allLiquidation.ETHUSDT"]


def test_pong_ack_and_failed_subscribe(bybit: BybitAdapter) -> None:
    for control in (DOCS_PONG, DOCS_ACK):  # our ping's answer, the subscription's: control, not refused
        decoded = bybit.decode(control, RECEIVED)
        assert decoded.is_control and decoded.rejected is None and decoded.events == []
    failed = bybit.decode('{"success":false,"ret_msg":"error:handler not found","op":"subscribe"}', 1)
    assert failed.is_control and failed.rejected == "error: error:handler not found"
    assert json.loads(bybit.keepalive.ping_text or "") == {"op": "ping"}
    assert bybit.keepalive.ping_interval_s == 20 and bybit.needs_symbols


# -- mark prices on the same connection (tickers.{symbol}) --------------------------------------
# Bybit v5 docs "Ticker", linear response example (bybit-exchange/docs, docs/v5/websocket/public/ticker.mdx).
TICKER_SNAPSHOT = json.dumps(
    {
        "topic": "tickers.BTCUSDT",
        "type": "snapshot",
        "data": {
            "symbol": "BTCUSDT", "tickDirection": "PlusTick", "price24hPcnt": "0.017103",
            "lastPrice": "17216.00", "prevPrice24h": "16926.50", "highPrice24h": "17281.50",
            "lowPrice24h": "16915.00", "prevPrice1h": "17238.00", "markPrice": "17217.33",
            "indexPrice": "17227.36", "openInterest": "68744.761", "openInterestValue": "1183601235.91",
            "turnover24h": "1570383121.943499", "volume24h": "91705.276",
            "nextFundingTime": "1673280000000", "fundingRate": "-0.000212", "bid1Price": "17215.50",
            "bid1Size": "84.489", "ask1Price": "17216.00", "ask1Size": "83.020",
        },
        "cs": 24987956059,
        "ts": 1673272861686,
    }
)  # fmt: skip


def _ticker(symbol: str, **data: str) -> str:
    return json.dumps({"topic": f"tickers.{symbol}", "type": "delta", "data": {"symbol": symbol, **data},
                       "cs": 1, "ts": 1673272861786})  # fmt: skip


def test_ticker_frames_are_context_not_rejections() -> None:
    bybit = BybitAdapter()
    for text in (TICKER_SNAPSHOT, _ticker("BTCUSDT", lastPrice="17216.50")):
        decoded = bybit.decode(text, RECEIVED)
        assert decoded.is_control and decoded.rejected is None and decoded.events == []


def test_mark_prices_from_tickers_one_series_per_asset() -> None:
    bybit = BybitAdapter()
    assert bybit.mark_prices(TICKER_SNAPSHOT) == [("BTC", 1673272861686, 17217.33)]
    ((asset, ms, unchanged),) = bybit.mark_prices(_ticker("BTCUSDT", lastPrice="17216.50"))
    assert (asset, ms) == ("BTC", 1673272861786) and math.isnan(unchanged)  # a delta without it
    assert bybit.mark_prices(_ticker("1000PEPEUSDT", markPrice="0.0105")) == [
        ("PEPE", 1673272861786, pytest.approx(0.0105 / 1000))
    ]
    for other in ("BTCPERP", "BTCUSDT-26DEC25"):  # the USDC perpetual and a dated future
        assert bybit.mark_prices(_ticker(other, markPrice="17300")) == []
    assert bybit.mark_prices('{"topic":"allLiquidation.BTCUSDT","data":[]}') == []


def test_mark_price_requests_list_the_symbols() -> None:
    bybit = BybitAdapter()
    (request,) = bybit.mark_price_frames(("BTCUSDT", "ETHUSDT"))
    assert json.loads(request) == {"op": "subscribe", "args": ["tickers.BTCUSDT", "tickers.ETHUSDT"]}
    assert len(bybit.mark_price_frames(tuple(f"S{i}USDT" for i in range(450)))) == 3
    with pytest.raises(ValueError, match="no all-symbol"):
        bybit.mark_price_frames(("*",))

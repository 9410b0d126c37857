"""Gate ``futures.public_liquidates`` parsing, on real frames in ../shared/data/frames/gateio.jsonl.

The three live frames (gateio/WebSocket-API issue #132, 2026-08-10) are HEI_USDT and
LAB_USDT, which neither the bundled majors nor the recorded 2023 contract list know.
Their multipliers come from the derived crypto-market-metadata scrape (2026-07-29,
``contract_value`` = ``quanto_multiplier``, cross-checked on 302 contracts by the
data README); it is a labelled secondary source, used here only to test arithmetic.
"""

from __future__ import annotations

import json

import pytest
from venue_frames import frame, instruments_response

from liqterm.model import Side
from liqterm.venues.gateio import GateAdapter
from liqterm.venues.instruments import build, parse_gate_contracts

RECEIVED = 1_800_000_000_000
# Gate futures WS docs examples for the channel: before and after the 2026-08-20 change.
DOCS_EXAMPLE_OLD = (
    '{"channel":"futures.public_liquidates","event":"update","time":1541505434,'
    '"time_ms":1541505434123,"result":[{"price":215.1,"size":"-124","time_ms":1541486601123,'
    '"contract":"BTC_USDT"}]}'
)
DOCS_EXAMPLE_AGGREGATED = (
    '{"channel":"futures.public_liquidates","event":"update","time":1541505434,'
    '"time_ms":1541505434123,"result":[{"price":"215.1","size":"-124.5","time":1541486601123,'
    '"contract":"BTC_USDT"},{"price":"215.2","size":"-10.5","time":1541486601456,'
    '"contract":"BTC_USDT"}]}'
)
DOCS_EXAMPLE_INTEGER_SIZES = DOCS_EXAMPLE_AGGREGATED.replace('"-124.5"', "-124").replace('"-10.5"', "-10")


@pytest.fixture
def gate() -> GateAdapter:
    return GateAdapter()


@pytest.fixture
def gate_2026() -> GateAdapter:
    derived = instruments_response("derived/crypto-market-metadata.gate.linear_swap.json")
    sizes = {row["symbol"]: row["contract_value"] for row in derived}
    rows = {name: (name.split("_")[0], sizes[name], True) for name in ("HEI_USDT", "LAB_USDT")}
    return GateAdapter(build("gateio", rows, "rest"))


def test_live_bare_object_result(gate_2026: GateAdapter) -> None:
    """HEI_USDT, live 2026-08-10: result is one object, time in ``time`` (ms), size an int."""
    (event,) = gate_2026.parse(frame("gateio", "0.13827"), RECEIVED)
    assert (event.venue, event.symbol, event.asset) == ("gateio", "HEI_USDT", "HEI")
    assert event.side is Side.LONG  # negative order size: a sell closed a long (low-medium conf.)
    assert (event.price, event.quantity, event.exchange_ms) == (0.13827, 23.0, 1786327033531)


def test_live_frames_use_the_multiplier(gate_2026: GateAdapter) -> None:
    """LAB_USDT live 2026-08-10: -9 contracts x quanto_multiplier 100 = 900 LAB."""
    (event,) = gate_2026.parse(frame("gateio", "LAB_USDT"), RECEIVED)
    assert event.quantity == 900.0 and event.usd == pytest.approx(900 * 0.11824)


def test_unknown_contract_is_reported_not_guessed(gate: GateAdapter) -> None:
    decoded = gate.decode(frame("gateio", "0.13761"), RECEIVED)
    assert decoded.events == [] and decoded.rejected == "unknown symbol HEI_USDT"


def test_only_an_unknown_symbol_sets_the_flag(gate: GateAdapter) -> None:
    known = gate.decode(DOCS_EXAMPLE_AGGREGATED, RECEIVED)
    assert len(known.events) == 2 and not known.unknown_symbol
    unknown = gate.decode(DOCS_EXAMPLE_AGGREGATED.replace('"BTC_USDT"', '"HEI_USDT"'), RECEIVED)
    assert unknown.rejected == "unknown symbol HEI_USDT" and unknown.unknown_symbol
    inverse = GateAdapter(build("gateio", {"BTC_USD": ("BTC", 1.0, False)}, "rest"))
    refused = inverse.decode(DOCS_EXAMPLE_AGGREGATED.replace('"BTC_USDT"', '"BTC_USD"'), RECEIVED)
    assert refused.rejected == "not USD-quoted BTC_USD" and not refused.unknown_symbol


@pytest.mark.parametrize("text", [DOCS_EXAMPLE_AGGREGATED, DOCS_EXAMPLE_INTEGER_SIZES])
def test_batched_array_result(gate: GateAdapter, text: str) -> None:
    """BTC_USDT, quanto_multiplier 0.0001 (bundled; equal in the recorded contract list)."""
    events = gate.parse(text, RECEIVED)
    assert [e.exchange_ms for e in events] == [1541486601123, 1541486601456]
    assert all(e.side is Side.LONG and e.asset == "BTC" for e in events)
    assert events[0].quantity == pytest.approx(abs(float(json.loads(text)["result"][0]["size"])) * 1e-4)


def test_older_row_shape_with_time_ms_and_numeric_price(gate: GateAdapter) -> None:
    (event,) = gate.parse(DOCS_EXAMPLE_OLD, RECEIVED)
    assert (event.price, event.quantity, event.exchange_ms) == (
        215.1,
        pytest.approx(0.0124),
        1541486601123,
    )


def test_positive_size_is_a_short_liquidation(gate: GateAdapter) -> None:
    (event,) = gate.parse(DOCS_EXAMPLE_OLD.replace('"-124"', '"124"'), RECEIVED)
    assert event.side is Side.SHORT


def test_row_time_in_seconds_or_missing(gate: GateAdapter) -> None:
    message = json.loads(DOCS_EXAMPLE_AGGREGATED)
    message["result"][0]["time"] = 1541486601
    del message["result"][1]["time"]
    first, second = gate.parse(json.dumps(message), RECEIVED)
    assert first.exchange_ms == 1541486601000 and second.exchange_ms == 1541505434123


def test_bad_row_keeps_the_good_one(gate: GateAdapter) -> None:
    message = json.loads(DOCS_EXAMPLE_AGGREGATED)
    message["result"][0]["size"] = 0
    decoded = gate.decode(json.dumps(message), RECEIVED)
    assert len(decoded.events) == 1 and decoded.rejected == "bad size"


def test_recorded_contract_list(gate: GateAdapter) -> None:
    """Recorded ``/api/v4/futures/usdt/contracts`` (2023-05-24) gives the same BTC multiplier."""
    rows = parse_gate_contracts(instruments_response("gateio-futures-usdt-contracts.json"))
    assert rows["BTC_USDT"] == ("BTC", 0.0001, True)
    adapter = GateAdapter(build("gateio", rows, "rest"))
    assert adapter.parse(DOCS_EXAMPLE_OLD, RECEIVED) == gate.parse(DOCS_EXAMPLE_OLD, RECEIVED)


def test_control_frames_and_subscription(gate: GateAdapter) -> None:
    ack = (
        '{"time":1545459681,"time_ms":1545459681123,"channel":"futures.public_liquidates",'
        '"event":"subscribe","result":{"status":"success"}}'
    )
    pong = '{"time":1545404023,"time_ms":1545404023123,"channel":"futures.pong","event":"","result":null}'
    assert gate.decode(ack, RECEIVED).is_control
    assert gate.decode(pong, RECEIVED).is_control and not gate.decode(pong, RECEIVED).rejected
    error = gate.decode(
        '{"channel":"futures.public_liquidates","event":"subscribe","error":{"code":2,'
        '"message":"unknown contract"},"result":null}',
        RECEIVED,
    )
    assert error.is_control and error.rejected and "unknown contract" in error.rejected
    failed = gate.decode(ack.replace('"success"', '"fail"'), RECEIVED)
    assert failed.is_control and failed.rejected == "subscribe fail"
    (subscribe,) = gate.subscribe_frames([])
    request = json.loads(subscribe)
    assert request["channel"] == "futures.public_liquidates" and request["payload"] == ["!all"]
    assert request["event"] == "subscribe" and isinstance(request["time"], int)
    assert json.loads(gate.keepalive.ping_text or "")["channel"] == "futures.ping"

"""The adapter contract, for all five venues: declaration, and parsers that never raise.

Fuzzing mutates the real recorded frames (../shared/data/frames; those cases skip when
it is absent) as well as throwing arbitrary bytes, text and JSON at every parser.
"""

from __future__ import annotations

import copy
import json
import math
import pickle
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from venue_frames import needs_frames, recorded_frames, records

from liqterm.model import VENUE_IDS, Liquidation, Side
from liqterm.venues import ADAPTERS
from liqterm.venues.base import Decoded, KeepAlive, VenueAdapter

RECEIVED = 1_800_000_000_000
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["0", "-1", "NaN", "inf", "1e999", "", "buy", "SELL", "Buy", "long"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=12,
)


def _check(decoded: object) -> None:
    assert isinstance(decoded, Decoded)
    assert decoded.rejected is None or (isinstance(decoded.rejected, str) and decoded.rejected)
    assert decoded.rejected or not decoded.unknown_symbol  # the flag only ever comes with a refusal
    for event in decoded.events:
        assert isinstance(event, Liquidation) and isinstance(event.side, Side)
        for number in (event.price, event.quantity, event.usd):
            assert math.isfinite(number) and number > 0
        assert event.usd == pytest.approx(event.price * event.quantity, rel=1e-9)
        assert isinstance(event.exchange_ms, int) and event.exchange_ms > 10**11
        assert event.asset and event.asset == event.asset.upper()


PONGS = {
    "binance": '{"result":["!forceOrder@arr"],"id":7}',  # the reply to our LIST_SUBSCRIPTIONS
    "bybit": '{"success":true,"ret_msg":"pong","conn_id":"0970e817-426e-429a-a679-ff7f55e0b16a","op":"ping"}',
    "okx": "pong",
    "gateio": '{"time":1545404023,"time_ms":1545404023123,"channel":"futures.pong","event":"","result":null}',
    "bitget": "pong",
}
"""Each venue's documented answer to our application ping."""


def test_registry_and_declarations() -> None:
    assert tuple(ADAPTERS) == VENUE_IDS
    for name, adapter in ADAPTERS.items():
        assert isinstance(adapter, VenueAdapter) and adapter.name == name
        assert adapter.url.startswith("wss://")
        keepalive = adapter.keepalive
        assert isinstance(keepalive, KeepAlive) and keepalive.ping_text
        # our ping's answer reads as a control frame: it proves the feed alive, refusing nothing
        answer = adapter.decode(PONGS[name], 1_800_000_000_000)
        assert answer.is_control and answer.rejected is None and answer.events == []
        # stale only after a missed answer to our own ping, with grace
        assert keepalive.ping_interval_s + 10 <= keepalive.silence_timeout_s <= 60
        for frame in adapter.subscribe_frames(["BTCUSDT"]):
            json.loads(frame)
    assert [n for n, a in ADAPTERS.items() if a.needs_symbols] == ["bybit"]
    assert [n for n, a in ADAPTERS.items() if a.drop_replayed_on_subscribe] == ["okx"]
    assert [n for n, a in ADAPTERS.items() if a.keepalive.max_lifetime_s] == ["binance", "bitget"]


@needs_frames
@pytest.mark.parametrize("venue", VENUE_IDS)
def test_every_recorded_frame_decodes_cleanly_or_with_a_reason(venue: str) -> None:
    for record in records(venue):
        decoded = ADAPTERS[venue].decode(record["frame"], RECEIVED)
        _check(decoded)
        assert decoded.events or decoded.rejected or decoded.is_control, record["frame"][:80]
        assert ADAPTERS[venue].parse(record["frame"].encode(), RECEIVED) == decoded.events


NASTY = [
    b"\xff\xfe\x00garbage",
    b"",
    "",
    "pong ",
    "null",
    "[]",
    "{}",
    '"text"',
    "1e999",
    "[" * 100_000,
    '{"o": 5}',
    '{"stream": "x", "data": []}',
    '{"topic": "allLiquidation.BTCUSDT", "data": {"s": "BTCUSDT"}}',
    '{"arg": {"channel": "liquidation-orders"}, "data": [{"instId": "BTC-USDT-SWAP", "details": 3}]}',
    '{"channel": "futures.public_liquidates", "event": "update", "result": 7}',
    '{"arg": {"topic": "liquidation", "instType": "usdt-futures"}, "data": [null, 1, "x"]}',
    '{"e":"forceOrder","o":{"s":"BTCUSDT","S":"SELL","ap":NaN,"p":Infinity,"z":"1","T":1}}',
    '{"e":"forceOrder","o":{"s":"BTCUSDT","S":"SELL","ap":"1","z":' + "9" * 400 + ',"T":1}}',
]


@pytest.mark.parametrize("venue", VENUE_IDS)
@pytest.mark.parametrize("frame", NASTY, ids=range(len(NASTY)))
def test_nasty_inputs_never_raise(venue: str, frame: str | bytes) -> None:
    decoded = ADAPTERS[venue].decode(frame, RECEIVED)
    _check(decoded)
    assert decoded.events == []


@pytest.mark.parametrize("venue", VENUE_IDS)
def test_non_text_inputs_never_raise(venue: str) -> None:
    for frame in (None, 42, 3.5, ["x"], bytearray(b"{}"), memoryview(b"[]")):
        _check(ADAPTERS[venue].decode(frame, RECEIVED))  # type: ignore[arg-type]


@pytest.mark.parametrize("venue", VENUE_IDS)
def test_a_copy_reads_with_its_own_memo_and_table(venue: str) -> None:
    adapter = ADAPTERS[venue]
    for copied in (copy.copy(adapter), copy.deepcopy(adapter), pickle.loads(pickle.dumps(adapter))):
        assert type(copied) is type(adapter) and copied.clean_events.__self__ is copied
        assert copied._assets is not adapter._assets
        assert copied.instruments.symbols == adapter.instruments.symbols
        copied.use_instruments(copied.instruments)  # clears the copy's memo, not the original's
        for frame in NASTY[:3]:
            assert copied.decode(frame, RECEIVED) == adapter.decode(frame, RECEIVED)


def test_an_internal_bug_is_a_rejection_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    adapter = ADAPTERS["okx"]

    def broken(message: object, received_ms: int) -> Decoded:
        raise KeyError("oops")

    monkeypatch.setattr(adapter, "_decode_message", broken)  # the full reader, after either JSON reader
    assert adapter.decode("{}", RECEIVED) == Decoded([], "unparseable frame (KeyError)")
    assert adapter.decode(b"{}", RECEIVED) == Decoded([], "unparseable frame (KeyError)")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(venue=st.sampled_from(VENUE_IDS), data=st.binary(max_size=64) | st.text(max_size=64))
def test_fuzz_raw_input(venue: str, data: str | bytes) -> None:
    _check(ADAPTERS[venue].decode(data, RECEIVED))


def _mutate(value: Any, path: list[int], replacement: Any) -> Any:
    """Replace one node of a JSON tree, chosen by ``path`` (indices taken modulo the width)."""
    if not path or not isinstance(value, dict | list) or not value:
        return replacement
    if isinstance(value, dict):
        keys = list(value)
        key = keys[path[0] % len(keys)]
        return {**value, key: _mutate(value[key], path[1:], replacement)}
    index = path[0] % len(value)
    return [*value[:index], _mutate(value[index], path[1:], replacement), *value[index + 1 :]]


REAL_MESSAGES = [(v, json.loads(text)) for v in VENUE_IDS for text in recorded_frames(v)]


@needs_frames
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pick=st.integers(min_value=0),
    path=st.lists(st.integers(min_value=0, max_value=50), max_size=5),
    replacement=json_values,
    drop=st.booleans(),
)
def test_fuzz_mutated_real_frames(pick: int, path: list[int], replacement: Any, drop: bool) -> None:
    _venue, message = REAL_MESSAGES[pick % len(REAL_MESSAGES)]
    mutated = _mutate(message, path, replacement)
    if drop and isinstance(mutated, dict) and mutated:
        mutated.pop(list(mutated)[path[0] % len(mutated) if path else 0])
    text = json.dumps(mutated)
    for name in VENUE_IDS:  # every parser, not only the frame's own venue
        _check(ADAPTERS[name].decode(text, RECEIVED))

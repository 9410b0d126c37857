"""The fast path changes speed, never results.

Every adapter reads an ordinary data frame through ``_fast`` (orjson, no reasons) and
anything else through the full path (``_decode``: the stdlib's ``json.loads`` and
every check, in order). Here both are run on the same frames and must agree exactly:
real recorded frames, frames built by the fake venues' encoder, and those frames with
one field replaced by something awkward. The builders and the number reader behind
the fast path are checked against the constructors and ``float()``.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import pickle
import struct
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from venue_frames import records

from liqterm.demo.servers.encode import encode_event
from liqterm.model import VENUE_IDS, Liquidation, Side
from liqterm.venues import ADAPTERS, _build, binance, bitget, bybit, gateio, okx
from liqterm.venues._build import _float_of_text, clean, event_of, number_of
from liqterm.venues.base import Decoded

RECEIVED = 1_800_000_000_000
VENUE_MODULES = (binance, bybit, okx, gateio, bitget)

AWKWARD = st.sampled_from(
    [None, True, False, 0, 1, -1, 7, 1.5, -2.5, 1e300, 2**70, "", "0", "-0", "00", "0.0", "-1", "1",
     "20000", "9910", "0.014", "1e3", "1E-3", " 5", "5 ", "+5", "1_000", "inf", "-inf", "NaN", "1e999",
     "1e-999", "0x10", "١٢", "true", "null", "[1]", '"5"', "Buy", "Sell", "BUY", "SELL", "buy", "sell",
     "long", "short", "net", "BTCUSDT", "BTC-USDT-SWAP", "BTC_USDT", "XYZUSDT", "liquidation",
     "1761120000000", "1761120000", "176112000000000000", "01761120000000", " 1761120000000",
     [], {}, [{}], {"s": "BTCUSDT"}]
)  # fmt: skip


def _synthetic_frames(venue: str) -> list[str]:
    adapter = ADAPTERS[venue]

    def size(_venue: str, symbol: str) -> float | None:
        item = adapter.instruments.get(symbol)
        return item.contract_size if item is not None else None

    frames = []
    for i, (asset, symbol, price) in enumerate(
        [("BTC", "BTCUSDT", 107_000.5), ("ETH", "ETHUSDT", 3_800.25), ("PEPE", "1000PEPEUSDT", 0.01)]
    ):
        side = Side.LONG if i % 2 else Side.SHORT
        quantity = 1000.0 * (i + 1) if asset == "PEPE" else 0.5 * (i + 1)
        event = Liquidation(venue, symbol, asset, side, price, quantity, price * quantity,
                            1_761_120_000_000 + i, 0)  # fmt: skip
        text = encode_event(venue, event, size)
        if text is not None:
            frames.append(text)
    return frames


def _real_frames(venue: str) -> list[str]:
    return [record["frame"] for record in records(venue)]


def _full(venue: str, frame: str) -> Decoded:
    """The full path alone, under ``decode``'s never-raise rule."""
    try:
        return ADAPTERS[venue]._decode(frame, RECEIVED)
    except Exception as exc:
        return Decoded([], f"unparseable frame ({type(exc).__name__})")


def _agree(venue: str, frame: str) -> Decoded:
    """Decode ``frame`` both ways (twice on the fast side: the first resolves its symbols)."""
    adapter = ADAPTERS[venue]
    adapter.decode(frame, RECEIVED)
    fast = adapter.decode(frame, RECEIVED)
    full = _full(venue, frame)
    assert fast == full, frame
    assert [type(event) for event in fast.events] == [Liquidation] * len(fast.events)
    # The hot loops' shortcut: a list only where decode finds the frame clean, and then its events.
    shortcut = adapter.clean_events(frame, RECEIVED)
    if shortcut is not None:
        assert Decoded(shortcut) == full, frame
    return fast


@pytest.mark.parametrize("venue", VENUE_IDS)
def test_ordinary_frames_take_the_fast_path_to_the_same_events(venue: str) -> None:
    frames = _synthetic_frames(venue)
    assert frames
    for frame in frames:
        decoded = _agree(venue, frame)
        assert decoded.events and decoded.rejected is None
        assert ADAPTERS[venue]._fast(json.loads(frame), RECEIVED) is not None, frame
        assert ADAPTERS[venue].clean_events(frame, RECEIVED) == decoded.events, frame


@pytest.mark.parametrize("venue", VENUE_IDS)
def test_real_frames_agree_on_every_adapter(venue: str) -> None:
    for frame in _real_frames(venue):
        for name in VENUE_IDS:  # every parser, not only the frame's own venue
            _agree(name, frame)


def _replace(value: Any, path: list[int], replacement: Any) -> Any:
    """Replace one node of a JSON tree, chosen by ``path`` (indices taken modulo the width)."""
    if not path or not isinstance(value, dict | list) or not value:
        return replacement
    if isinstance(value, dict):
        key = list(value)[path[0] % len(value)]
        return {**value, key: _replace(value[key], path[1:], replacement)}
    index = path[0] % len(value)
    return [*value[:index], _replace(value[index], path[1:], replacement), *value[index + 1 :]]


def _base_messages() -> list[tuple[str, Any]]:
    found = [(v, json.loads(f)) for v in VENUE_IDS for f in _synthetic_frames(v)]
    for venue in VENUE_IDS:
        for frame in _real_frames(venue):
            try:
                found.append((venue, json.loads(frame)))
            except ValueError:
                pass
    return found


BASE_MESSAGES = _base_messages()


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pick=st.integers(min_value=0),
    path=st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=5),
    replacement=AWKWARD | st.floats() | st.integers() | st.text(max_size=8),
)
def test_frames_with_an_awkward_field_agree(pick: int, path: list[int], replacement: Any) -> None:
    venue, message = BASE_MESSAGES[pick % len(BASE_MESSAGES)]
    frame = json.dumps(_replace(message, path, replacement))
    _agree(venue, frame)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40) | st.binary(max_size=40).map(lambda b: b.decode("latin-1")))
def test_arbitrary_text_agrees(text: str) -> None:
    for venue in VENUE_IDS:
        _agree(venue, text)


def test_what_orjson_refuses_gets_the_stdlib_verdict() -> None:
    nan_price = '{"e":"forceOrder","o":{"s":"BTCUSDT","S":"SELL","ap":NaN,"p":Infinity,"z":"1","T":1}}'
    assert ADAPTERS["binance"].decode(nan_price, RECEIVED) == Decoded([], "bad price")
    huge = '{"e":"forceOrder","o":{"s":"BTCUSDT","S":"SELL","ap":"1","z":' + "9" * 400 + ',"T":1}}'
    assert ADAPTERS["binance"].decode(huge, RECEIVED) == Decoded([], "bad size")
    assert ADAPTERS["bybit"].decode("[" * 5000, RECEIVED) == Decoded([], "invalid json")
    assert ADAPTERS["bybit"].decode('"\\ud800"', RECEIVED) == Decoded([], "not an object")
    assert ADAPTERS["okx"].decode("pong", RECEIVED).is_control
    for venue, frame in (("binance", nan_price), ("binance", huge), ("okx", "pong"), ("bybit", b"{}")):
        assert ADAPTERS[venue].clean_events(frame, RECEIVED) is None  # decode must say what it is


# -- the pieces ------------------------------------------------------------------------------------


def _bits(value: float) -> bytes:
    return struct.pack("<d", value)


@settings(max_examples=2000, deadline=None)
@given(
    value=st.floats(allow_nan=False, allow_infinity=False),
    style=st.sampled_from(["{!r}", "{:.17e}", "{:.20g}", "{:.6f}", "{:.3g}", "{:.25f}"]),
)
def test_number_of_reads_a_float_string_bit_for_bit_as_float_does(value: float, style: str) -> None:
    text = style.format(value)
    try:
        read = number_of(text)
    except ValueError:  # orjson refuses what rounds to infinity; the fast path then gives up
        assert math.isinf(float(text)), text
        return
    if type(read) is int:
        read = float(read)
    # the one difference: "-0" is the int 0 to JSON; zero is never a valid price or size
    assert _bits(read) == _bits(float(text)) or (read == 0.0 and float(text) == 0.0), text


@settings(max_examples=1000, deadline=None)
@given(digits=st.integers(min_value=0, max_value=2**200), fraction=st.text("0123456789", max_size=30))
def test_number_of_reads_integers_and_long_decimals_as_float_does(digits: int, fraction: str) -> None:
    for text in (str(digits), f"{digits}.{fraction}" if fraction else f"{digits}.5"):
        read = number_of(text)
        assert type(read) in (int, float)
        assert _bits(float(read)) == _bits(float(text)), text


def test_number_of_refuses_what_is_not_a_json_number_string() -> None:
    for value in (True, None, 5, 1.5, [], {}):
        with pytest.raises((TypeError, ValueError)):
            number_of(value)  # type: ignore[arg-type]
        with pytest.raises((TypeError, ValueError)):
            _float_of_text(value)  # type: ignore[arg-type]
    for text in ("true", "[1]", '"5"'):
        try:
            assert type(number_of(text)) not in (int, float)
        except ValueError:  # float() without orjson
            pass
    assert _float_of_text("1_000") == 1000.0


def test_event_of_builds_a_real_frozen_liquidation() -> None:
    args = ("okx", "1000PEPE-USDT-SWAP", ("PEPE", 1000.0, 10.0, False), Side.SHORT, 0.0123, 7.0, 1, 2)
    event = event_of(*args)
    expected = _build._event_plain(*args)
    assert type(event) is Liquidation and event == expected and hash(event) == hash(expected)
    assert event.price == 0.0123 / 1000.0 and event.quantity == 7.0 * 10.0 * 1000.0
    assert event.usd == event.price * event.quantity
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.price = 1.0  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(event)) == event and copy.copy(event) == event
    assert dataclasses.asdict(event)["symbol"] == "1000PEPE-USDT-SWAP"
    usd_sized = event_of("bitget", "BTCUSDT", ("BTC", 1.0, 1.0, True), Side.LONG, 50_000.0, 100.0, 3, 4)
    assert usd_sized.quantity == 100.0 / 50_000.0 and usd_sized.usd == 50_000.0 * (100.0 / 50_000.0)
    assert math.isfinite(usd_sized.usd)


def test_clean_builds_a_real_frozen_decoded() -> None:
    decoded = clean([])
    assert type(decoded) is Decoded and decoded == Decoded([])
    assert decoded.rejected is None and decoded.is_control is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        decoded.rejected = "x"  # type: ignore[misc]


@pytest.fixture
def stdlib_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The adapters as they run when orjson is not installed."""
    from liqterm.venues import _common

    monkeypatch.setattr(_common, "fast_loads", json.loads)
    for module in VENUE_MODULES:
        monkeypatch.setattr(module, "number_of", _float_of_text)


@pytest.mark.usefixtures("stdlib_only")
@pytest.mark.parametrize("venue", VENUE_IDS)
def test_without_orjson_the_same_frames_give_the_same_results(venue: str) -> None:
    for frame in _synthetic_frames(venue) + _real_frames(venue):
        _agree(venue, frame)
    nan_price = '{"e":"forceOrder","o":{"s":"BTCUSDT","S":"SELL","ap":NaN,"p":Infinity,"z":"1","T":1}}'
    assert ADAPTERS["binance"].decode(nan_price, RECEIVED) == Decoded([], "bad price")
    assert ADAPTERS[venue].decode("{", RECEIVED) == Decoded([], "invalid json")

"""The fast path changes speed, never results.

Every adapter reads an ordinary data frame through ``clean_events`` (orjson and the fast
reader compiled from its row layout, no reasons) and anything else through the full path
(``_decode``: the stdlib's ``json.loads``, the same envelope, and the layout read field by
field, every check in order). Here both are run on the same frames and must agree exactly:
real recorded frames, frames built by the fake venues' encoder, and those frames with
one field replaced by something awkward. The builders behind the fast path are checked
against the constructors. Without ../shared the real-frame cases skip; the rest run.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import pickle
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from venue_frames import needs_frames, recorded_frames

from liqterm.demo.servers.encode import encode_event
from liqterm.model import VENUE_IDS, Liquidation, Side
from liqterm.venues import ADAPTERS, _build
from liqterm.venues._build import clean, event_of
from liqterm.venues._fast_rows import fast_reader_source
from liqterm.venues.base import Decoded

RECEIVED = 1_800_000_000_000

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
    """The recorded frames of ``venue``, or none without ../shared."""
    return recorded_frames(venue)


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
        assert ADAPTERS[venue].clean_events(frame, RECEIVED) == decoded.events, frame


@needs_frames
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
        for frame in _real_frames(venue):  # none without ../shared: the synthetic frames remain
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


@pytest.mark.parametrize("venue", VENUE_IDS)
def test_the_fast_reader_is_compiled_from_the_layout(venue: str) -> None:
    """Every key the layout names is read by the compiled reader; nothing else is."""
    layout = ADAPTERS[venue].rows
    source = fast_reader_source(venue, layout)
    compile(source, "<test>", "exec")
    named = {layout.symbol, *layout.price.keys[:2], *layout.size.keys[:2], *layout.time.keys[:2]}
    if layout.rows_in_group is not None:
        named.add(layout.rows_in_group)
    side_key = getattr(layout.side, "key", None)
    if side_key is not None:
        named.add(side_key)
    read = {key for key in named if f"[{key!r}]" in source}
    assert read == named, source
    assert "envelope_time" not in source  # the fast path never falls back to the envelope's time


def test_numbers_read_the_fast_way_are_the_full_paths() -> None:
    """Number texts float() takes that JSON does not (and bools, which float() would take
    as 1.0) give the full path's answer, an event or a reason."""
    template = '{"e":"forceOrder","E":1761120000000,"o":{"s":"BTCUSDT","S":"SELL","ap":%s,"z":"1","T":%d}}'
    texts = ('" 5"', '"1_000"', '"inf"', '"nan"', '"١٢"', '"0x10"', "true", "false", "5", "5.5", "0", "null")
    when = 1_761_120_000_000
    for value in texts:
        _agree("binance", template % (value, when))
    assert ADAPTERS["binance"].decode(template % ("true", when), RECEIVED).rejected == "bad price"
    assert ADAPTERS["binance"].decode(template % ('"1_000"', when), RECEIVED).events[0].price == 1000.0


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
    from liqterm.venues import _fast_rows

    monkeypatch.setitem(_fast_rows.READER_GLOBALS, "fast_loads", json.loads)


@pytest.mark.usefixtures("stdlib_only")
@pytest.mark.parametrize("venue", VENUE_IDS)
def test_without_orjson_the_same_frames_give_the_same_results(venue: str) -> None:
    for frame in _synthetic_frames(venue) + _real_frames(venue):
        _agree(venue, frame)
    nan_price = '{"e":"forceOrder","o":{"s":"BTCUSDT","S":"SELL","ap":NaN,"p":Infinity,"z":"1","T":1}}'
    assert ADAPTERS["binance"].decode(nan_price, RECEIVED) == Decoded([], "bad price")
    assert ADAPTERS[venue].decode("{", RECEIVED) == Decoded([], "invalid json")

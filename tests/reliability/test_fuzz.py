"""Property-based fuzzing of every venue parser and of the config loader.

tests/venues/test_venues_contract.py already throws raw input and mutated real frames
at the parsers (a few hundred examples in all); this module adds, per venue, arbitrary
JSON of any shape, arbitrary bytes and a round trip of valid frames, at 10,000
examples each in ``make faults`` (the ``faults-full`` profile) and 300 in ``make test``.
"""

from __future__ import annotations

import json
import math
import string
from typing import Any

import pytest
import tomli_w
from fault_table import FUZZ, record
from hypothesis import given
from hypothesis import strategies as st

from liqterm.config import Config, ConfigError, loads
from liqterm.demo.servers.encode import encode_event
from liqterm.model import VENUE_IDS, Liquidation, Side
from liqterm.venues import ADAPTERS
from liqterm.venues.base import Decoded

RECEIVED = 1_800_000_000_000

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=16)
    | st.sampled_from(
        [
            "NaN",
            "-0",
            "1e999",
            "",
            "BTCUSDT",
            "BTC-USDT-SWAP",
            "Buy",
            "SELL",
            "long",
            "liquidation-orders",
            "forceOrder",
            "futures.public_liquidates",
            "snapshot",
        ]
    )
)
json_trees = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "e",
                    "o",
                    "data",
                    "arg",
                    "result",
                    "topic",
                    "s",
                    "S",
                    "p",
                    "v",
                    "T",
                    "ts",
                    "details",
                    "instId",
                    "price",
                    "size",
                    "side",
                    "channel",
                    "event",
                    "stream",
                    "amount",
                    "symbol",
                    "contract",
                ]
            )
            | st.text(max_size=6),
            inner,
            max_size=6,
        )
    ),
    max_leaves=25,
)


def _sane(decoded: object) -> None:
    assert isinstance(decoded, Decoded)
    assert decoded.rejected is None or decoded.rejected
    for event in decoded.events:
        assert isinstance(event, Liquidation) and isinstance(event.side, Side)
        assert all(math.isfinite(x) and x > 0 for x in (event.price, event.quantity, event.usd))
        assert event.exchange_ms > 10**11


@pytest.mark.parametrize("venue", VENUE_IDS)
def test_arbitrary_json_never_raises(venue: str) -> None:
    @FUZZ
    @given(tree=json_trees)
    def check(tree: Any) -> None:
        _sane(ADAPTERS[venue].decode(json.dumps(tree), RECEIVED))

    check()
    record(
        "fuzz", venue, f"{FUZZ.max_examples:,} arbitrary JSON trees", "never raised", frames=FUZZ.max_examples
    )


@pytest.mark.parametrize("venue", VENUE_IDS)
def test_arbitrary_bytes_never_raise(venue: str) -> None:
    @FUZZ
    @given(data=st.binary(max_size=256) | st.text(max_size=256))
    def check(data: bytes | str) -> None:
        _sane(ADAPTERS[venue].decode(data, RECEIVED))

    check()
    record(
        "fuzz",
        venue,
        f"{FUZZ.max_examples:,} arbitrary byte/text frames",
        "never raised",
        frames=FUZZ.max_examples,
    )


PRICES = {"BTC": 107_000.0, "ETH": 3_800.0, "SOL": 187.0, "DOGE": 0.2, "PEPE": 0.00001}


@pytest.mark.parametrize("venue", VENUE_IDS)
def test_valid_frames_round_trip_to_the_right_fields(venue: str) -> None:
    adapter = ADAPTERS[venue]

    def size(_venue: str, symbol: str) -> float | None:
        item = adapter.instruments.get(symbol)
        return item.contract_size if item is not None else None

    @FUZZ
    @given(
        asset=st.sampled_from(sorted(PRICES)),
        side=st.sampled_from([Side.LONG, Side.SHORT]),
        move=st.floats(min_value=0.5, max_value=2.0),
        contracts=st.integers(min_value=1, max_value=50_000),
        ms=st.integers(min_value=1_600_000_000_000, max_value=1_900_000_000_000),
    )
    def check(asset: str, side: Side, move: float, contracts: int, ms: int) -> None:
        symbol = f"{asset}USDT" if asset != "PEPE" else "1000PEPEUSDT"
        scale = 1000.0 if asset == "PEPE" else 1.0
        price = float(f"{PRICES[asset] * move:.6g}")
        # a whole number of contracts of the venue's own size, so OKX and Gate can carry it exactly
        unit = size(venue, _venue_symbol(venue, symbol)) or 0.001
        quantity = contracts * unit * scale
        event = Liquidation("x", symbol, asset, side, price, quantity, price * quantity, ms, ms)
        text = encode_event(venue, event, size)
        if text is None:  # the venue does not list it
            return
        decoded = adapter.decode(text, RECEIVED)
        assert decoded.rejected is None and len(decoded.events) == 1, (text, decoded)
        got = decoded.events[0]
        assert (got.venue, got.asset, got.side, got.exchange_ms) == (venue, asset, side, ms)
        assert got.price == pytest.approx(price, rel=1e-9)
        assert got.quantity == pytest.approx(quantity, rel=1e-9)
        assert got.usd == pytest.approx(price * quantity, rel=1e-9)

    check()
    record(
        "fuzz",
        venue,
        f"{FUZZ.max_examples:,} valid frames (encode -> parse)",
        "right side, asset, price, size, time",
        frames=FUZZ.max_examples,
    )


def _venue_symbol(venue: str, symbol: str) -> str:
    base = symbol.removesuffix("USDT")
    return {"okx": f"{base}-USDT-SWAP", "gateio": f"{base}_USDT"}.get(venue, symbol)


# -- the config loader ------------------------------------------------------------------------------

KNOWN_KEYS = {
    "thresholds": ["default", "sessions", "assets"],
    "engine": [
        "correlation_window_s",
        "dislocation_bps",
        "dedup_horizon_s",
        "max_future_skew_s",
        "recent_events",
        "alert_log",
    ],
    "alerts": ["min_class", "cooldown_s", "possible", "warning"],
    "cascade": ["predictor", "horizon_s", "evaluate_every_ms"],
    "venues": list(VENUE_IDS),
    "tui": ["tick_hz", "tape_rows", "meters", "pinned", "min_class", "hide_retail", "threshold_step"],
    "telegram": [
        "enabled",
        "chat_ids",
        "min_priority",
        "kinds",
        "digest_after",
        "api_url",
        "token_file",
        "max_age_s",
        "per_chat_per_s",
        "per_group_per_min",
        "global_per_s",
    ],
}
toml_scalars = (
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["hawkes", "seed", "whale", "high", "info", "wss://x", "ws://127.0.0.1:1/", "BTC"])
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["base", "whale", "cascade", "url", "enabled", "BTC", "asian", "us"])
            | st.text(string.ascii_letters, min_size=1, max_size=5),
            inner,
            max_size=4,
        )
    ),
    max_leaves=10,
)


@st.composite
def config_documents(draw: st.DrawFn) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for table in draw(st.lists(st.sampled_from([*KNOWN_KEYS, "bogus"]), max_size=4, unique=True)):
        keys = KNOWN_KEYS.get(table, ["x"])
        names = draw(st.lists(st.sampled_from([*keys, "unknown_key"]), max_size=4, unique=True))
        document[table] = {name: draw(toml_values) for name in names}
    return document


def _check_config(text: str) -> None:
    try:
        config = loads(text)
    except ConfigError as exc:
        assert isinstance(exc.key, str) and exc.key
        assert exc.key in str(exc)
        return
    assert isinstance(config, Config)


def test_config_loader_on_arbitrary_documents() -> None:
    @FUZZ
    @given(document=config_documents())
    def check(document: dict[str, Any]) -> None:
        try:
            text = tomli_w.dumps(document)
        except (TypeError, ValueError):  # not representable in TOML (e.g. mixed arrays in old writers)
            return
        _check_config(text)

    check()
    record(
        "fuzz",
        "config",
        f"{FUZZ.max_examples:,} TOML documents over the real keys",
        "a Config or a ConfigError naming the key",
        frames=FUZZ.max_examples,
    )


def test_config_loader_on_arbitrary_text() -> None:
    @FUZZ
    @given(
        text=st.text(max_size=200)
        | st.sampled_from(["[engine]\nrecent_events = 1e999", "[[tui]]\n", "a.b.c = 1\na = 2"])
    )
    def check(text: str) -> None:
        _check_config(text)

    check()
    record(
        "fuzz",
        "config",
        f"{FUZZ.max_examples:,} arbitrary texts",
        "a Config or a ConfigError",
        frames=FUZZ.max_examples,
    )

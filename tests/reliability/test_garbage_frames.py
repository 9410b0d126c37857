"""Garbage from each venue, through the live path: every bad frame is counted with a reason.

Frames are made from a valid frame of the venue's own shape with one field broken,
so each venue's parser meets exactly the defect named (not merely "not JSON").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fault_table import record
from stream_helpers import wait_until
from venue_rig import VENUES, each_venue, events, frames, rig

from liqterm.demo.servers.faults import garbage_of

# Which keys hold what, per venue (see liqterm.demo.servers.encode for the shapes).
FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "binance": {"price": ("p", "ap"), "size": ("q", "l", "z"), "time": ("T", "E"), "symbol": ("s",)},
    "bybit": {"price": ("p",), "size": ("v",), "time": ("T", "ts"), "symbol": ("s",)},
    "okx": {"price": ("bkPx",), "size": ("sz",), "time": ("ts",), "symbol": ("instId",)},
    "gateio": {"price": ("price",), "size": ("size",), "time": ("time", "time_ms"), "symbol": ("contract",)},
    "bitget": {"price": ("price",), "size": ("amount",), "time": ("ts",), "symbol": ("symbol",)},
}
# Binance, Bybit and Bitget derive the asset from a USDT-quoted name (a new listing is real
# data), so their unknown symbol is one with no quote currency at all.
UNKNOWN_SYMBOL = {
    "binance": "ZZZQQQ",
    "bybit": "ZZZQQQ",
    "bitget": "ZZZQQQ",
    "okx": "ZZZQQQ-USDT-SWAP",
    "gateio": "ZZZQQQ_USDT",
}


def _replace(node: Any, keys: tuple[str, ...], make: Callable[[Any], Any]) -> Any:
    if isinstance(node, dict):
        return {k: make(v) if k in keys else _replace(v, keys, make) for k, v in node.items()}
    if isinstance(node, list):
        return [_replace(item, keys, make) for item in node]
    return node


def _broken(venue: str, valid: str) -> list[tuple[str, str]]:
    """``(what, frame)`` pairs: one defect each, all of which must be refused."""
    data = json.loads(valid)
    fields = FIELDS[venue]

    def field(kind: str, make: Callable[[Any], Any]) -> str:
        return json.dumps(_replace(data, fields[kind], make))

    return [
        ("invalid JSON (cut in half)", garbage_of(valid)),
        ("invalid JSON (binary noise)", "\x00\x01\x02 not json"),
        ("valid JSON, wrong shape: array", "[1, 2, 3]"),
        ("valid JSON, wrong shape: scalar", '"liquidation"'),
        ("valid JSON, wrong shape: another venue's frame", _other_venue_frame(venue)),
        ("wrong type: price is an object", field("price", lambda v: {"value": v})),
        ("wrong type: size is a boolean", field("size", lambda v: True)),
        ("wrong type: time is a list", field("time", lambda v: [v])),
        ("NaN price", field("price", lambda v: "NaN")),
        ("NaN size (JSON literal)", field("size", lambda v: float("nan"))),
        ("negative price", field("price", lambda v: "-" + str(v).lstrip("-"))),
        ("zero price", field("price", lambda v: "0")),
        ("zero size", field("size", lambda v: 0)),
        ("infinite size", field("size", lambda v: "1e999")),
        ("unknown symbol", field("symbol", lambda v: UNKNOWN_SYMBOL[venue])),
        ("missing time", field("time", lambda v: None)),
    ]


def _other_venue_frame(venue: str) -> str:
    other = "bitget" if venue != "bitget" else "okx"
    from venue_rig import MAKERS

    return frames(other, MAKERS[other](), events(1, venue=other))[0]


def _time_shifted(data: Any, venue: str, make: Callable[[int], int]) -> str:
    def shift(value: Any) -> Any:
        ms = int(value)
        if ms < 10**12:  # Gate's envelope "time" is in seconds already
            return value
        out = make(ms)
        return str(out) if isinstance(value, str) else out

    return json.dumps(_replace(data, FIELDS[venue]["time"], shift))


async def test_garbage_is_counted_per_venue_with_a_reason() -> None:
    async def check(venue: str) -> tuple[int, int, list[str]]:
        async with rig(venue) as r:
            await r.live()
            valid = frames(venue, r.stream.adapter, events(1, venue=venue))[0]
            reasons = []
            for what, frame in _broken(venue, valid):
                before = r.health.rejected
                await r.send([frame])
                await wait_until(
                    lambda before=before: r.health.rejected == before + 1, what=f"{venue}: {what} rejected"
                )
                reason = r.health.last_reject_reason or ""
                assert reason, f"{venue}: {what} rejected without a reason"
                if what == "unknown symbol":
                    assert "symbol" in reason or "quoted" in reason, reason
                reasons.append(reason)
            # the connection survived all of it and still delivers good events
            await r.send([valid])
            await r.wait_delivered(1)
            assert r.health.reconnects == 0 and len(r.delivered) == 1
            assert r.engine.events_total == 1
            return len(reasons), r.health.rejected, reasons

    results = await each_venue(check)
    for venue, (sent, rejected, reasons) in results.items():
        assert sent == rejected
        record(
            "garbage",
            venue,
            f"{sent} malformed frames (JSON, shape, types, NaN/negative/zero, unknown symbol)",
            f"each rejected with a reason ({len(set(reasons))} distinct); feed kept",
            frames=sent,
            rejected=rejected,
        )


async def test_times_in_seconds_far_future_and_far_past() -> None:
    async def check(venue: str) -> tuple[int, int]:
        async with rig(venue) as r:
            await r.live()
            base = events(3, venue=venue)
            texts = frames(venue, r.stream.adapter, base)
            seconds = _time_shifted(json.loads(texts[0]), venue, lambda ms: ms // 1000)
            future = _time_shifted(json.loads(texts[1]), venue, lambda ms: ms + 10 * 365 * 86_400_000)
            past = _time_shifted(json.loads(texts[2]), venue, lambda ms: ms - 3 * 365 * 86_400_000)
            await r.send([seconds, future, past])
            # seconds are read as seconds (not 1970); future and past reach the engine, which
            # refuses them (OKX's stream drops the past one first, as a replay)
            await wait_until(
                lambda: r.engine.rejected + r.health.dropped_replayed == 2 and r.engine.events_total == 1,
                what=f"{venue}: one accepted, two refused",
            )
            accepted = r.delivered[0]
            assert accepted.exchange_ms == base[0].exchange_ms // 1000 * 1000
            assert r.health.reconnects == 0
            return 3, r.engine.rejected + r.health.dropped_replayed

    results = await each_venue(check)
    for venue, (sent, refused) in results.items():
        record(
            "garbage",
            venue,
            "time in seconds; 10 years ahead; 3 years ago",
            "seconds read as seconds; far times refused by the engine (not per venue)",
            frames=sent,
            rejected=refused,
        )


async def test_duplicates_after_a_reconnect_are_ingested_once() -> None:
    async def check(venue: str) -> int:
        chosen = events(20, venue=venue)
        async with rig(venue) as r:
            await r.live()
            texts = frames(venue, r.stream.adapter, chosen)
            await r.send(texts)
            await r.wait_delivered(20)
            await r.server.disconnect_all()
            await wait_until(lambda: r.health.reconnects == 1, what=f"{venue} reconnect")
            await r.live()
            await r.send(texts)  # the venue repeats what it sent before the drop
            await wait_until(
                lambda: len(r.delivered) + r.health.dropped_replayed == 40, what=f"{venue} repeats seen"
            )
            assert r.engine.events_total == 20
            assert r.engine.duplicates == len(r.delivered) - 20
            return len(r.delivered) - 20 + r.health.dropped_replayed

    results = await each_venue(check)
    for venue, repeated in results.items():
        record(
            "garbage",
            venue,
            "20 events repeated after a reconnect",
            "each ingested once (engine dedup or replay drop)",
            frames=repeated,
            rejected=repeated,
        )


def test_the_table_names_every_venue() -> None:
    assert set(FIELDS) == set(VENUES)

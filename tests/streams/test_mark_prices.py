"""Mark prices on the Binance liquidation connection, against the fake Binance server.

The fake serves a mark-price stream only to a connection that subscribed it, as Binance
does; the frames are Binance's documented ``markPriceUpdate`` shape.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json

from stream_helpers import FAST, Collector, now_ms, recorded, wait_until

from liqterm.config.schema import Config
from liqterm.model import Liquidation, Side
from liqterm.streams.live import build_manager
from liqterm.venues.binance import BinanceAdapter
from liqterm.venues.fake import FakeVenueServer, config_with_urls
from liqterm.venues.fake.encode import encode_event
from liqterm.venues.marks import WithMarkPrices


def _mark(symbol: str, price: float, ms: int) -> str:
    return json.dumps(
        {
            "e": "markPriceUpdate",
            "E": ms,
            "s": symbol,
            "p": f"{price:.2f}",
            "i": f"{price:.2f}",
            "P": f"{price:.2f}",
            "r": "0.00010000",
            "T": ms + 3_600_000,
        }
    )


def _frames(base_ms: int) -> list[str]:
    event = Liquidation("binance", "BTCUSDT", "BTC", Side.LONG, 107_734.1, 0.5, 53_867.05, base_ms, 0)
    marks = [_mark(symbol, price + i, base_ms + i) for i in range(5) for symbol, price in
             (("BTCUSDT", 107_700.0), ("ETHUSDT", 3_800.0))]  # fmt: skip
    return [encode_event("binance", event) or "", *marks]


async def _run(
    mark_prices: tuple[str, ...], until_mark: str | None = None
) -> tuple[Collector, list[str], object]:
    sink = Collector()
    seen: list[str] = []
    frames = recorded("binance", _frames(now_ms()), start_ms=now_ms(), step_ms=50)
    async with FakeVenueServer("binance", frames, retime=True) as server:
        config = config_with_urls(Config(), {"binance": server.url})
        venue = dataclasses.replace(config.venues["binance"], mark_prices=mark_prices)
        config = dataclasses.replace(config, venues={**config.venues, "binance": venue})
        manager = build_manager(
            config, ["binance"], sink, on_frame=lambda v, ms, text: seen.append(text), settings=FAST,
            refresh=False, adapters={"binance": BinanceAdapter()},
        )  # fmt: skip
        stop = asyncio.Event()
        task = asyncio.create_task(manager.run(stop))
        try:
            await wait_until(lambda: len(sink.events) == 1, what="the liquidation")
            if until_mark is not None:
                await wait_until(lambda: any(until_mark in text for text in seen), what="the last mark")
            else:
                await asyncio.sleep(0.7)  # the server sends its marks over 0.5 s: none may arrive
        finally:
            stop.set()
            await task
        (health,) = manager.health()
    return sink, seen, health


async def test_subscribed_mark_prices_arrive_on_the_same_connection_as_context() -> None:
    sink, seen, health = await _run(("BTCUSDT",), until_mark="107704.00")
    marks = [json.loads(text) for text in seen if "markPriceUpdate" in text]
    # Only what was subscribed, from the moment the SUBSCRIBE reached the server (as on Binance).
    assert {m["s"] for m in marks} == {"BTCUSDT"}
    assert [m["p"] for m in marks][-2:] == ["107703.00", "107704.00"]
    assert [(e.asset, e.side) for e in sink.events] == [("BTC", Side.LONG)]
    assert health.rejected == 0  # context frames are not counted as refused
    reply = [json.loads(text) for text in seen if '"result"' in text]
    assert {"result": None, "id": 2} in reply  # the fake answered our SUBSCRIBE


async def test_without_the_setting_no_mark_price_is_asked_for() -> None:
    sink, seen, health = await _run(())
    assert not [text for text in seen if "markPriceUpdate" in text]
    assert len(sink.events) == 1 and health.rejected == 0


def test_the_wrapper_keeps_the_adapters_own_parts() -> None:
    adapter = BinanceAdapter()
    wrapped = WithMarkPrices(adapter, ("*",))
    assert wrapped.name == "binance" and wrapped.keepalive is adapter.keepalive
    assert wrapped.subscribe_frames([]) == adapter.mark_price_frames(("*",))
    assert wrapped.clean_events.__self__ is adapter  # the hot path is the adapter's own
    copied = copy.copy(wrapped)  # no endless __getattr__ while the copy is half made
    assert copied.subscribe_frames([]) == wrapped.subscribe_frames([])


def test_the_config_knows_exactly_the_venues_that_can_subscribe_mark_prices() -> None:
    from liqterm.config.schema import MARK_PRICE_VENUES
    from liqterm.venues import ADAPTERS
    from liqterm.venues.marks import supports_mark_prices

    assert set(MARK_PRICE_VENUES) == {name for name, a in ADAPTERS.items() if supports_mark_prices(a)}

"""Builders for engine tests: events at chosen UTC times."""

from __future__ import annotations

from datetime import UTC, datetime

from liqterm.model import Liquidation, Side


def utc_ms(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: float = 0.0) -> int:
    whole = int(second)
    stamp = datetime(year, month, day, hour, minute, whole, tzinfo=UTC).timestamp()
    return int(stamp * 1000) + round((second - whole) * 1000)


# 2025-10-22 was a Wednesday; 2025-10-25 a Saturday, 2025-10-26 a Sunday, 2025-10-27 a Monday.
WEDNESDAY_US = utc_ms(2025, 10, 22, 15)


def liq(
    usd: float,
    *,
    ms: int = WEDNESDAY_US,
    asset: str = "BTC",
    venue: str = "binance",
    side: Side = Side.LONG,
    price: float | None = None,
    symbol: str | None = None,
) -> Liquidation:
    price = price if price is not None else {"BTC": 107_000.0, "ETH": 3_800.0}.get(asset, 10.0)
    return Liquidation(
        venue=venue,
        symbol=symbol or f"{asset}USDT",
        asset=asset,
        side=side,
        price=price,
        quantity=usd / price,
        usd=usd,
        exchange_ms=ms,
        received_ms=ms + 50,
    )

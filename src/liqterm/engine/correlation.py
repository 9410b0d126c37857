"""Cross-exchange correlation and price dislocation, evaluated from the asset's rolling state.

Correlation: the same asset liquidating on at least two venues within the
window (default 10 s) with a combined USD at or above the asset's whale
threshold. The engine checks it per event from running totals; it is reported
when it starts and again each time the combined USD doubles, so a growing
cross-venue flush escalates instead of repeating.

Dislocation: the last liquidation prices of the same asset on two venues, both
within the window, more than ``gap_bps`` apart. Checked once per asset-second.
Venues report different prices (Binance the average fill, Bybit and OKX the
bankruptcy price), so small gaps are normal: the default gap is wide and
dislocations are informational.
"""

from __future__ import annotations

from dataclasses import dataclass

from liqterm.engine.flow import LONG, SHORT, VENUES, AssetState
from liqterm.engine.snapshot import Correlation


@dataclass(frozen=True, slots=True)
class Dislocation:
    asset: str
    venue_a: str
    price_a: float
    venue_b: str
    price_b: float
    gap_bps: float
    at_ms: int


def correlation_of(state: AssetState, now_ms: int) -> Correlation:
    """Describe the asset's current cross-venue window (call when 2+ venues are in it)."""
    buckets = [*state.ten, state.bucket]
    sides = set()
    first_sec = now_ms // 1000
    for bucket in buckets:
        if bucket[VENUES]:
            first_sec = min(first_sec, bucket[0])
        if bucket[LONG]:
            sides.add("long")
        if bucket[SHORT]:
            sides.add("short")
    return Correlation(
        asset=state.asset,
        venues=tuple(sorted(state.venues_10s)),
        sides=tuple(sorted(sides)),
        combined_usd=state.usd_10s,
        first_ms=first_sec * 1000,
        last_ms=now_ms,
    )


def find_dislocation(
    state: AssetState, prices: dict[str, float], now_ms: int, window_ms: int, gap_bps: float
) -> Dislocation | None:
    """Compare a finished second's venue prices with other venues' recent ones."""
    known = state.venue_prices
    horizon = now_ms - window_ms
    worst: Dislocation | None = None
    for venue, price in prices.items():
        for other, (seen_ms, other_price) in known.items():
            if other == venue or seen_ms <= horizon:
                continue
            mid = (price + other_price) / 2
            gap = abs(price - other_price) / mid * 10_000
            if gap > gap_bps and (worst is None or gap > worst.gap_bps):
                worst = Dislocation(state.asset, venue, price, other, other_price, gap, now_ms)
    for venue, price in prices.items():
        known[venue] = (now_ms, price)
    return worst

"""Cross-exchange correlation and price dislocation, evaluated from the asset's rolling state.

Correlation: the same asset liquidating on at least two venues within the
window (default 10 s) with a combined USD at or above the asset's whale
threshold. The engine checks it per event from running totals; it is reported
when it starts and again each time the combined USD doubles, so a growing
cross-venue flush escalates instead of repeating.

Dislocation: a liquidation's price more than ``gap_bps`` away from the latest
liquidation price of another venue within the window. Checked per event in O(1),
and only when a second venue is in the window.
Venues report different prices (Binance the average fill, Bybit and OKX the
bankruptcy price), so small gaps are normal: the default gap is wide and
dislocations are informational.
"""

from __future__ import annotations

from dataclasses import dataclass

from liqterm.engine.flow import AssetState
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
    usd, venues = state.window()
    sides = set()
    first_sec = state.cur_sec
    for bucket in (*reversed(state.seconds), state.bucket):
        if bucket.sec <= state.cur_sec - state.window_s:
            break
        first_sec = min(first_sec, bucket.sec)
        if bucket.long:
            sides.add("long")
        if bucket.short:
            sides.add("short")
    return Correlation(
        asset=state.asset,
        venues=tuple(sorted(venues)),
        sides=tuple(sorted(sides)),
        combined_usd=usd,
        first_ms=first_sec * 1000,
        last_ms=now_ms,
    )


def dislocation_at(state: AssetState, venue: str, price: float, now_ms: int) -> Dislocation:
    """The gap between ``price`` on ``venue`` and the latest price of another venue."""
    other = state.other_price
    gap = abs(price - other) / ((price + other) / 2) * 10_000
    return Dislocation(state.asset, venue, price, state.other_venue, other, gap, now_ms)

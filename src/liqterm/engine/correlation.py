"""Cross-exchange correlation and price dislocation, evaluated from the asset's rolling state.

Correlation: the same asset liquidating on at least two venues within the
window (default 10 s) with a combined USD at or above the asset's whale
threshold. The engine checks it per event from running totals; it is reported
when it starts and again each time the combined USD doubles, so a growing
cross-venue flush escalates instead of repeating.

Dislocation: a venue's liquidation price in a finished second more than
``gap_bps`` away from another venue's latest one within the window. Checked once
per asset-second, and only when two venues are in the window.
Venues report different prices (Binance the average fill, Bybit and OKX the
bankruptcy price), so small gaps are normal: the default gap is wide and
dislocations are informational.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from liqterm.engine.flow import LONG, PRICES, SEC, SHORT, AssetState
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
        if bucket[0] <= state.cur_sec - state.window_s:
            break
        first_sec = min(first_sec, bucket[0])
        if bucket[LONG]:
            sides.add("long")
        if bucket[SHORT]:
            sides.add("short")
    return Correlation(
        asset=state.asset,
        venues=tuple(sorted(venues)),
        sides=tuple(sorted(sides)),
        combined_usd=usd,
        first_ms=first_sec * 1000,
        last_ms=now_ms,
    )


def find_dislocation(
    state: AssetState, finished: list[Any], now_ms: int, gap_bps: float
) -> Dislocation | None:
    """Compare a finished second's venue prices with other venues' latest in the window."""
    latest: dict[str, float] = {}
    horizon = finished[SEC] - state.window_s
    for bucket in reversed(state.seconds):  # newest first: the first price seen per venue wins
        if bucket[SEC] <= horizon:
            break
        if bucket is not finished:
            for venue, price in bucket[PRICES].items():
                latest.setdefault(venue, price)
    worst: Dislocation | None = None
    for venue, price in finished[PRICES].items():
        for other, other_price in latest.items():
            if other == venue:
                continue
            gap = abs(price - other_price) / ((price + other_price) / 2) * 10_000
            if gap > gap_bps and (worst is None or gap > worst.gap_bps):
                worst = Dislocation(state.asset, venue, price, other, other_price, gap, now_ms)
    return worst

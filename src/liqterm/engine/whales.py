"""The 24-hour whale tracker: whale and institutional events per asset and across all assets.

Only whale-or-bigger events are stored (one entry per whale, never per retail
event), so memory is bounded by how many whales a day brings, not by the feed
rate. Eviction is by event time.
"""

from __future__ import annotations

from collections import deque
from typing import Final

from liqterm.engine.snapshot import WhaleStats
from liqterm.model import Liquidation, Side

DAY_MS: Final = 86_400_000
DOMINANCE: Final = 1.2
"""One side dominates when its volume exceeds the other's by this factor."""

ALL_ASSETS: Final = "ALL"


def dominant_side(long_usd: float, short_usd: float) -> str:
    """``long`` if long volume > 1.2 × short, ``short`` if the reverse, else ``balanced``."""
    if long_usd > DOMINANCE * short_usd:
        return "long"
    if short_usd > DOMINANCE * long_usd:
        return "short"
    return "balanced"


class WhaleWindow:
    """Whale events of one scope (an asset, or all assets) over a sliding 24 h."""

    __slots__ = ("_events", "_largest", "long_usd", "short_usd")

    def __init__(self) -> None:
        self._events: deque[Liquidation] = deque()
        self.long_usd = 0.0
        self.short_usd = 0.0
        self._largest: Liquidation | None = None

    def add(self, event: Liquidation) -> None:
        self._events.append(event)
        if event.side is Side.LONG:
            self.long_usd += event.usd
        else:
            self.short_usd += event.usd
        if self._largest is None or event.usd > self._largest.usd:
            self._largest = event

    def evict(self, now_ms: int) -> None:
        events = self._events
        horizon = now_ms - DAY_MS
        lost_largest = False
        while events and events[0].exchange_ms <= horizon:
            old = events.popleft()
            if old.side is Side.LONG:
                self.long_usd -= old.usd
            else:
                self.short_usd -= old.usd
            lost_largest = lost_largest or old is self._largest
        if not events:
            self.long_usd = self.short_usd = 0.0
            self._largest = None
        elif lost_largest:
            self._largest = max(events, key=lambda e: e.usd)

    def stats(self, asset: str, now_ms: int) -> WhaleStats:
        """The 24 h ending at ``now_ms``; reads only (events past the horizon are left out here
        and evicted when time next advances)."""
        events = self._events
        horizon = now_ms - DAY_MS
        if events and events[0].exchange_ms <= horizon:
            kept = [event for event in events if event.exchange_ms > horizon]
            long_usd = sum(e.usd for e in kept if e.side is Side.LONG)
            short_usd = sum(e.usd for e in kept if e.side is not Side.LONG)
            largest = max(kept, key=lambda e: e.usd) if kept else None
            last = kept[-1] if kept else None
            count = len(kept)
        else:
            long_usd, short_usd, largest = self.long_usd, self.short_usd, self._largest
            last = events[-1] if events else None
            count = len(events)
        return WhaleStats(
            asset=asset,
            count=count,
            long_usd=long_usd,
            short_usd=short_usd,
            dominant=dominant_side(long_usd, short_usd),
            largest=largest,
            last_major=last,
        )

    def events(self) -> tuple[Liquidation, ...]:
        return tuple(self._events)

    def oldest_ms(self) -> int | None:
        """The event time of the oldest whale held (``None`` when there is none)."""
        return self._events[0].exchange_ms if self._events else None

    def __len__(self) -> int:
        return len(self._events)


class WhaleTracker:
    """Per-asset and all-asset 24 h whale windows."""

    def __init__(self) -> None:
        self._by_asset: dict[str, WhaleWindow] = {}
        self._all = WhaleWindow()

    def add(self, event: Liquidation) -> None:
        window = self._by_asset.get(event.asset)
        if window is None:
            window = self._by_asset[event.asset] = WhaleWindow()
        window.add(event)
        self._all.add(event)
        # Evicting on insert keeps memory bounded even if nobody takes snapshots.
        window.evict(event.exchange_ms)
        self._all.evict(event.exchange_ms)

    def evict(self, now_ms: int) -> None:
        """Event time reached ``now_ms``: forget whales older than 24 h (and assets left with none)."""
        oldest = self._all.oldest_ms()
        if oldest is None or oldest > now_ms - DAY_MS:
            return  # nothing has aged out: the per-asset windows hold no older whale than the whole
        for asset in list(self._by_asset):
            window = self._by_asset[asset]
            window.evict(now_ms)
            if not len(window):
                del self._by_asset[asset]
        self._all.evict(now_ms)

    def stats(self, now_ms: int) -> tuple[tuple[WhaleStats, ...], WhaleStats]:
        """Per-asset stats (largest 24 h volume first) and the all-asset total at ``now_ms``; reads only."""
        per_asset = []
        for asset, window in self._by_asset.items():
            stats = window.stats(asset, now_ms)
            if stats.count:
                per_asset.append(stats)
        per_asset.sort(key=lambda s: s.long_usd + s.short_usd, reverse=True)
        return tuple(per_asset), self._all.stats(ALL_ASSETS, now_ms)

    def events(self) -> tuple[Liquidation, ...]:
        """Every tracked whale event, oldest first (what a restart needs to rebuild)."""
        return self._all.events()

"""What a digest says about a burst: many waiting alerts about one asset, with their counts.

Nothing merged disappears without trace: the digest says how many alerts it stands for, per
side and per kind, their USD, the venues, the largest one and the cooldown's suppressed
count. Each destination renders these plain lines in its own markup.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from liqterm.outbox.queue import EVENT_KINDS, Pending

Money = Callable[[float], str]
Clock = Callable[[int], str]


@dataclass(frozen=True, slots=True)
class Digest:
    """The figures of one burst (see :func:`summarise`)."""

    asset: str
    items: tuple[Pending, ...]
    first_ms: int
    last_ms: int
    venues: tuple[str, ...]

    def headline(self, usd: Money) -> str:
        """``37 long liquidations, $48.2M; 12 short, $3.1M in 60 s on 4 venues`` (no asset)."""
        events = [i for i in self.items if i.kind in EVENT_KINDS]
        sides = []
        for side in ("long", "short"):
            group = [i for i in events if i.side == side]
            if group:
                noun = "liquidation" if len(group) == 1 else "liquidations"
                sides.append(f"{len(group)} {side} {noun}, {usd(sum(i.usd for i in group))}")
        what = "; ".join(sides) if sides else f"{len(self.items)} alerts"
        word = "venue" if len(self.venues) == 1 else "venues"
        return f"{what} in {_span(self.last_ms - self.first_ms)} on {len(self.venues)} {word}"

    def details(self, usd: Money, clock: Clock) -> list[str]:
        """The lines under the headline: count, kinds, venues, largest, suppressed, time."""
        items = self.items
        lines = [f"{len(items)} alerts merged into this digest"]
        kinds = Counter(i.kind for i in items)
        lines.append("Kinds: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in kinds.most_common()))
        if self.venues:
            lines.append("Venues: " + ", ".join(self.venues))
        events = [i for i in items if i.kind in EVENT_KINDS]
        if events:
            top = max(events, key=lambda i: i.usd)
            where = f" on {', '.join(top.venues)}" if top.venues else ""
            lines.append(f"Largest: {usd(top.usd)} {top.side or ''}{where}".replace("  ", " "))
        suppressed = sum(i.suppressed for i in items)
        if suppressed:
            lines.append(f"+{suppressed} more suppressed as duplicates")
        first, last = self.first_ms, self.last_ms
        lines.append(clock(first) if first == last else f"{clock(first)[:-4]}–{clock(last)}")
        return lines


def summarise(items: Sequence[Pending]) -> Digest:
    """The digest of ``items`` (all about one asset)."""
    if not items:
        raise ValueError("a digest needs at least one alert")
    return Digest(
        asset=items[0].asset,
        items=tuple(items),
        first_ms=min(i.at_ms for i in items),
        last_ms=max(i.at_ms for i in items),
        venues=tuple(sorted({v for i in items for v in i.venues})),
    )


def _span(ms: int) -> str:
    seconds = ms / 1000
    if seconds < 1:
        return "under 1 s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"

"""One message for a burst: many waiting alerts about one asset, summarised with their counts.

Nothing merged disappears without trace: the digest says how many alerts it stands for, per
side and per kind, their USD, the venues, the largest one and the cooldown's suppressed count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from liqterm.telegram.format import escape, truncate_html, usd, utc_time
from liqterm.telegram.pending import EVENT_KINDS, PendingAlert


def format_digest(items: Sequence[PendingAlert]) -> str:
    """Telegram HTML summarising ``items`` (all about one asset), e.g.

    ``BTC: 37 long liquidations, $48.2M; 12 short, $3.1M in 60 s on 4 venues``.
    """
    if not items:
        raise ValueError("a digest needs at least one alert")
    asset = items[0].asset
    events = [i for i in items if i.kind in EVENT_KINDS]
    first = min(i.at_ms for i in items)
    last = max(i.at_ms for i in items)
    venues = sorted({v for i in items for v in i.venues})

    sides = []
    for side in ("long", "short"):
        group = [i for i in events if i.side == side]
        if group:
            noun = "liquidation" if len(group) == 1 else "liquidations"
            sides.append(f"{len(group)} {side} {noun}, {usd(sum(i.usd for i in group))}")
    what = "; ".join(sides) if sides else f"{len(items)} alerts"
    venue_word = "venue" if len(venues) == 1 else "venues"
    headline = (
        f"📦 <b>{escape(asset)}</b>: {escape(what)} in {_span(last - first)} on {len(venues)} {venue_word}"
    )
    lines = [headline, f"{len(items)} alerts merged into this digest"]
    kinds = Counter(i.kind for i in items)
    lines.append("Kinds: " + ", ".join(f"{n} {escape(k.replace('_', ' '))}" for k, n in kinds.most_common()))
    if venues:
        lines.append("Venues: " + escape(", ".join(venues)))
    if events:
        top = max(events, key=lambda i: i.usd)
        where = f" on {escape(', '.join(top.venues))}" if top.venues else ""
        lines.append(f"Largest: {usd(top.usd)} {escape(top.side or '')}{where}".replace("  ", " "))
    suppressed = sum(i.suppressed for i in items)
    if suppressed:
        lines.append(f"+{suppressed} more suppressed as duplicates")
    window = utc_time(first) if first == last else f"{utc_time(first)[:-4]}–{utc_time(last)}"
    lines.append(window)
    return truncate_html("\n".join(lines))


def _span(ms: int) -> str:
    seconds = ms / 1000
    if seconds < 1:
        return "under 1 s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"

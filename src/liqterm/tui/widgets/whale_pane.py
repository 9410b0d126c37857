"""The whale pane: per asset over 24 h of event time, whale and institutional liquidations.

The header line sums every asset; each row gives an asset's count, long and
short USD, the dominant side, the largest event and the last major one.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

from rich.segment import Segment
from textual.reactive import var

from liqterm import format as fmt
from liqterm.engine import EngineSnapshot, WhaleStats
from liqterm.model import Liquidation
from liqterm.tui.cells import hms
from liqterm.tui.widgets.line_list import LineList, cell


class WhalePane(LineList):
    """Bind ``snapshot``; one row per asset with whale activity in the last 24 h."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "whale-pane--long",
        "whale-pane--short",
        "whale-pane--balanced",
    }

    snapshot: var[EngineSnapshot | None] = var(None, always_update=True)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.stats: dict[str, WhaleStats] = {}
        self._last: tuple[WhaleStats, ...] | None = None

    def watch_snapshot(self, snapshot: EngineSnapshot | None) -> None:
        if snapshot is None or snapshot.whales == self._last:
            return
        self._last = snapshot.whales
        before = self.stats
        self.stats = {stats.asset: stats for stats in snapshot.whales}
        total = snapshot.whales_all
        subtitle = (
            f"{total.count} · L {fmt.usd(total.long_usd)} / S {fmt.usd(total.short_usd)} · {total.dominant}"
            if total is not None and total.count
            else "none yet"
        )
        self.set_subtitle(subtitle)
        changed = [asset for asset, stats in self.stats.items() if before.get(asset) != stats]
        self.set_rows(list(self.stats), changed=changed)

    @property
    def selected_asset(self) -> str | None:
        key = self.cursor_key
        return key if isinstance(key, str) else None

    def rows_resized(self, width: int) -> None:
        style = self.style_of("line-list--header")
        titles = [
            ("asset", 8, False),
            ("#", 3, True),
            ("long", 8, True),
            ("short", 8, True),
            ("dominant", 8, False),
            ("largest", 14, False),
            ("last major", 14, False),
        ]
        segments: list[Segment] = []
        for title, size, right in titles:
            segments += [cell(title, size, style, right), Segment(" ", style)]
        self.set_header(segments)

    def render_row(self, key: Hashable, width: int) -> list[Segment]:
        stats = self.stats[key]  # type: ignore[index]
        base = self.style_of()
        gap = Segment(" ", base)
        dominant = self.style_of(f"whale-pane--{stats.dominant}")
        return [
            cell(stats.asset, 8, base),
            gap,
            cell(str(stats.count), 3, base, right=True),
            gap,
            cell(fmt.usd(max(0.0, stats.long_usd)), 8, self.style_of("whale-pane--long"), right=True),
            gap,
            cell(fmt.usd(max(0.0, stats.short_usd)), 8, self.style_of("whale-pane--short"), right=True),
            gap,
            cell(stats.dominant.upper(), 8, dominant),
            gap,
            cell(_event(stats.largest), 14, base),
            gap,
            cell(_event(stats.last_major), 14, base),
        ]


def _event(event: Liquidation | None) -> str:
    if event is None:
        return "-"
    return f"{fmt.usd(event.usd)} {event.side[0].upper()} {hms(event.exchange_ms)[:5]}"

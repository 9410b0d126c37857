"""Cascade meters: one row per active asset, pinned assets first, then by recent USD.

Each row shows the predictor's probability of a cascade within 60 s as a bar
whose background marks the "possible" and "warning" bands, a trend arrow, the
last minute's long and short liquidated USD and the events per minute.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from textual.message import Message
from textual.reactive import var

from liqterm import format as fmt
from liqterm.engine import AssetMeter, EngineSnapshot
from liqterm.tui.widgets.line_list import LineList, cell

TREND = {1: "▲", -1: "▼", 0: "·"}
_FIXED = 43 + 8  # every cell and gap but the bar, and room for the CASCADE badge


class CascadeMeters(LineList):
    """Bind ``snapshot``; ``limit`` meters are shown, bands from the alert config."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "cascade-meters--fill",
        "cascade-meters--fill-possible",
        "cascade-meters--fill-warning",
        "cascade-meters--band",
        "cascade-meters--band-possible",
        "cascade-meters--band-warning",
        "cascade-meters--rising",
        "cascade-meters--falling",
        "cascade-meters--long",
        "cascade-meters--short",
        "cascade-meters--cascade",
    }

    snapshot: var[EngineSnapshot | None] = var(None, always_update=True)

    @dataclass
    class AssetHighlighted(Message):
        """The cursor moved to an asset's meter."""

        asset: str

    def __init__(
        self, limit: int = 12, possible: float = 0.5, warning: float = 0.7, *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.limit = limit
        self.possible = possible
        self.warning = warning
        self.meters: dict[str, AssetMeter] = {}
        self._bar = 12

    def watch_snapshot(self, snapshot: EngineSnapshot | None) -> None:
        if snapshot is None:
            return
        shown = snapshot.meters[: self.limit]
        self.meters = {meter.asset: meter for meter in shown}
        keys: list[Hashable] = list(self.meters)
        self.set_rows(keys, changed=keys)

    @property
    def selected_asset(self) -> str | None:
        key = self.cursor_key
        return key if isinstance(key, str) else None

    def cursor_moved(self) -> None:
        if self.selected_asset:
            self.post_message(self.AssetHighlighted(self.selected_asset))

    def rows_resized(self, width: int) -> None:
        self._bar = max(6, min(30, width - _FIXED))
        style = self.style_of("line-list--header")
        titles = [
            ("asset", 8, False),
            ("", 1, False),
            ("P(cascade ≤ 60 s)", self._bar, False),
            ("", 4, True),
            ("long 60s", 9, True),
            ("short 60s", 9, True),
            ("ev/m", 5, True),
        ]
        segments: list[Segment] = []
        for title, size, right in titles:
            segments += [cell(title, size, style, right), Segment(" ", style)]
        self.set_header(segments)

    def render_row(self, key: Hashable, width: int) -> list[Segment]:
        meter = self.meters[key]  # type: ignore[index]
        base = self.style_of()
        gap = Segment(" ", base)
        trend_style = {1: "cascade-meters--rising", -1: "cascade-meters--falling"}.get(meter.trend)
        segments = [
            cell(meter.asset, 8, base),
            gap,
            cell(TREND[meter.trend], 1, self.style_of(trend_style) if trend_style else base),
            gap,
            *self._bar_segments(meter.probability),
            gap,
            cell(f"{meter.probability:.0%}", 4, self._band_fill(meter.probability), right=True),
            gap,
            cell(fmt.usd(max(0.0, meter.long_60s)), 9, self.style_of("cascade-meters--long"), right=True),
            gap,
            cell(fmt.usd(max(0.0, meter.short_60s)), 9, self.style_of("cascade-meters--short"), right=True),
            gap,
            cell(f"{meter.events_per_min}", 5, base, right=True),
        ]
        if meter.cascade_active:
            segments += [gap, Segment("CASCADE", self.style_of("cascade-meters--cascade"))]
        return segments

    def _band_fill(self, probability: float) -> object:
        if probability >= self.warning:
            return self.style_of("cascade-meters--fill-warning")
        if probability >= self.possible:
            return self.style_of("cascade-meters--fill-possible")
        return self.style_of("cascade-meters--fill")

    def _bar_segments(self, probability: float) -> list[Segment]:
        """``█`` up to the probability; empty cells keep their band's tint, so bands always show."""
        width = self._bar
        filled = round(probability * width)
        segments = []
        for index in range(width):
            middle = (index + 0.5) / width
            band = "-warning" if middle >= self.warning else "-possible" if middle >= self.possible else ""
            if index < filled:
                segments.append(Segment("█", self.style_of(f"cascade-meters--fill{band}")))
            else:
                segments.append(Segment("·", self.style_of(f"cascade-meters--band{band}")))
        return segments

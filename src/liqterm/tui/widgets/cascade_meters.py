"""Cascade meters: one row per active asset, pinned assets first, then by recent USD.

Each row shows the predictor's probability of a cascade within 60 s as a bar
whose background marks the "possible" and "warning" bands, a trend arrow, the
last minute's long and short liquidated USD and the events per minute.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

from rich.segment import Segment
from textual.message import Message
from textual.reactive import var

from liqterm import format as fmt
from liqterm.config.schema import AlertConfig
from liqterm.engine import AssetMeter, EngineSnapshot
from liqterm.tui.widgets.line_list import LineList, cell

TREND = {1: "▲", -1: "▼", 0: "·"}
_FIXED = 43 + 8  # every cell and gap but the bar, and room for the CASCADE badge
_LEVELS = AlertConfig()
"""The default warning levels the meters colour their bands by (the app passes the configured ones)."""


class _Shown(NamedTuple):
    """Everything a meter's row shows: the row is drawn again only when this changes."""

    trend: int
    filled: int
    percent: str
    band: str
    long_60s: str
    short_60s: str
    per_min: int
    cascade: bool


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
        self,
        limit: int = 12,
        possible: float = _LEVELS.possible,
        warning: float = _LEVELS.warning,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.limit = limit
        self.possible = possible
        self.warning = warning
        self.meters: dict[str, AssetMeter] = {}
        self._shown: dict[str, _Shown] = {}
        self._bar = 12
        self._bars: dict[int, list[Segment]] = {}

    def watch_snapshot(self, snapshot: EngineSnapshot | None) -> None:
        if snapshot is None:
            return
        self.meters = {meter.asset: meter for meter in snapshot.meters[: self.limit]}
        before = self._shown
        self._shown = {asset: self._looks(meter) for asset, meter in self.meters.items()}
        changed = [asset for asset, looks in self._shown.items() if before.get(asset) != looks]
        self.set_rows(list(self.meters), changed=changed)

    def _looks(self, meter: AssetMeter) -> _Shown:
        probability = meter.probability
        band = _band(probability, self.possible, self.warning)
        return _Shown(
            meter.trend,
            round(probability * self._bar),
            f"{probability:.0%}",
            band,
            fmt.usd(max(0.0, meter.long_60s)),
            fmt.usd(max(0.0, meter.short_60s)),
            meter.events_per_min,
            meter.cascade_active,
        )

    @property
    def selected_asset(self) -> str | None:
        key = self.cursor_key
        return key if isinstance(key, str) else None

    def cursor_moved(self) -> None:
        if self.selected_asset:
            self.post_message(self.AssetHighlighted(self.selected_asset))

    def rows_resized(self, width: int) -> None:
        self._bar = max(6, min(30, width - _FIXED))
        self._bars.clear()
        self._shown = {asset: self._looks(meter) for asset, meter in self.meters.items()}
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
        shown = self._shown[key]  # type: ignore[index]
        base = self.style_of()
        gap = Segment(" ", base)
        trend_style = {1: "cascade-meters--rising", -1: "cascade-meters--falling"}.get(shown.trend)
        segments = [
            cell(str(key), 8, base),
            gap,
            cell(TREND[shown.trend], 1, self.style_of(trend_style) if trend_style else base),
            gap,
            *self._bar_segments(shown.filled),
            gap,
            cell(shown.percent, 4, self.style_of(f"cascade-meters--fill{shown.band}"), right=True),
            gap,
            cell(shown.long_60s, 9, self.style_of("cascade-meters--long"), right=True),
            gap,
            cell(shown.short_60s, 9, self.style_of("cascade-meters--short"), right=True),
            gap,
            cell(f"{shown.per_min}", 5, base, right=True),
        ]
        if shown.cascade:
            segments += [gap, Segment("CASCADE", self.style_of("cascade-meters--cascade"))]
        return segments

    def notify_style_update(self) -> None:
        self._bars.clear()
        super().notify_style_update()

    def _bar_segments(self, filled: int) -> list[Segment]:
        """``█`` over ``filled`` cells; empty cells keep their band's tint, so bands always show."""
        segments = self._bars.get(filled)
        if segments is None:
            segments = self._bars[filled] = list(Segment.simplify(self._bar_cells(filled)))
        return segments

    def _bar_cells(self, filled: int) -> list[Segment]:
        width = self._bar
        segments = []
        for index in range(width):
            band = _band((index + 0.5) / width, self.possible, self.warning)
            if index < filled:
                segments.append(Segment("█", self.style_of(f"cascade-meters--fill{band}")))
            else:
                segments.append(Segment("·", self.style_of(f"cascade-meters--band{band}")))
        return segments


def _band(probability: float, possible: float, warning: float) -> str:
    """The component suffix of the band ``probability`` falls in."""
    return "-warning" if probability >= warning else "-possible" if probability >= possible else ""

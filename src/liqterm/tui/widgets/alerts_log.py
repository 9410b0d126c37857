"""The alerts log: the engine's alerts, newest first, with priority and suppressed duplicates."""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

from rich.segment import Segment
from textual.reactive import var

from liqterm.engine import Alert, EngineSnapshot
from liqterm.tui.cells import hms
from liqterm.tui.widgets.line_list import LineList, cell

PRIORITY_WORD = {0: "info", 1: "normal", 2: "HIGH", 3: "CRITICAL"}


class AlertsLog(LineList):
    """Bind ``snapshot``; shows ``snapshot.alerts`` (the engine keeps the last 200)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "alerts-log--info",
        "alerts-log--normal",
        "alerts-log--high",
        "alerts-log--critical",
        "alerts-log--suppressed",
    }

    snapshot: var[EngineSnapshot | None] = var(None, always_update=True)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.alerts: dict[Hashable, Alert] = {}
        self._last: tuple[Alert, ...] | None = None

    def watch_snapshot(self, snapshot: EngineSnapshot | None) -> None:
        if snapshot is None or snapshot.alerts is self._last:
            return
        self._last = snapshot.alerts
        alerts: dict[Hashable, Alert] = {}
        for alert in snapshot.alerts:
            key: Hashable = (alert.at_ms, alert.key, alert.text)
            while key in alerts:  # identical twins keep distinct rows
                key = (key, 1)
            alerts[key] = alert
        self.alerts = alerts
        subtitle = _totals(snapshot)
        if subtitle != self.border_subtitle:  # setting it repaints, even unchanged
            self.border_subtitle = subtitle
        self.set_rows(list(alerts))

    def rows_resized(self, width: int) -> None:
        style = self.style_of("line-list--header")
        segments: list[Segment] = []
        for title, size in (("time UTC", 8), ("priority", 8), ("kind", 15), ("alert", max(0, width - 34))):
            segments += [cell(title, size, style), Segment(" ", style)]
        self.set_header(segments)

    def render_row(self, key: Hashable, width: int) -> list[Segment]:
        alert = self.alerts[key]
        level = self.style_of(f"alerts-log--{alert.priority.label}")
        base = self.style_of()
        gap = Segment(" ", base)
        text = alert.text
        segments = [
            cell(hms(alert.at_ms), 8, base),
            gap,
            cell(PRIORITY_WORD[int(alert.priority)], 8, level),
            gap,
            cell(alert.kind, 15, base),
            gap,
        ]
        if alert.suppressed_before:
            suffix = f" (+{alert.suppressed_before} similar suppressed)"
            text = text.removesuffix(suffix)
            room = max(0, width - 34 - len(suffix) - 1)
            return [
                *segments,
                cell(text, room, base),
                gap,
                Segment(f"+{alert.suppressed_before} suppressed", self.style_of("alerts-log--suppressed")),
            ]
        return [*segments, cell(text, max(0, width - 34), base)]


def _totals(snapshot: EngineSnapshot) -> str:
    counts = " ".join(f"{kind} {count}" for kind, count in sorted(snapshot.alert_counts.items()))
    waiting = sum(snapshot.suppressed.values())
    return f"{counts or 'none yet'} · suppressed {snapshot.suppressed_total} ({waiting} in cooldown)"

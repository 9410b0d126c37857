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
        if snapshot is None:
            return
        self.set_subtitle(_totals(snapshot))
        if _same_log(snapshot.alerts, self._last):
            return
        self.alerts = _keyed(snapshot.alerts, self._last, self.alerts)
        self._last = snapshot.alerts
        self.set_rows(list(self.alerts))

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


def _keyed(
    alerts: tuple[Alert, ...], last: tuple[Alert, ...] | None, rows: dict[Hashable, Alert]
) -> dict[Hashable, Alert]:
    """Row keys for ``alerts`` (newest first): ``(at_ms, key, text)``, twins made distinct.

    Usually the log only gained alerts at its newest end since ``last`` (whose rows are
    ``rows``): those are keyed and the rest kept, unless a new key meets a kept one, when
    everything is keyed again, as it always is otherwise.
    """
    if last and len(rows) == len(last):
        fresh = next((index for index, alert in enumerate(alerts) if alert is last[0]), -1)
        kept = len(alerts) - fresh
        if fresh >= 0 and kept <= len(last) and alerts[-1] is last[kept - 1]:
            old = list(rows.items())[:kept]
            new = {(alert.at_ms, alert.key, alert.text): alert for alert in alerts[:fresh]}
            if len(new) == fresh and not any(key in rows for key in new):
                new.update(old)
                return new
    keyed: dict[Hashable, Alert] = {}
    for alert in alerts:
        key: Hashable = (alert.at_ms, alert.key, alert.text)
        while key in keyed:  # identical twins keep distinct rows
            key = (key, 1)
        keyed[key] = alert
    return keyed


def _same_log(alerts: tuple[Alert, ...], last: tuple[Alert, ...] | None) -> bool:
    """Whether two snapshots' alert logs hold the same alerts: the engine's log only grows at
    the newest end and drops its oldest, so equal length and the same two ends mean the same log
    (a cheap test: the snapshot's tuple is new every tick)."""
    if last is None or len(alerts) != len(last):
        return False
    return not alerts or (alerts[0] is last[0] and alerts[-1] is last[-1])


def _totals(snapshot: EngineSnapshot) -> str:
    counts = " ".join(f"{kind} {count}" for kind, count in sorted(snapshot.alert_counts.items()))
    waiting = sum(snapshot.suppressed.values())
    return f"{counts or 'none yet'} · suppressed {snapshot.suppressed_total} ({waiting} in cooldown)"

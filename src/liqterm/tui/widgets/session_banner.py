"""The session banner: session and multiplier, UTC clock, countdown, mode badge, pause badge."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.reactive import var

from liqterm.engine import EngineSnapshot
from liqterm.tui.cells import countdown, hms
from liqterm.tui.widgets.text_lines import TextLines


class SessionBanner(TextLines):
    """One line. ``now_ms`` is the app's clock (event time in demo and replay, frozen in tests)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "session-banner--session",
        "session-banner--clock",
        "session-banner--badge",
        "session-banner--paused",
    }

    snapshot: var[EngineSnapshot | None] = var(None, always_update=True)
    now_ms: var[int] = var(0)
    paused_at: var[int | None] = var(None)
    badge: var[str] = var("")
    """``DEMO ...`` / ``REPLAY ...``; empty when live."""

    def watch_snapshot(self) -> None:
        self.update_line()

    def watch_now_ms(self) -> None:
        self.update_line()

    def watch_paused_at(self) -> None:
        self.update_line()

    def watch_badge(self) -> None:
        self.update_line()

    @property
    def arrived_while_paused(self) -> int:
        """Events the engine took since the tape was paused (0 when not paused)."""
        if self.paused_at is None or self.snapshot is None:
            return 0
        return max(0, self.snapshot.seq - self.paused_at)

    def line(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        style = self.component_style
        wide = self.size.width >= 120
        snapshot = self.snapshot
        now = self.now_ms
        if self.badge:
            text.append(f" {self.badge} ", style("session-banner--badge"))
            text.append(" ")
        session = snapshot.session if snapshot is not None else None
        if session is not None:
            text.append(f" {session.name.upper()} ×{session.multiplier:g} ", style("session-banner--session"))
            text.append(" thresholds  " if wide else "  ")
        else:
            text.append(" waiting for the first liquidation ", style("session-banner--session"))
            text.append("  ")
        if now:
            text.append(f"{hms(now)} UTC", style("session-banner--clock"))
            if session is not None:
                text.append(f" · {session.next_name} in {countdown(session.countdown_ms(now))}")
        if snapshot is not None and wide:
            text.append(f" · {snapshot.events_total:,} events")
        if self.paused_at is not None:
            text.append("  ")
            text.append(
                f" PAUSED · {self.arrived_while_paused:,} new · space follows ",
                style("session-banner--paused"),
            )
        return text

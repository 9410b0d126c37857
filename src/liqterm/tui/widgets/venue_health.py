"""The venue health bar: one cell per venue (state, last event age, reconnects, rejects), Telegram,
the notification destinations (one that keeps failing is named), and a warning when state cannot
be saved.

The state is a word as well as a colour. Venues whose feed is throttled carry a
``*``; the health detail screen (``h``) spells out what each venue leaves out.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.reactive import var

from liqterm.notify.status import NotifyStatus
from liqterm.streams.health import VenueHealth
from liqterm.telegram.status import TelegramStatus
from liqterm.tui.cells import age
from liqterm.tui.widgets.liquidation_tape import VENUE_SHORT
from liqterm.tui.widgets.text_lines import TextLines

STATE_WORD = {
    "connecting": "connecting",
    "live": "live",
    "reconnecting": "reconnecting",
    "stale": "stale",
    "down": "DOWN",
}


def state_word(health: VenueHealth) -> str:
    """``live``, ``quiet`` (connected, nothing arriving while others deliver), ``DOWN``..."""
    if health.state == "live" and health.quiet:
        return "quiet"
    return STATE_WORD.get(health.state, health.state)


class VenueHealthBar(TextLines):
    """One line; bind ``health``, ``now_ms``, ``telegram``, ``notifications`` and ``persistence``."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "venue-health--live",
        "venue-health--warn",
        "venue-health--down",
        "venue-health--telegram",
    }

    health: var[tuple[VenueHealth, ...]] = var((), always_update=True)
    now_ms: var[int] = var(0)
    telegram: var[TelegramStatus | None] = var(None)
    persistence: var[str | None] = var(None)
    notifications: var[NotifyStatus | None] = var(None)

    def watch_notifications(self) -> None:
        self.update_line()

    def watch_persistence(self) -> None:
        self.update_line()

    def watch_health(self) -> None:
        self.update_line()

    def watch_now_ms(self) -> None:
        self.update_line()

    def watch_telegram(self) -> None:
        self.update_line()

    def line(self) -> Text:
        compact = self.size.width < 130
        text = Text(no_wrap=True, overflow="ellipsis")
        for health in self.health:
            word = state_word(health)
            level = "live" if word == "live" else "down" if health.state == "down" else "warn"
            style = self.component_style(f"venue-health--{level}")
            name = VENUE_SHORT.get(health.venue, health.venue) if compact else health.venue
            throttled = "*" if health.throttle_note else ""
            bullet = "" if compact else "● "
            cell = f"{bullet}{name}{throttled} {word} {age(health.last_event_ms, self.now_ms)}"
            if not compact or health.reconnects:
                cell += f" ↻{health.reconnects}"
            if not compact or health.rejected:
                cell += f" ✗{health.rejected}"
            text.append(f" {cell} ", style)
            text.append(" ")
        if self.telegram is not None:
            text.append(f" {self.telegram.label} ", self.component_style("venue-health--telegram"))
        if self.notifications is not None and self.notifications.label:
            status = self.notifications
            level = "down" if status.down else "warn" if status.failing else "telegram"
            text.append(f" {status.label} ", self.component_style(f"venue-health--{level}"))
        if self.persistence:
            text.append(f" not saving: {self.persistence} ", self.component_style("venue-health--down"))
        if not self.health:
            text.append(" no venues connected ")
        return text

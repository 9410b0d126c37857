"""Venue health detail (``h``): each venue's connection, counters, last problem and what its feed omits."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from liqterm.streams.health import VenueHealth
from liqterm.telegram.status import TelegramStatus
from liqterm.tui.cells import age
from liqterm.tui.widgets.venue_health import state_word

if TYPE_CHECKING:
    from liqterm.tui.app import LiqtermApp


class HealthDetailScreen(Screen[None]):
    """Follows the app's ticks while open."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("h", "app.pop_screen", "Back", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    app: LiqtermApp  # type: ignore[assignment]

    def __init__(self, health: tuple[VenueHealth, ...], now_ms: int, telegram: TelegramStatus | None) -> None:
        super().__init__()
        self.health = health
        self.now_ms = now_ms
        self.telegram = telegram

    def compose(self) -> ComposeResult:
        yield Label("Venue health · counts since start · ages against the app clock", classes="title")
        with VerticalScroll():
            yield Static(
                health_text(self.health, self.now_ms, self.telegram), id="health-detail", markup=False
            )
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "snapshot", self._refresh, init=False)

    def _refresh(self, _snapshot: object) -> None:
        self.query_one("#health-detail", Static).update(
            health_text(self.app.venue_health(), self.app.clock(), self.app.telegram_status())
        )


def health_text(health: tuple[VenueHealth, ...], now_ms: int, telegram: TelegramStatus | None) -> str:
    """Plain lines per venue, then Telegram (no markup: reasons may contain brackets)."""
    blocks = []
    for h in health:
        connected = (
            f"connected {age(h.connected_since_ms, now_ms)}" if h.connected_since_ms else "not connected"
        )
        lines = [
            f"{h.venue}: {state_word(h)} · {connected} · last liquidation {age(h.last_event_ms, now_ms)} ago"
            if h.last_event_ms
            else f"{h.venue}: {state_word(h)} · {connected} · no liquidation yet",
            f"  frames {h.frames:,} · liquidations {h.events:,} · reconnects {h.reconnects} · "
            f"rejected {h.rejected} · errors {h.errors} · dropped replayed {h.dropped_replayed}",
        ]
        if h.last_reject_reason:
            lines.append(f"  last rejected: {h.last_reject_reason}")
        if h.last_disconnect:
            lines.append(f"  last disconnect: {h.last_disconnect}")
        if h.quiet:
            lines.append("  quiet: connected but no liquidations while other venues deliver (a silent feed?)")
        if h.note:
            lines.append(f"  note: {h.note}")
        lines.append(f"  feed completeness: {h.throttle_note or 'every liquidation is pushed'}")
        blocks.append("\n".join(lines))
    if not health:
        blocks.append("No venue feeds are running.")
    if telegram is not None:
        line = f"telegram: {telegram.state.value}" + (f" · {telegram.reason}" if telegram.reason else "")
        line += (
            f"\n  queued {telegram.queued} · sent {telegram.messages_sent} messages "
            f"({telegram.alerts_sent} alerts, {telegram.digests} digests) · failed {telegram.failed} · "
            f"expired {telegram.expired}"
        )
        blocks.append(line)
    return "\n\n".join(blocks)

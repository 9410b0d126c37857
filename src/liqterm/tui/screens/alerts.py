"""The alerts log screen (``a``): every alert the engine kept, with priorities and suppressions."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Label

from liqterm.tui.widgets.alerts_log import AlertsLog

if TYPE_CHECKING:
    from liqterm.tui.app import LiqtermApp


class AlertsScreen(Screen[None]):
    """Full-screen alerts; it follows the app's ticks while open."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("a", "app.pop_screen", "Back", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    app: LiqtermApp  # type: ignore[assignment]

    def compose(self) -> ComposeResult:
        yield Label(
            "Alerts · newest first · priority and duplicates suppressed within the cooldown", classes="title"
        )
        log = AlertsLog(id="all-alerts")
        log.border_title = "Alerts"
        yield log
        yield Footer()

    def on_mount(self) -> None:
        log = self.query_one(AlertsLog)
        log.snapshot = self.app.snapshot
        log.focus()
        self.watch(self.app, "snapshot", self._snapshot_changed, init=False)

    def _snapshot_changed(self, snapshot: object) -> None:
        self.query_one(AlertsLog).snapshot = self.app.snapshot

"""The ``/`` filter: assets, venues and sides in words, checked as you type."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from liqterm.model import VENUE_IDS
from liqterm.tui.view import FilterError, ViewFilter


class FilterScreen(ModalScreen[ViewFilter | None]):
    """Returns the new view on enter, ``None`` on escape."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, view: ViewFilter) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Filter the tape", classes="title")
            yield Label(
                f"Words: assets (BTC ETH), venues ({' '.join(VENUE_IDS)}), sides (long short). "
                "Blank shows everything. Enter applies, escape cancels.",
                classes="hint",
            )
            yield Input(self.view.query, placeholder="e.g. BTC ETH binance long", id="query")
            yield Label(self._describe(self.view.query), id="parsed", markup=False)

    @on(Input.Changed, "#query")
    def check(self, event: Input.Changed) -> None:
        self.query_one("#parsed", Label).update(self._describe(event.value))

    @on(Input.Submitted, "#query")
    def apply(self, event: Input.Submitted) -> None:
        try:
            self.dismiss(self.view.with_query(event.value))
        except FilterError as exc:
            self.query_one("#parsed", Label).update(f"✗ {exc}")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _describe(self, text: str) -> str:
        try:
            view = self.view.with_query(text)
        except FilterError as exc:
            self.set_class(True, "-invalid")
            return f"✗ {exc}"
        self.set_class(False, "-invalid")
        parts = [
            f"assets: {' '.join(sorted(view.assets)) or 'any'}",
            f"venues: {' '.join(sorted(view.venues)) or 'any'}",
            f"sides: {' '.join(sorted(view.sides)) or 'any'}",
        ]
        return "✓ " + " · ".join(parts)

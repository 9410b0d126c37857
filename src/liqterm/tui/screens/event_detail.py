"""Detail of one tape event (``enter``): every field, its venue's feed, and cross-venue correlation."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from liqterm import format as fmt
from liqterm.engine import EngineSnapshot, TapeRow
from liqterm.tui.cells import stamp


class EventDetailScreen(ModalScreen[None]):
    """Shows one :class:`TapeRow`; escape or enter closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Close"),
        Binding("enter", "app.pop_screen", "Close", show=False),
    ]

    def __init__(self, row: TapeRow, snapshot: EngineSnapshot | None) -> None:
        super().__init__()
        self.row = row
        self.snapshot = snapshot

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"{self.row.event.asset} liquidation · #{self.row.seq}", classes="title")
            yield Static(event_text(self.row, self.snapshot), id="detail", markup=False)
            yield Label("escape closes", classes="hint")


def event_text(row: TapeRow, snapshot: EngineSnapshot | None) -> str:
    """The detail as aligned plain lines (no markup: symbols may contain brackets)."""
    event = row.event
    lines = [
        ("venue", event.venue),
        ("symbol", event.symbol),
        ("asset", event.asset),
        ("side", f"{event.side.upper()} position liquidated"),
        ("price", fmt.price(event.price)),
        ("quantity", f"{event.quantity:g} {event.asset}"),
        ("USD", f"{event.usd:,.2f}"),
        ("class", f"{row.cls} (thresholds of the {row.session} session)"),
        ("exchange time", stamp(event.exchange_ms)),
        ("received", f"{stamp(event.received_ms)} ({event.received_ms - event.exchange_ms:+,} ms)"),
        (
            "correlated",
            "yes: the same asset liquidated on another venue within the window" if row.correlated else "no",
        ),
    ]
    for correlation in snapshot.correlations if snapshot is not None else ():
        if correlation.asset == event.asset:
            lines.append(
                (
                    "now across venues",
                    f"{', '.join(correlation.venues)} · "
                    f"{'/'.join(correlation.sides)} · {fmt.usd(correlation.combined_usd)} "
                    f"({stamp(correlation.first_ms)[11:23]}–{stamp(correlation.last_ms)[11:23]})",
                )
            )
    width = max(len(name) for name, _ in lines)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in lines)

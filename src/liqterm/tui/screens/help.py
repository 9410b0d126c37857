"""The ``?`` help screen: every key, what the colours and marks mean, where settings are saved."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

if TYPE_CHECKING:
    from liqterm.tui.screens.main import MainScreen

KEYS: tuple[tuple[str, str], ...] = (
    ("/", "filter the tape by asset(s), venue(s) and side: e.g. BTC ETH binance long"),
    ("1 2 3 4", "minimum class shown: retail, large, whale, institutional (saved)"),
    ("r", "hide or show retail events (saved)"),
    ("t", "threshold editor for the selected (or a typed) asset; saved on confirm"),
    ("+ / -", "scale the selected asset's thresholds up / down by one step (saved)"),
    ("p", "pause the tape (the engine keeps running; the banner counts new events)"),
    ("space", "follow the newest events again"),
    ("enter", "detail of the event under the cursor"),
    ("↑ ↓ pgup pgdn", "move the cursor in the focused pane (home and end too)"),
    ("tab", "next pane (tape, meters, whales, alerts)"),
    ("w", "focus the whale pane"),
    ("a", "alerts log"),
    ("h", "venue health detail, with what each venue's feed leaves out"),
    ("s", "cascade scorecard: this session's warnings against onsets, and the shipped model's backtest"),
    ("m", "mute or unmute the alert sound: two bells for critical, one for high (saved)"),
    ("?", "this help"),
    ("q", "quit: streams closed, servers stopped"),
    ("escape", "close a dialog or go back"),
)

LEGEND = (
    "Side is written out: LONG (red) means a long position was liquidated, SHORT (green) a short.\n"
    "Classes by the asset's thresholds times the session multiplier: retail < large (base) < whale < "
    "institutional (cascade). Whale and institutional rows are highlighted; ⇄ marks an event correlated "
    "across venues.\n"
    "Meters: bar = probability of a cascade within 60 s; its background marks the possible and warning "
    "bands; ▲ ▼ trend over 10 s; long and short USD over the last 60 s; events per minute.\n"
    "Scorecard (under the meters): this session's cascade warnings scored against the cascades that "
    "followed (precision = hits of decided warnings, recall = onsets caught), then what the shipped "
    "model reached in the backtest, on real and on synthetic data (s: the full table).\n"
    "Health bar: state, age of the last liquidation, ↻ reconnects, ✗ rejected frames; * = the venue "
    "throttles its feed (h explains)."
)


class HelpScreen(ModalScreen[None]):
    """Keys and legend; any of escape, ? or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Close"),
        Binding("question_mark", "app.pop_screen", "Close", show=False),
        Binding("q", "app.pop_screen", "Close", show=False),
    ]

    def __init__(self, main: MainScreen | None = None) -> None:
        super().__init__()
        self.main = main

    def compose(self) -> ComposeResult:
        keys = Table.grid(padding=(0, 2))
        keys.add_column(justify="right", no_wrap=True, style="bold")
        keys.add_column()
        for key, text in KEYS:
            keys.add_row(Text(key), Text(text))
        path = getattr(getattr(self.main, "app", None), "config_path", None)
        saved = f"\n\nSettings are saved to {path}" if path is not None else ""
        with VerticalScroll(id="dialog"):
            yield Label("liqterm keys", classes="title")
            yield Static(keys, id="keys")
            yield Static(LEGEND + saved, id="legend", markup=False)
            yield Label("escape closes", classes="hint")

"""The cascade scorecard (``s``): this session's live score, the shipped backtest, and its data.

The session part follows the app's ticks while open. The backtest part is what the
shipped predictor reached (``liqterm.scorecard.shipped_summary``) with the
data each figure came from and the commands that reproduce it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from liqterm.scorecard import BLOCK_S, MIN_BLOCKS, MIN_ONSET_BLOCKS, Scorecard, ScorecardView
from liqterm.tui.scoring import SessionScore
from liqterm.tui.widgets.scorecard_lines import NONE, caught, percent, seconds

if TYPE_CHECKING:
    from liqterm.tui.app import LiqtermApp

RULES = (
    "Scored as the backtest scores its alarms: a cascade warning is a hit when its asset's cascade "
    "starts within {horizon:g} s, false once {horizon:g} s pass without one, open until then; a warning "
    "within {refractory:g} s of the previous one for the same asset counts once. An onset is caught "
    "when a warning for its asset came up to {horizon:g} s before it; the lead is from the first such "
    "warning. Live, the onset is the cascade alert (the threshold crossing), so leads read a little "
    "longer than the backtest's."
)


class ScorecardScreen(Screen[None]):
    """Full-screen scorecard; escape or ``s`` goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("s", "app.pop_screen", "Back", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    app: LiqtermApp  # type: ignore[assignment]

    def __init__(
        self, score: SessionScore, figures: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]
    ) -> None:
        super().__init__()
        self.score = score
        self.card = score.card
        self.figures = figures
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield Label("Cascade scorecard · this session live · the shipped model's backtest", classes="title")
        with VerticalScroll(id="scorecard-detail"):
            yield Label("This session", classes="heading")
            yield Static(session_text(self.score.view(self.card.now_ms)), id="session", markup=False)
            yield Static(RULES.format(**_windows(self.card)), classes="hint", markup=False)
            yield Label("Shipped model, backtest", classes="heading")
            yield Static(shipped_text(self.rows), id="shipped", markup=False)
            yield Static(data_text(self.figures), id="data", classes="hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "snapshot", self._refresh, init=False)

    def _refresh(self, _snapshot: object) -> None:
        self.query_one("#session", Static).update(session_text(self.score.view(self.card.now_ms)))


def session_text(view: ScorecardView) -> str:
    decided = view.hits + view.false
    lines = [
        ("warnings", f"{view.warnings}: {view.hits} hit · {view.false} false · {view.pending} open"),
        ("onsets", f"{view.onsets}: {view.caught} caught"),
        ("precision", f"{percent(view.precision)} ({view.hits} of {decided} decided warnings)"),
        ("recall", f"{percent(view.recall)} ({view.caught} of {view.onsets} onsets)"),
        ("median lead", seconds(view.median_lead_s)),
    ]
    return "\n".join(f"{name:<12} {value}" for name, value in lines)


SCOPE_NAMES = {"notional": "per asset (the app's warnings)", "union": "market-wide (backtest model)"}


def shipped_text(rows: Sequence[Mapping[str, Any]]) -> str:
    """The shipped figures as a table, one block of scope rows under each data set's name."""
    if not rows:
        return "No shipped figures (liqterm/data/shipped_figures.json is missing)."
    header = ("scope", "onsets", "caught", "best other", "hours", "recall", "precision", "lead", "false/h",
              "BSS", "BSS 90%")  # fmt: skip
    table: list[tuple[str, ...] | str] = [header]
    heading = None
    for row in rows:
        if row["data"] != heading:
            heading = row["data"]
            table.append(f"{heading}:")
        table.append(
            (
                SCOPE_NAMES.get(row["scope"], row["scope"]),
                str(row["onsets"]),
                caught(row),
                rival(row),
                f"{row['hours']:.1f}",
                percent(row["recall"]),
                percent(row["precision"]),
                seconds(row["median_lead_s"]),
                NONE if row["false_per_hour"] is None else f"{row['false_per_hour']:.1f}",
                NONE if row["bss"] is None else f"{row['bss']:+.3f}",
                interval(row.get("bss_ci"), row.get("ci_reliable")),
            )
        )
    cells = [line for line in table if isinstance(line, tuple)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    lines = [
        line
        if isinstance(line, str)
        else "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        )
        for line in table
    ]
    lines.append("best other: the baseline that caught the most onsets with no more false warnings per hour")
    if any(row["scope"] != "union" for row in rows):
        lines.append("false/h on the per-asset rows counts false warnings per asset-hour")
    lines.append(
        f"BSS 90%: block-bootstrap interval of the Brier skill ({BLOCK_S // 60} min blocks of time resampled)"
    )
    if any(row.get("ci_reliable") is False for row in rows):
        lines.append(
            f"* under {MIN_BLOCKS} blocks, or under {MIN_ONSET_BLOCKS} with an onset: "
            "too few for the interval to be trusted"
        )
    return "\n".join(lines)


def rival(row: Mapping[str, Any]) -> str:
    """``6 ewma/hawkes``: what the best baseline caught held to the shipped model's false rate."""
    if row.get("rival_caught") is None:
        return NONE
    return f"{row['rival_caught']} {row['rival']}" if row.get("rival") else str(row["rival_caught"])


def interval(bounds: Sequence[float | None] | None, reliable: bool | None) -> str:
    """``-0.014..+0.007``, starred when the data held too few blocks for it to mean much."""
    if not bounds or any(b is None for b in bounds):
        return NONE
    low, high = bounds
    return f"{low:+.3f}..{high:+.3f}{'*' if reliable is False else ''}"


def data_text(figures: Mapping[str, Any]) -> str:
    """Where the figures came from: each test set, the training, and how to reproduce them."""
    lines = []
    if note := figures.get("note"):
        lines += [str(note), ""]
    for key, name in (("real_test", "real"), ("synthetic_test", "synthetic")):
        data = figures.get(key, {}).get("data")
        if not data:
            continue
        span = f"{data.get('from')} to {data.get('to')}"
        if data.get("scored_from"):
            span += f", scored from {data['scored_from']}"
        lines.append(
            f"{name}: {', '.join(data.get('files', []))} · {data.get('events', 0):,} events · "
            f"{_count(len(data.get('venues', [])), 'venue')} · {data.get('assets', 0)} assets · {span}"
        )
    provenance = figures.get("provenance", {})
    for key in ("test", "training", "fitted"):
        if provenance.get(key):
            lines.append(f"{key}: {provenance[key]}")
    commands = figures.get("commands", {})
    if commands:
        lines += ["", "reproduce:"] + [f"  {command}" for command in commands.values()]
    return "\n".join(lines)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _windows(card: Scorecard) -> dict[str, float]:
    return {"horizon": card.horizon_ms / 1000, "refractory": card.refractory_ms / 1000}

"""The liquidation tape: newest first, bounded, one keyed row per event, updated by diff.

Each tick the tape looks only at events newer than its top row (the snapshot's
``recent`` is newest first, so it stops at the first row it already has),
prepends the ones the view admits and drops rows past its limit. Rows are keyed
by the engine's sequence number and rendered once, when first visible.
A change of filter rebuilds the rows from the snapshot (most would be stale).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import var

from liqterm import format as fmt
from liqterm.engine import EngineSnapshot, TapeRow
from liqterm.tui.cells import CLASS_SHORT, hms, side_word
from liqterm.tui.view import ViewFilter, everything
from liqterm.tui.widgets.line_list import LineList, cell
from liqterm.tui.widgets.row_text import exact, fit

VENUE_SHORT = {"binance": "BIN", "bybit": "BYB", "okx": "OKX", "gateio": "GATE", "bitget": "BGT"}
CORRELATED = "⇄"

# (name, header, width, right-aligned); dropped from the end of DROP_ORDER when narrow.
_COLUMNS = (
    ("time", "time UTC", 8, False),
    ("venue", "venue", 7, False),
    ("symbol", "symbol", 12, False),
    ("side", "side", 5, False),
    ("size", "size", 9, True),
    ("price", "price", 10, True),
    ("usd", "USD", 8, True),
    ("class", "class", 13, False),
    ("corr", CORRELATED, 1, False),
)
_DROP_ORDER = ("size", "price")


class LiquidationTape(LineList):
    """The tape. Bind ``snapshot`` and ``view``; set ``paused`` to freeze it."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "liquidation-tape--retail",
        "liquidation-tape--large",
        "liquidation-tape--whale",
        "liquidation-tape--institutional",
        "liquidation-tape--long",
        "liquidation-tape--short",
        "liquidation-tape--correlated",
    }

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select", "Detail")]

    EXACT_ROWS = True  # render_row builds merged runs and pads them to the width

    snapshot: var[EngineSnapshot | None] = var(None, always_update=True)
    view: var[ViewFilter] = var(ViewFilter)
    paused: var[bool] = var(False)

    @dataclass
    class RowSelected(Message):
        """Enter was pressed on a row."""

        row: TapeRow
        """The event under the cursor."""

    def __init__(self, limit: int = 500, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.limit = max(1, limit)
        self.rows: dict[int, TapeRow] = {}
        self._top_seq = 0
        self._shown: EngineSnapshot | None = None
        self._admits: tuple[ViewFilter | None, Callable[[TapeRow], bool]] = (None, ViewFilter().admitter())
        self._columns: list[tuple[str, str, int, bool]] = list(_COLUMNS)
        self._cells = [(name, size, right) for name, _title, size, right in _COLUMNS]
        self._row_cells = _total(list(_COLUMNS))

    # -- data ------------------------------------------------------------------------------------

    def watch_snapshot(self, snapshot: EngineSnapshot | None) -> None:
        if snapshot is None or self.paused:
            return
        self._shown = snapshot
        recent = snapshot.recent
        if not recent or recent[0].seq <= self._top_seq:
            return
        new = recent[: _newer(recent, self._top_seq)]
        admits = self._admitter()
        if admits is not everything:
            new = tuple(row for row in new if admits(row))
        fresh: list[Hashable] = [row.seq for row in new]
        self.rows.update(zip(fresh, new, strict=True))  # type: ignore[arg-type]
        self._top_seq = recent[0].seq
        if not fresh:
            return
        keys = fresh + list(self.keys)
        for seq in keys[self.limit :]:
            del self.rows[seq]  # type: ignore[arg-type]
        self.set_rows(keys[: self.limit])

    def _admitter(self) -> Callable[[TapeRow], bool]:
        if self._admits[0] is not self.view:
            self._admits = (self.view, self.view.admitter())
        return self._admits[1]

    def watch_view(self) -> None:
        self.border_title = f"Liquidations · {self.view.describe()}"
        self.rebuild()

    def watch_paused(self, paused: bool) -> None:
        if not paused:
            self.watch_snapshot(self.snapshot)

    def rebuild(self) -> None:
        """Refill from the snapshot on screen (after a filter change)."""
        snapshot = self._shown
        self.rows = {}
        if snapshot is not None and snapshot.recent:
            admits = self._admitter()
            admitted = [row for row in snapshot.recent if admits(row)][: self.limit]
            self.rows = {row.seq: row for row in admitted}
            self._top_seq = snapshot.recent[0].seq
        self.set_rows(list(self.rows))

    def follow(self) -> None:
        """Back to the newest row (the ``space`` key)."""
        self.scroll_to(y=0, animate=False, immediate=True)
        self.move_cursor(0)

    @property
    def selected(self) -> TapeRow | None:
        """The row under the cursor."""
        key = self.cursor_key
        return self.rows.get(key) if isinstance(key, int) else None

    def action_select(self) -> None:
        row = self.selected
        if row is not None:
            self.post_message(self.RowSelected(row))

    # -- drawing ---------------------------------------------------------------------------------

    def rows_resized(self, width: int) -> None:
        columns = list(_COLUMNS)
        for name in _DROP_ORDER:
            if _total(columns) <= width:
                break
            columns = [c for c in columns if c[0] != name]
        if _total(columns) > width:  # narrow: short venue and class names
            columns = [(n, h, {"venue": 4, "class": 6}.get(n, w), r) for n, h, w, r in columns]
        spare = width - _total(columns)
        if spare > 0:  # the symbol column takes what is left, up to a point
            columns = [(n, h, w + min(spare, 8) if n == "symbol" else w, r) for n, h, w, r in columns]
        self._columns = columns
        self._cells = [(name, size, right) for name, _title, size, right in columns]
        self._row_cells = _total(columns)
        header = self.style_of("line-list--header")
        segments: list[Segment] = []
        for _name, title, size, right in columns:
            segments += [cell(title, size, header, right), Segment(" ", header)]
        self.set_header(segments)

    def render_row(self, key: Hashable, width: int) -> list[Segment]:
        # Hundreds of rows arrive per tick under a burst: the runs of one style are built
        # inline (the segments Segment.simplify would make of one cell and gap each).
        row = self.rows[key]  # type: ignore[index]
        cls = f"liquidation-tape--{row.cls}"
        base = self.style_of(cls)
        segments: list[Segment] = []
        run, run_style = "", base
        for name, size, right in self._cells:
            style = base
            if name == "side":
                style = self.style_of(cls, f"liquidation-tape--{row.event.side}")
            elif name == "corr" and row.correlated:
                style = self.style_of(cls, "liquidation-tape--correlated")
            value = fit(_text(name, row, size), size, right)
            if style is run_style or style == run_style:
                run += value
            else:
                if run:
                    segments.append(Segment(run, run_style))
                run, run_style = value, style
            if run_style is base:
                run += " "
            else:
                segments.append(Segment(run, run_style))
                run, run_style = " ", base
        segments.append(Segment(run, run_style))
        if self._row_cells > width:  # columns wider than the pane (tiny terminals): cut
            return exact(segments, width, self.style_of())
        if self._row_cells < width:
            segments.append(Segment(" " * (width - self._row_cells), self.style_of()))
        return segments


def _newer(recent: tuple[TapeRow, ...], top: int) -> int:
    """How many rows at the start of ``recent`` (newest first) are newer than ``top``."""
    guess = min(len(recent), recent[0].seq - top)  # the engine numbers events one by one
    if guess > 0 and recent[guess - 1].seq > top and (guess == len(recent) or recent[guess].seq <= top):
        return guess
    return next((index for index, row in enumerate(recent) if row.seq <= top), len(recent))


def _text(column: str, row: TapeRow, width: int) -> str:
    event = row.event
    if column == "time":
        return hms(event.exchange_ms)
    if column == "venue":
        return event.venue if width >= 7 else VENUE_SHORT.get(event.venue, event.venue)
    if column == "symbol":
        return event.symbol
    if column == "side":
        return side_word(event.side)
    if column == "size":
        return fmt.quantity(event.quantity)
    if column == "price":
        return fmt.price(event.price)
    if column == "usd":
        return fmt.usd(event.usd)
    if column == "class":
        return row.cls if width >= 13 else CLASS_SHORT[row.cls]
    return CORRELATED if row.correlated else ""


def _total(columns: list[tuple[str, str, int, bool]]) -> int:
    return sum(size + 1 for _n, _h, size, _r in columns)

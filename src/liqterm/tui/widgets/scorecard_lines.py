"""The scorecard under the cascade meters: this session's warnings against onsets, and the backtest.

Line one is liqterm's own live score for the running session (from
:class:`liqterm.scorecard.Scorecard`, fed every cascade alert the engine
raises); line two is what the same predictor reached in the backtest, on which
data: the engine's per-asset predictor on the notional label (an asset's 60 s USD
reaching its cascade threshold, exactly the live ``cascade`` alert), scored at the
default ``possible`` level. The market-wide model of the backtest is in the ``s``
table, not here: the app does not warn with it. Counts are written as fractions
(``precision 1/3``): a session's first warnings make percentages look surer than they
are. ``s`` opens the full table.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, ClassVar

from rich.segment import Segment
from textual.reactive import var

from liqterm.scorecard import ScorecardView
from liqterm.tui.widgets.line_list import LineList, cell

NONE = "–"


def session_line(view: ScorecardView | None, width: int = 200) -> str:
    """``Session: 3 warnings (1 open) · 2 onsets · precision 1/2 · recall 1/2 · median lead 4 s``,
    shortened (the open count, then words) to fit ``width`` cells if it can."""
    if view is None or not (view.warnings or view.onsets):
        return "Session: no cascade warning or onset yet"
    decided = view.hits + view.false
    precision = f"precision {view.hits}/{decided}" if decided else f"precision {NONE}"
    recall = f"recall {view.caught}/{view.onsets}" if view.onsets else f"recall {NONE}"
    warnings, onsets = _count(view.warnings, "warning"), _count(view.onsets, "onset")
    opened = f" ({view.pending} open)" if view.pending else ""
    lead = seconds(view.median_lead_s)
    return _fit(
        width,
        f"Session: {warnings}{opened} · {onsets} · {precision} · {recall} · median lead {lead}",
        f"Session: {warnings}{opened} · {onsets} · {precision} · {recall} · lead {lead}",
        f"Session: {warnings} · {onsets} · {precision} · {recall} · lead {lead}",
    )


SHIPPED_SCOPE = "notional"
"""The backtest scope whose figures describe the app's own warnings (see the module docstring)."""


def shipped_line(rows: Sequence[Mapping[str, Any]], width: int = 200) -> str:
    """``Shipped model backtest: caught 0/1 real (held out) · 40/197 synthetic``."""
    figures = {}
    for synthetic in (False, True):
        row = next((r for r in rows if r["synthetic"] is synthetic and r["scope"] == SHIPPED_SCOPE), None)
        if row is not None:
            figures[synthetic] = (f"{caught(row)}/{row['onsets']}", "held out" in row["data"])
    if not figures:
        return "Shipped model backtest: no figures found"
    parts = []
    if False in figures:
        score, held_out = figures[False]
        parts.append(f"{score} real" + (" (held out)" if held_out else ""))
    if True in figures:
        parts.append(f"{figures[True][0]} synthetic")
    return _fit(
        width,
        "Shipped model backtest: onsets caught " + " · ".join(parts),
        "Shipped model backtest: caught " + " · ".join(parts),
        "Backtest: caught " + " · ".join(parts),
    )


def _fit(width: int, *variants: str) -> str:
    """The first variant that fits ``width`` cells (the last one, cut, if none does)."""
    return next((text for text in variants if len(text) <= width), variants[-1])


def caught(row: Mapping[str, Any]) -> str:
    """Onsets the backtest caught, from its recall (``–`` when it had none to catch)."""
    recall = row.get("recall")
    return NONE if recall is None else str(round(recall * row["onsets"]))


def seconds(value: float | None) -> str:
    return NONE if value is None else f"{value:g} s"


def percent(value: float | None) -> str:
    return NONE if value is None else f"{value:.0%}"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class ScorecardLines(LineList, can_focus=False):
    """Bind ``view`` (the session's figures); ``rows`` are the shipped backtest's.

    Two rows of a :class:`LineList` (no border, no header): under a burst the session's
    figures change every tick, and a row is far cheaper to draw than Textual's text path.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"scorecard-lines--session", "scorecard-lines--shipped"}

    view: var[ScorecardView | None] = var(None)

    def __init__(self, rows: Sequence[Mapping[str, Any]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows = rows
        self._session = ""

    def on_mount(self) -> None:
        self.set_rows(["session", "shipped"])

    def watch_view(self) -> None:
        session = session_line(self.view, self._room())
        if session != self._session:
            self._session = session
            self.set_rows(["session", "shipped"], changed=["session"])

    def rows_resized(self, width: int) -> None:
        self._session = session_line(self.view, self._room())

    def _room(self) -> int:
        return max(1, (self.row_width or 200) - 2)

    def render_row(self, key: Hashable, width: int) -> list[Segment]:
        if key == "session":
            text, style = self._session, self.style_of("scorecard-lines--session")
        else:
            text = shipped_line(self.rows, max(1, width - 2))
            style = self.style_of("scorecard-lines--shipped")
        return [Segment(" ", self.style_of()), cell(text, max(0, width - 1), style)]

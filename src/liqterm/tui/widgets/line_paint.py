"""Finished lines for :class:`LineList`: rows spliced into a frame learnt from Textual, kept by key.

Textual finishes every line of a pane itself: the content inside the border and
padding, then the app's line filters (ANSI to truecolor, and any others enabled).
Under a burst every row of the tape is new on each tick, and finishing some fifty
lines a frame that way costs more than everything else the tick does. Yet every row
line of a pane sits in the same frame: once Textual has drawn one, its left piece
(border, padding) and right piece (padding, the scrollbar's column, border) fit any
row. A :class:`Frame` keeps those pieces and finishes a row by putting its content,
filtered, between them.

Nothing here assumes how Textual draws: a frame is only used once splicing the row
Textual drew gives back exactly Textual's line (:func:`frame_from`). Anything that
breaks that (an effect over the whole line, a Textual that draws rows differently)
leaves the list on Textual's own path, slower and still right.

:class:`PaintedLines` keeps a pane's finished lines while its look stays the same: row
lines by row key, so a row that only moved costs a look-up, and the lines that show no
row (border, header, blank) by position, with what they showed, so that a pane repainted
whole (a new subtitle, a scroll) does not have Textual draw them again.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter
from textual.strip import Strip
from textual.widget import Widget


class Frame:
    """The pieces either side of a widget's rows, for one look of the widget."""

    __slots__ = ("background", "filters", "left", "right", "width")

    def __init__(
        self, left: Strip, right: Strip, filters: Sequence[LineFilter], background: Color, width: int
    ) -> None:
        self.left = list(left)
        self.right = list(right)
        self.filters = filters
        self.background = background
        self.width = width

    def finish(self, content: list[Segment]) -> Strip:
        """The widget's line for a row whose content (as wide as the rows) is ``content``."""
        segments = content
        for line_filter in self.filters:
            # A filter maps each segment on its own (the splice is checked against a line
            # filtered whole), so filtering the content alone gives the same segments.
            segments = line_filter.apply(segments, self.background)
        return Strip([*self.left, *segments, *self.right], self.width)


def look_of(widget: Widget, row_width: int, header_lines: int) -> Hashable | None:
    """Everything a row line of ``widget`` depends on besides the row, or ``None`` when an effect
    covers the whole line (tint, opacity, hatch) or an outline makes the outer lines differ."""
    styles = widget.styles
    if styles.tint.a or styles.text_opacity != 1.0 or widget.opacity != 1.0:
        return None
    if any(edge for edge, _color in styles.outline):
        return None
    if styles.has_rule("hatch") and styles.hatch != "none":
        return None
    return (
        widget.outer_size,
        row_width,
        header_lines,
        styles.gutter,
        styles.border,
        widget.background_colors,
        tuple(widget.get_line_filters()),
    )


def frame_from(widget: Widget, line: Strip, content: list[Segment], row_width: int) -> Frame | None:
    """The frame of ``line``, the line Textual drew for a row whose content is ``content``, or
    ``None`` unless splicing ``content`` into it gives back exactly ``line``."""
    left_cells = widget.styles.gutter.left
    width = line.cell_length
    if width < left_cells + row_width:
        return None
    frame = Frame(
        line.crop(0, left_cells),
        line.crop(left_cells + row_width, width),
        tuple(widget.get_line_filters()),
        widget.background_colors[1],
        width,
    )
    return frame if list(frame.finish(content)) == list(line) else None


class PaintedLines:
    """A widget's finished lines for one look of it."""

    __slots__ = ("frame", "look", "others", "rows")

    def __init__(self) -> None:
        self.look: Hashable | None = None
        self.frame: Frame | bool | None = None
        """``None`` until learnt from a row Textual drew; ``False`` if rows cannot be spliced."""
        self.rows: dict[Hashable, Strip] = {}
        """Finished row lines by row key (not the cursor's)."""
        self.others: dict[int, tuple[object, Strip]] = {}
        """Lines that show no row, by y, each with what it showed."""

    def splicing(self, look: Hashable | None) -> bool:
        """Paint for ``look`` from now on (forgetting every line if it changed); whether rows are
        finished here rather than by Textual."""
        if look != self.look:
            self.forget()
            self.look = look
        return look is not None and self.frame is not False

    def other(self, y: int, shows: object) -> Strip | None:
        """Line ``y`` if it was kept when it showed ``shows``."""
        kept = self.others.get(y)
        return kept[1] if kept is not None and kept[0] == shows else None

    def forget(self) -> None:
        self.look = self.frame = None
        self.rows.clear()
        self.others.clear()

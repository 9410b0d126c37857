"""Finished lines for :class:`LineList`: rows spliced into a frame learnt from Textual, kept by key.

Textual finishes every line of a pane itself: the content inside the border and
padding, then the app's line filters (ANSI to truecolor, and any others enabled).
Under a burst every row of the tape is new on each tick, and finishing some fifty
lines a frame that way costs more than the engine's snapshot and every widget's
update together (benchmarks/tui.py). Yet every row line of a pane sits in the same
frame: once Textual has drawn one, its left piece (border, padding) and right piece
(padding, the scrollbar's column, border) fit any row. A :class:`Frame` keeps those
pieces and finishes a row by putting its content, filtered, between them.

The compositor then cuts each line where the scrollbar's column starts and ends.
A finished line is a :class:`CutLine`: asked for those cuts it hands back pieces
made with it (the two right-hand ones shared by every row of the pane) rather than
cutting its segments again: a new row costs two strips instead of four.

Nothing here assumes how Textual draws: a frame is only used once splicing the row
Textual drew gives back exactly Textual's line, and its cuts once they give back
exactly what the line would be cut into (:func:`frame_from`). Anything that breaks
that (an effect over the whole line, a Textual that draws rows differently) leaves
the list on Textual's own path, slower and still right.

:class:`PaintedLines` keeps a pane's finished lines while its look stays the same: row
lines by row key, so a row that only moved costs a look-up, and the lines that show no
row (border, header, blank) by position, with what they showed, so that a pane repainted
whole (a new subtitle, a scroll) does not have Textual draw them again.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter
from textual.strip import Strip
from textual.widget import Widget


class CutLine(Strip):
    """A line that knows the cuts it will be divided at, and its pieces there."""

    __slots__ = ("_cuts", "_pieces")

    def __init__(
        self, segments: list[Segment], cell_length: int, cuts: list[int], pieces: list[Strip]
    ) -> None:
        super().__init__(segments, cell_length)
        self._cuts = cuts
        self._pieces = pieces

    def divide(self, cuts: Iterable[int]) -> Sequence[Strip]:
        cuts = list(cuts)
        return self._pieces if cuts == self._cuts else super().divide(cuts)


class Frame:
    """The pieces either side of a widget's rows, for one look of the widget.

    ``cuts``: where the compositor is expected to cut a row line (the scrollbar's column,
    the right edge), or ``None`` when row lines are plain strips.
    """

    __slots__ = ("background", "cuts", "filters", "left", "right", "tail", "width")

    def __init__(
        self,
        left: Strip,
        right: Strip,
        filters: Sequence[LineFilter],
        background: Color,
        width: int,
        cuts: list[int] | None,
    ) -> None:
        self.left = list(left)
        self.right = list(right)
        self.filters = filters
        self.background = background
        self.width = width
        self.cuts = cuts
        self.tail: list[Strip] = []
        """The right piece cut where row lines are cut (once: every row line shares these)."""
        if cuts is not None:
            self.tail = list(right.divide([cut - cuts[0] for cut in cuts[1:]]))

    def finish(self, content: list[Segment]) -> Strip:
        """The widget's line for a row whose content (as wide as the rows) is ``content``."""
        segments = content
        for line_filter in self.filters:
            # A filter maps each segment on its own (the splice is checked against a line
            # filtered whole), so filtering the content alone gives the same segments.
            segments = line_filter.apply(segments, self.background)
        line = [*self.left, *segments, *self.right]
        if self.cuts is None:
            return Strip(line, self.width)
        first = Strip([*self.left, *segments], self.cuts[0])
        return CutLine(line, self.width, self.cuts, [first, *self.tail])


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
    ``None`` unless splicing ``content`` into it gives back exactly ``line``. Its cuts are
    kept only if they give back exactly the pieces ``line`` is cut into."""
    gutter = widget.styles.gutter
    width, row_end = line.cell_length, gutter.left + row_width
    if width < row_end:
        return None
    left, right = line.crop(0, gutter.left), line.crop(row_end, width)
    filters, background = tuple(widget.get_line_filters()), widget.background_colors[1]
    # The scrollbar's column lies between the rows and the right border.
    cuts = [row_end, width - gutter.right, width] if row_end < width - gutter.right < width else None
    frame = Frame(left, right, filters, background, width, cuts)
    finished = frame.finish(content)
    if list(finished) != list(line):
        return None
    if cuts is not None and _pieces(finished.divide(cuts)) != _pieces(line.divide(cuts)):
        frame = Frame(left, right, filters, background, width, None)
    return frame


def _pieces(strips: Sequence[Strip]) -> list[tuple[int, list[Segment]]]:
    return [(strip.cell_length, list(strip)) for strip in strips]


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

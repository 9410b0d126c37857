"""Finished row lines for :class:`LineList`: border and line filters applied once per row key.

Textual's styles cache keeps a widget's finished lines (content inside the border,
the app's line filters applied) by *y*. The tape is newest first, so every new
event moves every visible row down a line and invalidates every cached line, and
each is then rebuilt through the generic path (borders, padding, hatch, tint,
opacity, each filter over the whole line) although only its position changed.

A :class:`RowPainter` builds the same line directly for the common case (no
padding, tint, opacity, hatch or side outline: what liqterm's stylesheet gives its
panes) and the list caches it by row key, so a row that only moved costs a dict
look-up. It is exactly what the styles cache would give (``tests/tui/test_tape.py``
compares the two line by line); in any other case :func:`row_painter` returns
``None`` and the list falls back to the styles cache. Line filters are applied per
style: every Textual filter (ANSI to truecolor, monochrome, no-color, dim) maps
each segment's style on its own, so mapping each distinct style once is the same
as filtering every line.

Each finished line also carries the pieces the compositor cuts it into at the
pane's scrollbar (the row with its left border, the scrollbar's column, the right
border; the last two are shared by every row): a new row then costs two strips
instead of four. Cut anywhere else (a notification over the pane), a line is
divided as usual. :func:`clean_lines` serves the border and header lines the same
way the styles cache would, without its per-call set-up.

Textual is pinned exactly (pyproject): this mirrors ``StylesCache.render_line``'s
content branch of that version.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual._border import get_box
from textual.color import Color
from textual.filter import LineFilter
from textual.geometry import Region
from textual.strip import Strip
from textual.style import Style

if TYPE_CHECKING:
    from textual.widget import Widget


class RowPainter:
    """Turns a row's content strip into the widget's finished line for one look of the widget.

    ``first``/``end``: the widget lines (y, border included) that hold rows; ``key``
    identifies everything the finished lines depend on, so the list drops its cached
    lines when it changes.
    """

    __slots__ = (
        "_mapped",
        "_pieces",
        "background",
        "end",
        "filters",
        "first",
        "key",
        "left",
        "pad",
        "right",
        "width",
    )

    def __init__(
        self,
        key: Hashable,
        first: int,
        end: int,
        width: int,
        left: Segment | None,
        right: Segment | None,
        pad: Segment | None,
        filters: Sequence[LineFilter],
        background: Color,
    ) -> None:
        self.key = key
        self.first = first
        self.end = end
        self.width = width
        self.filters = filters
        self.background = background
        self._mapped: dict[RichStyle | None, RichStyle | None] = {None: None}
        self.left = self._map_segment(left)
        self.right = self._map_segment(right)
        self.pad = self._map_segment(pad)
        self._pieces: tuple[tuple[int, ...], Strip, Strip] | None = None
        if self.left is not None and self.pad is not None and self.right is not None:
            spare = self.pad.cell_length
            cuts = (width - 1 - spare, width - 1, width)
            self._pieces = (cuts, Strip([self.pad], spare), Strip([self.right], 1))

    def finish(self, content: list[Segment]) -> Strip:
        """``content`` (the row, as wide as the scrollable region) inside the border, filtered."""
        mapped = self._mapped
        segments = [self.left] if self.left is not None else []
        append = segments.append
        for segment in content:
            style = segment.style
            new = mapped.get(style, _MISSING)
            if new is _MISSING:
                new = self._map(style)
            # The filters mostly hand a style back unchanged (truecolor already): keep the segment.
            append(segment if new is style and segment.control is None else Segment(segment.text, new))  # type: ignore[arg-type]
        if self._pieces is None:
            if self.pad is not None:
                append(self.pad)
            if self.right is not None:
                append(self.right)
            return Strip(segments, self.width)
        # Pre-divided where the compositor will cut it (the scrollbar's column, the right border):
        # the two right-hand pieces are the same for every row.
        cuts, pad, right = self._pieces
        first = Strip(segments, cuts[0])
        line = Strip([*segments, self.pad, self.right], self.width)  # type: ignore[list-item]
        line._divide_cache[cuts] = [first, pad, right]
        return line

    def _map(self, style: RichStyle | None) -> RichStyle | None:
        segments = [Segment(" ", style)]
        for line_filter in self.filters:
            segments = line_filter.apply(segments, self.background)
        self._mapped[style] = mapped = segments[0].style
        return mapped

    def _map_segment(self, segment: Segment | None) -> Segment | None:
        if segment is None:
            return None
        return Segment(segment.text, self._map(segment.style))


_MISSING = object()


def clean_lines(widget: Widget, painter: RowPainter, crop: Region, y1: int, y2: int) -> list[Strip] | None:
    """Lines ``y1``..``y2`` (border, header, blank) as the styles cache would give them, or
    ``None`` unless it has all of them cached and clean.

    The styles cache returns a clean line as it has it, filtered (the filtered strip is itself
    cached): this does the same without ``render_widget``'s per-call set-up (title and colour
    look-ups), which each pane otherwise pays twice a frame for lines that rarely change.
    """
    cache = widget._styles_cache
    lines = cache._cache
    if cache._width != painter.width:
        return None
    strips = []
    for y in range(y1, y2):
        strip = lines.get(y)
        if strip is None or cache.is_dirty(y):
            return None
        for line_filter in painter.filters:
            strip = strip.apply_filter(line_filter, painter.background)
        strips.append(strip)
    x1, x2 = crop.column_span
    if (x1, x2) != (0, painter.width):
        strips = [strip.crop(x1, x2) for strip in strips]
    return strips


def row_painter(
    widget: Widget, header_lines: int, row_width: int, current: RowPainter | None
) -> RowPainter | None:
    """The painter for ``widget`` as it looks now (``current`` if still right), or ``None`` when
    only the styles cache will do."""
    styles = widget.styles
    if styles.padding != (0, 0, 0, 0) or styles.tint.a or styles.text_opacity != 1.0:
        return None
    if any(edge for edge, _color in styles.outline):
        return None
    if styles.has_rule("hatch") and styles.hatch != "none":
        return None
    opacity = widget.opacity
    if opacity != 1.0:
        return None
    size = widget.region.size
    width, height = size
    gutter = styles.gutter
    content_width = widget.content_region.width
    if content_width < row_width or width != content_width + gutter.left + gutter.right:
        return None
    base_background, background = widget.background_colors
    filters = tuple(widget.get_line_filters())
    border = styles.border
    key = (size, header_lines, row_width, border, base_background, background, filters)
    if current is not None and current.key == key:
        return current
    (_top, _top_color), (right_edge, right_color), (_bottom, _bottom_color), (left_edge, left_color) = border
    inner = Style(background=base_background + background)
    outer = Style(background=base_background)
    left = right = None
    if left_edge:
        left = get_box(left_edge, inner, outer, Style(foreground=base_background + left_color))[1][0]
    if right_edge:
        right = get_box(right_edge, inner, outer, Style(foreground=base_background + right_color))[1][2]
    if (left is not None) != bool(gutter.left) or (right is not None) != bool(gutter.right):
        return None
    spare = content_width - row_width
    pad = Segment(" " * spare, inner.rich_style) if spare else None
    return RowPainter(
        key,
        first=gutter.top + header_lines,
        end=height - gutter.bottom,
        width=width,
        left=left,
        right=right,
        pad=pad,
        filters=filters,
        background=background,
    )

"""A keyed list of one-line rows drawn with the Line API: the base of the tape and the panes.

Rows are identified by keys. :meth:`LineList.set_rows` takes the new key order
and keeps the rendered strip of every key that is still there; a row is only
rendered when it first becomes visible, so a tick that prepends 40 events to a
500-row tape renders at most the rows on screen, never the whole list (the
DataTable alternative re-indexes every row on each removal, see the benchmark).
Only the lines whose row changed are repainted, and a row's finished line
(border and filters included, see ``line_paint``) is kept by key, so rows that
only moved are not drawn again. The cursor follows its key when rows are added
above it; a cursor on the first row stays on the first row (following the newest).
Only Textual's public API is used (the Line API, ``refresh`` of regions, reactives).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from liqterm.tui.widgets.line_paint import Frame, PaintedLines, frame_from, look_of
from liqterm.tui.widgets.row_text import cell, exact

__all__ = ["LineList", "cell"]


class LineList(ScrollView, can_focus=True):
    """Keyed one-line rows, an optional sticky header line and a row cursor.

    Subclasses implement :meth:`render_row` and call :meth:`set_rows` (and
    :meth:`set_header`). Styles come from component classes so they live in the
    app's stylesheet; :meth:`style_of` resolves one over the widget's own style.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"line-list--header", "line-list--cursor"}

    EXACT_ROWS: ClassVar[bool] = False
    """``render_row`` already merges same-style neighbours and fills exactly ``width`` cells
    (as :func:`~liqterm.tui.widgets.row_text.exact` would make them)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "cursor_home", "First", show=False),
        Binding("end", "cursor_end", "Last", show=False),
    ]

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._keys: list[Hashable] = []
        self._rows: dict[Hashable, list[Segment]] = {}
        """Each row's content (exactly ``row_width`` cells, unfiltered) by key."""
        self._painted = PaintedLines()
        self._subtitle: str | None = None
        """The text last given to :meth:`set_subtitle` (``border_subtitle`` reads back as markup)."""
        self._header: Strip | None = None
        self._styles: dict[tuple[str, ...], Style] = {}
        self._width = 0
        self.cursor = 0

    # -- what subclasses provide -------------------------------------------------------------

    def render_row(self, key: Hashable, width: int) -> list[Segment]:
        """The segments of one row (styled; the list pads and crops them to ``width``)."""
        raise NotImplementedError

    def rows_resized(self, width: int) -> None:
        """The width changed (every row will be rendered again); recompute column widths."""

    # -- rows -----------------------------------------------------------------------------------

    @property
    def keys(self) -> Sequence[Hashable]:
        """Row keys, top to bottom."""
        return self._keys

    @property
    def cursor_key(self) -> Hashable | None:
        """The key under the cursor, or ``None`` when there are no rows."""
        return self._keys[self.cursor] if 0 <= self.cursor < len(self._keys) else None

    def set_rows(self, keys: list[Hashable], changed: Sequence[Hashable] = ()) -> None:
        """Show ``keys`` in this order; rows of known keys keep their strips unless in ``changed``.

        Rows no longer present are forgotten. The cursor stays on its key (the view
        scrolls with it) unless it was on the first row, which it keeps. Only lines
        whose row is new, moved or changed are repainted.
        """
        if keys == self._keys and not changed:
            return
        old_keys = self._keys
        old_key = self.cursor_key
        at_top = self.cursor == 0
        old_index = self.cursor
        old_scroll = self.scroll_y
        present = set(keys)
        rows, lines = self._rows, self._painted.rows
        # Only keys shown have cached rows: forget those that left as they leave (a tick at a
        # time, not hundreds at once).
        for key in [key for key in old_keys if key not in present] + list(changed):
            rows.pop(key, None)
            lines.pop(key, None)
        self._keys = keys
        if at_top or old_key not in present:
            self.cursor = 0 if at_top else min(old_index, max(0, len(keys) - 1))
        else:
            self.cursor = keys.index(old_key)
            if self.cursor != old_index and self.scroll_y:
                self.scroll_to(y=self.scroll_y + self.cursor - old_index, animate=False, immediate=True)
        self._set_height(len(keys) + self.header_lines)
        if self.scroll_y != old_scroll:
            self.refresh_rows()
        else:
            self._refresh_changed(old_keys, set(changed), old_index)

    def _refresh_changed(self, old_keys: Sequence[Hashable], changed: set[Hashable], old_cursor: int) -> None:
        """Repaint the visible lines whose key differs from before, or is in ``changed``."""
        keys = self._keys
        top = int(self.scroll_y)
        visible = max(0, self.scrollable_content_region.height - self.header_lines)
        cursors = {old_cursor, self.cursor} if old_cursor != self.cursor and self.has_focus else ()
        dirty = []
        for index in range(top, top + visible):
            new = keys[index] if index < len(keys) else _NONE
            old = old_keys[index] if index < len(old_keys) else _NONE
            if new != old or new in changed or index in cursors:
                dirty.append(index - top)
        width, regions, start = self.row_width, [], 0
        while start < len(dirty):  # one region per run of consecutive lines
            end = start
            while end + 1 < len(dirty) and dirty[end + 1] == dirty[end] + 1:
                end += 1
            regions.append(Region(0, self.header_lines + dirty[start], width, end - start + 1))
            start = end + 1
        if regions:
            self.refresh(*regions)

    def _set_height(self, height: int) -> None:
        """Set the scrollable height, laying out the screen only if the scrollbar comes or goes.

        Assigning ``virtual_size`` lays out the whole screen (it is a layout reactive), which
        costs more than the rest of a tick; yet a pane's own size never depends on its rows.
        While the scrollbar stays as it is, the new height is stored without watchers and the
        scrollbar told directly, as Textual does itself when a resize needs no layout.
        """
        old = self.virtual_size
        new = Size(self.row_width, height)
        if new == old:
            return
        room = self.container_size.height
        if not self.is_mounted or old.width != new.width or (old.height > room) != (new.height > room):
            self.virtual_size = new
            return
        self.set_reactive(ScrollView.virtual_size, new)
        if self.show_vertical_scrollbar:
            self.vertical_scrollbar.window_virtual_size = height
        if self.scroll_y > self.max_scroll_y:  # fewer rows than the view had scrolled past
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def refresh_rows(self) -> None:
        """Repaint the rows only: not the header, border or scrollbar (they are cached)."""
        height = self.size.height - self.header_lines
        self.refresh(Region(0, self.header_lines, self.row_width, max(0, height)))

    def set_header(self, segments: list[Segment] | None) -> None:
        """Show ``segments`` as a header line that stays put when the rows scroll."""
        self._header = None if segments is None else Strip(segments)
        self.virtual_size = Size(self.row_width, len(self._keys) + self.header_lines)
        self.refresh()

    def set_subtitle(self, subtitle: str) -> None:
        """Show ``subtitle`` on the bottom border (if it changed). Textual repaints the whole
        pane for it, but every other line is kept (see ``render_lines``): only the bottom
        border is drawn again."""
        if subtitle != self._subtitle:
            self._subtitle = subtitle
            self.border_subtitle = subtitle

    @property
    def header_lines(self) -> int:
        return 0 if self._header is None else 1

    def forget_rendering(self) -> None:
        """Render every row again on the next refresh (styles or columns changed)."""
        self._rows.clear()
        self._painted.forget()
        self.refresh()

    # -- styles ----------------------------------------------------------------------------------

    def style_of(self, *components: str) -> Style:
        """The first component's style (background blended over the widget's), with the later
        components' colour and attributes on top (their backgrounds are ignored, so a side
        colour keeps a highlighted row's background). Cached until the styles change."""
        style = self._styles.get(components)
        if style is None:
            style = self.rich_style
            for index, component in enumerate(components):
                layer = self.get_component_rich_style(component, partial=False)
                if index:
                    layer = Style(
                        color=layer.color,
                        bold=layer.bold,
                        italic=layer.italic,
                        underline=layer.underline,
                        reverse=layer.reverse,
                    )
                style += layer
            self._styles[components] = style
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self.forget_rendering()

    # -- drawing ---------------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        """Row lines finished here (see ``line_paint``); the lines that show no row drawn by
        Textual and kept while they show the same; every line Textual's if rows don't splice."""
        width = self.row_width  # once a frame, not for every line
        if width != self._width:
            self._resized(width)
        painted = self._painted
        if not painted.splicing(look_of(self, width, self.header_lines)):
            return super().render_lines(crop)
        outer_width, height = self.outer_size
        gutter, top = self.styles.gutter, int(self.scroll_y)
        first, bottom = gutter.top + self.header_lines, height - gutter.bottom
        end = min(bottom, first + max(0, len(self._keys) - top))
        # What a line with no row shows besides the look: the top ones the title and header,
        # the bottom border the subtitle, a blank line nothing more.
        above, below = (self.border_title, self._header), self.border_subtitle

        def shows(y: int) -> object:
            return above if y < first else below if y >= bottom else None

        lines: list[Strip | None] = []
        for y in crop.line_range:
            if first <= y < end:
                line = self._finished(y, top + y - first)
                if line is None:  # this look's rows turned out not to splice
                    return super().render_lines(crop)
            else:
                line = painted.other(y, shows(y))
            lines.append(line)
        for index, line in enumerate(lines):  # Textual draws the missing ones, a run at a time
            if line is None:
                stop = next((n for n in range(index, len(lines)) if lines[n] is not None), len(lines))
                drawn = super().render_lines(Region(0, crop.y + index, outer_width, stop - index))
                for n, line in enumerate(drawn, index):
                    painted.others[crop.y + n] = (shows(crop.y + n), line)
                    lines[n] = line
        x1, x2 = crop.column_span
        if x1 == 0 and x2 >= outer_width:
            return lines  # type: ignore[return-value]
        return [line.crop(x1, x2) for line in lines]  # type: ignore[union-attr]

    def _finished(self, y: int, row: int) -> Strip | None:
        """Line ``y``, showing row ``row``, kept by key unless it has the cursor; ``None`` if
        the rows turn out not to splice."""
        key, painted = self._keys[row], self._painted
        cursor = row == self.cursor and self.has_focus
        line = None if cursor else painted.rows.get(key)
        if line is not None:
            return line
        content = self._row(key, self._width)
        if cursor:
            content = self._with_cursor(content)
        if isinstance(painted.frame, Frame):
            line = painted.frame.finish(content)
        else:  # learn this look's frame from the line Textual draws for this row
            line = super().render_lines(Region(0, y, self.outer_size.width, 1))[0]
            painted.frame = frame_from(self, line, content, self._width) or False
            if painted.frame is False:
                return None
        if not cursor:
            painted.rows[key] = line
        return line

    def render_line(self, y: int) -> Strip:
        width = self._width
        if self._header is not None and y == 0:
            return self._header.crop_extend(0, width, self.style_of("line-list--header"))
        row = int(self.scroll_y) + y - self.header_lines
        if not 0 <= row < len(self._keys):
            return Strip.blank(width, self.style_of())
        segments = self._row(self._keys[row], width)
        if row == self.cursor and self.has_focus:
            segments = self._with_cursor(segments)
        return Strip(segments, width)

    def _row(self, key: Hashable, width: int) -> list[Segment]:
        """A row's content, exactly ``width`` cells, unfiltered (cached by key)."""
        segments = self._rows.get(key)
        if segments is None:
            segments = self.render_row(key, width)
            if not self.EXACT_ROWS:
                segments = exact(segments, width, self.style_of())
            self._rows[key] = segments
        return segments

    def _with_cursor(self, segments: list[Segment]) -> list[Segment]:
        # After the row's own styles, so the cursor's background wins.
        return list(Segment.apply_style(segments, post_style=self.style_of("line-list--cursor")))

    @property
    def row_width(self) -> int:
        """Cells a row has: the content width less a vertical scrollbar."""
        return self.scrollable_content_region.width or self.size.width

    def on_resize(self, event: events.Resize) -> None:
        if self.row_width != self._width:
            self._resized(self.row_width)
        self.virtual_size = Size(self.row_width, len(self._keys) + self.header_lines)

    def _resized(self, width: int) -> None:
        self._width = width
        self._rows.clear()
        self._painted.forget()
        self.rows_resized(width)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- cursor ----------------------------------------------------------------------------------

    def move_cursor(self, index: int) -> None:
        """Put the cursor on row ``index`` (clamped) and scroll it into view."""
        if not self._keys:
            self.cursor = 0
            return
        self.cursor = max(0, min(index, len(self._keys) - 1))
        visible = max(1, self.size.height - self.header_lines)
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)
        self.refresh()
        self.cursor_moved()

    def cursor_moved(self) -> None:
        """Called after the user moved the cursor (subclasses post a message)."""

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor - max(1, self.size.height - self.header_lines - 1))

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor + max(1, self.size.height - self.header_lines - 1))

    def action_cursor_home(self) -> None:
        self.move_cursor(0)

    def action_cursor_end(self) -> None:
        self.move_cursor(len(self._keys) - 1)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < self.header_lines:
            return
        self.move_cursor(int(self.scroll_y) + offset.y - self.header_lines)


_NONE = object()

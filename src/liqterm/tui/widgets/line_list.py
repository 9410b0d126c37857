"""A keyed list of one-line rows drawn with the Line API: the base of the tape and the panes.

Rows are identified by keys. :meth:`LineList.set_rows` takes the new key order
and keeps the rendered strip of every key that is still there; a row is only
rendered when it first becomes visible, so a tick that prepends 40 events to a
500-row tape renders at most the rows on screen, never the whole list (the
DataTable alternative re-indexes every row on each removal, see the benchmark).
The cursor follows its key when rows are added above it; a cursor on the first
row stays on the first row (following the newest).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


class LineList(ScrollView, can_focus=True):
    """Keyed one-line rows, an optional sticky header line and a row cursor.

    Subclasses implement :meth:`render_row` and call :meth:`set_rows` (and
    :meth:`set_header`). Styles come from component classes so they live in the
    app's stylesheet; :meth:`style_of` resolves one over the widget's own style.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"line-list--header", "line-list--cursor"}

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
        self._strips: dict[Hashable, Strip] = {}
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
        scrolls with it) unless it was on the first row, which it keeps.
        """
        if keys == self._keys and not changed:
            return
        old_key = self.cursor_key
        at_top = self.cursor == 0
        old_index = self.cursor
        present = set(keys)
        for key in [key for key in self._strips if key not in present]:
            del self._strips[key]
        for key in changed:
            self._strips.pop(key, None)
        self._keys = keys
        if at_top or old_key not in present:
            self.cursor = 0 if at_top else min(old_index, max(0, len(keys) - 1))
        else:
            self.cursor = keys.index(old_key)
            if self.cursor != old_index and self.scroll_y:
                self.scroll_to(y=self.scroll_y + self.cursor - old_index, animate=False, immediate=True)
        self._set_height(len(keys) + self.header_lines)
        self.refresh_rows()

    def _set_height(self, height: int) -> None:
        """Set the scrollable height without a screen layout unless the scrollbar comes or goes.

        ``virtual_size`` is a layout reactive: assigning it lays out the whole screen, which
        at one new alert per tick costs more than everything else the tick does. The pane's
        own size never depends on its rows, so only the scrollbar needs updating (Textual
        is pinned exactly; ``_scroll_update`` is what its own resize path calls).
        """
        old = self.virtual_size
        new = Size(self.row_width, height)
        if new == old:
            return
        visible = self.size.height
        if not self.is_mounted or (old.height > visible) != (new.height > visible) or old.width != new.width:
            self.virtual_size = new
            return
        self.set_reactive(ScrollView.virtual_size, new)
        self._scroll_update(new)

    def refresh_rows(self) -> None:
        """Repaint the rows only: not the header, border or scrollbar (they are cached)."""
        height = self.size.height - self.header_lines
        self.refresh(Region(0, self.header_lines, self.row_width, max(0, height)))

    def set_header(self, segments: list[Segment] | None) -> None:
        """Show ``segments`` as a header line that stays put when the rows scroll."""
        self._header = None if segments is None else Strip(segments)
        self.virtual_size = Size(self.row_width, len(self._keys) + self.header_lines)
        self.refresh()

    @property
    def header_lines(self) -> int:
        return 0 if self._header is None else 1

    def forget_rendering(self) -> None:
        """Render every row again on the next refresh (styles or columns changed)."""
        self._strips.clear()
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

    def render_line(self, y: int) -> Strip:
        width = self.row_width
        if width != self._width:
            self._resized(width)
        base = self.style_of()
        if self._header is not None and y == 0:
            return self._header.crop_extend(0, width, self.style_of("line-list--header"))
        row = int(self.scroll_y) + y - self.header_lines
        if not 0 <= row < len(self._keys):
            return Strip.blank(width, base)
        key = self._keys[row]
        strip = self._strips.get(key)
        if strip is None:
            # Merging same-style neighbours: Textual's per-line work grows with the segments.
            strip = Strip(Segment.simplify(self.render_row(key, width))).crop_extend(0, width, base)
            self._strips[key] = strip
        if row == self.cursor and self.has_focus:
            cursor = self.style_of("line-list--cursor")
            return Strip(Segment.apply_style(strip, post_style=cursor), strip.cell_length)
        return strip

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
        self._strips.clear()
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


def cell(text: str, width: int, style: Style, right: bool = False) -> Segment:
    """``text`` cut or padded to exactly ``width`` cells (an ellipsis marks a cut)."""
    if text.isascii():  # the common case: one cell per character
        if len(text) > width:
            text = text[: width - 1] + "…" if width > 1 else text[:width]
        return Segment(text.rjust(width) if right else text.ljust(width), style)
    if cell_len(text) > width:
        text = set_cell_size(text, max(0, width - 1)) + "…" if width > 1 else set_cell_size(text, width)
    pad = width - cell_len(text)
    return Segment((" " * pad + text) if right else (text + " " * pad), style)

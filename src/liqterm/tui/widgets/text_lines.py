"""A short text widget (a line or two) drawn from a ``Text``, repainted only when the text changes."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widget import Widget


class TextLines(Widget):
    """Subclasses build their text in :meth:`line`; every watcher calls :meth:`update_line`.

    The app sets every field on each tick; repainting unchanged text would still cost
    Textual's whole content path. Component styles are cached until the stylesheet changes
    (Textual's own cache is dropped on every repaint). One line high unless styled otherwise.
    """

    DEFAULT_CSS = """
    TextLines { height: 1; }
    """

    _shown: Text | None = None
    _line_styles: dict[str, Style] | None = None

    def line(self) -> Text:
        raise NotImplementedError

    def update_line(self) -> None:
        """Repaint if the line would read or look different (or was never drawn)."""
        if self._shown is None or self.line() != self._shown:
            self.refresh()

    def render(self) -> Text:
        self._shown = self.line()
        return self._shown

    def component_style(self, name: str) -> Style:
        styles = self._line_styles
        if styles is None:
            styles = self._line_styles = {}
        style = styles.get(name)
        if style is None:
            style = styles[name] = self.get_component_rich_style(name)
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line_styles = None
        self._shown = None

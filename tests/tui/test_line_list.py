"""A list's row count changes without laying out the screen, unless its scrollbar comes or goes."""

from __future__ import annotations

from collections.abc import Hashable

from rich.segment import Segment
from textual.app import App, ComposeResult

from liqterm.tui.widgets.line_list import LineList


class Numbers(LineList):
    DEFAULT_CSS = "Numbers { height: 6; border: round white; scrollbar-size-vertical: 1; }"

    def render_row(self, key: Hashable, width: int) -> list[Segment]:
        return [Segment(f"row {key}")]


class NumbersApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Numbers()


async def test_row_counts_change_without_a_layout_while_the_scrollbar_stays(monkeypatch) -> None:
    app = NumbersApp()
    layouts: list[int] = []
    refresh = Numbers.refresh

    def spy(self, *regions, **kwargs):
        if kwargs.get("layout"):
            layouts.append(len(self.keys))
        return refresh(self, *regions, **kwargs)

    async def laid_out(count: int) -> bool:
        """Show ``count`` rows; whether the list asked for a layout."""
        before = len(layouts)
        numbers.set_rows(list(range(count)))
        await pilot.pause()
        return len(layouts) > before

    async with app.run_test(size=(40, 10)) as pilot:
        numbers = app.query_one(Numbers)
        await pilot.pause()
        monkeypatch.setattr(Numbers, "refresh", spy)

        assert not await laid_out(3)  # four lines inside the border: no scrollbar before or after
        assert await laid_out(10) and numbers.show_vertical_scrollbar  # the scrollbar comes
        await laid_out(11)  # (may lay out once more: the rows are a cell narrower beside it)
        assert not await laid_out(12)
        numbers.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert not await laid_out(8)  # fewer rows, the scrollbar stays
        assert numbers.vertical_scrollbar.window_virtual_size == 8
        assert numbers.scroll_y == numbers.max_scroll_y == 4  # scrolled back within the rows
        shown = app.export_screenshot()
        numbers.refresh(layout=True)  # what a layout would have shown
        await pilot.pause()
        assert app.export_screenshot() == shown
        assert await laid_out(2) and not numbers.show_vertical_scrollbar  # the scrollbar goes

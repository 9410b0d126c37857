"""The panes' own line painting draws exactly what Textual would, and skips what did not change."""

from __future__ import annotations

from pathlib import Path

from rich.segment import Segment
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from tui_helpers import demo_engine, demo_events, make_app, show

from liqterm.engine import Alert, TapeRow
from liqterm.engine.alerts import Priority
from liqterm.tui.widgets.alerts_log import AlertsLog, _keyed
from liqterm.tui.widgets.cascade_meters import CascadeMeters
from liqterm.tui.widgets.line_list import LineList
from liqterm.tui.widgets.line_paint import CutLine, Frame, frame_from
from liqterm.tui.widgets.liquidation_tape import LiquidationTape
from liqterm.tui.widgets.session_banner import SessionBanner


def _segments(strips: list[Strip]) -> list[list]:
    return [list(strip) for strip in strips]


def _pieces(strips) -> list:
    return [(strip.cell_length, list(strip)) for strip in strips]


def _textual(widget: LineList, region: Region) -> list[Strip]:
    """What Textual's own path draws for ``region``, every line afresh."""
    widget.refresh()  # every line dirty: Textual draws each through render_line again
    return Widget.render_lines(widget, region)


def _assert_same_as_textual(app, spliced: bool = True) -> None:
    panes = [pane for pane in app.main.query(LineList) if pane.display and pane.region]
    assert panes
    for pane in panes:
        width, height = pane.outer_size
        for region in (Region(0, 0, width, height), Region(3, 1, width - 5, height - 2)):
            ours = pane.render_lines(region)
            assert isinstance(pane._painted.frame, Frame) is spliced, pane
            assert _segments(ours) == _segments(_textual(pane, region)), (pane, region)
        frame = pane._painted.frame
        for line in pane._painted.rows.values():  # cut as the compositor cuts: as a plain strip is
            for cuts in ([frame.cuts] if frame.cuts else []) + [[5, width], [width]]:
                plain = Strip(list(line), line.cell_length).divide(cuts)
                assert _pieces(line.divide(cuts)) == _pieces(plain), (pane, cuts)


async def test_rows_are_drawn_as_textual_draws_them(config_file: Path) -> None:
    app = make_app(config_file)
    async with app.run_test(size=(160, 45)) as pilot:
        show(app)
        await pilot.pause()
        _assert_same_as_textual(app)
        tape = app.main.query_one(LiquidationTape)
        tape.move_cursor(6)  # the cursor row, focused
        tape.scroll_to(y=4, animate=False, immediate=True)
        await pilot.pause()
        _assert_same_as_textual(app)
        await pilot.press("tab")  # the meters focused: their border and cursor change
        await pilot.pause()
        _assert_same_as_textual(app)
        app.main.query_one(AlertsLog).set_subtitle("a new subtitle")
        tape.border_title = "a new title"
        await pilot.pause()
        _assert_same_as_textual(app)
        tape.set_header([Segment("a new header")])
        await pilot.pause()
        _assert_same_as_textual(app)


async def test_rows_are_drawn_as_textual_draws_them_when_narrow(config_file: Path) -> None:
    app = make_app(config_file)
    async with app.run_test(size=(80, 24)) as pilot:
        show(app)
        await pilot.pause()
        _assert_same_as_textual(app)


async def test_rows_go_through_the_apps_line_filters(config_file: Path, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")  # Textual adds its monochrome filter
    app = make_app(config_file)
    async with app.run_test(size=(160, 45)) as pilot:
        assert len(app.get_line_filters()) > 1
        show(app)
        await pilot.pause()
        _assert_same_as_textual(app)


async def test_a_look_rows_cannot_be_spliced_in_is_left_to_textual(config_file: Path) -> None:
    app = make_app(config_file)
    async with app.run_test(size=(160, 45)) as pilot:
        show(app)
        await pilot.pause()
        for pane in app.main.query(LineList):
            pane.styles.tint = "red 20%"  # over the whole line: content and border
        await pilot.pause()
        _assert_same_as_textual(app, spliced=False)


async def test_a_frame_is_only_learnt_when_splicing_gives_textuals_line(config_file: Path) -> None:
    app = make_app(config_file)
    async with app.run_test(size=(160, 45)) as pilot:
        show(app)
        await pilot.pause()
        tape = app.main.query_one(LiquidationTape)
        width = tape.row_width
        first = tape.styles.gutter.top + tape.header_lines
        line = _textual(tape, Region(0, first + 2, tape.outer_size.width, 1))[0]
        row, other = (tape._row(key, width) for key in tape.keys[2:4])
        frame = frame_from(tape, line, row, width)
        assert frame is not None and _segments([frame.finish(row)]) == _segments([line])
        assert frame_from(tape, line, other, width) is None
        outer = tape.outer_size.width  # cut at the scrollbar's column and the right edge
        assert frame.cuts == [outer - 2, outer - 1, outer] and tape.show_vertical_scrollbar


async def test_rows_that_only_moved_are_not_drawn_again(config_file: Path, monkeypatch) -> None:
    engine = demo_engine(100)
    app = make_app(config_file, engine)
    finished: list[Frame] = []
    drawn: list[Region] = []
    cut_again: list[list[int]] = []
    finish, render_lines, divide = Frame.finish, Widget.render_lines, Strip.divide

    def cutting(self, cuts):
        if isinstance(self, CutLine):
            cut_again.append(list(cuts))
        return divide(self, cuts)

    def counting(self, content):
        finished.append(self)
        return finish(self, content)

    def textual(self, crop):
        if isinstance(self, LiquidationTape):
            drawn.append(crop)
        return render_lines(self, crop)

    async with app.run_test(size=(160, 45)) as pilot:
        show(app)
        await pilot.pause()
        tape = app.main.query_one(LiquidationTape)
        monkeypatch.setattr(Frame, "finish", counting)
        monkeypatch.setattr(Widget, "render_lines", textual)
        monkeypatch.setattr(Strip, "divide", cutting)
        for event in demo_events()[100:110]:
            engine.ingest(event)
        show(app)
        await pilot.pause()
        tape_rows = [frame for frame in finished if frame is tape._painted.frame]
        assert 10 <= len(tape_rows) <= 11  # the ten new rows (and the cursor's, when focused)
        first = tape.styles.gutter.top + tape.header_lines
        assert drawn == [] or all(crop.bottom <= first for crop in drawn)  # no row line by Textual
        assert cut_again == []  # the compositor took the pieces made with each line


async def test_a_new_subtitle_has_textual_draw_the_bottom_line_alone(config_file: Path, monkeypatch) -> None:
    app = make_app(config_file)
    drawn: list[Region] = []
    render_lines = Widget.render_lines

    def textual(self, crop):
        if isinstance(self, AlertsLog):
            drawn.append(crop)
        return render_lines(self, crop)

    async with app.run_test(size=(160, 45)) as pilot:
        show(app)
        await pilot.pause()
        log = app.main.query_one(AlertsLog)
        monkeypatch.setattr(Widget, "render_lines", textual)
        log.set_subtitle("a new subtitle")
        await pilot.pause()
        width, height = log.outer_size
        assert drawn == [Region(0, height - 1, width, 1)]
        assert "a new subtitle" in log.render_lines(Region(0, height - 1, width, 1))[0].text


async def test_only_lines_whose_row_changed_are_repainted(config_file: Path, monkeypatch) -> None:
    engine = demo_engine(108)
    app = make_app(config_file, engine)
    repainted: dict[str, list[Region]] = {}
    original = Widget.refresh

    def spy(self, *regions, **kwargs):
        if isinstance(self, CascadeMeters | SessionBanner):
            repainted.setdefault(type(self).__name__, []).extend(regions or [Region(0, 0, 999, 999)])
        return original(self, *regions, **kwargs)

    async with app.run_test(size=(160, 45)) as pilot:
        show(app)
        await pilot.pause()
        monkeypatch.setattr(Widget, "refresh", spy)
        app.present(app.snapshot, app.main.health, app.main.now_ms)  # the same again: nothing to do
        await pilot.pause()
        assert repainted == {}
        meters = app.main.query_one(CascadeMeters)
        engine.ingest(demo_events()[108])  # SOL: its meter moves, its rank does not
        show(app)
        await pilot.pause()
        lines = sum(region.height for region in repainted.get("CascadeMeters", []))
        assert lines == 1 and len(meters.keys) > 1  # SOL's row only
        assert "SessionBanner" in repainted  # its event count changed


def test_alert_rows_keep_their_keys_as_a_full_keying_would() -> None:
    def alert(n: int, key: str = "k") -> Alert:
        return Alert(kind="large", priority=Priority.NORMAL, asset="BTC", key=key, text=f"t{n % 3}", at_ms=n)

    log: list[Alert] = []
    last: tuple[Alert, ...] | None = None
    rows: dict = {}
    for step in range(60):
        for n in range(step % 4):  # some twins: same time, key and text
            log.append(alert(step * 10 + (n if step % 5 else 0)))
        log[:] = log[-25:]
        alerts = tuple(reversed(log))
        rows = _keyed(alerts, last, rows)
        assert rows == _keyed(alerts, None, {}), step
        last = alerts


async def test_the_tick_snapshot_reuses_rows_and_leaves_out_correlations(config_file: Path) -> None:
    engine = demo_engine(0)
    app = make_app(config_file, engine)
    kept = engine.config.engine.recent_events
    results = []
    async with app.run_test(size=(160, 45)):
        for start in range(0, len(demo_events()), 37):
            for event in demo_events()[start : start + 37]:
                result = engine.ingest(event)
                if result.accepted:
                    results.append(result)
            snapshot = app.take_snapshot()
            made = tuple(
                TapeRow(r.seq, r.event, r.cls, r.session, r.correlated) for r in reversed(results[-kept:])
            )
            assert snapshot.recent == made
            assert snapshot.correlations == () and len(snapshot.meters) <= app.main.meters_shown
        assert engine.snapshot().correlations  # a full snapshot (the event detail's) has them

"""The panes' fast paths draw exactly what Textual's generic path would, and skip what did not change."""

from __future__ import annotations

from pathlib import Path

from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from tui_helpers import demo_engine, demo_events, make_app, show

from liqterm.config.schema import CLASSES
from liqterm.engine import Alert, TapeRow
from liqterm.engine.alerts import Priority
from liqterm.tui.widgets.alerts_log import _keyed
from liqterm.tui.widgets.cascade_meters import CascadeMeters
from liqterm.tui.widgets.line_list import LineList
from liqterm.tui.widgets.liquidation_tape import LiquidationTape
from liqterm.tui.widgets.session_banner import SessionBanner


def _segments(strips: list[Strip]) -> list[list]:
    return [list(strip) for strip in strips]


def _generic(widget: LineList, region: Region) -> list[Strip]:
    """What Textual's styles cache draws for ``region`` (every line rendered afresh)."""
    widget._styles_cache.clear()
    return Widget.render_lines(widget, region)


def _assert_same_as_textual(app) -> None:
    panes = [pane for pane in app.main.query(LineList) if pane.display and pane.region]
    assert panes
    for pane in panes:
        width, height = pane.outer_size
        for region in (Region(0, 0, width, height), Region(3, 1, width - 5, height - 2)):
            fast = pane.render_lines(region)
            assert pane._painter is not None, pane  # the fast path was taken
            assert _segments(fast) == _segments(_generic(pane, region)), (pane, region)
        pieces = pane._painter._pieces
        if pieces is not None:  # the pre-cut pieces are what a plain divide gives
            cuts = list(pieces[0])
            for line in pane._lines.values():
                plain = Strip(list(line), line.cell_length).divide(cuts)
                assert _segments(line.divide(cuts)) == _segments(plain)


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


async def test_rows_are_drawn_as_textual_draws_them_when_narrow(config_file: Path) -> None:
    app = make_app(config_file)
    async with app.run_test(size=(80, 24)) as pilot:
        show(app)
        await pilot.pause()
        _assert_same_as_textual(app)


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
    async with app.run_test(size=(160, 45)):
        for start in range(0, len(demo_events()), 37):
            for event in demo_events()[start : start + 37]:
                engine.ingest(event)
            snapshot = app.take_snapshot()
            made = tuple(
                TapeRow(seq, event, CLASSES[cls], session, correlated)
                for seq, event, cls, session, correlated in reversed(engine._recent)
            )
            assert snapshot.recent == made
            assert snapshot.correlations == () and len(snapshot.meters) <= app.main.meters_shown
        assert engine.snapshot().correlations  # a full snapshot (the event detail's) has them

"""Snapshot tests: each screen from injected engine snapshots, a frozen clock, no venue workers.

Review SVG diffs before ``--snapshot-update`` (the report: ``snapshot_report.html``).
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input
from tui_helpers import STARTER, make_app, show

from liqterm.tui.widgets.liquidation_tape import LiquidationTape

WIDE = (160, 45)


def _app(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text(STARTER, encoding="utf-8")
    return make_app(path)


def _shown(down: str | None = None):
    async def run_before(pilot: Pilot) -> None:
        show(pilot.app, down=down)
        await pilot.pause()

    return run_before


def test_main_screen_in_demo_state(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=WIDE, run_before=_shown())


def test_a_venue_down(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=WIDE, run_before=_shown(down="okx"))


def test_narrow_terminal(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=(80, 24), run_before=_shown())


def test_threshold_editor(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot) -> None:
        show(pilot.app)
        tape = pilot.app.main.query_one(LiquidationTape)
        tape.move_cursor(next(i for i, key in enumerate(tape.keys) if tape.rows[key].event.asset == "ETH"))
        await pilot.press("t")
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        pilot.app.screen.query_one("#whale", Input).value = "200k"  # below base: shows the check
        await pilot.pause()

    assert snap_compare(_app(tmp_path), terminal_size=WIDE, run_before=run_before)


def test_help_screen(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot) -> None:
        show(pilot.app)
        await pilot.press("question_mark")
        await pilot.pause()

    app = _app(tmp_path)
    app.config_path = Path("/home/trader/.config/liqterm/config.toml")  # shown; must not vary per run
    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


def _after_keys(*keys: str):
    async def run_before(pilot: Pilot) -> None:
        show(pilot.app)
        await pilot.press(*keys)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return run_before


def test_scorecard_screen(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=WIDE, run_before=_after_keys("s"))


def test_alerts_screen(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=WIDE, run_before=_after_keys("a"))


def test_health_screen(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=WIDE, run_before=_after_keys("h"))


def test_filter_screen(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=WIDE, run_before=_after_keys("slash"))


def test_event_detail_screen(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=WIDE, run_before=_after_keys("enter"))

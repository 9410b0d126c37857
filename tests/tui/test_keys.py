"""Every key of the main screen, driven with Pilot, asserting on widget state and the saved config."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tui_helpers import STARTER, demo_engine, demo_events, make_app, show, text_of

from liqterm.config import CLASSES, load
from liqterm.tui.screens.alerts import AlertsScreen
from liqterm.tui.screens.event_detail import EventDetailScreen
from liqterm.tui.screens.filter import FilterScreen
from liqterm.tui.screens.health_detail import HealthDetailScreen
from liqterm.tui.screens.help import KEYS, HelpScreen
from liqterm.tui.screens.main import MainScreen
from liqterm.tui.screens.threshold_editor import ThresholdEditor
from liqterm.tui.widgets.alerts_log import AlertsLog
from liqterm.tui.widgets.liquidation_tape import LiquidationTape
from liqterm.tui.widgets.session_banner import SessionBanner
from liqterm.tui.widgets.whale_pane import WhalePane

SIZE = (160, 45)


def saved(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def tape_rows(app) -> list:
    tape = app.main.query_one(LiquidationTape)
    return [tape.rows[key] for key in tape.keys]


async def test_slash_filters_by_asset_venue_and_side(config_file: Path) -> None:
    app = make_app(config_file)
    async with app.run_test(size=SIZE) as pilot:
        show(app)
        await pilot.press("slash")
        assert isinstance(app.screen, FilterScreen)
        await pilot.press(*"ETH long bitget nope$", "enter")
        assert isinstance(app.screen, FilterScreen)  # a bad word keeps the dialog open
        assert "nope$" in str(app.screen.query_one("#parsed").render())
        for _ in "nope$":
            await pilot.press("backspace")
        await pilot.press("enter")
        assert isinstance(app.screen, MainScreen)
        rows = tape_rows(app)
        assert rows and all(
            (r.event.asset, r.event.side, r.event.venue) == ("ETH", "long", "bitget") for r in rows
        )
        assert "ETH bitget long" in app.main.query_one(LiquidationTape).border_title
        await pilot.press("slash", *["backspace"] * 20, "enter")
        assert len(tape_rows(app)) == len(demo_events())


async def test_number_keys_set_the_minimum_class_and_save_it(config_file: Path) -> None:
    app = make_app(config_file)
    async with app.run_test(size=SIZE) as pilot:
        show(app)
        for key, name in zip("4321", reversed(CLASSES), strict=True):
            await pilot.press(key)
            rows = tape_rows(app)
            assert rows and all(CLASSES.index(r.cls) >= CLASSES.index(name) for r in rows)
            assert saved(config_file)["tui"]["min_class"] == name
        await pilot.press("3")
        assert {r.cls for r in tape_rows(app)} == {"institutional"}  # no whale in the first 48 s
    text = text_of(config_file)
    assert "# how fast the screen refreshes" in text and "# bitcoin" in text  # comments kept
    assert load(config_file).tui.min_class == "whale"


async def test_r_hides_and_shows_retail(config_file: Path) -> None:
    app = make_app(config_file)
    async with app.run_test(size=SIZE) as pilot:
        show(app)
        await pilot.press("r")
        assert tape_rows(app) and "retail" not in {r.cls for r in tape_rows(app)}
        assert saved(config_file)["tui"]["hide_retail"] is True
        await pilot.press("r")
        assert "retail" in {r.cls for r in tape_rows(app)}
        assert saved(config_file)["tui"]["hide_retail"] is False


async def test_t_edits_the_selected_assets_thresholds_validating_as_you_type(config_file: Path) -> None:
    app = make_app(config_file)
    async with app.run_test(size=SIZE) as pilot:
        show(app)
        tape = app.main.query_one(LiquidationTape)
        eth = next(i for i, key in enumerate(tape.keys) if tape.rows[key].event.asset == "ETH")
        tape.move_cursor(eth)
        await pilot.press("t")
        editor = app.screen
        assert isinstance(editor, ThresholdEditor)
        assert editor.query_one("#asset").value == "ETH"
        assert editor.query_one("#base").value == "250k"  # ETH's configured base
        editor.query_one("#base").value = "9M"  # above whale: invalid while typed
        await pilot.pause()
        assert editor.query_one("#save").disabled
        assert "base must not exceed whale" in str(editor.query_one("#problem").render())
        editor.query_one("#base").value = "abc"
        await pilot.pause()
        assert "USD amount" in str(editor.query_one("#problem").render())
        for name, value in (("base", "300k"), ("whale", "600k"), ("cascade", "1.2M"), ("asian", "0.8")):
            editor.query_one(f"#{name}").value = value
        await pilot.pause()
        assert not editor.query_one("#save").disabled
        await pilot.click("#save")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
    eth_saved = saved(config_file)["thresholds"]["assets"]["ETH"]
    assert (eth_saved["base"], eth_saved["whale"], eth_saved["cascade"]) == (300_000, 600_000, 1_200_000)
    assert eth_saved["sessions"] == {"asian": 0.8, "european": 0.9, "us": 1.0, "weekend": 0.5}
    assert app.config.thresholds.assets["ETH"].base == 300_000
    assert app.engine.config.thresholds.assets["ETH"].base == 30_000  # the demo engine runs ×0.1, live
    assert text_of(config_file).startswith(STARTER.splitlines()[0])


async def test_t_with_a_typed_asset_and_escape_cancels(config_file: Path) -> None:
    app = make_app(config_file)
    async with app.run_test(size=SIZE) as pilot:
        show(app)
        await pilot.press("t")
        editor = app.screen
        editor.query_one("#asset").value = "doge"
        await pilot.pause()
        assert editor.query_one("#base").value == "50k"  # an unnamed asset starts from the defaults
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
    assert "DOGE" not in saved(config_file).get("thresholds", {}).get("assets", {})


async def test_plus_and_minus_scale_the_selected_asset_and_save(config_file: Path) -> None:
    app = make_app(config_file)
    async with app.run_test(size=SIZE) as pilot:
        show(app)
        tape = app.main.query_one(LiquidationTape)
        btc = next(i for i, key in enumerate(tape.keys) if tape.rows[key].event.asset == "BTC")
        tape.move_cursor(btc)
        await pilot.press("plus")
        assert saved(config_file)["thresholds"]["assets"]["BTC"]["base"] == 550_000
        assert app.engine.config.thresholds.assets["BTC"].whale == 110_000
        await pilot.press("minus")
        assert saved(config_file)["thresholds"]["assets"]["BTC"] == {
            "base": 500_000,
            "whale": 1_000_000,
            "cascade": 2_500_000,
        }
    assert "# bitcoin" in text_of(config_file)


async def test_p_pauses_the_tape_and_counts_arrivals_space_follows(config_file: Path) -> None:
    engine = demo_engine(80)
    app = make_app(config_file, engine)
    async with app.run_test(size=SIZE) as pilot:
        show(app)
        tape = app.main.query_one(LiquidationTape)
        before = list(tape.keys)
        await pilot.press("p")
        for event in demo_events()[80:120]:
            engine.ingest(event)
        show(app)
        await pilot.pause()
        assert list(tape.keys) == before  # frozen
        banner = app.main.query_one(SessionBanner)
        assert banner.arrived_while_paused == 40
        assert "PAUSED · 40 new" in str(banner.render())
        tape.move_cursor(5)
        await pilot.press("space")
        assert app.main.paused_at is None
        assert tape.keys[0] == engine.seq and tape.cursor == 0
        assert "PAUSED" not in str(banner.render())


async def test_enter_shows_the_event_detail_with_correlation(config_file: Path) -> None:
    app = make_app(config_file)
    async with app.run_test(size=SIZE) as pilot:
        snapshot = show(app)
        tape = app.main.query_one(LiquidationTape)
        index = next(i for i, key in enumerate(tape.keys) if tape.rows[key].correlated)
        tape.move_cursor(index)
        row = tape.selected
        await pilot.press("enter")
        assert isinstance(app.screen, EventDetailScreen) and app.screen.row == row
        text = str(app.screen.query_one("#detail").render())
        assert row.event.symbol in text and row.event.venue in text and "yes: the same asset" in text
        assert snapshot.at_ms
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_w_focuses_the_whale_pane(config_file: Path) -> None:
    app = make_app(config_file)
    async with app.run_test(size=SIZE) as pilot:
        show(app)
        await pilot.press("w")
        pane = app.main.query_one(WhalePane)
        assert app.focused is pane and pane.selected_asset in pane.stats
    narrow = make_app(config_file)
    async with narrow.run_test(size=(80, 24)) as pilot:
        show(narrow)
        pane = narrow.main.query_one(WhalePane)
        assert not pane.display
        await pilot.press("w")
        assert pane.display and narrow.focused is pane
        await pilot.press("tab")
        assert not pane.display


async def test_a_opens_the_alerts_log(config_file: Path) -> None:
    app = make_app(config_file)
    async with app.run_test(size=SIZE) as pilot:
        snapshot = show(app)
        await pilot.press("a")
        assert isinstance(app.screen, AlertsScreen)
        log = app.screen.query_one(AlertsLog)
        assert len(log.keys) == len(snapshot.alerts) > 0
        assert "suppressed" in log.border_subtitle
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_h_shows_health_detail_with_the_throttling_disclosure(config_file: Path) -> None:
    app = make_app(config_file)
    async with app.run_test(size=SIZE) as pilot:
        show(app, down="okx")
        await pilot.press("h")
        assert isinstance(app.screen, HealthDetailScreen)
        text = str(app.screen.query_one("#health-detail").render())
        assert "at most one liquidation per symbol per second" in text
        assert "okx: DOWN" in text and "Connection refused" in text
        await pilot.press("escape")


async def test_question_mark_lists_every_key(config_file: Path) -> None:
    app = make_app(config_file)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        documented = " ".join(key for key, _ in KEYS)
        names = {"slash": "/", "plus": "+", "minus": "-", "question_mark": "?", "space": "space"}
        for binding in MainScreen.BINDINGS:
            assert names.get(binding.key, binding.key) in documented, binding.key
        assert "enter" in documented
        await pilot.press("escape")
        footer_keys = {b.key for b in MainScreen.BINDINGS if b.show}
        assert {
            "slash",
            "1",
            "r",
            "t",
            "plus",
            "p",
            "space",
            "w",
            "a",
            "h",
            "question_mark",
            "q",
        } <= footer_keys


async def test_q_quits(config_file: Path) -> None:
    app = make_app(config_file)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0 and app._closed

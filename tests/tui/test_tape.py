"""The tape is keyed and updated by diff: new rows are rendered once, evicted rows forgotten."""

from __future__ import annotations

from pathlib import Path

from tui_helpers import demo_engine, demo_events, make_app, replace_tui, show

from liqterm.config import Config
from liqterm.tui.widgets.liquidation_tape import LiquidationTape


async def test_a_tick_renders_only_the_new_rows(config_file: Path, monkeypatch) -> None:
    engine = demo_engine(100)
    app = make_app(config_file, engine)
    rendered: list = []
    original = LiquidationTape.render_row

    def counting(self, key, width):
        rendered.append(key)
        return original(self, key, width)

    monkeypatch.setattr(LiquidationTape, "render_row", counting)
    async with app.run_test(size=(160, 45)) as pilot:
        show(app)
        await pilot.pause()
        tape = app.main.query_one(LiquidationTape)
        first = set(rendered)
        assert 20 < len(first) <= 45  # only the visible rows were rendered
        rendered.clear()
        for event in demo_events()[100:110]:
            engine.ingest(event)
        show(app)
        await pilot.pause()
        assert sorted(rendered) == sorted(tape.keys[:10])  # the ten new rows, nothing else
        assert tape.keys[10] == 100 and len(tape.keys) == 110


async def test_the_tape_is_bounded_and_forgets_evicted_rows(config_file: Path) -> None:
    engine = demo_engine(0)
    app = make_app(config_file, engine, replace_tui(Config(), tape_rows=50))
    async with app.run_test(size=(160, 45)) as pilot:
        for start in range(0, 120, 30):
            for event in demo_events()[start : start + 30]:
                engine.ingest(event)
            show(app)
            await pilot.pause()
        tape = app.main.query_one(LiquidationTape)
        assert list(tape.keys) == list(range(120, 70, -1))
        assert set(tape.rows) == set(tape.keys)
        assert set(tape._rows) <= set(tape.keys)
        assert set(tape._painted.rows) <= set(tape.keys)

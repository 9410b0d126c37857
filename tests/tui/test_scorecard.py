"""The cascade scorecard: fed by the app's ingest path, shown under the meters, detailed on ``s``."""

from __future__ import annotations

from pathlib import Path

from tui_helpers import demo_engine, demo_events, make_app, show

from liqterm.config import Config
from liqterm.engine import Alert, IngestResult
from liqterm.engine.alerts import Priority
from liqterm.model import Liquidation
from liqterm.scorecard import Scorecard, ScorecardView, shipped_figures, shipped_summary
from liqterm.state import StateStore
from liqterm.tui.app import LiqtermApp
from liqterm.tui.scoring import SessionScore
from liqterm.tui.screens.help import KEYS
from liqterm.tui.screens.main import MainScreen
from liqterm.tui.screens.scorecard import ScorecardScreen
from liqterm.tui.widgets.scorecard_lines import ScorecardLines, session_line, shipped_line

SIZE = (160, 45)


def _alert(kind: str, at_ms: int, asset: str = "ZZZ") -> Alert:
    key = f"{kind}:{asset}"
    return Alert(kind=kind, priority=Priority.HIGH, asset=asset, key=key, text=kind, at_ms=at_ms)


class _Scripted:
    """The engine, except that ``ingest`` raises the scripted cascade alerts for the n-th event
    and no other (a wrapper: the compiled engine's methods cannot be patched)."""

    def __init__(self, engine, script: dict[int, list[Alert]]) -> None:
        self._engine = engine
        self._script = script
        self._count = iter(range(10**6))

    def ingest(self, event: Liquidation) -> IngestResult:
        result = self._engine.ingest(event)
        alerts = [a for a in result.alerts if a.kind not in ("cascade", "cascade_warning")]
        return result.replaced(alerts + self._script.get(next(self._count), []))

    def __getattr__(self, name: str):
        return getattr(self._engine, name)


def _caught(data: str) -> str:
    """What the shipped figures say the app's predictor caught on ``data`` (the notional scope: the
    engine's per-asset predictor, the one that raises the app's warnings), as "hits/onsets"."""
    scope = shipped_figures()[data]["scopes"]["notional"]
    return f"{round(scope['predictors']['liqterm']['recall'] * scope['onsets'])}/{scope['onsets']}"


def _shipped_text() -> str:
    return (
        f"Shipped model backtest: caught {_caught('real_test')} real (held out) · "
        f"{_caught('synthetic_test')} synthetic"
    )


def _on_screen(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_the_scorecard_line_follows_a_warning_and_then_an_onset(config_file: Path) -> None:
    engine = demo_engine(0)
    events = demo_events()
    t0 = events[0].exchange_ms
    scripted = _Scripted(engine, {0: [_alert("cascade_warning", t0)], 1: [_alert("cascade", t0 + 4_000)]})
    app = make_app(config_file, scripted)
    async with app.run_test(size=SIZE) as pilot:
        show(app)
        await pilot.pause()
        assert "Session: no cascade warning or onset yet" in _on_screen(app)
        assert _shipped_text() in _on_screen(app)

        app.ingest(events[0].venue, [events[0]])  # the feed's path: engine -> alerts -> scorecard
        show(app)
        await pilot.pause()
        line = app.main.query_one(ScorecardLines)._session
        assert line.startswith("Session: 1 warning") and "0 onsets" in line and "precision –" in line
        assert line in _on_screen(app)

        app.ingest(events[1].venue, [events[1]])
        show(app)
        await pilot.pause()
        line = app.main.query_one(ScorecardLines)._session
        assert "1 warning · 1 onset · precision 1/1 · recall 1/1" in line and line.endswith("lead 4 s")
        assert line in _on_screen(app)
        view = app.scorecard.card.view()
        assert (view.hits, view.caught, view.median_lead_s) == (1, 1, 4.0)


async def test_with_a_state_store_the_alerts_still_reach_the_scorecard(
    config_file: Path, tmp_path: Path
) -> None:
    events = demo_events()
    scripted = _Scripted(demo_engine(0), {0: [_alert("cascade_warning", events[0].exchange_ms)]})
    store, _ = StateStore.open(tmp_path / "state.sqlite3", wall_ms=events[0].exchange_ms)
    app = LiqtermApp(Config(), config_file, engine=scripted, store=store)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE):
        app.ingest("binance", list(events[:3]))
        assert app.scorecard.card.view().warnings == 1  # the cascade warning counted, the large alert not
        assert store.flush() and store.status().written == 3  # and the events were saved beside


async def test_s_opens_the_scorecard_with_the_backtest_and_its_data(config_file: Path) -> None:
    app = make_app(config_file)
    async with app.run_test(size=SIZE) as pilot:
        show(app)
        await pilot.press("s")
        assert isinstance(app.screen, ScorecardScreen)
        session = str(app.screen.query_one("#session").render())
        view = app.scorecard.card.view()
        assert view.warnings > 0 and view.hits == view.false == 0  # the demo's cascades still to come
        assert f"warnings     {view.warnings}: 0 hit · 0 false · {view.pending} open" in session
        shipped = str(app.screen.query_one("#shipped").render())
        assert "real Binance 2025-10-22 18:00-18:18 UTC (held out)" in shipped and "synthetic" in shipped
        real = next(r for r in shipped_summary() if not r["synthetic"] and r["scope"] == "notional")
        low, high = real["bss_ci"]
        assert f"{low:+.3f}..{high:+.3f}*" in shipped  # 18 min of real data: starred as too few blocks
        assert "too few for the interval to be trusted" in shipped
        synthetic = next(r for r in shipped_summary() if r["synthetic"] and r["scope"] == "notional")
        assert f"{synthetic['rival_caught']} {synthetic['rival']}" in shipped  # the best other, same false/h
        data = str(app.screen.query_one("#data").render())
        assert "demo-binance-2025-10-22.jsonl.gz" in data and "liqterm backtest" in data
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
    assert any(key == "s" for key, _ in KEYS)
    assert any(b.key == "s" and b.show for b in MainScreen.BINDINGS)  # in the footer


def test_the_lines_shorten_to_fit_and_stay_honest_about_small_counts() -> None:
    view = ScorecardView(3, 2, 1, 1, 1, 1, 0.5, 0.5, 4.0)
    assert session_line(view) == (
        "Session: 3 warnings (1 open) · 2 onsets · precision 1/2 · recall 1/2 · median lead 4 s"
    )
    assert session_line(view, 70) == "Session: 3 warnings · 2 onsets · precision 1/2 · recall 1/2 · lead 4 s"
    none = ScorecardView(1, 0, 0, 0, 1, 0, None, None, None)
    assert session_line(none, 70).endswith("precision – · recall – · lead –")
    rows = shipped_summary()
    assert shipped_line(rows, 70) == _shipped_text()
    assert shipped_line([]) == "Shipped model backtest: no figures found"


def test_the_session_view_is_worked_out_again_only_when_it_can_change(monkeypatch) -> None:
    score, reference = SessionScore(), Scorecard()
    worked = []
    original = Scorecard.view
    monkeypatch.setattr(Scorecard, "view", lambda self: worked.append(1) or original(self))
    for step in range(600):
        now = step * 700
        if step % 37 == 0:
            alerts = [_alert("cascade_warning", now, asset=f"A{step % 3}")]
            alerts += [_alert("cascade", now + 1, asset="A0")] if step % 74 == 0 else []
            alerts += [_alert("large", now)]
            for alert in alerts:
                score.on_alert(alert)
                reference.on_alert(alert)
        reference.advance(now)
        assert score.view(now) == original(reference), step
    assert len(worked) < 100  # not once per tick (600)

"""The app's own alerts: two bells for critical, one for high, at most one sound a second, key m
mutes (saved); sound files through a real player process; desktop notifications that never crash."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from liqterm.config import Config
from liqterm.config.schema import DesktopConfig, SoundConfig
from liqterm.engine import Engine
from liqterm.engine.alerts import Alert, Priority
from liqterm.model import Liquidation, Side
from liqterm.notify.local import Desktop, SoundPlan, osc_sequence
from liqterm.tui import app as app_module
from liqterm.tui.app import LiqtermApp


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


class BellCountingApp(LiqtermApp):
    """The real app; only the terminal bell is counted instead of written."""

    CSS_PATH = str(Path(app_module.__file__).with_name("liqterm.tcss"))
    bells = 0

    def bell(self) -> None:
        self.bells += 1


def _muted(path: Path) -> bool:
    return bool(tomllib.loads(path.read_text(encoding="utf-8"))["sound"]["muted"])


def _alert(priority: Priority, kind: str = "whale") -> Alert:
    return Alert(kind, priority, "BTC", f"{kind}:BTC", f"{kind} alert", 1_767_000_000_000)


async def test_critical_rings_twice_high_once_and_m_mutes_and_is_saved(config_file: Path) -> None:
    now = 1_767_225_600_000  # a Thursday, 00:00 UTC
    app = BellCountingApp(Config(), config_file, engine=Engine(Config()), clock=lambda: now)
    clock = Clock()
    assert app.local_alerts is not None
    app.local_alerts.plan = SoundPlan(clock=clock)
    async with app.run_test() as pilot:
        # An institutional liquidation through the pipeline, as a feed would bring it.
        huge = Liquidation("binance", "BTCUSDT", "BTC", Side.LONG, 100_000.0, 500.0, 50_000_000.0, now, now)
        app.ingest("binance", [huge])
        assert any(a.priority is Priority.CRITICAL for a in app.engine.snapshot().alerts)
        await pilot.pause(0.5)
        assert app.bells == 2
        app.local_alerts.on_alerts([_alert(Priority.HIGH)], None)
        assert app.bells == 2  # within the second: no sound
        clock.now += 1.0
        app.local_alerts.on_alerts([_alert(Priority.HIGH), _alert(Priority.NORMAL, "large")], None)
        assert app.bells == 3
        clock.now += 1.0
        app.local_alerts.on_alerts([_alert(Priority.NORMAL, "large")], None)
        assert app.bells == 3  # normal alerts make no sound
        await pilot.press("m")
        assert app.config.sound.muted is True
        assert _muted(config_file) is True
        clock.now += 1.0
        app.local_alerts.on_alerts([_alert(Priority.CRITICAL, "cascade")], None)
        await pilot.pause(0.4)
        assert app.bells == 3
        await pilot.press("m")
        assert _muted(config_file) is False
        clock.now += 1.0
        app.local_alerts.on_alerts([_alert(Priority.HIGH)], None)
        assert app.bells == 4


def _script(folder: Path, name: str, log: Path) -> Path:
    """A real program on PATH that writes its arguments to ``log``."""
    path = folder / name
    path.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\n', encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_a_sound_file_is_played_by_the_player_and_a_missing_one_falls_back_to_the_bell(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from liqterm.notify.local import Launcher, play

    played = tmp_path / "played.txt"
    player = _script(tmp_path, "paplay", played)
    sound = tmp_path / "critical.wav"
    sound.write_bytes(b"RIFF")
    clock = Clock()
    plan = SoundPlan(clock=clock, which=lambda name: str(player) if name == "paplay" else None)
    config = SoundConfig(critical=str(sound), high=str(tmp_path / "missing.wav"))
    cue = plan.cue([_alert(Priority.CRITICAL, "cascade")], config)
    assert cue is not None and cue.file == sound and cue.player == str(player)
    assert play(cue, Launcher())
    clock.now += 1.0
    cue = plan.cue([_alert(Priority.HIGH)], config)
    assert cue is not None and cue.file is None and cue.bells == 1
    assert "missing.wav: no such file; ringing the terminal bell instead" in caplog.text
    for _ in range(200):
        if played.exists():
            break
        import time

        time.sleep(0.01)
    assert played.read_text(encoding="utf-8").strip() == str(sound)
    assert plan.cue([_alert(Priority.CRITICAL)], SoundConfig(enabled=False)) is None


def test_desktop_notifications_by_escape_sequence_by_notify_send_or_not_at_all(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tty = tmp_path / "tty"
    tty.write_text("", encoding="utf-8")
    on = DesktopConfig(enabled=True, min_priority="high")
    osc9 = Desktop(on, {"TERM_PROGRAM": "WezTerm"}, which=lambda _: None, clock=Clock(), tty=str(tty))
    assert osc9.method == "osc9"
    assert not osc9.show([_alert(Priority.NORMAL, "large")])
    assert osc9.show([_alert(Priority.CRITICAL, "cascade")])
    assert tty.read_text(encoding="utf-8") == osc_sequence("osc9", "liqterm: BTC cascade", "cascade alert")
    assert osc_sequence("osc777", "a;b", "line\x1b]evil") == "\x1b]777;notify;a,b;line]evil\x1b\\"

    log = tmp_path / "notify-send.txt"
    sender = _script(tmp_path, "notify-send", log)
    os.environ["PATH"] = f"{tmp_path}{os.pathsep}{os.environ['PATH']}"
    try:
        desktop = Desktop(on, {"TERM": "xterm-256color"}, clock=Clock())
        assert desktop.method == "notify-send"
        assert desktop.show([_alert(Priority.HIGH)])
    finally:
        os.environ["PATH"] = os.environ["PATH"].split(os.pathsep, 1)[1]
    for _ in range(200):
        if log.exists():
            break
        import time

        time.sleep(0.01)
    assert "-u normal -a liqterm liqterm: BTC whale whale alert" in log.read_text(encoding="utf-8")
    assert sender.exists()

    nothing = Desktop(on, {"TERM": "dumb"}, which=lambda _: None)
    assert nothing.method == "" and not nothing.show([_alert(Priority.CRITICAL)])
    assert "notify-send is not installed" in caplog.text
    gone = Desktop(DesktopConfig(enabled=True, method="osc777"), {}, tty=str(tmp_path / "no" / "tty"))
    assert not gone.show([_alert(Priority.CRITICAL)]) and gone.method == ""

"""Alerts on the machine the app runs on: a sound per priority, and a desktop notification.

Only the interactive app uses these (never ``watch``, a replay or a backtest). What to play
is decided here, without the UI: the app rings its own terminal bell (Textual's
``App.bell()``) when :class:`SoundPlan` says so.

* Sound: critical alerts ring twice, high alerts once (or play ``[sound] critical`` /
  ``high``, an audio file, through a player found on this machine, without waiting for it);
  never more than one sound a second, nothing while muted (key ``m``).
* Desktop: the terminal's own notification sequence where the terminal is known to show
  it (OSC 9: iTerm2, WezTerm, Ghostty, kitty; OSC 777: foot, urxvt), else ``notify-send``
  when installed, else nothing (said once in the log). Never an exception to the caller.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from liqterm.config.schema import DesktopConfig, SoundConfig
from liqterm.engine.alerts import Alert, Priority

log = logging.getLogger(__name__)

MIN_GAP_S = 1.0
"""At most one sound (and one desktop notification) a second."""
PLAYERS = ("paplay", "pw-play", "aplay", "afplay")
OSC9_TERMINALS = ("iTerm.app", "WezTerm", "ghostty")
OSC9_TERMS = ("xterm-kitty", "xterm-ghostty")
OSC777_TERMS = ("foot", "rxvt")


@dataclass(frozen=True, slots=True)
class Cue:
    """One sound: the terminal bell ``bells`` times, or ``file`` played by ``player``."""

    priority: Priority
    bells: int = 0
    file: Path | None = None
    player: str | None = None


def most_urgent(alerts: Iterable[Alert], floor: str) -> Alert | None:
    """The most urgent alert at or above priority ``floor``, or ``None``."""
    least = Priority.parse(floor)
    found = [a for a in alerts if a.priority >= least]
    return max(found, key=lambda a: a.priority) if found else None


class SoundPlan:
    """Decides the sound for a batch of alerts: distinct per priority, rate limited, mutable."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, which: Callable[[str], str | None] = shutil.which
    ):
        self._clock = clock
        self._which = which
        self._last = float("-inf")
        self._warned: set[str] = set()

    def cue(self, alerts: Iterable[Alert], config: SoundConfig) -> Cue | None:
        """The sound for ``alerts`` now, or ``None`` (off, muted, nothing urgent, too soon)."""
        if not config.enabled or config.muted:
            return None
        alert = most_urgent(alerts, max(config.min_priority, "high", key=Priority.parse))
        if alert is None:
            return None
        now = self._clock()
        if now - self._last < MIN_GAP_S:
            return None
        self._last = now
        critical = alert.priority >= Priority.CRITICAL
        file = config.critical if critical else config.high
        bells = 2 if critical else 1
        if file:
            path, player = Path(file).expanduser(), config.player or self._player()
            if path.is_file() and player:
                return Cue(alert.priority, file=path, player=player)
            self._warn_once(
                str(path),
                f"cannot play {path}: "
                + ("no such file" if not path.is_file() else f"no audio player found ({', '.join(PLAYERS)})")
                + "; ringing the terminal bell instead",
            )
        return Cue(alert.priority, bells=bells)

    def _player(self) -> str | None:
        return next((found for found in map(self._which, PLAYERS) if found), None)

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning("sound: %s", message)


class Launcher:
    """Starts helper programs (an audio player, notify-send) without waiting, and reaps them."""

    def __init__(self) -> None:
        self._running: list[subprocess.Popen[bytes]] = []

    def start(self, argv: list[str]) -> bool:
        """Start ``argv`` detached from the terminal; ``False`` (logged) when it cannot start."""
        self._running = [p for p in self._running if p.poll() is None]
        try:
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as exc:
            log.warning("cannot start %s: %s", argv[0], exc.strerror or exc)
            return False
        self._running.append(process)
        return True


def play(cue: Cue, launcher: Launcher) -> bool:
    """Play ``cue``'s file (not waiting for it); ``False`` when the bell should ring instead."""
    if cue.file is None or cue.player is None:
        return False
    return launcher.start([cue.player, str(cue.file)])


def desktop_method(
    config: DesktopConfig, environ: Mapping[str, str], which: Callable[[str], str | None]
) -> str:
    """``osc9``, ``osc777``, ``notify-send`` or ``""`` (no way to show one here)."""
    if config.method != "auto":
        if config.method == "notify-send" and not which("notify-send"):
            return ""
        return config.method
    term, program = environ.get("TERM", ""), environ.get("TERM_PROGRAM", "")
    if program in OSC9_TERMINALS or term.startswith(OSC9_TERMS):
        return "osc9"
    if term.startswith(OSC777_TERMS):
        return "osc777"
    return "notify-send" if which("notify-send") else ""


def osc_sequence(method: str, title: str, body: str) -> str:
    """The terminal's notification escape sequence (control characters stripped from the text)."""
    title, body = _clean(title), _clean(body)
    if method == "osc777":
        return f"\x1b]777;notify;{title};{body}\x1b\\"
    return f"\x1b]9;{title}: {body}\x1b\\"


class Desktop:
    """Shows desktop notifications for alerts at or above ``min_priority``, at most one a second."""

    def __init__(
        self,
        config: DesktopConfig,
        environ: Mapping[str, str] | None = None,
        which: Callable[[str], str | None] = shutil.which,
        clock: Callable[[], float] = time.monotonic,
        tty: str = "/dev/tty",
        launcher: Launcher | None = None,
    ) -> None:
        self.config = config
        self.method = (
            desktop_method(config, os.environ if environ is None else environ, which)
            if config.enabled
            else ""
        )
        self._clock = clock
        self._tty = tty
        self._launcher = launcher or Launcher()
        self._last = float("-inf")
        if config.enabled and not self.method:
            log.warning(
                "desktop notifications: this terminal shows none (no OSC 9/777 support known) and "
                "notify-send is not installed; alerts stay on the screen"
            )

    def show(self, alerts: Iterable[Alert]) -> bool:
        """Notify about the most urgent of ``alerts``, if any qualifies; whether one was shown."""
        if not self.method:
            return False
        alert = most_urgent(alerts, self.config.min_priority)
        now = self._clock()
        if alert is None or now - self._last < MIN_GAP_S:
            return False
        self._last = now
        title = f"liqterm: {alert.asset} {alert.kind.replace('_', ' ')}"
        if self.method == "notify-send":
            urgency = "critical" if alert.priority >= Priority.CRITICAL else "normal"
            return self._launcher.start(["notify-send", "-u", urgency, "-a", "liqterm", title, alert.text])
        return self._write(osc_sequence(self.method, title, alert.text))

    def _write(self, sequence: str) -> bool:
        # One write to the terminal itself: the sequence arrives whole between the app's frames.
        try:
            fd = os.open(self._tty, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
        except OSError as exc:
            log.warning(
                "desktop notifications: cannot open %s (%s); switching them off", self._tty, exc.strerror
            )
            self.method = ""
            return False
        try:
            os.write(fd, sequence.encode("utf-8"))
        except OSError as exc:
            log.warning("desktop notifications: writing to %s failed (%s)", self._tty, exc.strerror)
            return False
        finally:
            os.close(fd)
        return True


def _clean(text: str) -> str:
    return "".join(ch for ch in text if ch >= " " and ch != "\x7f").replace(";", ",")[:200]

"""The app's own alerts on this machine: the bell (or a sound file) and a desktop notification.

A pipeline sink the app adds in live and demo mode only: ``watch``, a replay and a backtest
never ring. What to play is decided by :mod:`liqterm.notify.local`; the bell is Textual's
:meth:`App.bell`, rung twice for a critical alert.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from liqterm.engine import Alert
from liqterm.engine.alerts import Priority
from liqterm.model import Liquidation
from liqterm.notify.local import Desktop, Launcher, SoundPlan, play

if TYPE_CHECKING:
    from liqterm.tui.app import LiqtermApp

SECOND_BELL_S = 0.3
"""The gap between a critical alert's two bells (one would merge into the other)."""


class LocalAlerts:
    """Rings and notifies for the alerts the pipeline admits (reads the app's live config)."""

    def __init__(
        self, app: LiqtermApp, plan: SoundPlan | None = None, desktop: Desktop | None = None
    ) -> None:
        self.app = app
        self.plan = plan or SoundPlan()
        self.desktop = desktop or Desktop(app.config.desktop)
        self.launcher = Launcher()
        self.played = 0
        """Sounds made (bells or files), for the tests and the health screen."""

    def on_alerts(self, alerts: list[Alert], cause: Liquidation | None) -> None:
        app = self.app
        cue = self.plan.cue(alerts, app.config.sound)
        if cue is not None:
            self.played += 1
            if not play(cue, self.launcher):
                app.bell()
                if cue.bells > 1 or (cue.bells == 0 and cue.priority >= Priority.CRITICAL):
                    app.set_timer(SECOND_BELL_S, app.bell)
        if app.config.desktop.enabled:
            self.desktop.show(alerts)

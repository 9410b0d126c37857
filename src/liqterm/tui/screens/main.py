"""The main screen: banner, tape, cascade meters and scorecard, whale pane, alerts, venue health, footer.

The screen holds the state (``snapshot``, ``health``, ``now_ms``, ``telegram``,
``view``, ``paused_at``) in ``var``s; every pane is data-bound to what it shows
and redraws in its own watcher. Keys act on that state, open the other screens,
and save changed settings to the config file.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer

from liqterm.config.load import ConfigError
from liqterm.config.save import save_asset_thresholds, update_file
from liqterm.config.schema import CLASSES, AssetThresholds
from liqterm.engine import EngineSnapshot
from liqterm.notify.status import NotifyStatus
from liqterm.scorecard import ScorecardView
from liqterm.streams.health import VenueHealth
from liqterm.telegram.status import TelegramStatus
from liqterm.tui.thresholds import current_spec, scaled_spec, step_factor
from liqterm.tui.view import ViewFilter
from liqterm.tui.widgets.alerts_log import AlertsLog
from liqterm.tui.widgets.cascade_meters import CascadeMeters
from liqterm.tui.widgets.liquidation_tape import LiquidationTape
from liqterm.tui.widgets.scorecard_lines import ScorecardLines
from liqterm.tui.widgets.session_banner import SessionBanner
from liqterm.tui.widgets.venue_health import VenueHealthBar
from liqterm.tui.widgets.whale_pane import WhalePane

if TYPE_CHECKING:
    from liqterm.tui.app import LiqtermApp

log = logging.getLogger(__name__)


class MainScreen(Screen[None]):
    """The monitor."""

    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (120, "-wide")]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter"),
        Binding("1", "min_class(0)", "Min class", key_display="1-4"),
        Binding("2", "min_class(1)", "Min class large", show=False),
        Binding("3", "min_class(2)", "Min class whale", show=False),
        Binding("4", "min_class(3)", "Min class institutional", show=False),
        Binding("r", "toggle_retail", "Retail"),
        Binding("t", "thresholds", "Thresholds"),
        Binding("plus", "scale(1)", "Scale", key_display="+/-"),
        Binding("minus", "scale(-1)", "Scale down", show=False),
        Binding("p", "pause", "Pause"),
        Binding("space", "follow", "Follow"),
        Binding("w", "whales", "Whales"),
        Binding("a", "alerts", "Alerts"),
        Binding("h", "health", "Health"),
        Binding("s", "scorecard", "Scorecard"),
        Binding("m", "mute", "Mute", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
    ]

    snapshot: var[EngineSnapshot | None] = var(None, always_update=True)
    health: var[tuple[VenueHealth, ...]] = var((), always_update=True)
    now_ms: var[int] = var(0)
    telegram: var[TelegramStatus | None] = var(None)
    notifications: var[NotifyStatus | None] = var(None)
    """The ``[[notify]]`` destinations (shown in the health bar when there are any)."""
    persistence: var[str | None] = var(None)
    """Why state is not being saved, when it is not (``None`` while saving works)."""
    view: var[ViewFilter] = var(ViewFilter)
    badge: var[str] = var("")
    scorecard: var[ScorecardView | None] = var(None)
    """This session's cascade scorecard (the app's :class:`Scorecard`, viewed each tick)."""
    paused_at: var[int | None] = var(None)
    """The engine's sequence number when the tape was paused; ``None`` when following."""

    app: LiqtermApp  # type: ignore[assignment]

    meters_shown = 0
    """How many cascade meters the pane shows (fixed when composed; the tick builds no more)."""

    def compose(self) -> ComposeResult:
        config = self.app.config
        self.meters_shown = config.tui.meters
        self.set_reactive(MainScreen.view, ViewFilter(config.tui.min_class, config.tui.hide_retail))
        yield SessionBanner(id="banner").data_bind(
            MainScreen.snapshot, MainScreen.now_ms, MainScreen.paused_at, MainScreen.badge
        )
        with Horizontal(id="body"):
            yield LiquidationTape(config.tui.tape_rows, id="tape").data_bind(
                MainScreen.snapshot, MainScreen.view
            )
            with Vertical(id="side"):
                meters = CascadeMeters(
                    config.tui.meters, config.alerts.possible, config.alerts.warning, id="meters"
                )
                meters.border_title = "Cascade meters · P(cascade within 60 s)"
                yield meters.data_bind(MainScreen.snapshot)
                yield ScorecardLines(self.app.shipped, id="scorecard").data_bind(view=MainScreen.scorecard)
                whales = WhalePane(id="whales")
                whales.border_title = "Whales · 24 h"
                yield whales.data_bind(MainScreen.snapshot)
        alerts = AlertsLog(id="alerts")
        alerts.border_title = "Alerts"
        yield alerts.data_bind(MainScreen.snapshot)
        yield VenueHealthBar(id="health").data_bind(
            MainScreen.health,
            MainScreen.now_ms,
            MainScreen.telegram,
            MainScreen.persistence,
            MainScreen.notifications,
        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(LiquidationTape).focus()

    @property
    def tape(self) -> LiquidationTape:
        return self.query_one(LiquidationTape)

    def selected_asset(self) -> str | None:
        """The asset under the cursor of the focused pane (the tape's by default)."""
        focused = self.focused
        if isinstance(focused, CascadeMeters | WhalePane) and focused.selected_asset:
            return focused.selected_asset
        row = self.tape.selected
        return row.event.asset if row is not None else None

    # -- view keys -----------------------------------------------------------------------------

    def watch_paused_at(self, paused_at: int | None) -> None:
        self.tape.paused = paused_at is not None

    def action_pause(self) -> None:
        if self.paused_at is None:
            self.paused_at = self.snapshot.seq if self.snapshot is not None else 0
        else:
            self.paused_at = None

    def action_follow(self) -> None:
        self.paused_at = None
        self.tape.follow()

    def action_min_class(self, rank: int) -> None:
        self._set_view(dataclasses.replace(self.view, min_class=CLASSES[rank]))

    def action_toggle_retail(self) -> None:
        self._set_view(dataclasses.replace(self.view, hide_retail=not self.view.hide_retail))

    def _set_view(self, view: ViewFilter) -> None:
        self.view = view
        self._save({"tui.min_class": view.min_class, "tui.hide_retail": view.hide_retail}, quiet=True)

    def action_mute(self) -> None:
        """Key m: the alert sound off or on again (saved)."""
        muted = not self.app.config.sound.muted
        self._save({"sound.muted": muted}, quiet=True)
        if self.app.config.sound.muted == muted:
            self.notify("Alert sound muted (m to unmute)" if muted else "Alert sound on")

    def action_filter(self) -> None:
        from liqterm.tui.screens.filter import FilterScreen

        def chosen(view: ViewFilter | None) -> None:
            if view is not None:
                self.view = view

        self.app.push_screen(FilterScreen(self.view), chosen)

    # -- thresholds ----------------------------------------------------------------------------

    def action_thresholds(self) -> None:
        from liqterm.tui.screens.threshold_editor import ThresholdEditor

        def saved(asset: str | None) -> None:
            if asset is not None:
                self.notify(f"{asset} thresholds saved to {self.app.config_path}")

        editor = ThresholdEditor(
            self.app.config, self.selected_asset() or "", self.save_thresholds, self.app.threshold_note
        )
        self.app.push_screen(editor, saved)

    def action_scale(self, direction: int) -> None:
        asset = self.selected_asset()
        if asset is None:
            self.notify("Select an event, meter or whale row first.", severity="warning")
            return
        factor = step_factor(self.app.config.tui.threshold_step, direction > 0)
        spec = scaled_spec(current_spec(self.app.config, asset), factor)
        problem = self.save_thresholds(asset, spec)
        if problem is None:
            self.notify(
                f"{asset}: base {spec.base:,.0f} · whale {spec.whale:,.0f} · cascade {spec.cascade:,.0f}"
            )

    def save_thresholds(self, asset: str, spec: AssetThresholds) -> str | None:
        """Save one asset's thresholds and apply them; the problem in words, or ``None``."""
        try:
            config = save_asset_thresholds(self.app.config_path, asset, spec)
        except (ConfigError, OSError) as exc:
            log.warning("saving thresholds for %s failed: %s", asset, exc)
            return f"not saved: {exc}"
        self.app.apply_config(config)
        return None

    def _save(self, updates: dict[str, object], quiet: bool = False) -> None:
        try:
            self.app.apply_config(update_file(self.app.config_path, updates))
        except (ConfigError, OSError) as exc:
            log.warning("saving %s failed: %s", sorted(updates), exc)
            self.notify(f"Settings not saved: {exc}", severity="error")
            return
        if not quiet:
            self.notify(f"Saved to {self.app.config_path}")

    # -- other screens -------------------------------------------------------------------------

    def action_whales(self) -> None:
        self.add_class("-show-whales")
        self.query_one(WhalePane).focus()

    def action_alerts(self) -> None:
        from liqterm.tui.screens.alerts import AlertsScreen

        self.app.push_screen(AlertsScreen())

    def action_health(self) -> None:
        from liqterm.tui.screens.health_detail import HealthDetailScreen

        self.app.push_screen(HealthDetailScreen(self.health, self.now_ms, self.telegram))

    def action_scorecard(self) -> None:
        from liqterm.tui.screens.scorecard import ScorecardScreen

        app = self.app
        self.app.push_screen(ScorecardScreen(app.scorecard, app.shipped_figures, app.shipped))

    def action_help(self) -> None:
        from liqterm.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    @on(LiquidationTape.RowSelected)
    def show_event(self, message: LiquidationTape.RowSelected) -> None:
        from liqterm.tui.screens.event_detail import EventDetailScreen

        # The tick's snapshots leave out the correlations: a fresh one has them (and no meters).
        self.app.push_screen(EventDetailScreen(message.row, self.app.engine.snapshot(max_meters=0)))

    def on_descendant_focus(self) -> None:
        if not isinstance(self.focused, WhalePane):
            self.remove_class("-show-whales")

"""The typed configuration: frozen dataclasses with the shipped defaults.

Every field here is documented in ``config.example.toml``; the loader in
:mod:`liqterm.config.load` maps TOML tables onto these classes by name and
reports anything it cannot map with its dotted key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from liqterm.model import VENUE_IDS

CLASSES: tuple[str, ...] = ("retail", "large", "whale", "institutional")
"""Event classes, smallest first."""

PRIORITIES: tuple[str, ...] = ("info", "normal", "high", "critical")
"""Alert priorities, lowest first."""

SESSIONS: tuple[str, ...] = ("asian", "european", "us", "weekend")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """USD sizes that make an event large (``base``), a whale, or institutional (``cascade``).

    ``cascade`` is also the 60-second liquidated USD at which the asset is in a cascade.
    """

    base: float = 50_000.0
    whale: float = 100_000.0
    cascade: float = 150_000.0

    def scaled(self, multiplier: float) -> Thresholds:
        return Thresholds(self.base * multiplier, self.whale * multiplier, self.cascade * multiplier)


@dataclass(frozen=True, slots=True)
class SessionMultipliers:
    """Threshold multipliers per trading session (thinner books need smaller thresholds)."""

    asian: float = 0.7
    european: float = 0.9
    us: float = 1.0
    weekend: float = 0.5

    def of(self, session: str) -> float:
        return float(getattr(self, session))


@dataclass(frozen=True, slots=True)
class AssetThresholds:
    """One asset's thresholds and, optionally, its own session multipliers."""

    base: float
    whale: float
    cascade: float
    sessions: SessionMultipliers | None = None

    @property
    def thresholds(self) -> Thresholds:
        return Thresholds(self.base, self.whale, self.cascade)


def _default_assets() -> Mapping[str, AssetThresholds]:
    return MappingProxyType(
        {
            "BTC": AssetThresholds(500_000.0, 1_000_000.0, 2_500_000.0),
            "ETH": AssetThresholds(250_000.0, 500_000.0, 1_000_000.0),
            "SOL": AssetThresholds(100_000.0, 200_000.0, 400_000.0),
            "ADA": AssetThresholds(50_000.0, 100_000.0, 150_000.0),
            "DOT": AssetThresholds(50_000.0, 100_000.0, 150_000.0),
        }
    )


@dataclass(frozen=True, slots=True)
class ThresholdConfig:
    """Thresholds for every asset: named assets, a default for the rest, session multipliers."""

    default: Thresholds = field(default_factory=Thresholds)
    sessions: SessionMultipliers = field(default_factory=SessionMultipliers)
    assets: Mapping[str, AssetThresholds] = field(default_factory=_default_assets)

    def for_asset(self, asset: str) -> Thresholds:
        spec = self.assets.get(asset)
        return spec.thresholds if spec else self.default

    def multiplier(self, asset: str, session: str) -> float:
        spec = self.assets.get(asset)
        if spec is not None and spec.sessions is not None:
            return spec.sessions.of(session)
        return self.sessions.of(session)

    def scaled(self, asset: str, session: str) -> Thresholds:
        return self.for_asset(asset).scaled(self.multiplier(asset, session))


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Windows of the engine's detectors, in seconds of event time."""

    correlation_window_s: float = 10.0
    dislocation_bps: float = 75.0
    dedup_horizon_s: float = 900.0
    max_future_skew_s: float = 120.0
    recent_events: int = 500
    alert_log: int = 200


@dataclass(frozen=True, slots=True)
class AlertConfig:
    """What becomes an alert, and how duplicates are suppressed."""

    min_class: str = "large"
    cooldown_s: float = 60.0
    possible: float = 0.15
    """Calibrated chance of a cascade within 60 s that raises a "possible" warning."""
    warning: float = 0.25


@dataclass(frozen=True, slots=True)
class CascadeConfig:
    """The cascade predictor shown in the app and used for warnings."""

    predictor: str = "liqterm"
    horizon_s: float = 60.0
    evaluate_every_ms: int = 250


@dataclass(frozen=True, slots=True)
class LabelMinimums:
    """N_min of the backtest's D1 cascade label per scope: the fewest events in 60 s that count
    as a cascade however quiet the scope was (see docs/prediction.md, "Ground truth")."""

    union: float = 100.0
    binance: float = 100.0
    bybit: float = 30.0
    okx: float = 30.0
    gateio: float = 20.0
    bitget: float = 20.0
    asset: float = 10.0


@dataclass(frozen=True, slots=True)
class BacktestConfig:
    """How ``liqterm backtest`` labels cascade onsets (``--n-min`` overrides per run)."""

    n_min: LabelMinimums = field(default_factory=LabelMinimums)


@dataclass(frozen=True, slots=True)
class VenueConfig:
    """One venue's switch, for tests and mirrors its websocket URL, and the symbols whose
    mark prices ride on its connection (``("*",)``: every symbol; see MARK_PRICE_VENUES)."""

    enabled: bool = True
    url: str | None = None
    mark_prices: tuple[str, ...] = ()


MARK_PRICE_VENUES: Mapping[str, tuple[bool, int]] = MappingProxyType(
    {"binance": (True, 1000), "bybit": (False, 50)}
)
"""Venues whose adapter can subscribe mark prices on its liquidation connection, each with
whether it has an all-symbol stream (``["*"]``) and how many symbols may be listed: Binance
carries 1024 streams a connection (the liquidations take one); Bybit pushes each ticker up
to 10 times a second, so 50 already means 500 frames a second. A test keeps this equal to
the adapters' own ``mark_price_frames``; the config reads it without importing the venues."""


def _default_venues() -> Mapping[str, VenueConfig]:
    return MappingProxyType({venue: VenueConfig() for venue in VENUE_IDS})


@dataclass(frozen=True, slots=True)
class TuiConfig:
    """The terminal app's view settings (also changed from the keyboard)."""

    tick_hz: float = 5.0
    tape_rows: int = 500
    meters: int = 12
    pinned: tuple[str, ...] = ("BTC", "ETH")
    min_class: str = "retail"
    hide_retail: bool = False
    threshold_step: float = 0.1


@dataclass(frozen=True, slots=True)
class TelegramKinds:
    """Which alert kinds go to Telegram."""

    large: bool = False
    whale: bool = True
    institutional: bool = True
    cross_venue: bool = True
    cascade_warning: bool = True


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    """Forwarding of alerts to Telegram. The token is NEVER read from this file."""

    enabled: bool = False
    chat_ids: tuple[int, ...] = ()
    min_priority: str = "high"
    kinds: TelegramKinds = field(default_factory=TelegramKinds)
    digest_after: int = 5
    api_url: str = "https://api.telegram.org"
    token_file: str | None = None
    max_age_s: float = 900.0
    per_chat_per_s: float = 1.0
    per_group_per_min: float = 20.0
    global_per_s: float = 30.0


ALERT_KINDS: tuple[str, ...] = (
    "large",
    "whale",
    "institutional",
    "cross_venue",
    "dislocation",
    "cascade_warning",
    "cascade",
)
"""Every kind of alert the engine raises (``cascade`` is an onset)."""


@dataclass(frozen=True, slots=True)
class NotifyConfig:
    """One ``[[notify]]`` destination, reached through Apprise (Discord, Slack, ntfy, e-mail...).

    Exactly one of ``url`` (in this file: only for URLs without a secret), ``url_file`` (a
    file only its owner can read) or ``url_env`` (the name of an environment variable).
    """

    name: str | None = None
    url: str | None = None
    url_file: str | None = None
    url_env: str | None = None
    enabled: bool = True
    min_priority: str = "high"
    kinds: tuple[str, ...] = ()
    """Only these alert kinds (empty: every kind)."""
    assets: tuple[str, ...] = ()
    """Only alerts about these assets (empty: every asset)."""
    digest_after: int = 5
    max_age_s: float = 900.0
    per_minute: float = 30.0
    """Messages a minute at most, evenly spaced (0: no limit)."""
    max_failures: int = 8
    """Failed sends in a row after which this destination stops until a restart (0: never)."""


@dataclass(frozen=True, slots=True)
class SoundConfig:
    """A sound for high and critical alerts while the app is open (never in watch or replay)."""

    enabled: bool = True
    muted: bool = False
    """Key m (saved)."""
    min_priority: str = "high"
    critical: str | None = None
    """An audio file for critical alerts (default: the terminal bell, twice)."""
    high: str | None = None
    """An audio file for high alerts (default: the terminal bell)."""
    player: str | None = None
    """The command that plays a file (default: the first of paplay, pw-play, aplay, afplay found)."""


@dataclass(frozen=True, slots=True)
class DesktopConfig:
    """Desktop notifications for alerts while the app is open."""

    enabled: bool = False
    min_priority: str = "critical"
    method: str = "auto"
    """``auto``, ``osc9``, ``osc777`` (the terminal's own notifications) or ``notify-send``."""


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration; ``Config()`` is the shipped default."""

    thresholds: ThresholdConfig = field(default_factory=ThresholdConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)
    alerts: AlertConfig = field(default_factory=AlertConfig)
    cascade: CascadeConfig = field(default_factory=CascadeConfig)
    venues: Mapping[str, VenueConfig] = field(default_factory=_default_venues)
    tui: TuiConfig = field(default_factory=TuiConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    backtest: BacktestConfig = field(default_factory=BacktestConfig)
    notify: tuple[NotifyConfig, ...] = ()
    sound: SoundConfig = field(default_factory=SoundConfig)
    desktop: DesktopConfig = field(default_factory=DesktopConfig)

"""Immutable views of the engine's state, built on demand for screens and reports.

A snapshot shares nothing mutable with the engine: the TUI can hold it across
ticks, a worker can hand it to another thread, and tests can build one by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from liqterm.config.schema import Thresholds
from liqterm.engine.alerts import Alert
from liqterm.model import Liquidation

_EMPTY: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """The trading session at a moment of event time, and when the next one starts."""

    name: str
    multiplier: float
    starts_ms: int
    next_name: str
    next_at_ms: int

    def countdown_ms(self, at_ms: int) -> int:
        return max(0, self.next_at_ms - at_ms)


@dataclass(frozen=True, slots=True)
class TapeRow:
    """One event as the tape shows it. ``seq`` is unique per engine and keys the row."""

    seq: int
    event: Liquidation
    cls: str
    session: str
    correlated: bool


@dataclass(frozen=True, slots=True)
class AssetMeter:
    """Per-asset rolling figures and the cascade predictor's view.

    USD figures are split by the liquidated side over 10 s, 60 s, 5 min and 1 h of
    event time; ``venues_60s`` breaks the last minute's USD down by venue.
    """

    asset: str
    probability: float
    trend: int
    cascade_active: bool
    long_10s: float
    short_10s: float
    long_60s: float
    short_60s: float
    long_5m: float
    short_5m: float
    long_1h: float
    short_1h: float
    events_per_min: int
    venues_60s: Mapping[str, float]
    thresholds: Thresholds
    last_price: float
    last_ms: int


@dataclass(frozen=True, slots=True)
class WhaleStats:
    """Whale and institutional activity over the last 24 h of event time."""

    asset: str
    count: int
    long_usd: float
    short_usd: float
    dominant: str
    largest: Liquidation | None
    last_major: Liquidation | None


@dataclass(frozen=True, slots=True)
class Correlation:
    """An asset liquidating on several venues within the correlation window."""

    asset: str
    venues: tuple[str, ...]
    sides: tuple[str, ...]
    combined_usd: float
    first_ms: int
    last_ms: int


@dataclass(frozen=True, slots=True)
class EngineSnapshot:
    """Everything a screen needs, at the engine's current event time ``at_ms``."""

    at_ms: int
    seq: int
    session: SessionInfo | None
    meters: tuple[AssetMeter, ...] = ()
    whales: tuple[WhaleStats, ...] = ()
    whales_all: WhaleStats | None = None
    recent: tuple[TapeRow, ...] = ()
    alerts: tuple[Alert, ...] = ()
    correlations: tuple[Correlation, ...] = ()
    alert_counts: Mapping[str, int] = field(default_factory=lambda: _EMPTY)
    suppressed: Mapping[str, int] = field(default_factory=lambda: _EMPTY)
    suppressed_total: int = 0
    events_total: int = 0
    duplicates: int = 0
    rejected: int = 0
    venue_events: Mapping[str, int] = field(default_factory=lambda: _EMPTY)
    rejects: Mapping[str, Mapping[str, int]] = field(default_factory=lambda: MappingProxyType({}))
    """Events the engine refused, per venue and reason (bad price/size, implausible time)."""

"""The pure liquidation engine: events in, state and alerts out. No I/O, no clocks, no UI."""

from liqterm.engine.alerts import Alert, Priority
from liqterm.engine.snapshot import (
    AssetMeter,
    Correlation,
    EngineSnapshot,
    SessionInfo,
    TapeRow,
    WhaleStats,
)

__all__ = [
    "Alert",
    "AssetMeter",
    "Correlation",
    "EngineSnapshot",
    "Priority",
    "SessionInfo",
    "TapeRow",
    "WhaleStats",
]

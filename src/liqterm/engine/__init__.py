"""The pure liquidation engine: events in, state and alerts out. No I/O, no clocks, no UI."""

from liqterm.engine.alerts import Alert, Priority
from liqterm.engine.engine import Engine
from liqterm.engine.sessions import Session, session_at, session_info
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
    "Engine",
    "EngineSnapshot",
    "Priority",
    "Session",
    "SessionInfo",
    "TapeRow",
    "WhaleStats",
    "session_at",
    "session_info",
]

"""The pure liquidation engine: events in, state and alerts out. No I/O, no clocks, no UI."""

from liqterm.engine import engine as _engine_module
from liqterm.engine.alerts import Alert, Priority
from liqterm.engine.engine import Engine
from liqterm.engine.outcome import DUPLICATE, IngestResult
from liqterm.engine.sessions import Session, session_at, session_info
from liqterm.engine.snapshot import (
    AssetMeter,
    Correlation,
    EngineSnapshot,
    SessionInfo,
    TapeRow,
    WhaleStats,
)

COMPILED: bool = not _engine_module.__file__.endswith(".py")
"""Whether the engine's hot path runs compiled (mypyc, see setup.py) or as plain Python."""

__all__ = [
    "COMPILED",
    "DUPLICATE",
    "Alert",
    "AssetMeter",
    "Correlation",
    "Engine",
    "EngineSnapshot",
    "IngestResult",
    "Priority",
    "Session",
    "SessionInfo",
    "TapeRow",
    "WhaleStats",
    "session_at",
    "session_info",
]

"""Plain-text cell formatting for the app: times, ages, countdowns, side and class words."""

from __future__ import annotations

import time

CLASS_SHORT = {"retail": "retail", "large": "large", "whale": "WHALE", "institutional": "INST"}
"""Narrow class labels; the long form is the class name itself."""


def hms(ms: int) -> str:
    """``HH:MM:SS`` of an epoch-ms instant in UTC."""
    seconds = ms // 1000 % 86_400  # the tape formats hundreds per tick: no struct_time
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def stamp(ms: int) -> str:
    """``YYYY-MM-DD HH:MM:SS.mmm UTC`` of an epoch-ms instant (detail screens)."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d} UTC"


def age(ms: int | None, now_ms: int) -> str:
    """How long ago ``ms`` was, compactly (``4s``, ``12m``, ``3h``); ``never`` for ``None``."""
    if ms is None:
        return "never"
    seconds = max(0, now_ms - ms) // 1000
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def countdown(ms: int) -> str:
    """A duration as ``2h 08m`` (or ``8m 05s`` under an hour)."""
    seconds = max(0, ms) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {seconds:02d}s"


def side_word(side: str) -> str:
    """``LONG`` or ``SHORT``: the liquidated position in words, never colour alone."""
    return side.upper()

"""Where liqterm keeps its files: config, data (state, outbox), cache (instruments), logs."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "liqterm"
ENV_CONFIG = "LIQTERM_CONFIG"


def config_path(explicit: str | Path | None = None) -> Path:
    """``--config PATH``, else ``$LIQTERM_CONFIG``, else the platform's user config dir."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env).expanduser()
    return platformdirs.user_config_path(APP, appauthor=False) / "config.toml"


def data_dir() -> Path:
    """State that must survive a restart (SQLite), created on demand."""
    return platformdirs.user_data_path(APP, appauthor=False)


def cache_dir() -> Path:
    """Re-fetchable data (instrument lists)."""
    return platformdirs.user_cache_path(APP, appauthor=False)


def log_dir() -> Path:
    """The rotating log file's folder."""
    return platformdirs.user_log_path(APP, appauthor=False)

"""Configuration: typed schema, validating loader, atomic comment-keeping saver, paths."""

from liqterm.config.load import ConfigError, load, loads
from liqterm.config.paths import config_path
from liqterm.config.schema import (
    CLASSES,
    PRIORITIES,
    SESSIONS,
    AlertConfig,
    AssetThresholds,
    CascadeConfig,
    Config,
    EngineConfig,
    SessionMultipliers,
    TelegramConfig,
    TelegramKinds,
    ThresholdConfig,
    Thresholds,
    TuiConfig,
    VenueConfig,
)

__all__ = [
    "CLASSES",
    "PRIORITIES",
    "SESSIONS",
    "AlertConfig",
    "AssetThresholds",
    "CascadeConfig",
    "Config",
    "ConfigError",
    "EngineConfig",
    "SessionMultipliers",
    "TelegramConfig",
    "TelegramKinds",
    "ThresholdConfig",
    "Thresholds",
    "TuiConfig",
    "VenueConfig",
    "config_path",
    "load",
    "loads",
]

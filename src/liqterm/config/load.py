"""Read a TOML file into :class:`~liqterm.config.schema.Config`, or say exactly what is wrong.

Every problem is a :class:`ConfigError` naming the dotted key, what was expected
and what was found, so the CLI can print one line and exit 2 with no traceback.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from liqterm.config.schema import (
    CLASSES,
    MARK_PRICE_VENUES,
    PRIORITIES,
    AlertConfig,
    AssetThresholds,
    BacktestConfig,
    CascadeConfig,
    Config,
    DesktopConfig,
    EngineConfig,
    NotifyConfig,
    SessionMultipliers,
    SoundConfig,
    TelegramConfig,
    ThresholdConfig,
    Thresholds,
    TuiConfig,
    VenueConfig,
)
from liqterm.config.urls import transport_problem
from liqterm.model import VENUE_IDS

PREDICTORS: tuple[str, ...] = ("liqterm", "seed", "hawkes")
"""``hawkes`` is the former name of ``liqterm`` (still accepted)."""


class ConfigError(ValueError):
    """A bad configuration value, with the dotted key that holds it."""

    def __init__(self, key: str, expected: str, found: object) -> None:
        self.key = key
        self.expected = expected
        self.found = found
        shown = found if isinstance(found, str) and found.startswith("<") else repr(found)
        super().__init__(f"{key}: expected {expected}, found {shown}")


def load(path: str | Path) -> Config:
    """Read and validate a config file. An absent file gives the defaults.

    Raises:
        ConfigError: on unreadable files, TOML syntax errors, unknown keys and bad values.
    """
    file = Path(path)
    if not file.exists():
        return Config()
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(file), "a readable UTF-8 file", f"<{exc.__class__.__name__}>") from None
    return loads(text)


def loads(text: str) -> Config:
    """Validate TOML text (see :func:`load`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("<file>", "valid TOML", f"<{exc}>") from None
    return from_dict(data)


def from_dict(data: Mapping[str, Any]) -> Config:
    """Build a :class:`Config` from already-parsed TOML data."""
    _check_table(data, "")
    known = {f.name for f in dataclasses.fields(Config)}
    _reject_unknown(data, known, "")
    kwargs: dict[str, Any] = {}
    if "thresholds" in data:
        kwargs["thresholds"] = _thresholds(data["thresholds"], "thresholds")
    if "venues" in data:
        kwargs["venues"] = _venues(data["venues"], "venues")
    for name, cls in (
        ("engine", EngineConfig),
        ("alerts", AlertConfig),
        ("cascade", CascadeConfig),
        ("tui", TuiConfig),
        ("telegram", TelegramConfig),
        ("backtest", BacktestConfig),
        ("sound", SoundConfig),
        ("desktop", DesktopConfig),
    ):
        if name in data:
            kwargs[name] = _dataclass(cls, data[name], name)
    if "notify" in data:
        if not isinstance(data["notify"], list):
            raise ConfigError("notify", "[[notify]] tables (one per destination)", "<a single table>")
        kwargs["notify"] = _value(tuple[NotifyConfig, ...], data["notify"], "notify")
    config = Config(**kwargs)
    _check_rules(config)
    return config


# -- generic mapping of tables onto dataclasses -------------------------------------------------


def _dataclass(cls: type, table: object, key: str, base: object | None = None) -> Any:
    """Map ``table`` onto ``cls``; missing fields come from ``base`` (or the class default)."""
    _check_table(table, key)
    assert isinstance(table, Mapping)
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    _reject_unknown(table, set(names), key)
    values: dict[str, Any] = {}
    for name in names:
        if name in table:
            values[name] = _value(hints[name], table[name], _join(key, name))
        elif base is not None:
            values[name] = getattr(base, name)
    return cls(**values)


def _value(hint: Any, raw: object, key: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _value(options[0], raw, key)
    if dataclasses.is_dataclass(hint):
        return _dataclass(hint, raw, key)  # type: ignore[arg-type]
    if origin is tuple:
        item = typing.get_args(hint)[0]
        if not isinstance(raw, list):
            raise ConfigError(key, f"a list of {_type_name(item)}", raw)
        return tuple(_value(item, element, f"{key}[{i}]") for i, element in enumerate(raw))
    if hint is bool:
        if not isinstance(raw, bool):
            raise ConfigError(key, "true or false", raw)
        return raw
    if hint is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ConfigError(key, "an integer", raw)
        return raw
    if hint is float:
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            raise ConfigError(key, "a finite number", raw)
        return float(raw)
    if hint is str:
        if not isinstance(raw, str):
            raise ConfigError(key, "a string", raw)
        return raw
    raise TypeError(f"no loader for {hint!r} at {key}")  # a schema bug, not a user error


def _type_name(hint: Any) -> str:
    return {int: "integers", float: "numbers", str: "strings", bool: "booleans"}.get(hint, "values")


def _check_table(table: object, key: str) -> None:
    if not isinstance(table, Mapping):
        raise ConfigError(key or "<file>", "a table", table)


def _reject_unknown(table: Mapping[str, Any], known: set[str], key: str) -> None:
    for name in table:
        if _join(key, name) == "telegram.token":
            raise ConfigError(
                "telegram.token",
                "no token in the config file: set LIQTERM_TELEGRAM_TOKEN or telegram.token_file",
                "<a token, not shown>",
            )
        if name not in known:
            raise ConfigError(
                _join(key, name), f"one of the known keys ({', '.join(sorted(known))})", "<unknown key>"
            )


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


# -- tables keyed by data rather than by schema -------------------------------------------------


def _thresholds(table: object, key: str) -> ThresholdConfig:
    _check_table(table, key)
    assert isinstance(table, Mapping)
    _reject_unknown(table, {"default", "sessions", "assets"}, key)
    shipped = ThresholdConfig()
    default = (
        _dataclass(Thresholds, table["default"], f"{key}.default", shipped.default)
        if "default" in table
        else shipped.default
    )
    sessions = (
        _dataclass(SessionMultipliers, table["sessions"], f"{key}.sessions", shipped.sessions)
        if "sessions" in table
        else shipped.sessions
    )
    assets = dict(shipped.assets)
    raw_assets = table.get("assets", {})
    _check_table(raw_assets, f"{key}.assets")
    for name, spec in raw_assets.items():
        asset_key = f"{key}.assets.{name}"
        if not name or not name.isascii() or not name.replace("_", "").isalnum():
            raise ConfigError(asset_key, "an asset name such as BTC", name)
        asset = name.upper()
        _check_table(spec, asset_key)
        _reject_unknown(spec, {"base", "whale", "cascade", "sessions"}, asset_key)
        start = assets.get(asset) or AssetThresholds(default.base, default.whale, default.cascade)
        numbers = {
            field: _value(float, spec[field], f"{asset_key}.{field}")
            if field in spec
            else getattr(start, field)
            for field in ("base", "whale", "cascade")
        }
        own_sessions = start.sessions
        if "sessions" in spec:
            own_sessions = _dataclass(SessionMultipliers, spec["sessions"], f"{asset_key}.sessions", sessions)
        assets[asset] = AssetThresholds(**numbers, sessions=own_sessions)
    return ThresholdConfig(default=default, sessions=sessions, assets=MappingProxyType(assets))


def _venues(table: object, key: str) -> Mapping[str, VenueConfig]:
    _check_table(table, key)
    assert isinstance(table, Mapping)
    _reject_unknown(table, set(VENUE_IDS), key)
    venues = {venue: VenueConfig() for venue in VENUE_IDS}
    for name, spec in table.items():
        venues[name] = _dataclass(VenueConfig, spec, f"{key}.{name}")
        url = venues[name].url
        if url is not None and transport_problem(url, "wss", "ws"):
            # TLS stays on for real venues; plain ws:// is for the local fake servers only
            raise ConfigError(
                f"{key}.{name}.url", "a ws:// or wss:// URL (ws:// for a loopback host only)", url
            )
        _check_mark_prices(venues[name].mark_prices, name, f"{key}.{name}.mark_prices")
    return MappingProxyType(venues)


def _check_mark_prices(symbols: tuple[str, ...], venue: str, key: str) -> None:
    if not symbols:
        return
    if venue not in MARK_PRICE_VENUES:
        supported = ", ".join(MARK_PRICE_VENUES)
        raise ConfigError(
            key, f"no symbols (liqterm subscribes mark prices on {supported} only)", list(symbols)
        )
    has_all, most = MARK_PRICE_VENUES[venue]
    for symbol in symbols:
        # USDT perpetuals, as the venue writes them: the measurement reads one series per asset
        perpetual = symbol.isascii() and symbol.isalnum() and symbol.isupper() and symbol.endswith("USDT")
        if symbol != "*" and not perpetual:
            raise ConfigError(key, 'USDT perpetuals such as "BTCUSDT", or ["*"] for every symbol', symbol)
    if "*" in symbols and not has_all:
        raise ConfigError(key, f"the symbols listed ({venue} has no all-symbol mark-price stream)", "*")
    if "*" in symbols and len(symbols) > 1:
        raise ConfigError(key, '["*"] alone (it already means every symbol)', list(symbols))
    if len(set(symbols)) != len(symbols):
        raise ConfigError(key, "each symbol once", list(symbols))
    if len(symbols) > most:
        raise ConfigError(key, f"at most {most} symbols on {venue}", f"{len(symbols)} symbols")


# -- rules across fields ------------------------------------------------------------------------


def _check_rules(config: Config) -> None:
    t = config.thresholds
    _ordered(t.default.base, t.default.whale, t.default.cascade, "thresholds.default")
    _positive_sessions(t.sessions, "thresholds.sessions")
    for asset, spec in t.assets.items():
        _ordered(spec.base, spec.whale, spec.cascade, f"thresholds.assets.{asset}")
        if spec.sessions is not None:
            _positive_sessions(spec.sessions, f"thresholds.assets.{asset}.sessions")
    e = config.engine
    for name in ("correlation_window_s", "dedup_horizon_s", "max_future_skew_s", "dislocation_bps"):
        _positive(getattr(e, name), f"engine.{name}")
    if e.correlation_window_s > 60:
        raise ConfigError("engine.correlation_window_s", "at most 60 seconds", e.correlation_window_s)
    for name in ("recent_events", "alert_log"):
        _positive(getattr(e, name), f"engine.{name}")
    a = config.alerts
    _choice(a.min_class, CLASSES[1:], "alerts.min_class")
    _positive(a.cooldown_s, "alerts.cooldown_s", allow_zero=True)
    if not 0.0 < a.possible < a.warning <= 1.0:
        raise ConfigError("alerts.possible", "0 < possible < warning <= 1", (a.possible, a.warning))
    for scope, value in dataclasses.asdict(config.backtest.n_min).items():
        _positive(value, f"backtest.n_min.{scope}")
    c = config.cascade
    _choice(c.predictor, PREDICTORS, "cascade.predictor")
    _positive(c.horizon_s, "cascade.horizon_s")
    _positive(c.evaluate_every_ms, "cascade.evaluate_every_ms")
    u = config.tui
    if not 1.0 <= u.tick_hz <= 20.0:
        raise ConfigError("tui.tick_hz", "a rate from 1 to 20 ticks per second", u.tick_hz)
    _positive(u.tape_rows, "tui.tape_rows")
    _positive(u.meters, "tui.meters")
    _choice(u.min_class, CLASSES, "tui.min_class")
    if not 0.0 < u.threshold_step < 1.0:
        raise ConfigError("tui.threshold_step", "a fraction between 0 and 1", u.threshold_step)
    g = config.telegram
    _choice(g.min_priority, PRIORITIES, "telegram.min_priority")
    _positive(g.digest_after, "telegram.digest_after")
    if transport_problem(g.api_url, "https", "http"):
        # the bot token is part of every request path: never send it in clear over a network
        raise ConfigError("telegram.api_url", "an http(s) URL (http:// for a loopback host only)", g.api_url)
    for name in ("max_age_s", "per_chat_per_s", "per_group_per_min", "global_per_s"):
        _positive(getattr(g, name), f"telegram.{name}")
    if g.enabled and not g.chat_ids:
        raise ConfigError("telegram.chat_ids", "at least one chat id when enabled", [])
    # Its own module (notification destinations, sound, desktop); it needs ConfigError from here.
    from liqterm.config.alerting import check_alerting

    check_alerting(config)


def _ordered(base: float, whale: float, cascade: float, key: str) -> None:
    if not 0 < base <= whale <= cascade:
        raise ConfigError(key, "0 < base <= whale <= cascade", (base, whale, cascade))


def _positive_sessions(sessions: SessionMultipliers, key: str) -> None:
    for field in dataclasses.fields(sessions):
        _positive(getattr(sessions, field.name), f"{key}.{field.name}")


def _positive(value: float, key: str, *, allow_zero: bool = False) -> None:
    if value < 0 or (value == 0 and not allow_zero):
        raise ConfigError(key, "a positive number" if not allow_zero else "zero or more", value)


def _choice(value: str, choices: tuple[str, ...], key: str) -> None:
    if value not in choices:
        raise ConfigError(key, f"one of {', '.join(choices)}", value)

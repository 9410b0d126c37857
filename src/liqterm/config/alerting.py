"""The rules of the alerting tables: ``[[notify]]`` destinations, ``[sound]`` and ``[desktop]``.

A URL is never echoed in an error: it may carry a webhook token or a password.
"""

from __future__ import annotations

import re

from liqterm.config.load import ConfigError
from liqterm.config.schema import ALERT_KINDS, PRIORITIES, Config, NotifyConfig

DESKTOP_METHODS: tuple[str, ...] = ("auto", "osc9", "osc777", "notify-send")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
_ASSET = re.compile(r"^[A-Za-z0-9_]{1,20}$")


def check_alerting(config: Config) -> None:
    """Raise :class:`ConfigError` for the first bad value in the alerting tables."""
    names: dict[str, int] = {}
    for index, spec in enumerate(config.notify):
        key = f"notify[{index}]"
        _check_destination(spec, key)
        if spec.name is not None:
            if spec.name in names:
                raise ConfigError(f"{key}.name", f"a name not used by notify[{names[spec.name]}]", spec.name)
            names[spec.name] = index
    _choice(config.sound.min_priority, PRIORITIES, "sound.min_priority")
    for level in ("critical", "high"):
        if getattr(config.sound, level) == "":
            raise ConfigError(f"sound.{level}", "the path of an audio file (or no key: the bell)", "")
    _choice(config.desktop.min_priority, PRIORITIES, "desktop.min_priority")
    _choice(config.desktop.method, DESKTOP_METHODS, "desktop.method")


def _check_destination(spec: NotifyConfig, key: str) -> None:
    given = [name for name in ("url", "url_file", "url_env") if getattr(spec, name) is not None]
    if len(given) != 1:
        raise ConfigError(
            f"{key}.url",
            "exactly one of url, url_file (a file only you can read) or url_env (a variable's name)",
            f"<{', '.join(given) or 'none of them'}>",
        )
    if spec.url is not None and not _SCHEME.match(spec.url):
        raise ConfigError(
            f"{key}.url", "an Apprise URL such as discord://webhook_id/webhook_token", "<a value, not shown>"
        )
    if spec.url_env is not None and not _ENV_NAME.match(spec.url_env):
        raise ConfigError(f"{key}.url_env", "the name of an environment variable", spec.url_env)
    if spec.url_file is not None and not spec.url_file.strip():
        raise ConfigError(f"{key}.url_file", "the path of a file holding the URL", spec.url_file)
    if spec.name is not None and not _NAME.match(spec.name):
        raise ConfigError(f"{key}.name", "letters, digits, '-', '_' or '.' (at most 40)", spec.name)
    _choice(spec.min_priority, PRIORITIES, f"{key}.min_priority")
    for i, kind in enumerate(spec.kinds):
        _choice(kind, ALERT_KINDS, f"{key}.kinds[{i}]")
    for i, asset in enumerate(spec.assets):
        if not _ASSET.match(asset):
            raise ConfigError(f"{key}.assets[{i}]", "an asset name such as BTC", asset)
    if spec.digest_after < 1:
        raise ConfigError(f"{key}.digest_after", "a positive number", spec.digest_after)
    for name in ("max_age_s", "per_minute", "max_failures"):
        if getattr(spec, name) < 0:
            raise ConfigError(f"{key}.{name}", "zero or more", getattr(spec, name))


def _choice(value: str, choices: tuple[str, ...], key: str) -> None:
    if value not in choices:
        raise ConfigError(key, f"one of {', '.join(choices)}", value)

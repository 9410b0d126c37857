"""Turn configuration into text: the commented starter file and the effective config."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from importlib import resources
from typing import Any

import tomli_w

from liqterm.config.schema import Config
from liqterm.logs import redact, register_secret


def starter_text() -> str:
    """The commented starter file (``liqterm config init``; same as ``config.example.toml``)."""
    return resources.files("liqterm.config").joinpath("starter.toml").read_text(encoding="utf-8")


def to_dict(value: Any) -> Any:
    """A config value as plain TOML-able data (``None`` values dropped)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_dict(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None
        }
    if isinstance(value, Mapping):
        return {key: to_dict(item) for key, item in value.items() if item is not None}
    if isinstance(value, tuple):
        return [to_dict(item) for item in value]
    return value


def render_config(config: Config) -> str:
    """The effective configuration as TOML, with every notification URL masked (they may carry
    a webhook token or a password)."""
    for spec in config.notify:
        if spec.url:
            register_secret(spec.url)
    return redact(tomli_w.dumps(to_dict(config)))

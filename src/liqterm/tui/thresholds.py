"""Reading, checking and scaling one asset's thresholds (the editor and the ``+``/``-`` keys).

Pure functions, tested on their own: the editor validates as you type with
them and the screen builds the :class:`AssetThresholds` it saves from them.
"""

from __future__ import annotations

import re

from liqterm.config.schema import SESSIONS, AssetThresholds, Config, SessionMultipliers

_AMOUNT = re.compile(r"^\$?\s*([0-9][0-9_,]*(?:\.[0-9]*)?|\.[0-9]+)(?:e([0-9]{1,2}))?\s*([kmb]?)$", re.I)
_SUFFIX = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9}
MAX_AMOUNT = 1e12
MAX_MULTIPLIER = 10.0


def parse_amount(text: str) -> float:
    """A USD amount typed by a person: ``500000``, ``500k``, ``1.5M``, ``$2,500,000``.

    Raises:
        ValueError: with a message fit to show under the field.
    """
    match = _AMOUNT.match(text.strip())
    if not match:
        raise ValueError(f"{text.strip() or 'blank'}: type a USD amount like 500k or 1.5M")
    digits, exponent, suffix = match.groups()
    value = float(digits.replace(",", "").replace("_", "")) * _SUFFIX[suffix.lower()]
    if exponent:
        value *= 10 ** int(exponent)
    if not 0 < value <= MAX_AMOUNT:
        raise ValueError("must be above $0 and at most $1T")
    return value


def parse_multiplier(text: str) -> float:
    """A session multiplier: a number above 0 and at most 10.

    Raises:
        ValueError: with a message fit to show under the field.
    """
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError(f"{text.strip() or 'blank'}: type a number like 0.7") from None
    if not 0 < value <= MAX_MULTIPLIER:
        raise ValueError("a multiplier must be above 0 and at most 10")
    return value


def order_problem(base: float, whale: float, cascade: float) -> str | None:
    """Why ``base <= whale <= cascade`` does not hold, or ``None`` (classes need that order)."""
    if base > whale:
        return "base must not exceed whale"
    if whale > cascade:
        return "whale must not exceed cascade"
    return None


def current_spec(config: Config, asset: str) -> AssetThresholds:
    """The asset's thresholds as configured, or the defaults for an unnamed asset."""
    spec = config.thresholds.assets.get(asset)
    if spec is not None:
        return spec
    default = config.thresholds.default
    return AssetThresholds(default.base, default.whale, default.cascade)


def scaled_spec(spec: AssetThresholds, factor: float) -> AssetThresholds:
    """Thresholds times ``factor``, rounded to whole dollars; session multipliers unchanged."""
    return AssetThresholds(
        round(spec.base * factor), round(spec.whale * factor), round(spec.cascade * factor), spec.sessions
    )


def step_factor(step: float, up: bool) -> float:
    """``1 + step`` for ``+`` and its inverse for ``-``, so ``+`` then ``-`` returns to the start."""
    return 1 + step if up else 1 / (1 + step)


def session_multipliers(
    values: dict[str, float | None], fallback: SessionMultipliers
) -> SessionMultipliers | None:
    """The asset's own multipliers, or ``None`` when every field is blank (use the global ones).

    A blank field among filled ones takes the global value for that session.
    """
    if all(values.get(name) is None for name in SESSIONS):
        return None
    chosen = {name: values.get(name) for name in SESSIONS}
    return SessionMultipliers(
        **{name: v if v is not None else fallback.of(name) for name, v in chosen.items()}
    )


def amount_text(value: float) -> str:
    """An amount as the editor pre-fills it: ``2.5M``, ``500k``, ``950``."""
    for suffix, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= size:
            return f"{value / size:.10g}{suffix}"
    return f"{value:.10g}"

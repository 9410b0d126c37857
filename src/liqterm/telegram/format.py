"""Telegram HTML for alerts: escaping, figures, and truncation that never breaks markup.

Every dynamic value goes through :func:`escape` (symbols like ``1000PEPE_USDT`` are harmless
in HTML mode, but ``<``, ``>`` and ``&`` are not). Messages are capped at Telegram's 4,096
characters; the cap is applied to the raw HTML measured in UTF-16 code units (how Telegram
counts, so an emoji is two), which is stricter than Telegram's own count after parsing.
"""

from __future__ import annotations

import html
import math
import re
from datetime import UTC, datetime

from liqterm.engine.alerts import Alert, Priority

MAX_MESSAGE = 4096
ELLIPSIS = "…"

_KIND_MARK = {
    "institutional": "🏦",
    "whale": "🐋",
    "large": "💧",
    "cross_venue": "🔗",
    "dislocation": "↔️",
    "cascade_warning": "⚠️",
    "cascade": "🌊",
}
_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|.", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def escape(value: object) -> str:
    """``value`` as text safe inside Telegram HTML (``<``, ``>``, ``&`` escaped)."""
    return html.escape(str(value), quote=False)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def usd(amount: float) -> str:
    """Compact dollars: ``$950``, ``$12.3K``, ``$4.50M``, ``$1.20B``."""
    value = abs(amount)
    sign = "-" if amount < 0 else ""
    if value >= 1e9:
        return f"{sign}${value / 1e9:.2f}B"
    if value >= 1e6:
        return f"{sign}${value / 1e6:.2f}M"
    if value >= 1e3:
        return f"{sign}${value / 1e3:.1f}K"
    return f"{sign}${value:.0f}"


def price(value: float) -> str:
    """A price with sensible precision: ``64,012.50``, ``1.2345``, ``0.00001234``."""
    if not math.isfinite(value) or value <= 0:
        return str(value)
    if value >= 1000:
        return f"{value:,.2f}"
    if value >= 1:
        return f"{value:,.4f}"
    decimals = min(12, 3 - math.floor(math.log10(value)))
    return f"{value:.{decimals}f}"


def utc_time(at_ms: int) -> str:
    """``HH:MM:SS UTC`` of an epoch-ms instant."""
    return datetime.fromtimestamp(at_ms / 1000, UTC).strftime("%H:%M:%S UTC")


def format_alert(alert: Alert) -> str:
    """One alert as a Telegram HTML message (at most :data:`MAX_MESSAGE` long)."""
    mark = _KIND_MARK.get(alert.kind, "•")
    kind = alert.kind.replace("_", " ")
    head = f"{mark} <b>{escape(alert.asset)}</b> · {escape(kind)} · {alert.priority.label}"
    lines = [head, escape(alert.text)]
    facts = []
    if alert.usd:
        facts.append(usd(alert.usd))
    if alert.side:
        facts.append(escape(alert.side))
    if alert.venues:
        facts.append(escape(", ".join(alert.venues)))
    if alert.probability is not None:
        facts.append(f"p={alert.probability:.2f}")
    if facts:
        lines.append(" · ".join(facts))
    event = alert.event
    if event is not None:
        lines.append(
            f"<code>{escape(event.symbol)}</code> @ {escape(price(event.price))} on {escape(event.venue)}"
        )
    lines.append(utc_time(alert.at_ms))
    if alert.priority is Priority.CRITICAL:
        lines[0] = f"🚨 {lines[0]}"
    return truncate_html("\n".join(lines))


def truncate_html(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` cut to ``limit`` UTF-16 units without splitting a tag or an entity.

    Tags still open at the cut are closed after an ellipsis, so the result parses.
    """
    if utf16_len(text) <= limit:
        return text
    budget = limit - utf16_len(ELLIPSIS)
    kept: list[str] = []
    open_tags: list[str] = []
    used = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        stack = _after(open_tags, token)
        closing = sum(len(name) + 3 for name in stack)  # "</" + name + ">"
        size = utf16_len(token)
        if used + size + closing > budget:
            break
        kept.append(token)
        used += size
        open_tags = stack
    closers = "".join(f"</{name}>" for name in reversed(open_tags))
    return "".join(kept) + ELLIPSIS + closers


def _after(open_tags: list[str], token: str) -> list[str]:
    """The open-tag stack after ``token``."""
    if not token.startswith("<") or len(token) < 3:
        return open_tags
    if token.startswith("</"):
        name = token[2:-1].strip().lower()
        if open_tags and open_tags[-1] == name:
            return open_tags[:-1]
        return open_tags
    name = token[1:-1].split(None, 1)[0].lower() if token[1:-1].strip() else ""
    return [*open_tags, name] if name else open_tags


def to_plain(text: str) -> str:
    """Telegram HTML as plain text (the fallback when Telegram refuses our markup)."""
    return html.unescape(_TAG.sub("", text))

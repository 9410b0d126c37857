"""The text a notification service gets: a title line and a plain-text body.

Plain text, because every service Apprise reaches shows it (Discord, Slack, ntfy, a phone's
lock screen, an e-mail subject); the same facts as the Telegram message, in the same order.
Stored in the outbox as one string (title, newline, body).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from liqterm.engine.alerts import Alert, Priority
from liqterm.format import price, usd
from liqterm.outbox.digest import summarise
from liqterm.outbox.queue import Pending

MAX_BODY = 1_900
"""Under Discord's 2,000 characters, the smallest common limit."""
TEST_TITLE = "liqterm test message"
TEST_BODY = "Liquidation alerts will arrive here. This destination is set up correctly."


def utc_time(at_ms: int) -> str:
    """``HH:MM:SS UTC`` of an epoch-ms instant."""
    return datetime.fromtimestamp(at_ms / 1000, UTC).strftime("%H:%M:%S UTC")


def alert_message(alert: Alert) -> str:
    """One alert as ``title\\nbody``."""
    kind = alert.kind.replace("_", " ")
    mark = "🚨 " if alert.priority is Priority.CRITICAL else ""
    title = f"{mark}{alert.asset} · {kind} · {alert.priority.label}"
    lines = [alert.text]
    facts = []
    if alert.usd:
        facts.append(usd(alert.usd))
    if alert.side:
        facts.append(alert.side)
    if alert.venues:
        facts.append(", ".join(alert.venues))
    if alert.probability is not None:
        facts.append(f"p={alert.probability:.2f}")
    if facts:
        lines.append(" · ".join(facts))
    event = alert.event
    if event is not None:
        lines.append(f"{event.symbol} @ {price(event.price)} on {event.venue}")
    lines.append(utc_time(alert.at_ms))
    return f"{title}\n{_cut(chr(10).join(lines))}"


def digest_message(items: Sequence[Pending]) -> str:
    """A burst of alerts about one asset as one ``title\\nbody``."""
    digest = summarise(items)
    title = f"📦 {digest.asset}: {len(items)} alerts"
    lines = [digest.headline(usd), *digest.details(usd, utc_time)]
    return f"{title}\n{_cut(chr(10).join(lines))}"


def split(message: str) -> tuple[str, str]:
    """``(title, body)`` of a stored message."""
    title, _, body = message.partition("\n")
    return title, body


def _cut(body: str) -> str:
    return body if len(body) <= MAX_BODY else body[: MAX_BODY - 1] + "…"

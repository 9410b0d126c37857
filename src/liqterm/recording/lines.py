"""One line per liquidation, alert or cascade change: JSON for machines, text for people.

Used by ``liqterm replay --json`` (the exact contract below), ``liqterm watch``
and the human replay. JSON keys are written in a fixed order and floats with
Python's shortest round-trip repr, so the same input always gives the same bytes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from liqterm.engine import Alert
from liqterm.model import Liquidation


def liquidation_record(event: Liquidation, cls: str, session: str) -> dict[str, Any]:
    """``{"type":"liquidation", venue, symbol, asset, side, price, quantity, usd,
    exchange_ms, received_ms, class, session}``."""
    return {
        "type": "liquidation",
        "venue": event.venue,
        "symbol": event.symbol,
        "asset": event.asset,
        "side": str(event.side),
        "price": event.price,
        "quantity": event.quantity,
        "usd": event.usd,
        "exchange_ms": event.exchange_ms,
        "received_ms": event.received_ms,
        "class": cls,
        "session": session,
    }


def alert_record(alert: Alert) -> dict[str, Any]:
    """``{"type":"alert", kind, priority, asset, key, text, at_ms, side, usd, venues,
    probability, suppressed_before}`` (priority as its label, venues sorted)."""
    return {
        "type": "alert",
        "kind": alert.kind,
        "priority": alert.priority.label,
        "asset": alert.asset,
        "key": alert.key,
        "text": alert.text,
        "at_ms": alert.at_ms,
        "side": alert.side,
        "usd": alert.usd,
        "venues": sorted(alert.venues),
        "probability": alert.probability,
        "suppressed_before": alert.suppressed_before,
    }


def cascade_record(asset: str, probability: float, at_ms: int) -> dict[str, Any]:
    """``{"type":"cascade", asset, probability, at_ms}`` (probability to 4 decimals)."""
    return {"type": "cascade", "asset": asset, "probability": round(probability, 4), "at_ms": at_ms}


def to_json(record: dict[str, Any]) -> str:
    """One compact JSON line (no newline), keys in the record's own fixed order."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def clock_text(ms: int) -> str:
    """``HH:MM:SS.mmm`` UTC of an epoch-ms time."""
    stamp = datetime.fromtimestamp(ms / 1000, UTC)
    return stamp.strftime("%H:%M:%S.") + f"{ms % 1000:03d}"


def usd_text(usd: float) -> str:
    """``$1.23M``, ``$45.6K``, ``$789``."""
    if usd >= 1e9:
        return f"${usd / 1e9:.2f}B"
    if usd >= 1e6:
        return f"${usd / 1e6:.2f}M"
    if usd >= 1e3:
        return f"${usd / 1e3:.1f}K"
    return f"${usd:.0f}"


def liquidation_text(event: Liquidation, cls: str) -> str:
    """A fixed-width human line for a log or a terminal."""
    return (
        f"{clock_text(event.exchange_ms)}  {event.venue:<8} {event.asset:<10} "
        f"{event.side.upper():<5} {usd_text(event.usd):>9}  @ {event.price:<12g} {cls}"
    )


def alert_text(alert: Alert) -> str:
    """``HH:MM:SS.mmm  ALERT high whale: <text>``."""
    return f"{clock_text(alert.at_ms)}  ALERT {alert.priority.label} {alert.kind}: {alert.text}"

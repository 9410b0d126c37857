"""One Telegram message for a burst: the shared digest (:mod:`liqterm.outbox.digest`) in HTML."""

from __future__ import annotations

from collections.abc import Sequence

from liqterm.outbox.digest import summarise
from liqterm.outbox.queue import Pending
from liqterm.telegram.format import escape, truncate_html, usd, utc_time


def format_digest(items: Sequence[Pending]) -> str:
    """Telegram HTML summarising ``items`` (all about one asset), e.g.

    ``BTC: 37 long liquidations, $48.2M; 12 short, $3.1M in 60 s on 4 venues``.
    """
    digest = summarise(items)
    headline = f"📦 <b>{escape(digest.asset)}</b>: {escape(digest.headline(usd))}"
    lines = [headline, *(escape(line) for line in digest.details(usd, utc_time))]
    return truncate_html("\n".join(lines))

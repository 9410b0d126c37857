"""The running session's cascade scorecard, with its view worked out only when it can have changed.

:meth:`Scorecard.view` walks every warning and onset of the session; the tick asks
for it up to ten times a second. The view changes only when a cascade alert arrives
or when event time passes the end of a warning's horizon (an open warning becomes
false): :class:`SessionScore` keeps those ends and works the view out again only then.
"""

from __future__ import annotations

import heapq

from liqterm.engine import Alert
from liqterm.scorecard import Scorecard, ScorecardView

SCORED = ("cascade_warning", "cascade")
"""The alert kinds the scorecard counts: warnings and onsets."""


class SessionScore:
    """Feed it every alert (:meth:`on_alert`), ask for :meth:`view` each tick."""

    def __init__(self, card: Scorecard | None = None) -> None:
        self.card = card or Scorecard()
        self._ends: list[int] = []  # heap: event times after which an open warning turns false
        self._view: ScorecardView | None = None

    def on_alert(self, alert: Alert) -> None:
        if alert.kind not in SCORED:
            return
        self.card.on_alert(alert)
        self._view = None
        if alert.kind == "cascade_warning":
            heapq.heappush(self._ends, alert.at_ms + self.card.horizon_ms)

    def view(self, now_ms: int) -> ScorecardView:
        """The figures at event time ``now_ms`` (the scorecard's clock only moves forward)."""
        card = self.card
        card.advance(now_ms)
        ends = self._ends
        while ends and ends[0] < card.now_ms:  # Scorecard: false once now - warning > horizon
            heapq.heappop(ends)
            self._view = None
        if self._view is None:
            self._view = card.view()
        return self._view

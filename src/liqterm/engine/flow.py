"""Per-asset rolling state, kept in one-second buckets so the per-event work is a few additions.

The engine's hot path adds each event to the asset's current bucket and to the
running 60 s totals (see ``Engine.ingest``). When the next second's first event
arrives the bucket "rolls": it joins the finished seconds, and the engine does
its once-per-asset-second work (dislocations, the predictor's cadence). Windows
are trimmed lazily (:meth:`AssetState.evict`) only when a reader needs exact
figures, and seconds older than a minute fold into minute records for the 5 min
and 1 h figures. The correlation window's finished seconds are summed once per
second (:meth:`AssetState.window_before`).

Resolution: 10 s and 60 s windows are exact to the second; 5 min and 1 h are
the last minute's seconds plus whole earlier minutes (minute resolution). An
event older than the current bucket (venues deliver slightly out of order) is
counted in the current bucket: totals stay right, only its second moves.
"""

from __future__ import annotations

from collections import deque
from typing import Any

# Bucket fields (a list, indexed, because attribute access on the hot path costs).
SEC, LONG, SHORT, COUNT, VENUES, PRICES, SUM_DP, SUM_DP2, N_INST, LAST_PRICE = range(10)
COUNT_MIN = 3  # index of the count in a minute record [minute, long, short, count]


def new_bucket(sec: int) -> list[Any]:
    return [sec, 0.0, 0.0, 0, {}, {}, 0.0, 0.0, 0, 0.0]


class AssetState:
    """Everything the engine keeps per asset."""

    __slots__ = (
        "asset",
        "below_since",
        "bucket",
        "cascade_since",
        "corr_level",
        "cur_sec",
        "evaluated_ms",
        "last_ms",
        "last_price",
        "long_60s",
        "minutes",
        "n_60s",
        "n_minutes",
        "p_ref",
        "predictor",
        "probability",
        "seconds",
        "session",
        "short_60s",
        "thresholds",
        "trend_ref",
        "win_sec",
        "win_usd",
        "win_venues",
        "window_s",
    )

    def __init__(self, asset: str, predictor_state: Any, window_s: int = 10) -> None:
        self.asset = asset
        self.window_s = window_s  # the cross-venue correlation window
        self.cur_sec = -1
        self.bucket = new_bucket(-1)
        self.seconds: deque[list[Any]] = deque()  # finished buckets of the last 60 s
        self.minutes: deque[list[Any]] = deque()  # [minute, long, short, count] older than 60 s
        self.n_minutes = 0  # events in ``minutes``
        self.long_60s = 0.0
        self.short_60s = 0.0
        self.n_60s = 0
        # The finished seconds of the correlation window, cached per second.
        self.win_sec = -1
        self.win_usd = 0.0
        self.win_venues: frozenset[str] = frozenset()
        self.last_ms = 0
        self.last_price = 0.0
        self.p_ref = 0.0
        self.predictor = predictor_state
        self.probability = 0.0
        self.evaluated_ms = 0
        self.trend_ref: tuple[int, float] | None = None
        self.cascade_since: int | None = None
        self.below_since: int | None = None
        self.corr_level = 0.0
        self.session = ""  # the session ``thresholds`` were scaled for
        self.thresholds: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def roll(self, sec: int) -> list[Any] | None:
        """Start second ``sec``; return the finished bucket (``None`` if it was empty).

        Windows are NOT trimmed here: totals may still hold buckets older than the
        window (they only over-count), and every reader that needs exact figures
        calls :meth:`evict` first. A sparse asset then pays for trimming only when a
        threshold is within reach, and the deques stay bounded by the length check.
        """
        bucket = self.bucket
        finished = None
        if bucket[COUNT]:
            finished = bucket
            self.seconds.append(bucket)
        self.bucket = [sec, 0.0, 0.0, 0, {}, {}, 0.0, 0.0, 0, 0.0]
        self.cur_sec = sec
        if len(self.seconds) > 64:
            self.evict(sec)
        return finished

    def evict(self, sec: int) -> None:
        """Trim the windows to end at second ``sec`` (exact totals afterwards)."""
        seconds = self.seconds
        while seconds and seconds[0][SEC] <= sec - 60:
            old = seconds.popleft()
            self.long_60s -= old[LONG]
            self.short_60s -= old[SHORT]
            self.n_60s -= old[COUNT]
            minute = old[SEC] // 60
            minutes = self.minutes
            self.n_minutes += old[COUNT]
            if minutes and minutes[-1][0] == minute:
                tail = minutes[-1]
                tail[1] += old[LONG]
                tail[2] += old[SHORT]
                tail[3] += old[COUNT]
            else:
                minutes.append([minute, old[LONG], old[SHORT], old[COUNT]])
        while self.minutes and self.minutes[0][0] <= sec // 60 - 60:
            self.n_minutes -= self.minutes.popleft()[COUNT_MIN]
        # With nothing left but the current second, reset the totals to it exactly, so
        # float subtraction cannot drift over a long run.
        current = self.bucket
        if not seconds:
            self.long_60s = current[LONG]
            self.short_60s = current[SHORT]
            self.n_60s = current[COUNT]

    # -- read side (snapshots) ----------------------------------------------------------------

    def window_before(self, sec: int) -> tuple[float, frozenset[str]]:
        """USD and venues of the FINISHED seconds in the correlation window ending at ``sec``.

        Cached for the second: within a second only the current bucket changes, and
        callers add it themselves.
        """
        if self.win_sec != sec:
            usd = 0.0
            venues: set[str] = set()
            for bucket in reversed(self.seconds):
                if bucket[SEC] <= sec - self.window_s:
                    break
                usd += bucket[LONG] + bucket[SHORT]
                venues.update(bucket[VENUES])
            self.win_sec, self.win_usd, self.win_venues = sec, usd, frozenset(venues)
        return self.win_usd, self.win_venues

    def window(self) -> tuple[float, frozenset[str]]:
        """USD and venues over the correlation window, the current second included."""
        usd, venues = self.window_before(self.cur_sec)
        current = self.bucket
        return usd + current[LONG] + current[SHORT], venues | current[VENUES].keys()

    def last_10s(self) -> tuple[float, float]:
        """(long, short) USD over the last 10 s, counting the current second."""
        long_usd, short_usd = self.bucket[LONG], self.bucket[SHORT]
        for bucket in reversed(self.seconds):
            if bucket[SEC] <= self.cur_sec - 10:
                break
            long_usd += bucket[LONG]
            short_usd += bucket[SHORT]
        return long_usd, short_usd

    def last_minutes(self, span: int) -> tuple[float, float]:
        """(long, short) USD over the last minute plus ``span - 1`` whole earlier minutes."""
        long_usd, short_usd = self.long_60s, self.short_60s
        horizon = self.cur_sec // 60 - span
        for minute, long_part, short_part, _ in reversed(self.minutes):
            if minute <= horizon:
                break
            long_usd += long_part
            short_usd += short_part
        return long_usd, short_usd

    def venues_60s(self) -> dict[str, float]:
        """USD by venue over the last 60 s."""
        totals: dict[str, float] = dict(self.bucket[VENUES])
        for bucket in self.seconds:
            for venue, usd in bucket[VENUES].items():
                totals[venue] = totals.get(venue, 0.0) + usd
        return totals

    def baseline_per_minute(self) -> float:
        """Mean events per minute over the part of the last hour before the last 60 s."""
        if not self.minutes:
            return 0.0
        span = max(1, self.cur_sec // 60 - self.minutes[0][0])
        return self.n_minutes / span

    def active_1h(self) -> bool:
        return bool(self.n_60s or self.bucket[COUNT] or self.minutes)

"""Per-asset rolling state, kept in one-second buckets so the per-event work is a few additions.

The engine's hot path adds each event to the asset's current bucket and to the
running 60 s totals (see ``Engine.ingest``). When the next second's first event
arrives the bucket "rolls": it joins the finished seconds and its minute's
record, seconds older than a minute leave the 60 s totals, the kernel
intensities move on, and the engine does its once-per-asset-second work
(dislocations, the predictor's cadence). The correlation window's finished
seconds are summed at most once per second (:meth:`AssetState.window_before`).

Resolution: 10 s and 60 s windows are exact to the second; 5 min and 1 h are
whole minutes plus the current one (minute resolution). An event older than the
current bucket (venues deliver slightly out of order) is counted in the current
bucket: totals stay right, only its second moves.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any, Final

NEVER: Final = -(1 << 40)

CASCADE_END_MS: Final = 120_000
"""A cascade ends after this long with the 60 s USD below the threshold: an episode is over once
its flow has stayed under the cascade level for two minutes (docs/prediction.md)."""
KERNEL_SPAN_S: Final = 200
"""Exponential kernels (the Hawkes intensities) decay by table lookup; past this age they are 0."""
DECAY_1S: Final = tuple(math.exp(-age / 1.0) for age in range(KERNEL_SPAN_S))
DECAY_10S: Final = tuple(math.exp(-age / 10.0) for age in range(KERNEL_SPAN_S))


class Bucket:
    """One second of one asset's liquidations."""

    __slots__ = ("count", "last_price", "long", "n_inst", "sec", "short", "sum_dp", "sum_dp2", "venues")

    def __init__(self, sec: int) -> None:
        self.sec = sec
        self.long = 0.0  # USD of long positions liquidated
        self.short = 0.0
        self.count = 0
        self.venues: dict[str, float] = {}  # USD by venue
        self.sum_dp = 0.0  # sums of price - reference price, and its square (the seed's spread)
        self.sum_dp2 = 0.0
        self.n_inst = 0  # institutional-size events
        self.last_price = 0.0


class Minute:
    """One minute of one asset's liquidations (the 5 min and 1 h figures, the usual rate)."""

    __slots__ = ("count", "long", "minute", "short")

    def __init__(self, minute: int, long_usd: float, short_usd: float, count: int) -> None:
        self.minute = minute
        self.long = long_usd
        self.short = short_usd
        self.count = count


class AssetState:
    """Everything the engine keeps per asset."""

    __slots__ = (
        "asset",
        "base_minute",
        "base_rate",
        "below_since",
        "bucket",
        "cascade_since",
        "corr_level",
        "cur_sec",
        "evaluated_ms",
        "k1",
        "k10",
        "k_sec",
        "last_ms",
        "last_price",
        "last_sec",
        "long_60s",
        "minutes",
        "n_60s",
        "n_minutes",
        "other_price",
        "other_sec",
        "other_venue",
        "p_ref",
        "predictor",
        "probability",
        "seconds",
        "session",
        "short_60s",
        "tail_price",
        "thresholds",
        "trend_ref",
        "venue_last",
        "venue_secs",
        "win_sec",
        "win_usd",
        "window_s",
    )

    def __init__(self, asset: str, predictor_state: Any, window_s: int = 10) -> None:
        self.asset = asset
        self.window_s = window_s  # the cross-venue correlation window
        self.cur_sec = -1
        self.bucket = Bucket(-1)
        self.seconds: deque[Bucket] = deque()  # finished buckets of the last 60 s
        self.minutes: deque[Minute] = deque()  # the last hour
        self.n_minutes = 0  # events in ``minutes``
        self.base_minute = NEVER  # the minute ``base_rate`` (baseline_per_minute) was worked out in
        self.base_rate = 0.0
        self.long_60s = 0.0
        self.short_60s = 0.0
        self.n_60s = 0
        # The finished seconds of the correlation window, cached per second.
        self.win_sec = -1
        self.win_usd = 0.0
        # Whether a second venue is in the correlation window, in O(1) per event: the venue,
        # second and price of the latest event, and of the latest one from any OTHER venue.
        self.venue_last = ""
        self.last_sec = NEVER
        self.tail_price = 0.0
        self.other_venue = ""
        self.other_sec = NEVER
        self.other_price = 0.0
        self.venue_secs: dict[str, int] = {}  # venue -> the second of its latest event
        # Event counts of the finished seconds on exponential kernels of 1 s and 10 s, as of
        # second ``k_sec`` (self-excitation intensities, kept up to date once a second).
        self.k1 = 0.0
        self.k10 = 0.0
        self.k_sec = NEVER
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

    def roll(self, sec: int) -> Bucket | None:
        """Start second ``sec``; return the finished bucket (``None`` if it was empty).

        The finished bucket joins the last minute's seconds and its minute's record,
        and seconds that left the 60 s window are dropped (amortised O(1): each
        bucket is added and removed once), so the 60 s totals are exact for the
        window ending at the current second.
        """
        bucket = self.bucket
        finished = None
        count = bucket.count
        seconds = self.seconds
        if count:
            finished = bucket
            seconds.append(bucket)
            done = bucket.sec
            age = done - self.k_sec
            if age < KERNEL_SPAN_S:
                self.k1 = self.k1 * DECAY_1S[age] + count
                self.k10 = self.k10 * DECAY_10S[age] + count
            else:
                self.k1 = self.k10 = float(count)
            self.k_sec = done
            minutes = self.minutes
            minute = done // 60
            self.n_minutes += count
            if minutes and minutes[-1].minute == minute:
                record = minutes[-1]
                record.long += bucket.long
                record.short += bucket.short
                record.count += count
            else:
                minutes.append(Minute(minute, bucket.long, bucket.short, count))
                while minutes[0].minute <= minute - 61:
                    self.n_minutes -= minutes.popleft().count
        if count:
            self.bucket = Bucket(sec)
        else:
            bucket.sec = sec  # an empty second leaves nothing behind: its bucket serves the next
        self.cur_sec = sec
        if seconds and seconds[0].sec <= sec - 60:
            self.evict(sec)
        return finished

    def evict(self, sec: int) -> None:
        """Drop the seconds that left the 60 s window ending at second ``sec``."""
        seconds = self.seconds
        while seconds and seconds[0].sec <= sec - 60:
            old = seconds.popleft()
            self.long_60s -= old.long
            self.short_60s -= old.short
            self.n_60s -= old.count
        if not seconds:
            # Only the current second is left: reset the totals to it exactly, so float
            # subtraction cannot drift over a long run.
            current = self.bucket
            self.long_60s = current.long
            self.short_60s = current.short
            self.n_60s = current.count

    # -- write side: the engine's per-event and per-second updates ------------------------------

    def use_session(self, session: str, thresholds: tuple[float, float, float]) -> None:
        """Classify with ``thresholds`` (base, whale, cascade) scaled for ``session`` from now on."""
        self.session = session
        self.thresholds = thresholds

    def add(self, venue: str, is_long: bool, usd: float, price: float, ms: int, institutional: bool,
            observes: bool) -> int:  # fmt: skip
        """Count one accepted event in the current second; returns that second.

        An event older than the current second (venues deliver slightly out of order)
        counts in it too: totals stay right, only its second moves. ``observes``: keep
        the price sums a bucket-observing predictor reads.
        """
        bucket = self.bucket
        if is_long:
            bucket.long += usd
            self.long_60s += usd
        else:
            bucket.short += usd
            self.short_60s += usd
        bucket.count += 1
        if institutional:
            bucket.n_inst += 1
        self.n_60s += 1
        now_sec = self.cur_sec
        if venue != self.venue_last:
            # The latest event from another venue is the one before this.
            self.other_sec = self.last_sec
            self.other_price = self.tail_price
            self.other_venue = self.venue_last
            self.venue_last = venue
            self.venue_secs[venue] = now_sec
        elif now_sec != self.last_sec:
            self.venue_secs[venue] = now_sec
        self.last_sec = now_sec
        self.tail_price = price
        per_venue = bucket.venues
        per_venue[venue] = per_venue.get(venue, 0.0) + usd
        bucket.last_price = price
        if observes:
            dp = price - self.p_ref
            bucket.sum_dp += dp
            bucket.sum_dp2 += dp * dp
        if ms >= self.last_ms:
            self.last_ms = ms
            self.last_price = price
        return now_sec

    def track_correlation(self, window_usd: float) -> bool:
        """Whether a cross-venue window of ``window_usd`` (0: none) is worth reporting: it just
        started, or its combined USD doubled since it was last reported."""
        if not window_usd:
            self.corr_level = 0.0
            return False
        if window_usd >= 2 * self.corr_level:
            self.corr_level = window_usd
            return True
        return False

    def start_cascade(self, ms: int) -> None:
        """The 60 s USD reached the cascade threshold at ``ms``."""
        self.cascade_since = ms
        self.below_since = None

    def track_cascade_end(self, cascade_usd: float, ms: int) -> None:
        """In a running cascade: end it after ``CASCADE_END_MS`` with the 60 s USD below ``cascade_usd``."""
        if self.long_60s + self.short_60s >= cascade_usd:
            self.below_since = None
        elif self.below_since is None:
            self.below_since = ms
        elif ms - self.below_since >= CASCADE_END_MS:
            self.cascade_since = self.below_since = None

    def note_probability(self, probability: float, ms: int, trend_ms: int) -> None:
        """The predictor's latest probability, evaluated at ``ms``; the trend reference moves on
        every ``trend_ms``."""
        self.probability = probability
        self.evaluated_ms = ms
        if self.trend_ref is None or ms - self.trend_ref[0] >= trend_ms:
            self.trend_ref = (ms, probability)

    # -- read side (snapshots): pure, relative to the snapshot's own time -----------------------

    def window_before(self, sec: int) -> float:
        """USD of the FINISHED seconds in the correlation window ending at ``sec``; a memo for
        the second (within a second only the current bucket changes; callers add it)."""
        if self.win_sec != sec:
            usd = 0.0
            for bucket in reversed(self.seconds):
                if bucket.sec <= sec - self.window_s:
                    break
                usd += bucket.long + bucket.short
            self.win_sec, self.win_usd = sec, usd
        return self.win_usd

    def two_venues_within(self, sec: int) -> bool:
        """Whether two or more venues liquidated this asset in the correlation window ending at
        ``sec`` (O(1): the latest event from a venue other than the latest one's is in it)."""
        return self.other_sec > sec - self.window_s

    def window(self) -> tuple[float, frozenset[str]]:
        """USD and venues over the correlation window, the current second included (snapshots)."""
        current = self.bucket
        venues = set(current.venues)
        for bucket in reversed(self.seconds):
            if bucket.sec <= self.cur_sec - self.window_s:
                break
            venues.update(bucket.venues)
        return self.window_before(self.cur_sec) + current.long + current.short, frozenset(venues)

    def kernel_counts(self, now_sec: int) -> tuple[float, float]:
        """Event counts on the 1 s and 10 s exponential kernels at ``now_sec`` (current second included)."""
        age = max(now_sec - self.k_sec, 0)
        n1 = n10 = 0.0
        if age < KERNEL_SPAN_S:
            n1, n10 = self.k1 * DECAY_1S[age], self.k10 * DECAY_10S[age]
        count = self.bucket.count
        age = max(now_sec - self.cur_sec, 0)
        if count and age < KERNEL_SPAN_S:
            n1 += count * DECAY_1S[age]
            n10 += count * DECAY_10S[age]
        return n1, n10

    def venues_since(self, sec: int) -> int:
        """How many venues liquidated this asset after second ``sec``."""
        n = 0
        for last in self.venue_secs.values():
            if last > sec:
                n += 1
        return n

    def minute_window(self, now_sec: int) -> tuple[float, float, int, float]:
        """(long USD, short USD, events, first price) over the 60 s ending at ``now_sec``, as the
        windows would read had they been rolled to ``now_sec``: the running totals when they are
        there already (O(1)), else worked out from the buckets. The first price is the last
        price of the earliest finished second in the window (0 when there is none)."""
        if now_sec <= self.cur_sec:
            seconds = self.seconds
            return self.long_60s, self.short_60s, self.n_60s, seconds[0].last_price if seconds else 0.0
        horizon = now_sec - 60
        long_usd = short_usd = 0.0
        count = 0
        first_price = 0.0
        for bucket in self.seconds:
            if bucket.sec <= horizon:
                continue
            if not first_price:
                first_price = bucket.last_price
            long_usd += bucket.long
            short_usd += bucket.short
            count += bucket.count
        current = self.bucket
        if current.count and current.sec > horizon:  # finished too, seen from ``now_sec``
            if not first_price:
                first_price = current.last_price
            long_usd += current.long
            short_usd += current.short
            count += current.count
        return long_usd, short_usd, count, first_price

    def venues_60s(self, now_sec: int) -> dict[str, float]:
        """USD by venue over the 60 s ending at ``now_sec``."""
        totals: dict[str, float] = {}
        horizon = now_sec - 60
        for bucket in (*self.seconds, self.bucket):
            if bucket.sec > horizon:
                for venue, usd in bucket.venues.items():
                    totals[venue] = totals.get(venue, 0.0) + usd
        return totals

    def baseline_per_minute(self) -> float:
        """Mean events per minute over the recorded minutes before the last two (at most an hour).

        Those minutes do not change within a minute, so the figure is worked out once a
        minute (a memo).
        """
        recent_from = self.cur_sec // 60 - 1
        if self.base_minute == recent_from:
            return self.base_rate
        minutes = self.minutes
        n = self.n_minutes
        for record in reversed(minutes):
            if record.minute < recent_from:
                break
            n -= record.count
        span = recent_from - minutes[0].minute if minutes else 0
        self.base_minute = recent_from
        self.base_rate = n / span if span > 0 else 0.0
        return self.base_rate

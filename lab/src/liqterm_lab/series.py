"""What a predictor could know at each second: per-scope series in RECEIVE time, and their features.

Second ``tau`` of a :class:`StreamSeries` holds the events received in
``(tau-1, tau]``, so everything derived from it at ``tau`` uses only what had
arrived by then (labels, in :mod:`labels`, use exchange time instead).

:data:`FEATURES` are liqterm's stream features (cascade-science §1–2): count
intensities on exponential kernels of 1 s, 10 s, 60 s and 300 s against the
scope's 30 min median rate (a multi-timescale Hawkes reading) and their
acceleration; the distance of the 60 s and 10 s counts to the label's own
threshold; USD-weighted intensity; one-sidedness; spread across symbols and
venues; price drift across consecutive liquidations of a symbol; recent-cascade
memory (the 10 min peak, and an exponential memory of the last time the scope ran at its
threshold, since cascades come in waves); session.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from liqterm.engine.sessions import HOUR_MS, session_name_at
from liqterm_lab.events import EventLog
from liqterm_lab.labels import LabelRule, minute_median, per_second, trailing

RECENT_TAU_S = 1800.0
"""Memory of the last time the scope ran at its cascade threshold: cascades come in waves whose
delays are of this order (about 33 min measured on real bars, :mod:`liqterm_lab.clustering`)."""
DRIFT_CLIP_BPS = 50.0
"""One liquidation's price step counts at most this much (a fat-fingered print is not a trend)."""

FEATURES = (
    "rate1", "rate10", "rate60", "rate300", "accel", "near60", "near10", "usd10",
    "one_sided", "symbols10", "venues10", "drift", "hot", "recent", "asian", "european", "weekend",
    "near10>-1.5", "near10>-1", "near10>-0.5", "near10>0", "near60>-1", "near60>-0.5", "rate10>1", "rate10>2",
)  # fmt: skip
"""The last eight are hinges ``max(0, x - c)``: the chance of an onset climbs steeply once the
10 s and 60 s counts get close to the threshold, which one linear term cannot bend to."""


@dataclass(slots=True)
class StreamSeries:
    """One scope's per-second receive-time series (index 0 = ``start_s``)."""

    start_s: int
    count: np.ndarray
    usd: np.ndarray
    long_usd: np.ndarray
    short_usd: np.ndarray
    symbols10: np.ndarray
    venues10: np.ndarray
    drift: np.ndarray
    times_s: np.ndarray
    """Receive times of the scope's events in seconds from ``start_s`` (for Hawkes)."""

    @property
    def n(self) -> int:
        return len(self.count)


def signed_drift_bps(log: EventLog) -> np.ndarray:
    """Each event's price step from the previous event of the same symbol, in bp, signed so that
    a move in the direction of the liquidation (longs liquidated while the price falls) is positive."""
    order = np.lexsort((log.received_ms, log.symbol))
    price = log.price[order]
    same = np.r_[False, log.symbol[order][1:] == log.symbol[order][:-1]]
    step = np.zeros(len(order))
    step[1:] = np.log(price[1:] / price[:-1]) * 10_000.0
    step = np.where(same, np.clip(step, -DRIFT_CLIP_BPS, DRIFT_CLIP_BPS), 0.0)
    direction = np.where(log.is_long[order], -1.0, 1.0)
    out = np.empty(len(order))
    out[order] = step * direction
    return out


def distinct_in_window(keys: np.ndarray, seconds: np.ndarray, n: int, window: int = 10) -> np.ndarray:
    """How many distinct ``keys`` had an event in the last ``window`` seconds, per second."""
    if not len(keys):
        return np.zeros(n)
    pairs = np.unique(np.stack([keys.astype(np.int64), seconds.astype(np.int64)]), axis=1)
    key, sec = pairs
    nxt = np.r_[sec[1:], np.iinfo(np.int64).max]
    nxt = np.where(np.r_[key[1:] == key[:-1], False], nxt, np.iinfo(np.int64).max)
    stop = np.minimum(sec + window, nxt)  # a key counts once however many seconds overlap
    delta = np.zeros(n + 1)
    np.add.at(delta, np.clip(sec, 0, n), 1.0)
    np.add.at(delta, np.clip(stop, 0, n), -1.0)
    return np.cumsum(delta)[:n]


def stream_series(log: EventLog, mask: np.ndarray, start_s: int, n: int, drift: np.ndarray) -> StreamSeries:
    """The receive-time series of the events selected by ``mask``."""
    received = log.received_ms[mask]
    usd = log.usd[mask]
    longs = log.is_long[mask]
    seconds = -(-received // 1000) - start_s
    return StreamSeries(
        start_s=start_s,
        count=per_second(received, start_s, n),
        usd=per_second(received, start_s, n, usd),
        long_usd=per_second(received, start_s, n, np.where(longs, usd, 0.0)),
        short_usd=per_second(received, start_s, n, np.where(longs, 0.0, usd)),
        symbols10=distinct_in_window(log.asset[mask], seconds, n),
        venues10=distinct_in_window(log.venue[mask], seconds, n),
        drift=per_second(received, start_s, n, drift[mask]),
        times_s=np.sort(received / 1000.0 - start_s),
    )


def kernel_rate(values: np.ndarray, tau_s: float) -> np.ndarray:
    """Exponentially weighted rate per second (kernel truncated at 6 time constants, normalised)."""
    length = max(2, int(6 * tau_s) + 1)
    weights = np.exp(-np.arange(length) / tau_s)
    weights /= weights.sum()
    return np.convolve(values, weights)[: len(values)]


def session_codes(start_s: int, n: int) -> dict[str, np.ndarray]:
    """0/1 indicators of the asian, european and weekend sessions per second (us is the base)."""
    out = {name: np.zeros(n) for name in ("asian", "european", "weekend")}
    first, last = start_s * 1000 // HOUR_MS, (start_s + n) * 1000 // HOUR_MS
    for hour in range(first, last + 1):
        name = session_name_at(hour * HOUR_MS)
        if name in out:
            lo = max(0, hour * HOUR_MS // 1000 - start_s)
            out[name][lo : max(lo, min(n, (hour + 1) * HOUR_MS // 1000 - start_s))] = 1.0
    return out


def baseline_rate(series: StreamSeries, rule: LabelRule) -> np.ndarray:
    """The 30 min median one-minute count per second, floored where N_min binds anyway."""
    return np.maximum(minute_median(series.count, rule.history_minutes) / 60.0, rule.n_min / rule.k / 60.0)


def stream_features(series: StreamSeries, rule: LabelRule) -> np.ndarray:
    """The :data:`FEATURES` matrix (one row per second) of a scope's series."""
    count = series.count
    base = baseline_rate(series, rule)
    threshold = rule.k * base * 60.0  # max(k * B, N_min), given the floor in baseline_rate
    rates = {tau: np.log1p(kernel_rate(count, tau) / base) for tau in (1.0, 10.0, 60.0, 300.0)}
    n60, n10 = trailing(count, 60), trailing(count, 10)
    usd_base = np.maximum(minute_median(series.usd, rule.history_minutes) / 60.0, 1.0)
    long60, short60 = trailing(series.long_usd, 60), trailing(series.short_usd, 60)
    both = long60 + short60
    near60 = np.log((n60 + 1.0) / threshold)
    hot = _trailing_max(near60, 600)
    sessions = session_codes(series.start_s, series.n)
    columns = [
        rates[1.0],
        rates[10.0],
        rates[60.0],
        rates[300.0],
        rates[10.0] - rates[60.0],
        near60,
        np.log((6.0 * n10 + 1.0) / threshold),
        np.log1p(kernel_rate(series.usd, 10.0) / usd_base),
        np.where(both > 0, np.abs(long60 - short60) / np.where(both > 0, both, 1.0), 0.0)
        * np.minimum(n60 / 10.0, 1.0),
        np.log1p(series.symbols10),
        np.maximum(series.venues10 - 1.0, 0.0),
        trailing(series.drift, 60) / (n60 + 5.0) / 10.0,
        hot,
        _recency(near60 >= 0.0, RECENT_TAU_S),
        sessions["asian"],
        sessions["european"],
        sessions["weekend"],
    ]
    near10 = columns[6]
    for value, knot in ((near10, -1.5), (near10, -1.0), (near10, -0.5), (near10, 0.0), (near60, -1.0),
                        (near60, -0.5), (rates[10.0], 1.0), (rates[10.0], 2.0)):  # fmt: skip
        columns.append(np.maximum(value - knot, 0.0))
    return np.column_stack(columns)


def _recency(flags: np.ndarray, tau_s: float) -> np.ndarray:
    """``exp(-age / tau_s)`` with ``age`` the seconds since ``flags`` was last true (0 before that)."""
    index = np.arange(len(flags))
    last = np.maximum.accumulate(np.where(flags, index, -1))
    return np.where(last >= 0, np.exp(-(index - last) / tau_s), 0.0)


def _trailing_max(values: np.ndarray, window: int) -> np.ndarray:
    """Max over the last ``window`` seconds (block-wise: O(n) with numpy, no Python loop per second)."""
    n = len(values)
    out = values.copy()
    step = 1
    while step < window:  # doubling: out[i] = max(values[i - 2^k + 1 .. i])
        span = min(step, window - step)
        shifted = np.full(n, -np.inf)
        if span < n:  # a recording shorter than the window: nothing to shift in
            shifted[span:] = out[: n - span]
        np.maximum(out, shifted, out=out)
        step += span
    return out

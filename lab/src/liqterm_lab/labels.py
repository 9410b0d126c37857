"""Ground truth: when did a cascade start? (cascade-science.md §1, D1 and its notional variant.)

Everything works on per-second series in EXCHANGE time: second ``s`` of a series
holds the events with ``(s-1) s < t <= s s`` (the reference labeller's
``count_in(t-60, t]`` windows), index 0 being the recording's first second.

* :func:`rate_ratio_threshold` — D1: ``N_60(t) >= max(k * median of the previous
  30 one-minute counts, N_min)``.
* :func:`notional_threshold` — the secondary label: the asset's trailing 60 s USD
  against its session-scaled ``cascade`` threshold (the engine's own rule).
* :func:`find_episodes` — the episode state machine shared by both: onset at the
  first crossing after warm-up, back-dated to the first second of the run-up whose
  trailing 10 s already ran at the cascade rate (``>= thr / 6``), episode end after
  120 s below, seconds whose 60 s window touches a coverage gap held ("unknown").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from liqterm.config.schema import LabelMinimums, ThresholdConfig
from liqterm.engine.sessions import HOUR_MS, session_name_at


@dataclass(frozen=True, slots=True)
class LabelRule:
    """The D1 parameters (fixed before looking at test data, cascade-science §4.2)."""

    k: float = 3.0
    n_min: float = 100.0
    window_s: int = 60
    history_minutes: int = 30
    warmup_s: int = 300
    quiet_s: int = 120
    backdate: bool = True


DEFAULT_N_MIN: dict[str, float] = asdict(LabelMinimums())
"""N_min per scope: the config's ``[backtest.n_min]`` defaults, read from its one definition
(cascade-science §5): Binance all-market 100 per 60 s (from the real slice), other venues
20–30 (3x their quiet median), a single asset 10. The cross-venue union uses the largest
venue's figure: it is at least as busy as any one venue."""


@dataclass(frozen=True, slots=True)
class Episode:
    """One labelled cascade, times in epoch seconds.

    Attributes:
        onset_s: back-dated onset (the crossing when back-dating is off).
        crossing_s: the first second at which the condition held.
        end_s: the last second of the episode at or above the threshold.
        peak: the largest trailing-60 s value during the episode.
        masked: its trailing 30 min or its onset's surroundings touch a coverage gap,
            so it is neither counted nor held against anyone.
    """

    onset_s: int
    crossing_s: int
    end_s: int
    peak: float
    masked: bool = False


def per_second(times_ms: np.ndarray, start_s: int, n: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Sum of ``weights`` (1 per event by default) per second ``(s-1, s]``; index 0 is ``start_s``."""
    seconds = -((-np.asarray(times_ms, dtype=np.int64)) // 1000) - start_s
    inside = (seconds >= 0) & (seconds < n)
    return np.bincount(seconds[inside], weights=None if weights is None else weights[inside], minlength=n)[
        :n
    ].astype(float)


def trailing(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing sums over ``window`` seconds, the current one included."""
    total = np.cumsum(values)
    out = total.copy()
    out[window:] -= total[:-window]
    return out


def touches(down: np.ndarray, before: int, after: int = 0) -> np.ndarray:
    """For each second t: does any second of ``[t - before, t + after]`` have ``down`` set?"""
    if not down.any():
        return np.zeros(len(down), dtype=bool)
    spread = trailing(down.astype(float), before + after + 1)
    shifted = np.empty_like(spread)
    n = len(down)
    if after:
        shifted[: n - after] = spread[after:]
        shifted[n - after :] = spread[-1]  # the window runs past the end: keep the last
    else:
        shifted = spread
    return shifted > 0


def minute_median(
    counts: np.ndarray, history_minutes: int = 30, down: np.ndarray | None = None
) -> np.ndarray:
    """``B(t)``: the median of the previous one-minute counts, per second.

    Minute ``j`` before ``t`` is the count in ``(t - 60 (j+1), t - 60 j]``, taken only when
    it lies inside the recording (the reference's ``t - 60 (j+1) >= t0``) and, with
    ``down``, when it touches no coverage gap. No minute at all gives 0.
    """
    n = len(counts)
    minute = trailing(counts, 60)
    hist = np.full((n, history_minutes), np.nan)
    gap_minute = touches(down, 59) if down is not None else None
    t = np.arange(n)
    for j in range(1, history_minutes + 1):
        source = t - 60 * j
        valid = source - 60 >= 0
        if gap_minute is not None:
            valid &= ~gap_minute[np.clip(source, 0, n - 1)]
        hist[valid, j - 1] = minute[source[valid]]
    empty = np.isnan(hist).all(axis=1)
    hist[empty, 0] = 0.0
    partial = np.isnan(hist).any(axis=1)
    out = np.empty(n)
    out[~partial] = np.median(hist[~partial], axis=1)  # the common case; nanmedian is 10x slower
    if partial.any():
        out[partial] = np.nanmedian(hist[partial], axis=1)
    return out


def rate_ratio_threshold(counts: np.ndarray, rule: LabelRule, down: np.ndarray | None = None) -> np.ndarray:
    """D1's threshold per second: ``max(k * B(t), N_min)``."""
    return np.maximum(rule.k * minute_median(counts, rule.history_minutes, down), rule.n_min)


def notional_threshold(asset: str, start_s: int, n: int, thresholds: ThresholdConfig) -> np.ndarray:
    """The asset's session-scaled ``cascade`` USD for every second (sessions change on hours)."""
    out = np.empty(n)
    hour_first = (start_s * 1000) // HOUR_MS
    hour_last = ((start_s + n - 1) * 1000) // HOUR_MS
    for hour in range(hour_first, hour_last + 1):
        lo = max(0, hour * HOUR_MS // 1000 - start_s)
        hi = min(n, (hour + 1) * HOUR_MS // 1000 - start_s)
        out[lo:hi] = thresholds.scaled(asset, session_name_at(hour * HOUR_MS)).cascade
    return out


def find_episodes(
    values: np.ndarray,
    threshold: np.ndarray,
    start_s: int,
    rule: LabelRule,
    down: np.ndarray | None = None,
) -> list[Episode]:
    """Episodes of ``trailing 60 s of values >= threshold`` (see the module docstring).

    ``values`` are per-second counts (or USD); ``down`` marks seconds without coverage.
    """
    n = len(values)
    total = trailing(values, rule.window_s)
    ten = trailing(values, 10)
    cond = total >= threshold
    unknown = touches(down, rule.window_s - 1) if down is not None else np.zeros(n, dtype=bool)
    masked_span = touches(down, rule.history_minutes * 60) if down is not None else unknown
    starts = np.flatnonzero(cond & ~unknown)
    starts = starts[starts >= rule.warmup_s]
    episodes: list[Episode] = []
    i, end_of_last = 0, -1
    while i < len(starts):
        crossing = int(starts[i])
        if crossing <= end_of_last:
            i += 1
            continue
        onset = crossing
        if rule.backdate:
            lo = max(0, crossing - rule.window_s + 1)
            early = np.flatnonzero(ten[lo : crossing + 1] >= threshold[crossing] / 6.0)
            onset = lo + int(early[0]) if len(early) else crossing
        off, t, last_above = 0, crossing, crossing
        while t < n - 1 and off < rule.quiet_s:
            t += 1
            if unknown[t]:
                continue
            if cond[t]:
                off, last_above = 0, t
            else:
                off += 1
        end = last_above if off >= rule.quiet_s else n - 1
        peak = float(total[crossing : max(end, last_above) + 1].max())
        masked = bool(masked_span[crossing] or (down is not None and down[onset : crossing + 1].any()))
        episodes.append(Episode(start_s + onset, start_s + crossing, start_s + end, peak, masked))
        end_of_last = t
        i = int(np.searchsorted(starts, t + 1))
    return episodes


def rate_ratio_episodes(
    counts: np.ndarray, start_s: int, rule: LabelRule, down: np.ndarray | None = None
) -> list[Episode]:
    """D1 episodes of a per-second count series."""
    return find_episodes(counts, rate_ratio_threshold(counts, rule, down), start_s, rule, down)


def running_mask(episodes: list[Episode], start_s: int, n: int) -> np.ndarray:
    """Seconds inside a running episode (back-dated onset to end, both included)."""
    inside = np.zeros(n, dtype=bool)
    for episode in episodes:
        inside[max(0, episode.onset_s - start_s) : max(0, episode.end_s - start_s + 1)] = True
    return inside


def onset_within(episodes: list[Episode], start_s: int, n: int, horizon_s: int) -> np.ndarray:
    """For each second t: does a counted (unmasked) onset fall in ``(t, t + horizon]``?"""
    marks = np.zeros(n + horizon_s + 1)
    for episode in episodes:
        if not episode.masked and 0 <= episode.onset_s - start_s < n:
            marks[episode.onset_s - start_s] = 1
    upcoming = trailing(marks, horizon_s)
    return upcoming[np.arange(n) + horizon_s] > 0

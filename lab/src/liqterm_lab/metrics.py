"""Scores of a probability forecast against labelled onsets (cascade-science §4.4).

A :class:`Track` is one scope's evaluation material on the 1 s grid: its episodes,
which seconds are scored, and the target ``y(tau)`` = an onset in
``(tau, tau + H]``. Metrics take several tracks and pool them (the per-asset
scopes are pooled over assets).

* probabilistic, on the seconds OUTSIDE running episodes: Brier score, Brier skill
  score against a reference forecast (the ``climatology`` predictor), log score and a
  reliability table;
* alarms: a warning when ``p >= theta``, at most one per refractory period (60 s).
  A warning with an onset in ``[w, w + H]`` is a hit, one inside a running episode a
  detection (neither hit nor false), any other a false warning. Recall counts onsets
  with a warning in ``[onset - H, onset]``; the lead is ``onset - first such warning``.
  The detection delay of an onset is how long after it the first warning in
  ``[onset - H, end]`` came (0 when it was warned ahead).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from liqterm_lab.labels import Episode

RELIABILITY_EDGES = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
SWEEP_THETAS = (0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass(slots=True)
class Track:
    """One scope on the grid (index 0 = ``start_s``).

    Attributes:
        scored: seconds on which warnings count (warm-up over, horizon inside the
            recording, no coverage gap near).
        outside: scored seconds outside running episodes (the probabilistic sample).
        y: an unmasked onset within the horizon, per second.
        onsets: unmasked onsets as grid indices, with their episode end.
    """

    name: str
    start_s: int
    episodes: list[Episode]
    scored: np.ndarray
    outside: np.ndarray
    y: np.ndarray

    @property
    def onsets(self) -> list[tuple[int, int]]:
        return [
            (e.onset_s - self.start_s, e.end_s - self.start_s)
            for e in self.episodes
            if not e.masked and self.scored[min(max(e.onset_s - self.start_s, 0), len(self.scored) - 1)]
        ]

    def running(self, index: int) -> bool:
        start = self.start_s + index
        return any(e.onset_s <= start <= e.end_s for e in self.episodes)


def probabilistic(tracks: list[Track], probs: list[np.ndarray], reference: list[np.ndarray]) -> dict:
    """Brier, BSS against ``reference``, log score and reliability, pooled over tracks."""
    p = np.concatenate([q[t.outside] for t, q in zip(tracks, probs, strict=True)])
    ref = np.concatenate([q[t.outside] for t, q in zip(tracks, reference, strict=True)])
    y = np.concatenate([t.y[t.outside] for t in tracks]).astype(float)
    if not len(y):
        return {"brier": math.nan, "bss": math.nan, "log_score": math.nan, "reliability": []}
    brier = float(np.mean((p - y) ** 2))
    brier_ref = float(np.mean((ref - y) ** 2))
    clipped = np.clip(p, 1e-6, 1 - 1e-6)
    log_score = float(-np.mean(np.where(y > 0, np.log(clipped), np.log(1 - clipped))))
    table = []
    edges = np.asarray(RELIABILITY_EDGES)
    bins = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    for b in range(len(edges) - 1):
        inside = bins == b
        if inside.any():
            table.append(
                {
                    "from": float(edges[b]),
                    "to": float(edges[b + 1]),
                    "n": int(inside.sum()),
                    "mean_p": float(p[inside].mean()),
                    "observed": float(y[inside].mean()),
                }
            )
    return {
        "brier": brier,
        "bss": 1.0 - brier / brier_ref if brier_ref > 0 else math.nan,
        "log_score": log_score,
        "base_rate": float(y.mean()),
        "samples": len(y),
        "reliability": table,
    }


def warnings_of(prob: np.ndarray, scored: np.ndarray, theta: float, refractory_s: int = 60) -> np.ndarray:
    """Grid indices of warnings: ``p >= theta`` on scored seconds, one per refractory period."""
    candidates = np.flatnonzero((prob >= theta) & scored)
    if not len(candidates):
        return candidates.astype(np.int64)
    # From each candidate, the first one a refractory period later: the warnings are the chain of
    # jumps from the first candidate (followed in plain Python, one step per warning).
    jump = np.searchsorted(candidates, candidates + refractory_s, side="left").tolist()
    chosen = []
    i, n = 0, len(candidates)
    while i < n:
        chosen.append(i)
        i = jump[i]
    return candidates[chosen].astype(np.int64)


def _running_at(track: Track, seconds: np.ndarray) -> np.ndarray:
    """:meth:`Track.running` for many grid indices at once (episodes sorted by onset; the running
    maximum of their ends makes overlapping ones exact too)."""
    if not track.episodes or not len(seconds):
        return np.zeros(len(seconds), dtype=bool)
    ordered = sorted(track.episodes, key=lambda e: e.onset_s)
    onsets = np.fromiter((e.onset_s for e in ordered), dtype=np.int64, count=len(ordered))
    ends = np.maximum.accumulate(np.fromiter((e.end_s for e in ordered), dtype=np.int64, count=len(ordered)))
    at = track.start_s + seconds
    last = np.searchsorted(onsets, at, side="right") - 1
    return (last >= 0) & (ends[np.maximum(last, 0)] >= at)


def alarms(
    tracks: list[Track], probs: list[np.ndarray], theta: float, horizon_s: int, refractory_s: int = 60
) -> dict:
    """Alarm scores at threshold ``theta``, pooled over tracks (see the module docstring)."""
    hits = false = detections = onsets = caught = 0
    leads: list[float] = []
    delays: list[float] = []
    warned_seconds = outside_seconds = scored_seconds = 0
    for track, prob in zip(tracks, probs, strict=True):
        warnings = warnings_of(prob, track.scored, theta, refractory_s)
        scored_seconds += int(track.scored.sum())
        outside_seconds += int(track.outside.sum())
        warned_seconds += int(((prob >= theta) & track.outside).sum())
        spans = track.onsets
        starts = np.array([s for s, _ in spans], dtype=np.int64)
        starts.sort()
        # a hit has an onset in [w, w + H]; else a warning inside a running episode detects it
        following = np.searchsorted(starts, warnings, side="left")
        hit = following < len(starts)
        hit[hit] = starts[following[hit]] <= warnings[hit] + horizon_s
        running = _running_at(track, warnings[~hit])
        hits += int(hit.sum())
        detections += int(running.sum())
        false += int((~running).sum())
        for start, end in spans:
            onsets += 1
            first = int(np.searchsorted(warnings, start - horizon_s, side="left"))
            if first < len(warnings) and warnings[first] <= start:
                caught += 1
                leads.append(float(start - warnings[first]))
            if first < len(warnings) and warnings[first] <= end:
                delays.append(float(max(0, warnings[first] - start)))
    hours = scored_seconds / 3600.0
    lead = np.asarray(leads)
    return {
        "theta": theta,
        "warnings": hits + false + detections,
        "hits": hits,
        "false": false,
        "detections": detections,
        "onsets": onsets,
        "caught": caught,
        "precision": hits / (hits + false) if hits + false else math.nan,
        "recall": caught / onsets if onsets else math.nan,
        "median_lead_s": float(np.median(lead)) if len(lead) else math.nan,
        "p10_lead_s": float(np.percentile(lead, 10)) if len(lead) else math.nan,
        "share_lead_10s": float(np.mean(lead >= 10)) if len(lead) else math.nan,
        "share_lead_30s": float(np.mean(lead >= 30)) if len(lead) else math.nan,
        "leads_s": [round(v, 1) for v in leads],
        "false_per_hour": false / hours if hours else math.nan,
        "time_in_warning": warned_seconds / outside_seconds if outside_seconds else math.nan,
        "detection_delay_s": float(np.median(delays)) if delays else math.nan,
        "detected": len(delays),
    }


QUANTILES = (0.9, 0.95, 0.97, 0.98, 0.99, 0.993, 0.995, 0.997, 0.998, 0.999, 0.9995, 0.9999)


def thresholds_for(tracks: list[Track], probs: list[np.ndarray]) -> list[float]:
    """:data:`SWEEP_THETAS` plus high quantiles of the predictor's own probabilities: a fixed grid
    alone misses predictors whose calibrated probabilities stay in a narrow band."""
    values = np.concatenate([p[t.scored] for t, p in zip(tracks, probs, strict=True)])
    extra = np.quantile(values, QUANTILES) if len(values) else []
    return sorted({round(float(v), 4) for v in (*SWEEP_THETAS, *extra) if 0 < v < 1})


def sweep(tracks: list[Track], probs: list[np.ndarray], horizon_s: int, refractory_s: int = 60) -> list[dict]:
    """Precision, recall, false warnings per hour and median lead over :func:`thresholds_for`."""
    rows = []
    for theta in thresholds_for(tracks, probs):
        a = alarms(tracks, probs, theta, horizon_s, refractory_s)
        keys = ("theta", "precision", "recall", "false_per_hour", "median_lead_s", "warnings")
        rows.append({key: a[key] for key in keys})
    return rows


def recall_within(rows: list[dict], max_false_per_hour: float) -> tuple[float, float | None]:
    """The best recall of a sweep with no more false warnings per hour than the budget, and its theta."""
    best, theta = 0.0, None
    for row in rows:
        if row["false_per_hour"] <= max_false_per_hour + 1e-9 and (row["recall"] or 0) > best:
            best, theta = row["recall"], row["theta"]
    return best, theta


def recall_at_budget(
    tracks: list[Track], probs: list[np.ndarray], horizon_s: int, rows: list[dict], budget: float
) -> tuple[float, float | None]:
    """Like :func:`recall_within`, and also at the lowest theta whose false warnings per hour stay
    within ``budget``, found by bisection between the sweep's neighbouring thresholds.

    The sweep's grid is coarse where the probabilities are dense: a predictor can meet another's
    exact false-warning rate between two grid points and catch more there, which the grid alone
    would not show. The bisection only ever returns a theta that meets the budget."""
    best, theta = recall_within(rows, budget)
    feasible = [r["theta"] for r in rows if r["false_per_hour"] <= budget + 1e-9]
    if not feasible:
        return best, theta
    hi = min(feasible)
    lo = max((r["theta"] for r in rows if r["theta"] < hi), default=0.0)
    for _ in range(30):
        mid = (lo + hi) / 2
        if alarms(tracks, probs, mid, horizon_s)["false_per_hour"] <= budget + 1e-9:
            hi = mid
        else:
            lo = mid
    recall = alarms(tracks, probs, hi, horizon_s)["recall"]
    if recall == recall and recall > best:
        best, theta = recall, float(hi)
    return best, theta

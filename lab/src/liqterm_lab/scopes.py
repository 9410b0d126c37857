"""What is labelled and scored: scopes (union, venue, asset, notional), coverage gaps, tracks.

Scope kinds and what predicts them (each predictor is scored against the label of
the scope it predicts):

* ``market`` — D1 on the cross-venue union and on each venue (when a recording has
  more than one). Stream predictors run on the scope's events; ``seed`` (a per-asset
  score) is read as the max over assets, on the union only.
* ``asset`` — D1 per asset for the busiest assets (smaller ``N_min``), pooled.
* ``notional`` — the secondary label: an asset's trailing 60 s USD reaching its
  session-scaled ``cascade`` threshold, the very event the engine's per-asset
  probability is about; pooled over assets.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from liqterm.config.schema import ThresholdConfig
from liqterm_lab.events import EventLog
from liqterm_lab.labels import (
    DEFAULT_N_MIN,
    Episode,
    LabelRule,
    find_episodes,
    minute_median,
    notional_threshold,
    onset_within,
    per_second,
    rate_ratio_episodes,
    running_mask,
    touches,
    trailing,
)
from liqterm_lab.metrics import Track

GAP_MIN_S = 60
GAP_EXPECTED = 30.0
"""A venue silent for at least 60 s while its median rate promised at least 30 events
in that span is taken to be down (a disconnection, not a quiet market)."""


@dataclass(frozen=True, slots=True)
class LabelConfig:
    """Labelling choices: the D1 rule, N_min per scope, how many assets get their own scope."""

    rule: LabelRule = field(default_factory=LabelRule)
    n_min: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_N_MIN))
    top_assets: int = 20
    min_asset_events: int = 30
    detect_gaps: bool = True

    def rule_for(self, scope: str) -> LabelRule:
        key = scope.split(":", 1)[-1] if scope.startswith("venue:") else scope.split(":", 1)[0]
        return replace(self.rule, n_min=self.n_min.get(key, self.n_min["asset"]))


@dataclass(slots=True)
class Scope:
    name: str
    kind: str
    mask: np.ndarray
    rule: LabelRule
    asset: str | None = None
    venues: tuple[int, ...] = ()


def coverage_gaps(log: EventLog, start_s: int, n: int) -> dict[int, np.ndarray]:
    """Seconds each venue was down, inferred from silences (see :data:`GAP_EXPECTED`)."""
    gaps: dict[int, np.ndarray] = {}
    for code in range(len(log.venues)):
        times = np.sort(log.received_ms[log.venue == code])
        down = np.zeros(n, dtype=bool)
        rate = minute_median(per_second(times, start_s, n)) / 60.0
        silence = np.diff(times) / 1000.0
        for i in np.flatnonzero(silence >= GAP_MIN_S):
            lo = int(-(-times[i] // 1000)) - start_s
            hi = int(times[i + 1] // 1000) - start_s
            if rate[min(max(lo, 0), n - 1)] * silence[i] >= GAP_EXPECTED:
                down[max(lo, 0) : max(hi, 0)] = True
        gaps[code] = down
    return gaps


def build_scopes(log: EventLog, config: LabelConfig) -> list[Scope]:
    everyone = np.ones(len(log), dtype=bool)
    all_venues = tuple(range(len(log.venues)))
    scopes = [Scope("union", "market", everyone, config.rule_for("union"), venues=all_venues)]
    if len(log.venues) > 1:
        for code, venue in enumerate(log.venues):
            name = f"venue:{venue}"
            scopes.append(Scope(name, "market", log.venue == code, config.rule_for(name), venues=(code,)))
    counts = np.bincount(log.asset, minlength=len(log.assets))
    top = [
        int(a)
        for a in np.argsort(-counts, kind="stable")[: config.top_assets]
        if counts[a] >= config.min_asset_events
    ]
    for code in top:
        name = f"asset:{log.assets[code]}"
        scopes.append(
            Scope(name, "asset", log.asset == code, config.rule_for(name), log.assets[code], all_venues)
        )
    return scopes


def notional_scopes(
    log: EventLog, config: LabelConfig, thresholds: ThresholdConfig, start_s: int, n: int
) -> list[tuple[Scope, list[Episode]]]:
    """Assets with their notional episodes: the top assets, and any asset that reached its threshold."""
    counts = np.bincount(log.asset, minlength=len(log.assets))
    top = set(np.argsort(-counts, kind="stable")[: config.top_assets].tolist())
    out = []
    for code, asset in enumerate(log.assets):
        mask = log.asset == code
        usd = per_second(log.exchange_ms[mask], start_s, n, log.usd[mask])
        threshold = notional_threshold(asset, start_s, n, thresholds)
        rule = config.rule_for(f"asset:{asset}")  # the label's threshold is the USD one; this feeds features
        reachable = trailing(usd, 60).max() >= threshold.min()
        episodes = find_episodes(usd, threshold, start_s, rule) if reachable else []
        if episodes or (code in top and counts[code] >= config.min_asset_events):
            out.append((Scope(f"notional:{asset}", "notional", mask, rule, asset), episodes))
    return out


def make_track(
    name: str,
    episodes: list[Episode],
    start_s: int,
    n: int,
    rule: LabelRule,
    horizon_s: int,
    down: np.ndarray | None,
    test_from_s: int | None = None,
) -> Track:
    scored = np.zeros(n, dtype=bool)
    scored[rule.warmup_s : max(rule.warmup_s, n - horizon_s)] = True
    if down is not None and down.any():
        scored &= ~touches(down, rule.window_s, horizon_s)
    if test_from_s is not None:
        scored[: max(0, test_from_s - start_s)] = False
    outside = scored & ~running_mask(episodes, start_s, n)
    return Track(name, start_s, episodes, scored, outside, onset_within(episodes, start_s, n, horizon_s))


def label_scope(log: EventLog, scope: Scope, start_s: int, n: int, down: np.ndarray | None) -> list[Episode]:
    counts = per_second(log.exchange_ms[scope.mask], start_s, n)
    return rate_ratio_episodes(counts, start_s, scope.rule, down)


def scope_down(scope: Scope, gaps: dict[int, np.ndarray], n: int) -> np.ndarray | None:
    down = np.zeros(n, dtype=bool)
    for code in scope.venues or tuple(gaps):
        if code in gaps:
            down |= gaps[code]
    return down if down.any() else None

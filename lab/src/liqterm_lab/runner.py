"""The backtest: replay, label, predict, score (``liqterm backtest``).

:func:`collect` replays recordings through the live path and labels every scope;
:func:`score` runs every predictor on the 1 s grid and scores it against the label
of the scope it predicts (see :mod:`liqterm_lab.scopes`). The report's
top-level figures are those of the cross-venue ``union`` scope; ``scopes`` holds
the rest (each venue, the per-asset D1 label and the notional label, pooled over
assets).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from liqterm.config.schema import Config
from liqterm.engine.cascade import Predictor, make_predictor
from liqterm.recording.format import RecordedFrame
from liqterm_lab.baselines import probabilities, raw_scores
from liqterm_lab.events import EventLog, Progress, Samples, replay
from liqterm_lab.labels import Episode
from liqterm_lab.metrics import Track, alarms, probabilistic, recall_at_budget, sweep
from liqterm_lab.params import BacktestParams, KindParams
from liqterm_lab.scopes import (
    LabelConfig,
    Scope,
    build_scopes,
    coverage_gaps,
    label_scope,
    make_track,
    notional_scopes,
    scope_down,
)
from liqterm_lab.series import StreamSeries, signed_drift_bps, stream_features, stream_series
from liqterm_lab.uncertainty import skill_intervals

log = logging.getLogger(__name__)

ALL_PREDICTORS = ("climatology", "seed", "count10", "ewma", "hawkes", "liqterm")
ENGINE_PREDICTORS: dict[str, Callable[[], Predictor]] = {
    "seed": lambda: make_predictor("seed"),
    "liqterm": lambda: make_predictor("liqterm"),
}
HEADLINE_KEYS = ("brier", "bss", "log_score", "precision", "recall", "median_lead_s", "p10_lead_s",
                 "share_lead_10s", "share_lead_30s", "false_per_hour", "time_in_warning",
                 "detection_delay_s", "warnings", "hits", "theta", "leads_s")  # fmt: skip
SEED_THETA = 0.5
"""The seed is scored at the engine's own "possible" alert level: it is not calibrated."""


@dataclass(slots=True)
class Material:
    """One replay, labelled: everything needed to fit or score predictors on it."""

    events: EventLog
    start_s: int
    n: int
    horizon_s: int
    samples: dict[str, Samples]
    scopes: list[Scope] = field(default_factory=list)
    episodes: dict[str, list[Episode]] = field(default_factory=dict)
    downs: dict[str, np.ndarray | None] = field(default_factory=dict)
    series: dict[str, StreamSeries] = field(default_factory=dict)
    features: dict[str, np.ndarray] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def track(self, scope: Scope, test_from_s: int | None = None, until_s: int | None = None) -> Track:
        track = make_track(
            scope.name,
            self.episodes[scope.name],
            self.start_s,
            self.n,
            scope.rule,
            self.horizon_s,
            self.downs[scope.name],
            test_from_s,
        )
        if until_s is not None:  # training: only seconds whose label is settled before the cut
            # y(tau) looks H seconds ahead, and an onset is only known once its crossing (up to
            # window - 1 s after the back-dated onset) has happened
            cut = max(0, until_s - self.horizon_s - (scope.rule.window_s - 1) - self.start_s)
            track.scored[cut:] = False
            track.outside[cut:] = False
        return track

    def stream(self, scope: Scope) -> StreamSeries:
        if scope.name not in self.series:
            drift = self.features.setdefault("_drift", signed_drift_bps(self.events))
            self.series[scope.name] = stream_series(self.events, scope.mask, self.start_s, self.n, drift)
        return self.series[scope.name]

    def feature_matrix(self, scope: Scope) -> np.ndarray:
        if scope.name not in self.features:
            self.features[scope.name] = stream_features(self.stream(scope), scope.rule)
        return self.features[scope.name]


def collect(
    frames: Iterable[RecordedFrame],
    *,
    config: Config | None = None,
    labels: LabelConfig | None = None,
    horizon_s: int = 60,
    engine_predictors: Sequence[str] = ("seed", "liqterm"),
    factories: dict[str, Callable[[], Predictor]] | None = None,
    progress: Progress | None = None,
    on_sample: Callable | None = None,
    sources: Sequence[str] = (),
    phase: Callable[[str], None] | None = None,
) -> Material:
    """Replay ``frames`` (receive order) and label every scope.

    ``factories`` overrides how an engine predictor is made (the fitting script taps the
    liqterm predictor's features); ``on_sample`` sees every per-second sample; ``phase`` hears
    when the replay is done and the labelling starts.
    """
    from liqterm.venues import offline_adapters

    config = config or Config()
    labels = labels or LabelConfig()
    chosen = {name: (factories or {}).get(name) or ENGINE_PREDICTORS[name] for name in engine_predictors}
    events, samples = replay(frames, offline_adapters(), chosen, config, progress, on_sample)
    if not len(events):
        raise ValueError("no liquidation in the recording(s)")
    start_s, n = events.start_s, events.end_s - events.start_s + 1
    if phase is not None:
        phase(f"{len(events):,} liquidations replayed; labelling cascades")
    material = Material(events, start_s, n, horizon_s, samples, sources=list(sources))
    gaps = coverage_gaps(events, start_s, n) if labels.detect_gaps else {}
    for scope in build_scopes(events, labels):
        down = scope_down(scope, gaps, n)
        material.scopes.append(scope)
        material.downs[scope.name] = down
        material.episodes[scope.name] = label_scope(events, scope, start_s, n, down)
    for scope, episodes in notional_scopes(events, labels, config.thresholds, start_s, n):
        material.scopes.append(scope)
        material.downs[scope.name] = scope_down(scope, gaps, n)
        material.episodes[scope.name] = episodes
    return material


def scope_predictions(material: Material, scope: Scope, kind: KindParams, names: Sequence[str]) -> dict:
    """Every requested predictor's probability per second for ``scope``."""
    out: dict[str, np.ndarray] = {}
    n = material.n
    stream_names = [name for name in names if name in ("count10", "ewma", "hawkes", "liqterm")]
    engine_liqterm = scope.kind == "notional" and "liqterm" in names
    if engine_liqterm:
        stream_names.remove("liqterm")
    if stream_names:
        model = kind.model if "liqterm" in stream_names else None
        features = material.feature_matrix(scope) if model is not None else None
        scores = raw_scores(material.stream(scope), scope.rule, kind.kernel, model, features)
        out.update(probabilities({k: v for k, v in scores.items() if k in stream_names}, kind.platt))
    for name in ("seed", "liqterm"):
        if name not in names or (name == "liqterm" and not engine_liqterm) or name not in material.samples:
            continue
        if scope.asset is not None:
            out[name] = material.samples[name].dense(scope.asset, material.start_s, n)
        elif scope.name == "union":
            out[name] = material.samples[name].market_max(material.start_s, n)
    if "climatology" in names:
        out["climatology"] = np.full(n, kind.climatology)
    return out


def _group_of(scope: Scope) -> str:
    """Market scopes are reported one by one; asset and notional scopes pooled by kind."""
    return scope.name if scope.kind == "market" else scope.kind


def score(
    material: Material,
    params: BacktestParams,
    names: Sequence[str] = ALL_PREDICTORS,
    test_from_s: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Score ``names`` on every scope group (``progress`` hears each); the top level is the union."""
    names = list(dict.fromkeys(["climatology", *names]))  # climatology is the BSS reference
    grouped: dict[str, list[tuple[Track, dict]]] = {}
    for scope in material.scopes:
        kind = params.kinds.get(scope.kind)
        if kind is None:
            continue
        track = material.track(scope, test_from_s)
        grouped.setdefault(_group_of(scope), []).append(
            (track, scope_predictions(material, scope, kind, names))
        )
    report_groups = {}
    for group, rows in grouped.items():
        if progress is not None:
            progress(f"scoring the {group} label ({len(rows)} track(s))")
        kind_name = next(s.kind for s in material.scopes if _group_of(s) == group)
        report_groups[group] = _score_group(rows, names, params.kinds[kind_name], material.horizon_s)
    union = report_groups.get("union", {})
    return {
        "data": _describe(material, test_from_s),
        "horizon_s": material.horizon_s,
        "onsets": union.get("onsets", 0),
        "hours": union.get("hours", 0.0),
        "predictors": union.get("predictors", {}),
        "episodes": [_episode_row(e) for e in material.episodes.get("union", [])],
        "scopes": report_groups,
        "provenance": params.provenance,
    }


def _score_group(
    rows: list[tuple[Track, dict]], names: Sequence[str], kind: KindParams, horizon: int
) -> dict:
    tracks = [track for track, _ in rows]
    reference = [preds["climatology"] for _, preds in rows]
    predictors, sweeps, reliability, all_probs = {}, {}, {}, {}
    for name in names:
        if not all(name in preds for _, preds in rows):
            continue
        probs = all_probs[name] = [preds[name] for _, preds in rows]
        theta = SEED_THETA if name == "seed" else kind.theta.get(name, 0.5)
        prob_scores = probabilistic(tracks, probs, reference)
        alarm = alarms(tracks, probs, theta, horizon)
        merged = {**prob_scores, **alarm}
        predictors[name] = {key: merged.get(key) for key in HEADLINE_KEYS}
        reliability[name] = prob_scores["reliability"]
        if name != "climatology":
            sweeps[name] = sweep(tracks, probs, horizon)
    hours = sum(int(t.scored.sum()) for t in tracks) / 3600.0
    spread = skill_intervals(tracks, {**all_probs, "climatology": reference})
    for name, interval in spread.get("bss_ci", {}).items():
        predictors[name]["bss_ci"] = interval
    return {
        "tracks": len(tracks),
        "onsets": sum(len(t.onsets) for t in tracks),
        "hours": hours,
        "predictors": predictors,
        "matched": _matched(predictors, sweeps, tracks, all_probs, horizon),
        "skill_spread": {k: v for k, v in spread.items() if k != "bss_ci"},
        "sweep": sweeps,
        "reliability": reliability,
    }


def _matched(
    predictors: dict,
    sweeps: dict,
    tracks: list[Track],
    all_probs: dict[str, list],
    horizon: int,
    own: str = "liqterm",
) -> dict:
    """liqterm against each other predictor at equal or lower false warnings per hour, both ways.

    At the other's threshold: liqterm's best recall with no more false warnings per hour than it
    had ("recall at equal or lower false warnings per hour", the bar liqterm's model must
    clear), on its sweep and at that exact rate (:func:`~liqterm_lab.metrics.recall_at_budget`).
    And at liqterm's own threshold (``at_own_rate``): the other's best recall with no more
    false warnings per hour than liqterm had there, which is what the comparison means at the
    app's alert level."""
    own_probs = all_probs.get(own)
    if own not in sweeps or own_probs is None:
        return {}
    own_row = predictors[own]
    own_rate = own_row["false_per_hour"]
    out = {}
    for name, row in predictors.items():
        if name in (own, "climatology") or row["false_per_hour"] != row["false_per_hour"]:
            continue
        recall, theta = recall_at_budget(tracks, own_probs, horizon, sweeps[own], row["false_per_hour"])
        out[name] = {"recall": row["recall"], "false_per_hour": row["false_per_hour"],
                     f"{own}_recall": recall, f"{own}_theta": theta}  # fmt: skip
        if own_rate == own_rate and name in sweeps:
            theirs, their_theta = recall_at_budget(tracks, all_probs[name], horizon, sweeps[name], own_rate)
            out[name]["at_own_rate"] = {"false_per_hour": own_rate, f"{own}_recall": own_row["recall"],
                                        "recall": theirs, "theta": their_theta}  # fmt: skip
    return out


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _episode_row(episode: Episode) -> dict:
    return {
        "onset": _iso(episode.onset_s),
        "crossing": _iso(episode.crossing_s),
        "end": _iso(episode.end_s),
        "peak": episode.peak,
        "masked": episode.masked,
    }


def _describe(material: Material, test_from_s: int | None) -> dict:
    events = material.events
    return {
        "files": material.sources,
        "events": len(events),
        "frames": events.frames,
        "venues": events.venues,
        "assets": len(events.assets),
        "from": _iso(material.start_s),
        "to": _iso(material.start_s + material.n - 1),
        "scored_from": _iso(test_from_s) if test_from_s else None,
        "rejected_frames": events.rejected_frames,
    }

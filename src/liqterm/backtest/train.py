"""Fit every predictor's parameters on TRAINING material only (walk forward: earlier data).

Per scope kind: the climatology rate; the Hawkes kernel by maximum likelihood on
the training events; a Platt map per stream predictor; liqterm's stream model
(L2 logistic regression, then a Platt calibration fitted on out-of-fold
predictions, two folds in time order); and each predictor's alarm threshold, the
lowest of the sweep's thresholds whose false warnings per hour on the training
data stay within :data:`FALSE_PER_HOUR_BUDGET`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from liqterm.backtest.baselines import raw_scores, stack
from liqterm.backtest.fitting import Logistic, Platt, fit_logistic, fit_platt
from liqterm.backtest.hawkes import HawkesParams, fit_hawkes
from liqterm.backtest.metrics import Track, alarms, thresholds_for
from liqterm.backtest.params import BacktestParams, KindParams
from liqterm.backtest.runner import Material
from liqterm.backtest.scopes import Scope
from liqterm.engine.cascade import make_predictor

log = logging.getLogger(__name__)

FALSE_PER_HOUR_BUDGET = {"market": 6.0, "asset": 1.0, "notional": 1.0}
"""False warnings per scored hour (per asset for the pooled kinds) an alarm may cost on training data."""
MAX_HAWKES_EVENTS = 150_000
L2 = 10.0


def _kind_tracks(materials: Sequence[Material], kind: str, until: Sequence[int | None]) -> list[tuple]:
    out = []
    for material, cut in zip(materials, until, strict=True):
        for scope in material.scopes:
            if scope.kind == kind:
                out.append((material, scope, material.track(scope, until_s=cut)))
    return out


def _hawkes_kernel(rows: list[tuple[Material, Scope, Track]]) -> HawkesParams:
    """One kernel from the training streams laid end to end (100 s apart, so they barely interact)."""
    pieces, offset = [], 0.0
    for material, scope, track in rows:
        times = material.stream(scope).times_s
        last = len(track.scored) - int(np.argmax(track.scored[::-1])) if track.scored.any() else 0
        times = times[(times >= 0) & (times < last + material.horizon_s)]
        if len(times) < 20:
            continue
        pieces.append(times - times[0] + offset)
        offset = pieces[-1][-1] + 100.0
    if not pieces:
        return HawkesParams(0.2, 0.8, 1.0)
    times = np.concatenate(pieces)[:MAX_HAWKES_EVENTS]
    return fit_hawkes(times)


def _theta(tracks: list[Track], probs: list[np.ndarray], horizon: int, budget: float) -> float:
    """The lowest candidate threshold whose training false warnings per hour fit the budget."""
    for theta in thresholds_for(tracks, probs):
        if alarms(tracks, probs, theta, horizon)["false_per_hour"] <= budget:
            return theta
    return 0.99


def run_up(track: Track) -> np.ndarray:
    """Scored seconds from a (back-dated) onset to its crossing: the cascade has begun, but only
    the crossing could tell. Outside the probabilistic sample; a warning there is a detection."""
    out = np.zeros(len(track.scored), dtype=bool)
    for e in track.episodes:
        if not e.masked:
            out[max(0, e.onset_s - track.start_s) : max(0, e.crossing_s - track.start_s)] = True
    return out & track.scored


def _fit_model(
    groups: list[tuple[np.ndarray, Track, int]], with_run_ups: bool = False
) -> tuple[Logistic, tuple[float, float]]:
    """Logistic regression on the probabilistic sample, and a Platt map fitted on out-of-fold
    logits (two folds, alternating by training material) so the probabilities are calibrated
    on data the link was not fitted on. ``with_run_ups`` adds the run-ups as positives (the
    target becomes "a cascade starts within the horizon or is building below its threshold")."""

    def rows(fold: int | None) -> tuple[np.ndarray, np.ndarray]:
        chosen = []
        for x, t, f in groups:
            if fold is None or f == fold:
                extra = run_up(t) if with_run_ups else np.zeros_like(t.outside)
                keep = t.outside | extra
                chosen.append((x[keep], (t.y | extra)[keep]))
        if not chosen:
            return np.zeros((0, groups[0][0].shape[1])), np.zeros(0)
        return np.concatenate([x for x, _ in chosen]), np.concatenate([y for _, y in chosen]).astype(float)

    logits, targets = [], []
    for fold in (0, 1):
        x_fit, y_fit = rows(1 - fold)
        x_cal, y_cal = rows(fold)
        if len(y_cal) and y_fit.any() and not y_fit.all():
            logits.append(fit_logistic(x_fit, y_fit, L2).logit(x_cal))
            targets.append(y_cal)
    x_all, y_all = rows(None)
    model = fit_logistic(x_all, y_all, L2)
    if not logits:  # a single material: calibrate in-sample
        logits, targets = [model.logit(x_all)], [y_all]
    platt = fit_platt(np.concatenate(logits), np.concatenate(targets))
    return model, (platt.a, platt.b)


def fit_kind(
    materials: Sequence[Material], kind: str, until: Sequence[int | None], stream_model: bool
) -> KindParams:
    rows = _kind_tracks(materials, kind, until)
    if not rows:
        raise ValueError(f"no {kind} scope in the training data")
    horizon = rows[0][0].horizon_s
    ys = [track.y[track.outside].astype(float) for _, _, track in rows]
    y = np.concatenate(ys)
    kernel = _hawkes_kernel(rows)
    scores = [raw_scores(m.stream(s), s.rule, kernel, None) for m, s, _ in rows]
    params = KindParams(climatology=float(y.mean()) if len(y) else 0.0, kernel=kernel)
    for name in ("count10", "ewma", "hawkes"):
        column = np.concatenate([sc[name][t.outside] for sc, (_, _, t) in zip(scores, rows, strict=True)])
        params.platt[name] = fit_platt(column, y)
    if stream_model:
        folds = {id(m): i % 2 for i, m in enumerate(materials)}
        stacked = [stack(m.feature_matrix(s), sc) for (m, s, _), sc in zip(rows, scores, strict=True)]
        model, (a, b) = _fit_model([(x, t, folds[id(m)]) for x, (m, _, t) in zip(stacked, rows, strict=True)])
        params.model = model
        params.platt["liqterm"] = Platt(a, b)
    tracks = [t for _, _, t in rows]
    for name in params.platt:
        if name == "liqterm" and params.model is not None:
            probs = [params.platt[name](params.model.logit(x)) for x in stacked]
        else:
            probs = [params.platt[name](sc[name]) for sc in scores]
        params.theta[name] = _theta(tracks, probs, horizon, FALSE_PER_HOUR_BUDGET[kind])
    log.info("%s: %d rows, %d positive, kernel %s", kind, len(y), int(y.sum()), kernel)
    return params


def fit_params(
    materials: Sequence[Material], until: Sequence[int | None] | None = None, provenance: dict | None = None
) -> BacktestParams:
    """Parameters for every scope kind present, from ``materials`` cut at ``until`` (None: all of it)."""
    cuts = list(until) if until is not None else [None] * len(materials)
    kinds = {}
    for kind in ("market", "asset", "notional"):
        if any(s.kind == kind for m in materials for s in m.scopes):
            kinds[kind] = fit_kind(materials, kind, cuts, stream_model=kind != "notional")
    return BacktestParams(kinds, provenance or {})


class FeatureTap:
    """Wraps the engine's liqterm predictor and keeps the features of every backtest sample."""

    def __init__(self) -> None:
        self.predictor = make_predictor("liqterm")
        self.name = self.predictor.name
        self.observes_buckets = self.predictor.observes_buckets
        self.rows: dict[str, tuple[list[int], list[tuple[float, ...]]]] = {}
        self._last: tuple[float, ...] = ()

    def new_state(self, ref_price: float) -> Any:
        return self.predictor.new_state(ref_price)

    def observe(self, state: Any, bucket: list[Any]) -> None:
        self.predictor.observe(state, bucket)

    def probability(self, flow: Any, now_ms: int, cascade_usd: float) -> float:
        self._last = self.predictor._features(flow, now_ms, cascade_usd)
        return self.predictor.probability(flow, now_ms, cascade_usd)

    def on_sample(self, name: str, asset: str, second: int, engine: Any) -> None:
        if name == "liqterm":
            seconds, rows = self.rows.setdefault(asset, ([], []))
            seconds.append(second)
            rows.append(self._last)

    def dense(self, asset: str, start_s: int, n: int, idle: np.ndarray) -> np.ndarray:
        out = np.tile(idle, (n, 1))
        seconds, rows = self.rows.get(asset, ([], []))
        if seconds:
            idx = np.asarray(seconds) - start_s
            keep = (idx >= 0) & (idx < n)
            out[idx[keep]] = np.asarray(rows, dtype=float)[keep]
        return out


def idle_features() -> np.ndarray:
    """The engine predictor's features for an asset with nothing in its last minute."""
    from liqterm.engine import Engine
    from liqterm.model import Liquidation, Side

    tap = FeatureTap()
    engine = Engine(predictor=tap)
    ms = 1_761_150_000_000
    engine.ingest(Liquidation("binance", "IDLEUSDT", "IDLE", Side.LONG, 1.0, 10.0, 10.0, ms, ms))
    engine.probability_at("IDLE", ms + 3_600_000)
    return np.asarray(tap._last, dtype=float)


def fit_engine_model(
    materials: Sequence[Material], taps: Sequence[FeatureTap], until: Sequence[int | None]
) -> tuple[dict[str, Any], list[np.ndarray], list[Track]]:
    """The engine predictor's coefficients and Platt map on the notional label of the training data.

    Its target includes the run-up of a cascade (back-dated onset to crossing): live, a warning
    while a cascade builds is what the user wants, and the protocol counts it as a detection
    (with its delay), not as a hit. Without them, the fit learns that a fast build-up outside a
    labelled episode is one that did NOT become a cascade (those that did are inside one).

    Returns the model (the ``cascade_model.json`` content) and, for the threshold choice,
    its training probabilities and tracks.
    """
    idle = idle_features()
    groups, dense, tracks = [], [], []
    for index, (material, tap, cut) in enumerate(zip(materials, taps, until, strict=True)):
        for scope in material.scopes:
            if scope.kind != "notional":
                continue
            track = material.track(scope, until_s=cut)
            x = tap.dense(scope.asset or "", material.start_s, material.n, idle)
            groups.append((x, track, index % 2))
            dense.append(x)
            tracks.append(track)
    model, (a, b) = _fit_model(groups, with_run_ups=True)
    platt = Platt(a, b)
    probs = [platt(model.logit(d)) for d in dense]
    names = list(make_predictor("liqterm").FEATURES)  # type: ignore[attr-defined]
    content = {"features": names, **model.to_dict(), "platt": [a, b]}
    log.info("engine model fitted on %d tracks", len(tracks))
    return content, probs, tracks

"""Fit every predictor's parameters on TRAINING material only (walk forward: earlier data).

Per scope kind: the climatology rate; the Hawkes kernel by maximum likelihood on
the training events; a Platt map per stream predictor; liqterm's stream model
(L2 logistic regression on its features stacked with the baselines' raw scores,
then a Platt calibration fitted on out-of-fold predictions, two folds in time
order); and each predictor's alarm threshold, the lowest of the sweep's thresholds
whose false warnings per hour on the training data stay within
:data:`FALSE_PER_HOUR_BUDGET`.

Why liqterm's stream model also learns from the onset seconds (:data:`ONSET_WEIGHT`):
the probabilistic sample is the seconds OUTSIDE episodes, and the label back-dates an
onset to the first second whose 10 s count already ran at the cascade rate. So every
outside second whose 10 s count reached that rate is, by construction, one that did
NOT become a cascade (had it become one, it would be inside the episode). Fitted on
that sample alone, the model learns that a burst means LESS risk, and its probability
falls at the very second the alarm is judged on (a warning at the onset second is a
hit with lead 0; on the real training onset 17:51:25 liqterm fell from 0.080 to 0.071
there while count10 rose). The onset second is where a warning counts, so it enters
the fit as a positive, weighted; the Platt map is fitted on the outside sample only,
so the probability stays calibrated for the Brier score.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from liqterm.engine.cascade import make_predictor
from liqterm_lab.baselines import raw_scores, stack
from liqterm_lab.fitting import Logistic, Platt, fit_logistic, fit_platt
from liqterm_lab.hawkes import HawkesParams, fit_hawkes
from liqterm_lab.metrics import Track, alarms, thresholds_for
from liqterm_lab.params import BacktestParams, KindParams
from liqterm_lab.runner import Material
from liqterm_lab.scopes import Scope

log = logging.getLogger(__name__)

FALSE_PER_HOUR_BUDGET = {"market": 6.0, "asset": 1.0, "notional": 1.0}
"""False warnings per scored hour (per asset for the pooled kinds) an alarm may cost on training data."""
ALERT_BUDGETS = {"possible": 2.0, "warning": 0.5}
"""False warnings per hour of recording, all assets together, that the app's default cascade alert
levels may cost on the training data (:func:`alert_levels`)."""
ALERT_GRID = tuple(round(0.05 * i, 2) for i in range(1, 20))
"""Levels a user reads in the config: whole multiples of 5 %."""
MAX_HAWKES_EVENTS = 150_000
L2 = 10.0
ONSET_WEIGHT = 3.0
"""Weight of an onset second as a positive row of liqterm's stream model (the 60 s before it
weigh 1 each). Chosen at every refit by leave-one-material-out cross-validation on the TRAINING
data only (the four 6 h synthetic chunks and the real slice before the split; see
:mod:`liqterm_lab.crossval`), never on the held-out part: of 0, 3, 10, 20, 30 and 60, the
weight with the largest worst-case alarm margin over the baselines among those whose pooled
out-of-fold Brier skill beats every baseline's. Larger weights rank onsets higher (alarm recall)
and cost Brier skill. This value is only the default of ``fit_predictor.py --no-cv``."""


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


def onset_seconds(track: Track) -> np.ndarray:
    """The scored onset seconds of ``track``: where a warning is a hit with lead 0."""
    out = np.zeros(len(track.scored), dtype=bool)
    for start, _ in track.onsets:
        out[start] = True
    return out & track.scored


def _fit_model(
    groups: list[tuple[np.ndarray, Track, int]],
    with_run_ups: bool = False,
    onset_weight: float = 0.0,
    run_up_weight: float = 1.0,
) -> tuple[Logistic, tuple[float, float]]:
    """Logistic regression on the probabilistic sample, and a Platt map fitted on out-of-fold
    logits (two folds, alternating by training material) so the probabilities are calibrated
    on data the link was not fitted on.

    ``with_run_ups`` adds the run-ups as positives of the link, each weighing ``run_up_weight``
    (it learns "a cascade starts within the horizon or is building below its threshold").
    ``onset_weight`` > 0 adds each onset second as a positive of that weight (see
    :data:`ONSET_WEIGHT`). Either way the Platt map is fitted on the probabilistic sample
    alone, the seconds the Brier score is taken on, so the probability means what it says:
    an onset within the horizon. (The engine model's map was once fitted with its run-ups as
    positives too, which inflated every probability: on 600 h of held-out synthetic notional
    tracks its Brier skill was -0.007 against +0.004 to +0.008 for
    the baselines. The map is monotone, so its alarms rank seconds as before.)"""

    def rows(fold: int | None, fitting: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        chosen = []
        for x, t, f in groups:
            if fold is None or f == fold:
                extra = run_up(t) if with_run_ups and fitting else np.zeros_like(t.outside)
                onsets = onset_seconds(t) & ~t.outside & (onset_weight > 0 and fitting)
                keep = t.outside | extra | onsets
                weight = np.where(onsets, onset_weight, np.where(extra, run_up_weight, 1.0))[keep]
                chosen.append((x[keep], (t.y | extra | onsets)[keep], weight))
        if not chosen:
            return np.zeros((0, groups[0][0].shape[1])), np.zeros(0), np.zeros(0)
        x, y, w = (np.concatenate(parts) for parts in zip(*chosen, strict=True))
        return x, y.astype(float), w

    logits, targets = [], []
    for fold in (0, 1):
        x_fit, y_fit, w_fit = rows(1 - fold)
        x_cal, y_cal, _ = rows(fold, fitting=False)
        if len(y_cal) and y_fit.any() and not y_fit.all():
            logits.append(fit_logistic(x_fit, y_fit, L2, weights=w_fit).logit(x_cal))
            targets.append(y_cal)
    x_all, y_all, w_all = rows(None)
    model = fit_logistic(x_all, y_all, L2, weights=w_all)
    if not logits:  # a single material: calibrate in-sample
        x_cal, y_cal, _ = rows(None, fitting=False)
        logits, targets = [model.logit(x_cal)], [y_cal]
    platt = fit_platt(np.concatenate(logits), np.concatenate(targets))
    return model, (platt.a, platt.b)


def fit_kind(
    materials: Sequence[Material],
    kind: str,
    until: Sequence[int | None],
    stream_model: bool,
    onset_weight: float = ONSET_WEIGHT,
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
        groups = [(x, t, folds[id(m)]) for x, (m, _, t) in zip(stacked, rows, strict=True)]
        model, (a, b) = _fit_model(groups, onset_weight=onset_weight)
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
    materials: Sequence[Material],
    until: Sequence[int | None] | None = None,
    provenance: dict | None = None,
    onset_weight: float = ONSET_WEIGHT,
) -> BacktestParams:
    """Parameters for every scope kind present, from ``materials`` cut at ``until`` (None: all of it)."""
    cuts = list(until) if until is not None else [None] * len(materials)
    kinds = {}
    for kind in ("market", "asset", "notional"):
        if any(s.kind == kind for m in materials for s in m.scopes):
            kinds[kind] = fit_kind(materials, kind, cuts, kind != "notional", onset_weight)
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
    engine.advance_to(ms + 3_600_000)
    engine.cascade_probability("IDLE", ms + 3_600_000)
    return np.asarray(tap._last, dtype=float)


def fit_engine_model(
    materials: Sequence[Material],
    taps: Sequence[FeatureTap],
    until: Sequence[int | None],
    run_up_weight: float = 1.0,
) -> tuple[dict[str, Any], list[np.ndarray], list[Track]]:
    """The engine predictor's coefficients and Platt map on the notional label of the training data.

    Its target includes the run-up of a cascade (back-dated onset to crossing): live, a warning
    while a cascade builds is what the user wants, and the protocol counts it as a detection
    (with its delay), not as a hit. Without them, the fit learns that a fast build-up outside a
    labelled episode is one that did NOT become a cascade (those that did are inside one).

    ``run_up_weight`` (1 ships) trades the two: lighter run-ups buy Brier skill and cost the
    warnings at the app's levels (``lab/scripts/fit_predictor.py --run-up-weights`` measures it).

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
    model, (a, b) = _fit_model(groups, with_run_ups=True, run_up_weight=run_up_weight)
    platt = Platt(a, b)
    probs = [platt(model.logit(d)) for d in dense]
    names = list(make_predictor("liqterm").FEATURES)  # type: ignore[attr-defined]
    content = {"features": names, **model.to_dict(), "platt": [a, b]}
    log.info("engine model fitted on %d tracks", len(tracks))
    return content, probs, tracks


def recorded_hours(materials: Sequence[Material], until: Sequence[int | None]) -> float:
    """Hours of recording in ``materials``, each cut at its ``until`` (None: all of it)."""
    return sum(((cut or m.start_s + m.n) - m.start_s) / 3600 for m, cut in zip(materials, until, strict=True))


def alert_levels(
    tracks: list[Track], probs: list[np.ndarray], hours: float, horizon: int
) -> dict[str, float]:
    """The app's default ``alerts.possible`` and ``alerts.warning``: for each, the lowest level of
    :data:`ALERT_GRID` whose false warnings per hour of training recording (``hours``, all assets
    together) stay within :data:`ALERT_BUDGETS`. The backtest scores the engine predictor at the
    ``possible`` level, so its figures describe what the app does out of the box."""
    levels = {}
    for name, budget in ALERT_BUDGETS.items():
        within = (p for p in ALERT_GRID if alarms(tracks, probs, p, horizon)["false"] / hours <= budget)
        levels[name] = next(within, ALERT_GRID[-1])
    above = [level for level in ALERT_GRID if level > levels["possible"]]
    levels["warning"] = max(levels["warning"], above[0] if above else 0.99)  # config: possible < warning
    return levels

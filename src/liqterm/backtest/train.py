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

import numpy as np

from liqterm.backtest.baselines import raw_scores
from liqterm.backtest.fitting import Logistic, Platt, fit_logistic, fit_platt
from liqterm.backtest.hawkes import HawkesParams, fit_hawkes
from liqterm.backtest.metrics import SWEEP_THETAS, Track, alarms
from liqterm.backtest.params import BacktestParams, KindParams
from liqterm.backtest.runner import Material
from liqterm.backtest.scopes import Scope

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
    for theta in SWEEP_THETAS:
        if alarms(tracks, probs, theta, horizon)["false_per_hour"] <= budget:
            return theta
    return SWEEP_THETAS[-1]


def _fit_model(x: np.ndarray, y: np.ndarray) -> tuple[Logistic, tuple[float, float]]:
    """Logistic regression and a Platt map fitted on its out-of-fold logits (two folds in time)."""
    half = len(y) // 2
    out_of_fold = np.empty(len(y))
    for fit_part, other in ((slice(0, half), slice(half, None)), (slice(half, None), slice(0, half))):
        if y[fit_part].any() and (~y[fit_part].astype(bool)).any():
            out_of_fold[other] = fit_logistic(x[fit_part], y[fit_part], L2).logit(x[other])
        else:
            out_of_fold[other] = 0.0
    model = fit_logistic(x, y, L2)
    platt = fit_platt(out_of_fold, y)
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
        x = np.concatenate([m.feature_matrix(s)[t.outside] for m, s, t in rows])
        model, (a, b) = _fit_model(x, y)
        params.model = model
        params.platt["liqterm"] = Platt(a, b)
    tracks = [t for _, _, t in rows]
    for name in params.platt:
        if name == "liqterm" and params.model is not None:
            probs = [params.platt[name](params.model.logit(m.feature_matrix(s))) for m, s, _ in rows]
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

"""Choose liqterm's onset weight by cross-validation WITHIN the training data.

Leave one training material out at a time (each synthetic chunk, and the real slice
before the split), fit on the others, predict the one left out. Everything it sees
is training data: the held-out part of the real slice is cut away by the tracks'
``until`` before this module is called, so nothing here can tune on it.

For each candidate weight it reports, per group of folds (``synthetic`` and
``real``), every stream predictor's out-of-fold Brier skill and liqterm's alarm
margin over each baseline: the mean, over the baseline's own θ sweep, of liqterm's
best recall at no more false warnings per hour minus the baseline's recall.
:func:`choose` applies the rule stated in :data:`~liqterm_lab.train.ONSET_WEIGHT`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from liqterm_lab.baselines import STACKED, raw_scores, stack
from liqterm_lab.fitting import fit_platt
from liqterm_lab.metrics import probabilistic, recall_within, sweep
from liqterm_lab.runner import Material
from liqterm_lab.train import _fit_model, _hawkes_kernel, _kind_tracks

CANDIDATES = (0.0, 3.0, 10.0, 20.0, 30.0, 60.0)
BASELINES = STACKED


def _folds(materials: Sequence[Material], until: Sequence[int | None], kind: str) -> list[dict]:
    rows = _kind_tracks(materials, kind, until)
    kernel = _hawkes_kernel(rows)
    index = {id(m): i for i, m in enumerate(materials)}
    out = []
    for material, scope, track in rows:
        scores = raw_scores(material.stream(scope), scope.rule, kernel, None)
        real = not any(source.startswith("synthetic") for source in material.sources)
        out.append({"fold": index[id(material)], "real": real, "track": track, "scores": scores,
                    "x": stack(material.feature_matrix(scope), scores)})  # fmt: skip
    return out


def _baseline_oof(rows: list[dict]) -> None:
    """Out-of-fold probabilities of climatology and the baselines (independent of the weight)."""
    for fold in sorted({r["fold"] for r in rows}):
        fit = [r for r in rows if r["fold"] != fold]
        y = np.concatenate([r["track"].y[r["track"].outside] for r in fit]).astype(float)
        maps = {
            name: fit_platt(np.concatenate([r["scores"][name][r["track"].outside] for r in fit]), y)
            for name in BASELINES
        }
        for r in rows:
            if r["fold"] == fold:
                r["oof"] = {name: maps[name](r["scores"][name]) for name in BASELINES}
                r["oof"]["climatology"] = np.full(len(r["track"].y), float(y.mean()))


def _score(rows: list[dict], horizon: int) -> dict:
    tracks = [r["track"] for r in rows]
    reference = [r["oof"]["climatology"] for r in rows]
    out: dict = {"onsets": sum(len(t.onsets) for t in tracks), "bss": {}, "margin": {}}
    own = sweep(tracks, [r["oof"]["liqterm"] for r in rows], horizon)
    for name in (*BASELINES, "liqterm"):
        probs = [r["oof"][name] for r in rows]
        out["bss"][name] = round(probabilistic(tracks, probs, reference)["bss"], 5)
        if name != "liqterm":
            diffs = [recall_within(own, row["false_per_hour"])[0] - (row["recall"] or 0.0)
                     for row in sweep(tracks, probs, horizon)]  # fmt: skip
            out["margin"][name] = round(float(np.mean(diffs)), 4)
    return out


def cross_validate(
    materials: Sequence[Material],
    until: Sequence[int | None],
    kind: str = "market",
    candidates: Sequence[float] = CANDIDATES,
) -> dict[float, dict]:
    """Per candidate onset weight: out-of-fold scores per group of folds (see the module docstring)."""
    rows = _folds(materials, until, kind)
    horizon = materials[0].horizon_s
    _baseline_oof(rows)
    results: dict[float, dict] = {}
    for weight in candidates:
        for fold in sorted({r["fold"] for r in rows}):
            fit = [(r["x"], r["track"], r["fold"] % 2) for r in rows if r["fold"] != fold]
            model, (a, b) = _fit_model(fit, onset_weight=weight)
            for r in rows:
                if r["fold"] == fold:
                    r["oof"]["liqterm"] = 1.0 / (1.0 + np.exp(-(a * model.logit(r["x"]) + b)))
        groups = {"synthetic": [r for r in rows if not r["real"]], "real": [r for r in rows if r["real"]]}
        results[weight] = {name: _score(group, horizon) for name, group in groups.items() if group}
        results[weight]["all"] = _score(rows, horizon)
    return results


def choose(results: dict[float, dict]) -> float:
    """Among the weights whose out-of-fold Brier skill, pooled over all folds, beats every
    baseline's, the one with the largest worst-case alarm margin (ties: the smaller weight).
    When no weight keeps the Brier skill ahead, the weight with the largest skill lead.

    Pooled, not per group: the real fold holds one onset in minutes of data, too little to veto
    anything (its figures are reported, and weigh in the pool by their size)."""

    def bss_lead(result: dict) -> float:
        scores = result["all"]["bss"]
        return scores["liqterm"] - max(scores[b] for b in BASELINES)

    ahead = [w for w, r in results.items() if bss_lead(r) > 0]
    if not ahead:
        return max(results, key=lambda w: (bss_lead(results[w]), -w))
    return max(ahead, key=lambda w: (min(results[w]["all"]["margin"].values()), -w))

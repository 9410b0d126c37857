"""Stream predictors: a probability per second from what a scope had received by then.

Each turns a raw score into a probability with a monotone Platt map fitted on
training data (so alarm thresholds on the probability are thresholds on the
score), except ``climatology`` (the training onset rate, a constant):

* ``count10`` — events in the last 10 s (the science's ">= N in 10 s" trigger);
* ``ewma`` — the 10 s exponentially weighted rate over the 30 min median rate;
* ``hawkes`` — an exponential-kernel Hawkes intensity over the baseline rate, with
  the kernel ``(alpha, beta)`` fitted by maximum likelihood on training data (the
  denominator is the scope's 30 min median rate, so one kernel serves scopes of
  very different sizes);
* ``liqterm`` — the logistic model on :data:`~liqterm_lab.series.FEATURES` and the three
  baselines' raw scores (stacked, so it nests them: it can only do worse than one of them
  through over-fitting, which the held-out figures show).

``seed`` and the engine's own per-asset predictor are not here: they run inside
the engine (:mod:`liqterm_lab.events`).
"""

from __future__ import annotations

import numpy as np

from liqterm_lab.fitting import Logistic, Platt
from liqterm_lab.hawkes import HawkesParams, excitation
from liqterm_lab.labels import LabelRule, trailing
from liqterm_lab.series import StreamSeries, baseline_rate, kernel_rate, stream_features

STREAM_PREDICTORS = ("count10", "ewma", "hawkes", "liqterm")


def hawkes_ratio(series: StreamSeries, kernel: HawkesParams, rule: LabelRule) -> np.ndarray:
    """``(mu + alpha * sum exp(-beta (tau - t_i))) / mu`` with ``mu`` the causal baseline rate,
    taking the peak reached in ``(tau - 1, tau]`` (the intensity jumps at events)."""
    n = series.n
    mu = baseline_rate(series, rule)
    t = series.times_s
    if not len(t):
        return np.ones(n)
    jump = kernel.alpha * (excitation(t, kernel.beta) + 1.0)  # excitation just after each event
    grid = np.arange(n, dtype=float)
    last = np.searchsorted(t, grid, side="right") - 1
    excite = np.zeros(n)
    has = last >= 0
    excite[has] = jump[last[has]] * np.exp(-kernel.beta * (grid[has] - t[last[has]]))
    second = np.clip(np.ceil(t).astype(np.int64), 0, n - 1)
    np.maximum.at(excite, second, jump)
    return 1.0 + excite / mu


def raw_scores(
    series: StreamSeries,
    rule: LabelRule,
    kernel: HawkesParams,
    model: Logistic | None,
    features: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Every stream predictor's raw score per second (the input of its Platt map)."""
    scores = {
        "count10": np.log1p(trailing(series.count, 10)),
        "ewma": np.log1p(kernel_rate(series.count, 10.0) / baseline_rate(series, rule)),
        "hawkes": np.log(hawkes_ratio(series, kernel, rule)),
    }
    if model is not None:
        x = features if features is not None else stream_features(series, rule)
        scores["liqterm"] = model.logit(stack(x, scores))
    return scores


STACKED = ("count10", "ewma", "hawkes")


def stack(features: np.ndarray, scores: dict[str, np.ndarray]) -> np.ndarray:
    """liqterm's inputs: its stream features and the baselines' raw scores (so it nests them)."""
    return np.column_stack([features, *(scores[name] for name in STACKED)])


def probabilities(scores: dict[str, np.ndarray], platt: dict[str, Platt]) -> dict[str, np.ndarray]:
    """Calibrated probabilities of the scores that have a Platt map."""
    return {name: platt[name](score) for name, score in scores.items() if name in platt}

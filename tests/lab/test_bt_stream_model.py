"""liqterm's stream model: stacked on the baselines, taught by the onset seconds, fitted before the split."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from liqterm_lab.baselines import STACKED, raw_scores, stack
from liqterm_lab.crossval import choose
from liqterm_lab.fitting import sigmoid
from liqterm_lab.labels import Episode
from liqterm_lab.metrics import Track
from liqterm_lab.params import load_params
from liqterm_lab.series import FEATURES
from liqterm_lab.train import _fit_model, fit_params, onset_seconds

SPLIT = 1_761_156_000  # 2025-10-22T18:00:00Z: episode A before, B and C after


def test_the_model_sees_what_count10_and_hawkes_see(real_material) -> None:
    """The baselines' own scores (and the 10 s count against the label's threshold) are inputs."""
    assert {"near10", "near60"} <= set(FEATURES) and {"count10", "hawkes"} <= set(STACKED)
    union = next(s for s in real_material.scopes if s.name == "union")
    params = load_params()
    scores = raw_scores(real_material.stream(union), union.rule, params.kinds["market"].kernel, None)
    x = stack(real_material.feature_matrix(union), scores)
    assert x.shape[1] == len(FEATURES) + len(STACKED)
    for i, name in enumerate(STACKED):
        np.testing.assert_array_equal(x[:, len(FEATURES) + i], scores[name])
    for kind in ("market", "asset"):
        assert len(params.kinds[kind].model.coef) == x.shape[1]


def _toy_track(n: int = 6000) -> tuple[Track, np.ndarray]:
    """Onsets every 600 s, each opening with a burst; as many bursts outside that fizzle.

    The label puts each onset's burst inside its episode, so in the seconds outside
    episodes a burst is never followed by an onset: exactly the trap of back-dating."""
    start = 1_000_000
    onsets = list(range(400, n - 200, 600))
    episodes = [Episode(start + o, start + o + 5, start + o + 60, 200.0) for o in onsets]
    scored = np.ones(n, dtype=bool)
    outside = scored.copy()
    y = np.zeros(n, dtype=bool)
    burst = np.zeros(n)
    for o in onsets:
        outside[o : o + 61] = False
        y[o - 60 : o] = True
        burst[o] = 1.0
        burst[o - 300] = 1.0  # a fizzle: outside, followed by nothing
    rng = np.random.default_rng(3)
    noise = rng.normal(size=n)
    drift = np.where(y, 0.3, 0.0) + rng.normal(size=n)  # weakly informative about y
    x = np.column_stack([burst, drift, noise])
    return Track("toy", start, episodes, scored, outside, y), x


def test_onset_seconds_teach_the_model_that_a_burst_means_risk() -> None:
    track, x = _toy_track()
    assert onset_seconds(track).sum() == len(track.onsets)
    groups = [(x, track, 0)]
    plain, _ = _fit_model(groups)
    taught, (a, b) = _fit_model(groups, onset_weight=10.0)
    assert plain.coef[0] < 0 < taught.coef[0]
    p = sigmoid(a * taught.logit(x) + b)
    at_onsets = p[onset_seconds(track)]
    assert at_onsets.min() > np.quantile(p[track.outside], 0.99)
    # the Platt map is fitted on the outside seconds only: calibrated in the large there
    assert abs(p[track.outside].mean() - track.y[track.outside].mean()) < 0.01


def test_the_fit_uses_nothing_after_the_split(real_material) -> None:
    """Scramble every feature, score, event time and label after the split: same parameters."""
    for scope in real_material.scopes:
        if scope.kind != "notional":
            real_material.feature_matrix(scope)
    fitted = fit_params([real_material], [SPLIT], onset_weight=10.0)
    scrambled = copy.deepcopy(real_material)
    cut = SPLIT - scrambled.start_s
    rng = np.random.default_rng(0)
    for name, matrix in scrambled.features.items():
        if name != "_drift":
            matrix[cut:] = rng.normal(size=matrix[cut:].shape)
    for series in scrambled.series.values():
        series.count[cut:] = rng.poisson(5.0, size=len(series.count[cut:]))
        series.times_s = np.sort(np.r_[series.times_s[series.times_s < cut], cut + rng.uniform(0, 600, 900)])
    for name, episodes in scrambled.episodes.items():
        scrambled.episodes[name] = [e for e in episodes if e.crossing_s < SPLIT]
    again = fit_params([scrambled], [SPLIT], onset_weight=10.0)
    for kind in ("market", "asset"):
        assert fitted.kinds[kind].model == again.kinds[kind].model
        assert fitted.kinds[kind].platt == again.kinds[kind].platt
        assert fitted.kinds[kind].kernel == again.kinds[kind].kernel
    union = next(s for s in real_material.scopes if s.name == "union")
    track = real_material.track(union, until_s=SPLIT)
    assert not track.scored[cut - 60 - 59 :].any()  # horizon, and the crossing that confirms an onset


def _result(bss: dict[str, float], margin: dict[str, float]) -> dict:
    group = {"onsets": 10, "bss": bss, "margin": margin}
    tiny = {"onsets": 1, "bss": {**bss, "count10": 1.0}, "margin": margin}  # one onset: no veto
    return {"synthetic": group, "real": tiny, "all": group}


def test_the_weight_rule_keeps_brier_skill_ahead_then_maximises_the_alarm_margin() -> None:
    base = {"count10": 0.003, "ewma": 0.002, "hawkes": 0.0025}
    results = {
        0.0: _result({**base, "liqterm": 0.007}, {"count10": -0.02, "ewma": 0.0, "hawkes": -0.05}),
        10.0: _result({**base, "liqterm": 0.005}, {"count10": 0.01, "ewma": 0.01, "hawkes": -0.005}),
        30.0: _result({**base, "liqterm": 0.0029}, {"count10": 0.02, "ewma": 0.02, "hawkes": 0.01}),
    }
    assert choose(results) == 10.0  # 30 has the best margin but falls behind count10 on Brier skill
    behind = {w: _result({**base, "liqterm": 0.001 - w * 1e-5}, {"count10": 0.0}) for w in (0.0, 10.0)}
    assert choose(behind) == 0.0


@pytest.mark.parametrize("n", [1, 2, 7, 300, 601, 2000])
def test_trailing_max_matches_the_plain_definition_even_when_shorter_than_its_window(n: int) -> None:
    from liqterm_lab.series import _trailing_max

    values = np.random.default_rng(n).normal(size=n)
    expected = np.array([values[max(0, i - 599) : i + 1].max() for i in range(n)])
    np.testing.assert_array_equal(_trailing_max(values, 600), expected)

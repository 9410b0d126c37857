"""Scores: Brier and skill, alarms (hits, false warnings, detections, leads, refractory), sweeps."""

from __future__ import annotations

import numpy as np
import pytest

from liqterm_lab.labels import Episode, LabelRule, onset_within, running_mask
from liqterm_lab.metrics import (
    Track,
    alarms,
    probabilistic,
    recall_at_budget,
    recall_within,
    sweep,
    warnings_of,
)

N = 3600


def _track(onsets: list[tuple[int, int]]) -> Track:
    episodes = [Episode(s, s + 5, e, 200.0) for s, e in onsets]
    scored = np.zeros(N, dtype=bool)
    scored[LabelRule().warmup_s : N - 60] = True
    return Track(
        "t", 0, episodes, scored, scored & ~running_mask(episodes, 0, N), onset_within(episodes, 0, N, 60)
    )


def test_warnings_respect_the_refractory_period() -> None:
    prob = np.zeros(N)
    prob[1000:1200] = 0.9
    assert warnings_of(prob, np.ones(N, dtype=bool), 0.5).tolist() == [1000, 1060, 1120, 1180]


def test_hits_false_warnings_detections_and_leads() -> None:
    track = _track([(1000, 1100), (2000, 2100)])
    prob = np.zeros(N)
    prob[980] = 0.8  # 20 s ahead of the first onset: a hit, lead 20
    prob[1050] = 0.8  # inside the first episode: a detection
    prob[1500] = 0.8  # nothing follows: false
    prob[2003] = 0.8  # 3 s after the second onset: caught late (delay 3), not a hit
    result = alarms([track], [prob], 0.5, 60)
    assert (result["hits"], result["false"], result["detections"], result["warnings"]) == (1, 1, 2, 4)
    assert result["recall"] == 0.5 and result["precision"] == 0.5
    assert result["leads_s"] == [20.0] and result["median_lead_s"] == 20.0
    assert result["detection_delay_s"] == pytest.approx(1.5)  # 0 (warned ahead) and 3
    hours = track.scored.sum() / 3600
    assert result["false_per_hour"] == pytest.approx(1 / hours)


def test_brier_and_skill_against_the_reference() -> None:
    track = _track([(1000, 1100)])
    perfect = track.y.astype(float)
    climatology = np.full(N, track.y[track.outside].mean())
    assert probabilistic([track], [perfect], [climatology])["brier"] == 0.0
    assert probabilistic([track], [perfect], [climatology])["bss"] == 1.0
    assert probabilistic([track], [climatology], [climatology])["bss"] == 0.0
    table = probabilistic([track], [climatology], [climatology])["reliability"]
    assert sum(row["n"] for row in table) == track.outside.sum()


def test_sweep_trades_recall_for_false_warnings() -> None:
    track = _track([(1000, 1100)])
    rng = np.random.default_rng(0)
    prob = rng.uniform(0, 0.3, N)
    prob[990:1000] = 0.6
    rows = sweep([track], [prob], 60)
    assert rows == sorted(rows, key=lambda r: r["theta"])
    assert rows[-1]["false_per_hour"] <= rows[0]["false_per_hour"]
    best, theta = recall_within(rows, 0.0)
    assert best == 1.0 and 0.3 <= theta <= 0.6


def test_recall_at_a_budget_is_found_between_coarse_thresholds() -> None:
    """At another predictor's exact false-warning rate, a threshold between two grid points can
    catch more than either grid point allowed; the returned threshold really meets the rate."""
    track = _track([(1000, 1100), (2500, 2600)])
    prob = np.full(N, 0.05)
    prob[990] = 0.108  # the first onset is announced just above the dense band
    prob[2490] = 0.3
    prob[400:3400:70] = 0.105  # false warnings in a dense band below it
    budget = alarms([track], [prob], 0.107, 60)["false_per_hour"]
    coarse = [{key: a[key] for key in ("theta", "recall", "false_per_hour")}
              for a in (alarms([track], [prob], theta, 60) for theta in (0.1, 0.2))]  # fmt: skip
    assert recall_within(coarse, budget) == (0.5, 0.2)  # 0.1 costs too many false warnings
    recall, theta = recall_at_budget([track], [prob], 60, coarse, budget)
    assert recall == 1.0 and 0.105 < theta <= 0.108
    assert alarms([track], [prob], theta, 60)["false_per_hour"] <= budget


def test_recall_at_a_budget_no_lower_than_the_grid() -> None:
    track = _track([(1000, 1100)])
    prob = np.full(N, 0.05)
    prob[990] = 0.6
    rows = sweep([track], [prob], 60)
    assert recall_at_budget([track], [prob], 60, rows, 0.0)[0] == recall_within(rows, 0.0)[0] == 1.0


def test_matched_compares_at_the_others_rate_and_at_liqterm_own_rate() -> None:
    from liqterm_lab.hawkes import HawkesParams
    from liqterm_lab.params import KindParams
    from liqterm_lab.runner import _score_group

    track = _track([(1000, 1100), (2000, 2100), (3000, 3100)])
    own = np.full(N, 0.01)
    own[[995, 1995, 2995]] = 0.9  # 5 s ahead of every onset, nothing else
    other = np.full(N, 0.01)
    other[[990, 1990, 1500, 2500, 3300, 3400]] = 0.9  # two onsets, four false warnings
    climatology = np.full(N, track.y[track.outside].mean())
    kind = KindParams(climatology=float(climatology[0]), kernel=HawkesParams(0.1, 0.5, 1.0),
                      theta={"liqterm": 0.5, "count10": 0.5})  # fmt: skip
    rows = [(track, {"climatology": climatology, "count10": other, "liqterm": own})]
    matched = _score_group(rows, ["climatology", "count10", "liqterm"], kind, 60)["matched"]["count10"]
    hours = track.scored.sum() / 3600
    assert matched["recall"] == pytest.approx(2 / 3) and matched["false_per_hour"] == pytest.approx(4 / hours)
    assert matched["liqterm_recall"] == 1.0  # within count10's false warnings liqterm catches all three
    at_own = matched["at_own_rate"]
    assert at_own["false_per_hour"] == 0.0 and at_own["liqterm_recall"] == 1.0
    assert at_own["recall"] == 0.0  # count10 cannot warn at all without a false warning


def _alarms_by_definition(track: Track, prob: np.ndarray, theta: float, horizon: int) -> tuple:
    """The module docstring's rules, one warning and one onset at a time (no vectorising)."""
    warnings = warnings_of(prob, track.scored, theta)
    starts = [s for s, _ in track.onsets]
    hits = sum(any(w <= s <= w + horizon for s in starts) for w in warnings)
    detections = sum(
        not any(w <= s <= w + horizon for s in starts) and track.running(int(w)) for w in warnings
    )
    leads, delays = [], []
    for start, end in track.onsets:
        ahead = [w for w in warnings if start - horizon <= w <= start]
        if ahead:
            leads.append(float(start - ahead[0]))
        during = [w for w in warnings if start - horizon <= w <= end]
        if during:
            delays.append(float(max(0, during[0] - start)))
    return hits, detections, len(warnings) - hits - detections, leads, delays


@pytest.mark.parametrize("seed", range(12))
def test_alarms_match_their_definition_with_overlapping_and_masked_episodes(seed: int) -> None:
    rng = np.random.default_rng(seed)
    onsets = sorted(rng.choice(np.arange(400, N - 200), 8, replace=False).tolist())
    episodes = [
        Episode(
            int(s), int(s) + 5, int(s) + int(rng.integers(20, 400)), 200.0, masked=bool(rng.random() < 0.25)
        )
        for s in onsets
    ]  # long ends overlap the next episode; masked ones still count as running
    scored = np.zeros(N, dtype=bool)
    scored[LabelRule().warmup_s : N - 60] = True
    track = Track(
        "t", 0, episodes, scored, scored & ~running_mask(episodes, 0, N), onset_within(episodes, 0, N, 60)
    )
    prob = np.clip(rng.normal(0.1, 0.1, N) + 0.5 * track.y, 0, 1)
    for theta in (0.2, 0.4, 0.6):
        got = alarms([track], [prob], theta, 60)
        hits, detections, false, leads, delays = _alarms_by_definition(track, prob, theta, 60)
        assert (got["hits"], got["detections"], got["false"]) == (hits, detections, false)
        assert got["leads_s"] == leads and got["detected"] == len(delays)

"""Ground truth: D1 labels agree with the reference labeller; back-dating, episodes, gaps, notional."""

from __future__ import annotations

import importlib.util
import math

import numpy as np
import pytest
from bt_data import REAL_CSV

from liqterm.config.schema import ThresholdConfig
from liqterm_lab.labels import (
    LabelRule,
    find_episodes,
    notional_threshold,
    onset_within,
    per_second,
    rate_ratio_episodes,
)
from shared_data import shared_file


def _reference():
    path = shared_file("cascade_eval.py")
    spec = importlib.util.spec_from_file_location("cascade_eval", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("backdate", [True, False])
def test_d1_matches_the_reference_labeller_on_the_real_slice(backdate: bool) -> None:
    reference = _reference()
    times, _ = reference.load_times(shared_file(REAL_CSV))
    expected = reference.label_onsets(times, backdate=backdate)
    ms = np.array([round(t * 1000) for t in times])
    t0 = math.floor(times[0])
    counts = per_second(ms, t0, math.ceil(times[-1]) - t0 + 1)
    episodes = rate_ratio_episodes(counts, t0, LabelRule(backdate=backdate))
    assert [(e.onset_s, e.end_s, e.peak) for e in episodes] == [(s, e, float(p)) for s, e, p in expected]


def test_the_three_real_onsets_are_at_the_documented_times(real_material) -> None:
    onsets = [e.onset_s % 86_400 for e in real_material.episodes["union"]]
    assert onsets == [17 * 3600 + 51 * 60 + 25, 18 * 3600 + 7 * 60 + 29, 18 * 3600 + 14 * 60 + 38]


def _burst_counts(n: int = 1200, at: int = 600, rate: int = 5) -> np.ndarray:
    counts = np.full(n, 0.5)
    counts[::2] = 1.0  # about 45 a minute
    counts[at : at + 90] = rate
    return counts


def test_onset_back_dates_to_the_run_up_and_ends_after_120s_below() -> None:
    counts = _burst_counts()
    rule = LabelRule(n_min=100)
    (episode,) = rate_ratio_episodes(counts, 0, rule)
    # Baseline 45 a minute, so the threshold is 135 in 60 s and 22.5 in 10 s: the trailing 10 s
    # first reaches that at 603 (4 x 5 + 6 x 0.75); the 60 s count only crosses at 621.
    assert (episode.onset_s, episode.crossing_s) == (603, 621)
    assert episode.end_s == 727  # the last second the trailing minute was still above
    assert not rate_ratio_episodes(counts, 0, LabelRule(n_min=1000))  # N_min binds


def test_nothing_is_labelled_during_warm_up() -> None:
    counts = _burst_counts(at=100)
    assert rate_ratio_episodes(counts, 0, LabelRule(n_min=100)) == [] or all(
        e.crossing_s >= 300 for e in rate_ratio_episodes(counts, 0, LabelRule(n_min=100))
    )


def test_a_coverage_gap_neither_ends_a_cascade_nor_starts_a_new_one() -> None:
    counts = _burst_counts(n=1600, at=600, rate=5)
    counts[600:1100] = 5.0
    counts[700:900] = 0.0  # the venue is down: its events are missing, not absent
    down = np.zeros(len(counts), dtype=bool)
    down[700:900] = True
    assert len(rate_ratio_episodes(counts, 0, LabelRule(n_min=100))) == 2  # unmasked: a fake end and restart
    (episode,) = rate_ratio_episodes(counts, 0, LabelRule(n_min=100), down)
    assert episode.onset_s == 603 and not episode.masked


def test_an_onset_near_a_gap_is_masked_and_not_a_target() -> None:
    counts = _burst_counts()
    down = np.zeros(len(counts), dtype=bool)
    down[400:420] = True  # within the onset's trailing half hour
    (masked,) = rate_ratio_episodes(counts, 0, LabelRule(n_min=100), down)
    assert masked.masked
    assert not onset_within([masked], 0, len(counts), 60).any()


def test_target_is_an_onset_within_the_horizon() -> None:
    counts = _burst_counts()
    episodes = rate_ratio_episodes(counts, 0, LabelRule(n_min=100))
    y = onset_within(episodes, 0, len(counts), 60)
    assert y[543] and y[602] and not y[542] and not y[603]


def test_notional_threshold_follows_the_session() -> None:
    thresholds = ThresholdConfig()
    start = 1_761_134_400  # 2025-10-22 12:00 UTC, Wednesday: us session, then asian from 20:00
    values = notional_threshold("BTC", start, 9 * 3600, thresholds)
    assert values[0] == 2_500_000.0 and values[-1] == pytest.approx(2_500_000.0 * 0.7)
    usd = np.zeros(3600)
    usd[1000:1010] = 300_000.0
    (episode,) = find_episodes(usd, np.full(3600, 2_500_000.0), 0, LabelRule())
    assert episode.crossing_s == 1008 and episode.onset_s <= 1008

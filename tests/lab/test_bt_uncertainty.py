"""Block-bootstrap intervals of Brier skill: resampling blocks of time, shared by every track of a group."""

from __future__ import annotations

import math

import numpy as np
import pytest

from liqterm_lab.labels import Episode, LabelRule, onset_within, running_mask
from liqterm_lab.metrics import Track, probabilistic
from liqterm_lab.uncertainty import (
    BLOCK_S,
    MIN_BLOCKS,
    RESAMPLES,
    block_errors,
    describe_margin,
    skill_intervals,
)

N = 6 * 3600


def _track(onsets: list[int], n: int = N, start_s: int = 0) -> Track:
    episodes = [Episode(s, s + 5, s + 100, 200.0) for s in onsets]
    scored = np.zeros(n, dtype=bool)
    scored[LabelRule().warmup_s : n - 60] = True
    outside = scored & ~running_mask(episodes, 0, n)
    return Track("t", start_s, episodes, scored, outside, onset_within(episodes, 0, n, 60))


def _onsets(n: int = N, every: int = 900) -> list[int]:
    return list(range(600, n - 300, every))


def _blocks(track: Track) -> int:
    """Blocks holding scored seconds (the 5 min warm-up fills the first block)."""
    return len(np.unique((track.start_s + np.flatnonzero(track.outside)) // BLOCK_S))


def _climatology(track: Track) -> np.ndarray:
    return np.full(len(track.y), track.y[track.outside].mean())


def test_blocks_are_time_shared_by_every_track_of_a_group() -> None:
    a, b = _track(_onsets()), _track(_onsets()[::2])
    blocks, errors, positives = block_errors([a, b], [_climatology(a), _climatology(b)])
    assert len(blocks) == _blocks(a) == N // BLOCK_S - 1  # two assets, the same hours: one set of blocks
    expected = sum(((_climatology(t) - t.y) ** 2)[t.outside].sum() for t in (a, b))
    assert errors.sum() == pytest.approx(expected)
    assert positives.sum() == sum(int(t.y[t.outside].sum()) for t in (a, b))


def test_blocks_follow_absolute_time_when_tracks_start_at_different_seconds() -> None:
    early, late = _track(_onsets(), start_s=0), _track(_onsets(), start_s=BLOCK_S // 2)
    blocks, _, _ = block_errors([early, late], [_climatology(early), _climatology(late)])
    own = {int(b) for t in (early, late) for b in (t.start_s + np.flatnonzero(t.outside)) // BLOCK_S}
    assert set(blocks.tolist()) == own and len(blocks) == _blocks(early) + 1  # half a block later


def test_a_clearly_better_forecast_has_a_margin_interval_above_zero() -> None:
    track = _track(_onsets())
    climatology = _climatology(track)
    rng = np.random.default_rng(1)
    sharp = np.clip(track.y * 0.6 + 0.02 + rng.normal(0, 0.01, N), 0, 1)  # knows the onsets
    probs = {"climatology": [climatology], "liqterm": [sharp], "flat": [climatology]}
    spread = skill_intervals([track], probs)
    assert spread["reliable"] and spread["blocks"] == _blocks(track)
    low, high = spread["bss_ci"]["liqterm"]
    point = probabilistic([track], [sharp], [climatology])["bss"]
    assert 0 < low <= point <= high
    versus = spread["versus"]["flat"]
    assert versus["bss_margin"] == pytest.approx(point)  # the flat forecast IS climatology: skill 0
    assert versus["ci"][0] > 0 and versus["share_better"] == 1.0
    assert spread["bss_ci"]["flat"] == pytest.approx([0.0, 0.0])


def test_an_indistinguishable_rival_gets_an_interval_around_zero() -> None:
    track = _track(_onsets())
    climatology = _climatology(track)
    rng = np.random.default_rng(2)
    noise = [np.clip(climatology + rng.normal(0, 0.02, N), 0, 1) for _ in range(2)]
    probs = {"climatology": [climatology], "liqterm": [noise[0]], "other": [noise[1]]}
    spread = skill_intervals([track], probs)
    low, high = spread["versus"]["other"]["ci"]
    assert low < 0 < high and 0.05 < spread["versus"]["other"]["share_better"] < 0.95


def test_the_interval_is_reproducible_and_flags_too_few_blocks() -> None:
    short = _track([700], n=1800)  # 30 min: 5 blocks after the warm-up
    probs = {"climatology": [_climatology(short)], "liqterm": [np.clip(short.y * 0.5 + 0.01, 0, 1)]}
    first, again = skill_intervals([short], probs), skill_intervals([short], probs)
    assert first == again  # a fixed seed: the same report twice
    assert first["blocks"] == _blocks(short) == 5 < MIN_BLOCKS and not first["reliable"]


def test_resamples_without_an_onset_are_dropped_and_one_onset_is_never_reliable() -> None:
    lonely = _track([N // 2])  # 6 h, 71 blocks, a single onset
    probs = {"climatology": [_climatology(lonely)], "liqterm": [np.clip(lonely.y * 0.3 + 0.001, 0, 1)]}
    rng = np.random.default_rng(3)
    probs["noisy"] = [np.clip(_climatology(lonely) + rng.normal(0, 0.05, N), 0, 1)]
    spread = skill_intervals([lonely], probs)
    assert spread["blocks"] >= MIN_BLOCKS and spread["onset_blocks"] == 1 and not spread["reliable"]
    assert 0.5 * RESAMPLES < spread["resamples"] < 0.8 * RESAMPLES  # about 1 - 1/e hold the onset
    low, high = spread["bss_ci"]["noisy"]
    point = probabilistic([lonely], probs["noisy"], probs["climatology"])["bss"]
    assert high - low < 2 * abs(point)  # no swing to -3 from resamples with nothing to score


def test_a_nan_forecast_gives_no_margin_rather_than_never_better() -> None:
    track = _track(_onsets())
    broken = np.full(N, 0.01)
    broken[track.outside.nonzero()[0][100]] = np.nan
    probs = {"climatology": [_climatology(track)], "liqterm": [broken], "flat": [_climatology(track)]}
    versus = skill_intervals([track], probs)["versus"]["flat"]
    assert math.isnan(versus["share_better"]) and all(math.isnan(v) for v in versus["ci"])
    assert describe_margin("flat", versus) == "flat -"


def test_report_line_names_margin_interval_and_share() -> None:
    row = {"bss_margin": 0.0105, "ci": [-0.003, 0.021], "share_better": 0.93}
    assert describe_margin("count10", row) == "count10 +0.0105 [-0.0030, +0.0210], better in 93%"
    assert describe_margin("ewma", {"bss_margin": None, "ci": [None, None], "share_better": 0.0}) == "ewma -"
    assert describe_margin("hawkes", {"bss_margin": 0.01, "ci": None, "share_better": None}) == "hawkes -"

"""How sure a Brier skill figure is: block-bootstrap intervals, and of liqterm's margin over each baseline.

A difference of Brier skill between two predictors means little without its spread, and
the spread of the few real onsets is large. Seconds on the grid are far from independent:
an onset makes a minute of consecutive ``y = 1`` seconds, a burst lifts every predictor
for a while, and assets cascade together. Resampling seconds would therefore give
intervals much too narrow. Here whole blocks of :data:`BLOCK_S` seconds of TIME are
resampled with replacement (the same block for every track of a group, so the assets of
one block stay together), and the pooled Brier skill is recomputed on each resample.

Reported (90 % percentile intervals, :data:`RESAMPLES` resamples, a fixed seed so a
report reproduces exactly):

* per predictor, ``bss_ci``: the interval of its Brier skill against climatology;
* per baseline, liqterm's margin ``bss_margin`` (liqterm's skill minus the baseline's, on
  the same seconds, so the pairing removes what both share), its interval, and
  ``share_better``: the share of resamples in which liqterm's Brier score is strictly the
  lower.

A resample that holds no onset at all is dropped (``resamples`` says how many were kept):
without a positive second the reference's error is tiny and every skill ratio meaningless.
For the same reason the interval is only ``reliable`` with at least :data:`MIN_BLOCKS`
blocks of which at least :data:`MIN_ONSET_BLOCKS` hold an onset ahead; otherwise a
resample can only repeat or leave out the few blocks that decide the score, and the
report says the interval is not to be trusted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from liqterm.scorecard import BLOCK_S, MIN_BLOCKS, MIN_ONSET_BLOCKS
from liqterm_lab.metrics import Track

RESAMPLES = 2000
LEVEL = 0.90
SEED = 20251022


def block_errors(
    tracks: Sequence[Track], probs: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per block of time (all tracks together): the blocks' ids, the summed squared error of
    ``probs`` over the tracks' probabilistic sample (the seconds outside running episodes), and
    how many of those seconds are positive (an onset ahead)."""
    ids, errors, positives = [], [], []
    for track, prob in zip(tracks, probs, strict=True):
        index = np.flatnonzero(track.outside)
        ids.append((track.start_s + index) // BLOCK_S)
        errors.append((prob[index] - track.y[index]) ** 2)
        positives.append(track.y[index].astype(float))
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
    blocks, inverse = np.unique(np.concatenate(ids), return_inverse=True)
    size = len(blocks)
    return (
        blocks,
        np.bincount(inverse, weights=np.concatenate(errors), minlength=size),
        np.bincount(inverse, weights=np.concatenate(positives), minlength=size),
    )


def _interval(values: np.ndarray) -> list[float]:
    if np.isnan(values).any():
        return [math.nan, math.nan]
    tail = (1.0 - LEVEL) / 2 * 100
    low, high = np.percentile(values, (tail, 100 - tail))
    return [float(low), float(high)]


def _share(better: np.ndarray, worse: np.ndarray) -> float:
    """Share of resamples where ``better`` is strictly above ``worse`` (ties are not better)."""
    if np.isnan(better).any() or np.isnan(worse).any():
        return math.nan
    return float(np.mean(better > worse))


def skill_intervals(
    tracks: Sequence[Track],
    probs: dict[str, Sequence[np.ndarray]],
    reference: str = "climatology",
    own: str = "liqterm",
) -> dict:
    """Block-bootstrap intervals of each predictor's Brier skill and of ``own``'s margin over the
    others (see the module docstring). ``probs`` maps a predictor to its probabilities per track."""
    if reference not in probs:
        return {}
    blocks, ref_errors, positives = block_errors(tracks, probs[reference])
    onset_blocks = int((positives > 0).sum())
    summary: dict = {"blocks": len(blocks), "onset_blocks": onset_blocks, "block_s": BLOCK_S, "level": LEVEL}
    summary["reliable"] = len(blocks) >= MIN_BLOCKS and onset_blocks >= MIN_ONSET_BLOCKS
    if not onset_blocks:
        return {**summary, "resamples": 0}
    rng = np.random.default_rng(SEED)
    counts = rng.multinomial(len(blocks), np.full(len(blocks), 1.0 / len(blocks)), size=RESAMPLES)
    # A resample without a single positive second has no skill to speak of: its reference error
    # is only the climatology's p^2 on quiet seconds, so any ratio to it swings wildly.
    valid = (counts @ positives > 0) & (counts @ ref_errors > 0)
    counts = counts[valid]
    ref_resampled = counts @ ref_errors
    errors = {name: block_errors(tracks, p)[1] for name, p in probs.items() if name != reference}
    skill = {name: 1.0 - (counts @ e) / ref_resampled for name, e in errors.items()}
    out: dict = {
        **summary,
        "resamples": int(valid.sum()),
        "bss_ci": {name: _interval(values) for name, values in skill.items()},
        "versus": {},
    }
    if own in errors:
        total_ref = float(ref_errors.sum())
        for name, e in errors.items():
            if name == own:
                continue
            out["versus"][name] = {
                "bss_margin": (float(e.sum()) - float(errors[own].sum())) / total_ref,
                "ci": _interval(skill[own] - skill[name]),
                "share_better": _share(skill[own], skill[name]),
            }
    return out


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def describe_margin(name: str, row: dict) -> str:
    """``count10 +0.0105 [-0.0030, +0.0210], better in 93%`` for a report line."""
    bounds = row.get("ci") or [None, None]
    values = (row.get("bss_margin"), *bounds, row.get("share_better"))
    if any(_missing(v) for v in values):
        return f"{name} -"
    margin, low, high, share = values
    return f"{name} {margin:+.4f} [{low:+.4f}, {high:+.4f}], better in {share:.0%}"

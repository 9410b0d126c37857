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
  the same seconds), its interval, and ``share_better``: the share of resamples in which
  liqterm's Brier score is the lower.

Fewer than :data:`MIN_BLOCKS` blocks (under an hour of 5 min blocks) make the percentile
interval itself unreliable (a resample can only repeat the one block holding the onset, or
leave it out): ``reliable`` is then false, and the report says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from liqterm.backtest.metrics import Track

BLOCK_S = 300
"""Longer than an onset's horizon (60 s) and a typical episode (2-4 min), so most of the
dependence stays inside a block."""
RESAMPLES = 2000
LEVEL = 0.90
SEED = 20251022
MIN_BLOCKS = 12


def block_errors(tracks: Sequence[Track], probs: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Per block of time (all tracks together): the blocks' ids and the summed squared error of
    ``probs`` over the tracks' probabilistic sample (the seconds outside running episodes)."""
    ids, errors = [], []
    for track, prob in zip(tracks, probs, strict=True):
        index = np.flatnonzero(track.outside)
        ids.append((track.start_s + index) // BLOCK_S)
        errors.append((prob[index] - track.y[index]) ** 2)
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    blocks, inverse = np.unique(np.concatenate(ids), return_inverse=True)
    return blocks, np.bincount(inverse, weights=np.concatenate(errors), minlength=len(blocks))


def _interval(values: np.ndarray) -> list[float]:
    tail = (1.0 - LEVEL) / 2 * 100
    low, high = np.percentile(values, (tail, 100 - tail))
    return [float(low), float(high)]


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
    blocks, ref_errors = block_errors(tracks, probs[reference])
    if not len(blocks) or ref_errors.sum() <= 0:
        return {"blocks": len(blocks)}
    rng = np.random.default_rng(SEED)
    counts = rng.multinomial(len(blocks), np.full(len(blocks), 1.0 / len(blocks)), size=RESAMPLES)
    ref_resampled = counts @ ref_errors
    valid = ref_resampled > 0  # a resample of only quiet blocks has no skill to speak of
    errors = {name: block_errors(tracks, p)[1] for name, p in probs.items() if name != reference}
    skill = {name: 1.0 - (counts @ e)[valid] / ref_resampled[valid] for name, e in errors.items()}
    out: dict = {
        "blocks": len(blocks),
        "block_s": BLOCK_S,
        "level": LEVEL,
        "reliable": len(blocks) >= MIN_BLOCKS,
        "bss_ci": {name: _interval(values) for name, values in skill.items()},
        "versus": {},
    }
    if own in errors:
        total_ref = float(ref_errors.sum())
        for name, e in errors.items():
            if name == own:
                continue
            margin = (float(e.sum()) - float(errors[own].sum())) / total_ref
            out["versus"][name] = {
                "bss_margin": margin,
                "ci": _interval(skill[own] - skill[name]),
                "share_better": float(np.mean(skill[own] > skill[name])),
            }
    return out


def describe_margin(name: str, row: dict) -> str:
    """``count10 +0.0105 [-0.0030, +0.0210], better in 93 %`` for a report line."""
    low, high = row["ci"]
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (row["bss_margin"], low, high)):
        return f"{name} -"
    return f"{name} {row['bss_margin']:+.4f} [{low:+.4f}, {high:+.4f}], better in {row['share_better']:.0%}"

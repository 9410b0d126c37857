"""Hawkes pieces: the block-wise excitation is the exact recursion; MLE recovers the published fit."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from bt_data import REAL_CSV

from liqterm_lab.calibrate import fit_two_kernels
from liqterm_lab.fitting import fit_logistic, fit_platt
from liqterm_lab.hawkes import excitation, fit_hawkes
from shared_data import shared_file


def test_excitation_equals_the_recursion_across_blocks() -> None:
    times = np.sort(np.random.default_rng(1).uniform(0, 5000, 3000))
    recursion = [0.0]
    for prev, t in itertools.pairwise(times):
        recursion.append(math.exp(-1.7 * (t - prev)) * (1 + recursion[-1]))
    assert np.allclose(excitation(times, 1.7), recursion, rtol=1e-9, atol=1e-12)


def _real_times() -> np.ndarray:
    import csv
    from datetime import UTC, datetime

    with open(shared_file(REAL_CSV), newline="") as handle:
        stamps = [
            datetime.fromisoformat(r["timestamp"]).replace(tzinfo=UTC).timestamp()
            for r in csv.DictReader(handle)
        ]
    times = np.sort(np.array(stamps))
    return times - times[0]


def test_single_kernel_fit_on_the_real_slice_matches_cascade_science() -> None:
    params = fit_hawkes(_real_times(), seed=0)
    assert 0.25 <= params.mu <= 0.28 and 1.3 <= params.beta <= 1.42
    assert params.branching == pytest.approx(0.817, abs=0.01)


def test_two_kernel_fit_finds_a_fast_and_a_slow_timescale() -> None:
    mu, n_fast, beta_fast, n_slow, beta_slow = fit_two_kernels(_real_times())
    assert beta_fast > 5 * beta_slow and 0.75 < n_fast + n_slow < 0.95 and 0.15 < mu < 0.3


def test_logistic_and_platt_recover_a_known_link() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(20_000, 2))
    y = (rng.random(20_000) < 1 / (1 + np.exp(-(-2 + 1.5 * x[:, 0])))).astype(float)
    model = fit_logistic(x, y, l2=0.0)
    assert model.coef[0] / model.scale[0] == pytest.approx(1.5, abs=0.1) and abs(model.coef[1]) < 0.1
    platt = fit_platt(x[:, 0], y)
    assert platt.a == pytest.approx(1.5, abs=0.1) and platt.b == pytest.approx(-2, abs=0.1)

"""The engine model's refit: run-ups as positives, their weight, and what the weight trades."""

from __future__ import annotations

import numpy as np
import pytest

from liqterm.engine.cascade import LiqtermPredictor
from liqterm_lab.params import load_params
from liqterm_lab.runner import Material, collect
from liqterm_lab.synthetic import Synthetic
from liqterm_lab.tradeoff import engine_tradeoff, render
from liqterm_lab.train import FeatureTap, fit_engine_model, run_up


@pytest.fixture(scope="module")
def tapped(synthetic: Synthetic) -> tuple[Material, FeatureTap]:
    """The small synthetic recording, replayed with the engine predictor's features kept."""
    tap = FeatureTap()
    material = collect(synthetic.frames, factories={"liqterm": lambda: tap}, on_sample=tap.on_sample)
    return material, tap


def _lift(probs: list[np.ndarray], tracks: list) -> float:
    """Mean probability on run-up seconds over the mean outside episodes."""
    ups = np.concatenate([p[run_up(t)] for p, t in zip(probs, tracks, strict=True)])
    outside = np.concatenate([p[t.outside] for p, t in zip(probs, tracks, strict=True)])
    return float(ups.mean() / outside.mean())


def test_run_ups_teach_the_model_that_a_build_up_is_risk(tapped) -> None:
    material, tap = tapped
    model, probs, tracks = fit_engine_model([material], [tap], [None])
    assert sum(len(t.onsets) for t in tracks) >= 3 and any(run_up(t).any() for t in tracks)
    assert model == fit_engine_model([material], [tap], [None], run_up_weight=1.0)[0]  # 1 is the default
    _, plain_probs, _ = fit_engine_model([material], [tap], [None], run_up_weight=0.0)
    assert _lift(probs, tracks) > _lift(plain_probs, tracks)
    assert LiqtermPredictor(model).FEATURES == tuple(model["features"])  # the engine can load it


def test_the_tradeoff_table_fits_each_weight_and_scores_it_against_the_baselines(tapped) -> None:
    material, tap = tapped
    result = engine_tradeoff([material], [tap], [None], material, tap, load_params(), [1.0, 0.0])
    assert result["onsets"] >= 3 and set(result["baselines"]) == {"count10", "ewma", "hawkes"}
    heavy, plain = result["weights"]
    assert (heavy["run_up_weight"], plain["run_up_weight"]) == (1.0, 0.0)
    assert plain["bss"] > heavy["bss"]  # outside episodes every burst fizzled: run-ups cost Brier skill
    for row in result["weights"]:
        assert set(row["versus"]) >= {"count10", "ewma", "hawkes"}
        assert 0.0 < row["levels"]["possible"] < row["levels"]["warning"] < 1.0
        assert all(0.0 <= recall <= 1.0 for recall in row["matched_recall"].values())
    text = render(result)
    assert "weight 1 " in text and "weight 0 " in text and "hawkes" in text


def test_onset_approach_sorts_onsets_by_how_far_below_the_threshold_they_began(tapped) -> None:
    from liqterm.config.schema import Config
    from liqterm_lab.labels import notional_threshold, per_second
    from liqterm_lab.tradeoff import QUIET_FILL, onset_approach

    material, _ = tapped
    thresholds = Config().thresholds
    found = onset_approach(material, thresholds)
    log, quiet, jumps, total = material.events, 0, 0, 0
    for scope in material.scopes:
        if scope.kind != "notional":
            continue
        usd = per_second(log.exchange_ms[scope.mask], material.start_s, material.n, log.usd[scope.mask])
        threshold = notional_threshold(scope.asset, material.start_s, material.n, thresholds)
        for episode in material.episodes[scope.name]:
            if episode.masked:
                continue
            total += 1
            before = episode.onset_s - 1  # the 60 s of USD ending one second before the onset
            window = usd[before - 59 - material.start_s : before + 1 - material.start_s].sum()
            quiet += window < QUIET_FILL * threshold[before - material.start_s]
            jumps += window < QUIET_FILL * threshold[before - material.start_s] and (
                episode.onset_s == episode.crossing_s
            )
    assert total >= 3
    assert found == {"onsets": total, "from_quiet": quiet, "in_one_second": jumps}
    empty = {"onsets": total, "baselines": {}, "weights": []}
    assert f"{quiet}/{total} came from below 25%" in render({**empty, "approach": found})

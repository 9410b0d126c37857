"""What the engine model's run-up weight trades: Brier skill against warnings, on a validation recording.

The engine predictor learns from the seconds outside cascade episodes plus the run-ups of
cascades (back-dated onset to threshold crossing) as positives
(:func:`liqterm_lab.train.fit_engine_model`). The Brier score is taken outside
episodes only, where by construction every burst is one that fizzled, so the run-ups
cost Brier skill; they are also what lets the app warn while a cascade builds. This
module measures the trade for several run-up weights on a recording that is neither
training nor test data (``lab/scripts/fit_predictor.py --run-up-weights``), so the choice can
be read off without touching the held-out figures.

Per weight: the model is fitted on the training materials, the app's alert levels are
chosen from it as the refit chooses them (:func:`~liqterm_lab.train.alert_levels`),
and on the validation recording's notional tracks it is scored for Brier skill (with its
margin over each baseline and that margin's block-bootstrap interval), warnings at the
``possible`` level, and recall at each baseline's own false-warning rate.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from liqterm.config.schema import Config, ThresholdConfig
from liqterm_lab.fitting import Logistic, Platt
from liqterm_lab.labels import notional_threshold, per_second, trailing
from liqterm_lab.metrics import Track, alarms, probabilistic, recall_at_budget, sweep
from liqterm_lab.params import BacktestParams
from liqterm_lab.runner import Material, scope_predictions
from liqterm_lab.train import FeatureTap, alert_levels, fit_engine_model, idle_features, recorded_hours
from liqterm_lab.uncertainty import skill_intervals

BASELINES = ("count10", "ewma", "hawkes")
QUIET_FILL = 0.25
"""An onset "comes from quiet" when one second before it the asset's trailing 60 s USD was
below this share of its cascade threshold."""


def onset_approach(material: Material, thresholds: ThresholdConfig) -> dict:
    """How the notional onsets of ``material`` arrive: from how far below the threshold.

    ``{"onsets", "from_quiet", "in_one_second"}``: unmasked notional onsets; those whose
    trailing 60 s USD (exchange time) one second before the onset was below
    :data:`QUIET_FILL` of the threshold; and those of them that crossed in that very second
    (no run-up). An onset of the last kind gives no rate or USD build-up to forecast from,
    which bounds what any predictor's Brier skill can gain on this label.
    """
    log = material.events
    onsets = from_quiet = in_one_second = 0
    for scope in material.scopes:
        if scope.kind != "notional" or scope.asset is None:
            continue
        usd = per_second(log.exchange_ms[scope.mask], material.start_s, material.n, log.usd[scope.mask])
        fill = trailing(usd, 60) / notional_threshold(scope.asset, material.start_s, material.n, thresholds)
        for episode in material.episodes[scope.name]:
            before = episode.onset_s - material.start_s - 1
            if episode.masked or before < 0:
                continue
            onsets += 1
            if fill[before] < QUIET_FILL:
                from_quiet += 1
                in_one_second += episode.onset_s == episode.crossing_s
    return {"onsets": onsets, "from_quiet": from_quiet, "in_one_second": in_one_second}


def _probabilities(model: dict, dense: Sequence[np.ndarray]) -> list[np.ndarray]:
    link = Logistic.from_dict(model)
    platt = Platt(*model["platt"])
    return [platt(link.logit(x)) for x in dense]


def engine_tradeoff(
    materials: Sequence[Material],
    taps: Sequence[FeatureTap],
    until: Sequence[int | None],
    validation: Material,
    validation_tap: FeatureTap,
    params: BacktestParams,
    weights: Sequence[float],
) -> dict:
    """``{"onsets", "baselines": {name: row}, "weights": [row per weight]}`` on the validation
    recording's notional tracks (see the module docstring)."""
    horizon = validation.horizon_s
    kind = params.kinds["notional"]
    hours = recorded_hours(materials, until)
    tracks: list[Track] = []
    baseline_probs: dict[str, list[np.ndarray]] = {name: [] for name in ("climatology", *BASELINES)}
    dense = []
    idle = idle_features()
    for scope in validation.scopes:
        if scope.kind != "notional":
            continue
        tracks.append(validation.track(scope))
        found = scope_predictions(validation, scope, kind, list(baseline_probs))
        for name, probs in baseline_probs.items():
            probs.append(found[name])
        dense.append(validation_tap.dense(scope.asset or "", validation.start_s, validation.n, idle))
    if not tracks:
        raise ValueError("the validation recording has no notional track: nothing to score the weights on")
    reference = baseline_probs["climatology"]
    baselines = {}
    for name in BASELINES:
        alarm = alarms(tracks, baseline_probs[name], kind.theta[name], horizon)
        baselines[name] = {
            "bss": probabilistic(tracks, baseline_probs[name], reference)["bss"],
            "recall": alarm["recall"],
            "false_per_hour": alarm["false_per_hour"],
        }
    rows = []
    for weight in weights:
        model, train_probs, train_tracks = fit_engine_model(materials, taps, until, run_up_weight=weight)
        levels = alert_levels(train_tracks, train_probs, hours, horizon)
        probs = _probabilities(model, dense)
        own = alarms(tracks, probs, levels["possible"], horizon)
        rows_of_sweep = sweep(tracks, probs, horizon)
        spread = skill_intervals(tracks, {**baseline_probs, "liqterm": probs})
        rows.append(
            {
                "run_up_weight": weight,
                "bss": probabilistic(tracks, probs, reference)["bss"],
                "versus": spread.get("versus", {}),
                "levels": levels,
                "caught": own["caught"],
                "false_per_hour": own["false_per_hour"],
                "matched_recall": {
                    name: recall_at_budget(tracks, probs, horizon, rows_of_sweep, row["false_per_hour"])[0]
                    for name, row in baselines.items()
                },
            }
        )
    return {
        "onsets": sum(len(t.onsets) for t in tracks),
        "approach": onset_approach(validation, Config().thresholds),
        "baselines": baselines,
        "weights": rows,
    }


def render(result: dict) -> str:
    """The trade as a plain-text table."""
    onsets = result["onsets"]
    lines = [f"engine model's run-up weight on the validation recording: {onsets} notional onsets"]
    approach = result.get("approach")
    if approach and approach["onsets"]:
        total = approach["onsets"]
        lines.append(
            f"  {approach['from_quiet']}/{total} came from below {QUIET_FILL:.0%} of the threshold one "
            f"second before, {approach['in_one_second']}/{total} crossing it in that second "
            "(nothing to forecast)"
        )
    for name, row in result["baselines"].items():
        lines.append(
            f"  {name:<8} Brier skill {row['bss']:+.4f}; at its threshold recall "
            f"{row['recall']:.3f}, {row['false_per_hour']:.2f} false/asset-h"
        )
    for row in result["weights"]:
        margins = ", ".join(
            f"{name} {v['bss_margin']:+.4f} [{v['ci'][0]:+.4f}, {v['ci'][1]:+.4f}]"
            for name, v in row["versus"].items()
            if name in result["baselines"]
        )
        matched = ", ".join(f"{name} {value:.3f}" for name, value in row["matched_recall"].items())
        lines.append(
            f"  weight {row['run_up_weight']:<4g} Brier skill {row['bss']:+.4f} (minus each: {margins}); "
            f"levels {row['levels']['possible']:g}/{row['levels']['warning']:g}: warned ahead of "
            f"{row['caught']}/{onsets} at {row['false_per_hour']:.3f} false/asset-h; "
            f"recall at each baseline's rate: {matched}"
        )
    return "\n".join(lines)

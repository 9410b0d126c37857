"""Refit liqterm's cascade predictor and every backtest baseline, walk forward, and measure them.

    .venv/bin/python lab/scripts/fit_predictor.py            # fit, score, print
    .venv/bin/python lab/scripts/fit_predictor.py --write    # ... and write the shipped files
    .venv/bin/python lab/scripts/fit_predictor.py --run-up-weights 1,0.5,0.25,0.1,0   # the engine
        model's Brier-skill-against-warnings trade, on a validation recording (no refit)

Walk forward: everything is fitted on data BEFORE --split only:
  1. the real recording (default: the bundled 2025-10-22 Binance slice) up to the split;
  2. the synthetic generator is calibrated on that same part, and --synthetic-hours of
     synthetic recordings (seeds --seed...) are generated from it for training. How its
     cascades cluster in time is measured on the CoinGlass 30 m BTC bars (--bars; real data
     from another period, see liqterm_lab.clustering; --no-clustering: independent).
liqterm's onset weight (liqterm_lab.train.ONSET_WEIGHT) is chosen by leave-one-material-
out cross-validation on that training data alone (liqterm_lab.crossval; --no-cv keeps
the default). Then the predictors are scored on the real recording AFTER the split (the only honest
real figure), on the whole real slice (its first part was training data: flagged), and
on fresh synthetic hours (other seeds; synthetic skill is not real skill).

Writes (with --write), in the checkout: src/liqterm/engine/cascade_model.json (the engine
predictor), lab/src/liqterm_lab/backtest_params.json (baselines, stream models, thresholds)
and src/liqterm/data/shipped_figures.json (the figures, with the data they came from).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from liqterm.engine.cascade import LiqtermPredictor
from liqterm_lab.calibrate import GeneratorSpec, calibrate
from liqterm_lab.clustering import measure
from liqterm_lab.crossval import choose, cross_validate
from liqterm_lab.events import merged_frames
from liqterm_lab.params import load_params, save_params
from liqterm_lab.report import plain, utc_seconds
from liqterm_lab.runner import collect, score
from liqterm_lab.synthetic import CASCADES_PER_HOUR, generate
from liqterm_lab.tradeoff import engine_tradeoff
from liqterm_lab.tradeoff import render as render_tradeoff
from liqterm_lab.train import (
    ONSET_WEIGHT,
    FeatureTap,
    alert_levels,
    fit_engine_model,
    fit_params,
    recorded_hours,
)

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "src" / "liqterm" / "data" / "demo-binance-2025-10-22.jsonl.gz"
# Written into the checkout (not the installed copies): the next install ships them.
MODEL_PATH = ROOT / "src" / "liqterm" / "engine" / "cascade_model.json"
PARAMS_PATH = ROOT / "lab" / "src" / "liqterm_lab" / "backtest_params.json"
FIGURES = ROOT / "src" / "liqterm" / "data" / "shipped_figures.json"
SPLIT = "2025-10-22T18:00:00Z"
DATASETS = ROOT.parent / "shared" / "data" / "datasets"
BARS = DATASETS / "coinglass_btc_aggregated_liquidations_30m_2026-02-27_2026-05-28.csv"
SYNTHETIC_START = datetime(2025, 10, 24, 12, tzinfo=UTC).timestamp()  # Friday noon: weekday and weekend


def _collect_with_tap(frames, sources):  # type: ignore[no-untyped-def]
    tap = FeatureTap()
    material = collect(frames, factories={"liqterm": lambda: tap}, on_sample=tap.on_sample, sources=sources)
    return material, tap


def _summary(report: dict) -> dict:
    keep = ("brier", "bss", "precision", "recall", "median_lead_s", "p10_lead_s", "false_per_hour",
            "detection_delay_s", "warnings", "hits", "theta", "leads_s", "bss_ci")  # fmt: skip
    out = {"onsets": report["onsets"], "hours": round(report["hours"], 3), "data": report["data"],
           "episodes": report["episodes"]}  # fmt: skip
    out["scopes"] = {
        group: {"onsets": g["onsets"], "hours": round(g["hours"], 3), "tracks": g["tracks"],
                "predictors": {name: {k: row.get(k) for k in keep} for name, row in g["predictors"].items()},
                "matched": g.get("matched", {}), "skill_spread": g.get("skill_spread", {})}
        for group, g in report["scopes"].items()
    }  # fmt: skip
    return out


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _note(real) -> str:  # type: ignore[no-untyped-def]
    """What the real figures can bear, from the recording they came from."""
    minutes = real.n / 60
    span = f"{minutes:.0f}-min" if minutes < 120 else f"{minutes / 60:.0f}-hour"
    venues = ", ".join(v.capitalize() if v != "okx" else "OKX" for v in real.events.venues)
    onsets = len(real.episodes.get("union", []))
    weight = "illustrative, not statistically meaningful" if onsets < 30 else "see each figure's interval"
    return (
        f"Real figures are from one {span} {venues} slice with {onsets} market-level onsets: {weight}. "
        "Synthetic figures describe the generator, not real skill."
    )


def write_figures(args, spec, provenance, params, model, split_s) -> None:  # type: ignore[no-untyped-def]
    """Score with the fitted engine model (the engine reads its model when built, so replay again)."""
    fitted = {"liqterm": lambda: LiqtermPredictor(model)}
    real = collect(merged_frames([args.real]), factories=fitted, sources=[args.real.name])
    refit = "python lab/scripts/fit_predictor.py --write"
    if args.real.resolve() != REAL or args.split != SPLIT:
        refit += f" --real {_shown(args.real)} --split {args.split}"
    figures = {
        "note": _note(real),
        "commands": {
            "real_test": f"liqterm backtest {_shown(args.real)} --from {args.split} --json",
            "real_full": f"liqterm backtest {_shown(args.real)} --json",
            "refit": refit,
        },
        "provenance": provenance,
        "real_test": _summary(score(real, params, test_from_s=split_s)),
        "real_full_slice_includes_training": _summary(score(real, params)),
    }
    synthetic = generate(
        spec, start_s=SYNTHETIC_START + 86_400 * 7, hours=args.test_hours, seed=args.seed + 1000
    )
    test = collect(synthetic.frames, factories=fitted, sources=[f"synthetic seed {args.seed + 1000}"])
    figures["synthetic_test"] = _summary(score(test, params))
    figures["synthetic_test"]["data"]["generator"] = synthetic.describe()
    text = json.dumps(plain(figures), indent=1, allow_nan=False)  # NaN (no onset, no warning) as null
    if args.write:
        FIGURES.write_text(text + "\n", encoding="utf-8")
    print(text)


def figures_only(args) -> int:  # type: ignore[no-untyped-def]
    """Recompute the figures of the shipped parameters without refitting."""
    params = load_params()
    model = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    spec = GeneratorSpec(**params.provenance["generator"])
    write_figures(args, spec, params.provenance, params, model, utc_seconds(args.split, "--split"))
    return 0


def run_up_tradeoff(args, spec, materials, taps, cuts) -> int:  # type: ignore[no-untyped-def]
    """Print what each run-up weight trades on a recording that is neither training nor test data."""
    seed = args.seed + 2000
    synthetic = generate(spec, start_s=SYNTHETIC_START + 86_400 * 14, hours=args.test_hours, seed=seed)
    validation, tap = _collect_with_tap(synthetic.frames, [f"synthetic seed {seed}"])
    result = engine_tradeoff(materials, taps, cuts, validation, tap, load_params(), args.run_up_weights)
    print(render_tradeoff(result))
    print(f"validation: {args.test_hours:g} h synthetic, seed {seed} (not real skill)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--real", type=Path, default=REAL, help="real recording (default: the bundled slice)")
    parser.add_argument("--split", default=SPLIT, help="fit before, score after (ISO UTC)")
    parser.add_argument("--synthetic-hours", type=float, default=24.0)
    parser.add_argument("--test-hours", type=float, default=12.0)
    parser.add_argument("--seed", type=int, default=100)
    parser.add_argument("--bars", type=Path, default=BARS, help="CoinGlass bars for cascade clustering")
    parser.add_argument("--no-clustering", action="store_true", help="independent cascades in the generator")
    parser.add_argument("--write", action="store_true", help="write the shipped parameter and figure files")
    parser.add_argument("--figures-only", action="store_true", help="score the shipped parameters, no refit")
    parser.add_argument(
        "--run-up-weights",
        type=lambda text: [float(v) for v in text.split(",")],
        help="no refit: measure the engine model's run-up weight trade (e.g. 1,0.5,0.25,0.1,0) on a "
        "validation recording (synthetic seed --seed + 2000), baselines as shipped",
    )
    parser.add_argument(
        "--no-cv", action="store_true", help=f"skip the cross-validation, onset weight {ONSET_WEIGHT:g}"
    )
    args = parser.parse_args(argv)
    if args.figures_only:
        return figures_only(args)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    started = time.time()
    split_s = utc_seconds(args.split, "--split")

    real, real_tap = _collect_with_tap(merged_frames([args.real]), [args.real.name])
    spec = calibrate(real.events, real.episodes["union"], until_ms=split_s * 1000)
    clustering = None
    if not args.no_clustering:
        if not args.bars.is_file():
            print(f"no bar file at {args.bars}: pass --bars PATH (the CoinGlass 30 m BTC CSV of "
                  "../shared/data/datasets) or --no-clustering", file=sys.stderr)  # fmt: skip
            return 2
        clustering = measure(args.bars, CASCADES_PER_HOUR)
        spec = replace(spec, cascade_branching=clustering.branching, cascade_decay_s=clustering.decay_s)
    print(f"generator calibrated on the real slice before {args.split}: {spec}", file=sys.stderr)
    materials, taps = [], []
    chunk = 6.0
    for i in range(int(args.synthetic_hours // chunk)):
        synthetic = generate(
            spec, start_s=SYNTHETIC_START + i * chunk * 3600, hours=chunk, seed=args.seed + i
        )
        material, tap = _collect_with_tap(synthetic.frames, [f"synthetic seed {args.seed + i}"])
        materials.append(material)
        taps.append(tap)
        print(f"synthetic training chunk {i}: {len(material.events)} events", file=sys.stderr)
    materials.append(real)
    taps.append(real_tap)
    cuts = [None] * (len(materials) - 1) + [split_s]
    provenance = {
        "fitted": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "training": f"{args.synthetic_hours:g} h synthetic (seeds {args.seed}..) calibrated on the real "
        f"slice before {args.split}, plus the real slice ({args.real.name}) before {args.split}",
        "test": f"the real slice from {args.split} on; synthetic seeds {args.seed + 1000}.. ",
        "generator": spec.to_dict(),
    }
    if clustering is not None:
        provenance["cascade_clustering"] = {"bars": args.bars.name, **clustering.to_dict()}
    if args.run_up_weights:
        return run_up_tradeoff(args, spec, materials, taps, cuts)
    weight = ONSET_WEIGHT
    if not args.no_cv:
        results = cross_validate(materials, cuts)
        weight = choose(results)
        provenance["onset_weight_cv"] = {
            "what": "leave-one-material-out CV on the training data only (market scopes): out-of-fold "
            "Brier skill per predictor and liqterm's mean recall margin over each baseline's sweep",
            "candidates": {f"{w:g}": r for w, r in results.items()},
        }
        print(f"onset weight by cross-validation within training: {weight:g}", file=sys.stderr)
    provenance["onset_weight"] = weight
    params = fit_params(materials, cuts, provenance, onset_weight=weight)
    model, probs, tracks = fit_engine_model(materials, taps, cuts)
    hours = recorded_hours(materials, cuts)
    levels = alert_levels(tracks, probs, hours, materials[0].horizon_s)
    params.kinds["notional"].theta["liqterm"] = levels["possible"]
    model["alert_levels"] = levels
    print(f"default alert levels from {hours:.1f} h of training recordings: {levels}", file=sys.stderr)
    model["provenance"] = provenance
    target_model = MODEL_PATH if args.write else Path("/tmp/liqterm-cascade-model.json")
    target_model.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    params_path = save_params(params, PARAMS_PATH if args.write else "/tmp/liqterm-backtest-params.json")
    print(f"wrote {target_model} and {params_path}", file=sys.stderr)

    write_figures(args, spec, provenance, params, model, split_s)
    print(f"done in {time.time() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

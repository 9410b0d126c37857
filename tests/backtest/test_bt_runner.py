"""The backtest end to end: the JSON contract, every baseline side by side, the CLI, walk-forward scoring."""

from __future__ import annotations

import json

import numpy as np
from bt_data import DEMO
from typer.testing import CliRunner

from liqterm.backtest.params import load_params
from liqterm.backtest.report import render_text, run_backtest, to_json
from liqterm.backtest.runner import ALL_PREDICTORS, score
from liqterm.cli import app

CONTRACT = ("brier", "bss", "precision", "recall", "median_lead_s", "p10_lead_s", "false_per_hour",
            "detection_delay_s", "warnings", "hits")  # fmt: skip


def test_every_predictor_is_scored_on_every_scope(real_material) -> None:
    report = score(real_material, load_params())
    assert report["onsets"] == 3 and 0.4 < report["hours"] < 0.6
    assert set(report["predictors"]) == set(ALL_PREDICTORS)
    assert report["predictors"]["climatology"]["bss"] == 0.0
    assert {"union", "asset", "notional"} <= set(report["scopes"])
    assert report["scopes"]["asset"]["onsets"] >= 10  # per-asset D1: many more onsets than the union
    for row in report["predictors"].values():
        assert set(CONTRACT) <= set(row)


def test_scoring_from_a_split_keeps_only_later_onsets(real_material) -> None:
    split = 1_761_156_000  # 18:00 UTC: episode A is before it, B and C after
    report = score(real_material, load_params(), test_from_s=split)
    assert report["onsets"] == 2 and report["hours"] < 0.35


def test_engine_samples_are_what_the_engine_says(real_material) -> None:
    samples = real_material.samples["liqterm"]
    dense = samples.dense("ETH", real_material.start_s, real_material.n)
    assert 0.0 < dense.min() and dense.max() < 1.0 and np.ptp(dense) > 0
    assert np.isclose(dense, samples.idle).any()  # quiet minutes read the measured idle value


def test_json_contract_and_text_report() -> None:
    report = run_backtest([DEMO], ("seed", "count10", "liqterm"))
    data = json.loads(to_json(report))
    assert list(data)[:3] == ["onsets", "hours", "predictors"]
    assert set(data["predictors"]) == {"climatology", "seed", "count10", "liqterm"}
    assert all(set(CONTRACT) <= set(row) for row in data["predictors"].values())
    text = render_text(report)
    assert "17:51:25" in text and "notional" in text and "count10" in text
    # how sure each Brier skill is: an interval per predictor and liqterm's margin over each baseline
    low, high = data["predictors"]["liqterm"]["bss_ci"]
    assert low < high
    spread = data["scopes"]["union"]["skill_spread"]
    assert set(spread["versus"]) == {"seed", "count10"}
    assert spread["onset_blocks"] == 3 and not spread["reliable"]  # 36 min, 3 onsets: too few blocks
    assert "too few: the interval is not to be trusted" in text


def test_cli_backtest_json_and_errors(tmp_path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["backtest", str(DEMO), "--predictor", "ewma", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["onsets"] == 3 and set(data["predictors"]) == {"climatology", "ewma"}
    strict = runner.invoke(app, ["backtest", str(DEMO), "-p", "ewma", "--n-min", "union=1000", "--json"])
    assert strict.exit_code == 0 and json.loads(strict.stdout)["onsets"] == 0  # N_min from the command line
    missing = runner.invoke(app, ["backtest", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 2 and "no such recording" in missing.output
    unknown = runner.invoke(app, ["backtest", str(DEMO), "--predictor", "oracle"])
    assert unknown.exit_code == 2 and "unknown predictor" in unknown.output

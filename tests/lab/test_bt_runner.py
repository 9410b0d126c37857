"""The backtest end to end: the JSON contract, every baseline side by side, the CLI, walk-forward scoring."""

from __future__ import annotations

import gzip
import json
import time

import numpy as np
import pytest
from bt_data import DEMO
from typer.testing import CliRunner

from liqterm.cli import app
from liqterm.recording import read_frames
from liqterm.recording.writer import write_frames
from liqterm_lab.params import load_params
from liqterm_lab.report import render_text, run_backtest, to_json
from liqterm_lab.runner import ALL_PREDICTORS, score

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


def test_cli_backtest_refuses_bad_requests_before_reading_and_says_why(tmp_path) -> None:
    runner = CliRunner()
    unreadable = tmp_path / "notes.jsonl"  # reading it would fail with "no liquidation"
    unreadable.write_text("hello\n", encoding="utf-8")
    for option in (["--horizon", "0"], ["--from", "yesterday"], ["--n-min", "nosuch=5"]):
        early = runner.invoke(app, ["backtest", str(unreadable), *option])
        assert early.exit_code == 2 and option[0] in early.output and "no liquidation" not in early.output

    def run(*args: str):
        return runner.invoke(app, ["backtest", str(DEMO), *args])

    for horizon in ("0", "-5", "99999999999999999999"):
        result = run("--horizon", horizon)
        assert result.exit_code == 2 and "--horizon must be between 1 and 3600 seconds" in result.output
    for when in ("yesterday", "2025-13-45"):
        result = run("--from", when)
        assert result.exit_code == 2 and "--from wants an ISO time in UTC, e.g." in result.output
    late = run("--from", "2025-10-22T18:18:00Z")
    assert late.exit_code == 2 and "the recording(s) end at 2025-10-22T18:18:42Z" in late.output
    unknown = run("--n-min", "nosuch=5")
    assert unknown.exit_code == 2 and "no scope 'nosuch'; the scopes are union" in unknown.output


def test_a_time_without_a_zone_is_utc_whatever_the_machine_says(monkeypatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        report = run_backtest([DEMO], ("count10",), scored_from="2025-10-22T18:00:00")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert report["data"]["scored_from"] == "2025-10-22T18:00:00Z" and report["onsets"] == 2


def test_short_damaged_and_misnamed_recordings(tmp_path) -> None:
    frames = list(read_frames(DEMO))
    short = tmp_path / "short.jsonl.gz"
    write_frames(short, frames[:2])
    with pytest.raises(ValueError, match=r"span \d+ s, too short to score: .* need more than 360 s"):
        run_backtest([short], ("count10",))
    damaged = tmp_path / "damaged.jsonl"  # plain text with junk lines among the frames
    with gzip.open(DEMO, "rt", encoding="utf-8") as source:
        lines = source.readlines()
    damaged.write_text(
        "".join([*lines[:100], "not json\n", '{"truncated": \n', *lines[100:]]), encoding="utf-8"
    )
    report = run_backtest([damaged], ("count10",))
    assert report["data"]["bad_lines"] == 2 and "line 102" in report["data"]["bad_line_last"]
    assert report["data"]["events"] == 3096  # nothing else lost
    assert "2 unreadable line(s) skipped" in render_text(report)
    misnamed = tmp_path / "misnamed.jsonl"  # gzip content under a plain name: read by content
    misnamed.write_bytes(DEMO.read_bytes())
    assert run_backtest([misnamed], ("count10",))["data"]["events"] == 3096
    text = tmp_path / "notes.jsonl.gz"
    text.write_text("hello\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"no liquidation in the recording\(s\) \(notes.jsonl.gz: line 1"):
        run_backtest([text], ("count10",))

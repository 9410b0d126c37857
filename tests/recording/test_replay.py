"""Replay: real frames through the adapters and the engine, JSON lines, determinism."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from recording_fixtures import (
    bundled_adapters,
    cascade_frames,
    test_adapters,
    write_real_recording,
)

from liqterm.headless.replay import replay_json, replay_text, summary_text
from liqterm.recording import RecordedFrame, write_frames

LIQUIDATION_KEYS = [
    "type",
    "venue",
    "symbol",
    "asset",
    "side",
    "price",
    "quantity",
    "usd",
    "exchange_ms",
    "received_ms",
    "class",
    "session",
]


def _replay(path: Path) -> tuple[str, list[dict]]:
    out = io.StringIO()
    replay_json(path, out, adapters=test_adapters())
    text = out.getvalue()
    return text, [json.loads(line) for line in text.splitlines()]


def test_replay_json_lines_follow_the_contract(tmp_path: Path) -> None:
    path = tmp_path / "real.jsonl.gz"
    records = write_real_recording(path, test_adapters())
    _, lines = _replay(path)
    liquidations = [line for line in lines if line["type"] == "liquidation"]
    assert list(liquidations[0]) == LIQUIDATION_KEYS
    assert {line["venue"] for line in liquidations} == {"binance", "bybit", "okx", "bitget"}
    assert all(line["side"] in ("long", "short") for line in liquidations)
    assert all(
        line["usd"] > 0 and line["class"] in ("retail", "large", "whale", "institutional")
        for line in liquidations
    )
    for line in lines:
        if line["type"] == "alert":
            assert {"kind", "priority", "asset", "key", "text", "at_ms"} <= line.keys()
        if line["type"] == "cascade":
            assert list(line) == ["type", "asset", "probability", "at_ms"]
    summary = lines[-1]
    assert summary["type"] == "summary"
    assert summary["frames"] == len(records)  # including the truncated okx frame
    assert summary["bad_lines"] == 1
    assert summary["events"] == len(liquidations)
    assert summary["venues"]["gateio"]["rejected"] == 3  # HEI/LAB unknown to the bundled table
    assert summary["venues"]["okx"]["last_reject_reason"] is not None
    assert summary["alerts"] == sum(line["type"] == "alert" for line in lines)


def test_binance_event_fields_come_through_unchanged(tmp_path: Path) -> None:
    frame = (
        '{"e":"forceOrder","E":1791091027107,"o":{"s":"MANTAUSDT","S":"SELL","o":"LIMIT",'
        '"f":"IOC","q":"2049.1","p":"0.0711500","ap":"0.0722187","X":"FILLED","l":"245.9",'
        '"z":"2049.1","T":1791091026103,"ps":"MANTAUSDT","st":1}}'
    )
    path = tmp_path / "one.jsonl"
    write_frames(path, [RecordedFrame(1_791_091_027_300, "binance", frame)])
    _, lines = _replay(path)
    first = lines[0]
    assert (first["symbol"], first["asset"], first["side"]) == ("MANTAUSDT", "MANTA", "long")
    assert (first["price"], first["quantity"]) == (0.0722187, 2049.1)
    assert (first["exchange_ms"], first["received_ms"]) == (1_791_091_026_103, 1_791_091_027_300)


def test_duplicates_after_a_reconnect_are_counted_once(tmp_path: Path) -> None:
    frame = (
        '{"topic":"allLiquidation.ICPUSDT","type":"snapshot","ts":1789670094412,'
        '"data":[{"T":1789670094099,"s":"ICPUSDT","S":"Buy","v":"19.7","p":"2.585"}]}'
    )
    path = tmp_path / "dup.jsonl"
    write_frames(
        path,
        [RecordedFrame(1_789_670_094_500, "bybit", frame), RecordedFrame(1_789_670_099_000, "bybit", frame)],
    )  # resent on reconnect
    _, lines = _replay(path)
    summary = lines[-1]
    assert (summary["events"], summary["duplicates"]) == (1, 1)
    assert summary["venues"]["bybit"] == {"frames": 2, "events": 1, "rejected": 0, "last_reject_reason": None}


def test_unknown_venues_are_counted_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "other.jsonl"
    write_frames(path, [RecordedFrame(1, "htx", "{}")])
    _, lines = _replay(path)
    assert lines[-1]["unknown_venue_frames"] == 1


def test_human_replay_prints_lines_and_a_summary(tmp_path: Path) -> None:
    path = tmp_path / "real.jsonl"
    write_real_recording(path, test_adapters())
    out = io.StringIO()
    summary = replay_text(path, out, adapters=test_adapters())
    assert out.getvalue().count("\n") >= summary.events
    assert "liquidations" in summary_text(summary)


def test_cli_replay_json_is_byte_identical_across_runs(tmp_path: Path) -> None:
    """Three real cascades spread over five venues: alerts and cascade lines, same bytes twice."""
    path = tmp_path / "cascades.jsonl.gz"
    # spread with the bundled tables, which are what the CLI decodes with offline
    write_frames(path, cascade_frames(bundled_adapters()))
    outputs = []
    for seed in ("1", "2"):  # different hash seeds: set ordering must not leak into output
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-m", "liqterm.cli", "replay", str(path), "--json"],
            capture_output=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr.decode()[-2000:]
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    lines = [json.loads(line) for line in outputs[0].decode().splitlines()]
    kinds = {line["type"] for line in lines}
    assert kinds == {"liquidation", "alert", "cascade", "summary"}
    summary = lines[-1]
    assert summary["type"] == "summary" and summary["events"] > 3000
    assert set(summary["venues"]) == {"binance", "bybit", "okx", "gateio", "bitget"}
    assert all(tally["rejected"] == 0 for tally in summary["venues"].values())
    cascades = [line for line in lines if line["type"] == "cascade"]
    assert cascades and all(0.0 <= line["probability"] <= 1.0 for line in cascades)
    assert "cascade" in {line["kind"] for line in lines if line["type"] == "alert"}


def test_in_process_replay_is_deterministic(tmp_path: Path) -> None:
    path = tmp_path / "cascades.jsonl"
    write_frames(path, cascade_frames(test_adapters(), limit=1500))
    first, _ = _replay(path)
    second, _ = _replay(path)
    assert first == second


@pytest.mark.parametrize("speed", ["max", "50"])
def test_cli_human_replay(tmp_path: Path, speed: str) -> None:
    path = tmp_path / "small.jsonl"
    frame = (
        '{"topic":"allLiquidation.ICPUSDT","type":"snapshot","ts":1789670094412,'
        '"data":[{"T":1789670094099,"s":"ICPUSDT","S":"Buy","v":"19.7","p":"2.585"}]}'
    )
    write_frames(path, [RecordedFrame(1_789_670_094_500, "bybit", frame)])
    result = subprocess.run(
        [sys.executable, "-m", "liqterm.cli", "replay", str(path), "--speed", speed],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "ICP" in result.stdout and "1 liquidations" in result.stdout

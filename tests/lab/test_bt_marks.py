"""The mark-price lead measurement (liqterm_lab.marks) on a synthetic recording.

The mark prices here are built by the test: a quiet random walk, and in the second
case a 3 % drop starting 30 s before every notional onset of the asset. So the
measurement has a known answer: the mark move warns about 30 s ahead of each onset,
and a quiet mark never reaches the top level.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from liqterm.recording.format import RecordedFrame
from liqterm.venues import offline_adapters
from liqterm_lab.marks import (
    MIN_CHANGES,
    mark_grid,
    mark_lead,
    mark_move,
    read_marks,
    render_mark_lead,
)
from liqterm_lab.runner import Material

LEAD_S = 30


def _tracked_assets(material: Material) -> dict[str, list[int]]:
    """Notional-track assets with at least one onset -> their onset seconds (absolute)."""
    out = {}
    for scope in material.scopes:
        if scope.kind == "notional" and scope.asset:
            onsets = [material.start_s + start for start, _ in material.track(scope).onsets]
            if onsets:
                out[scope.asset] = onsets
    return out


def _mark_frames(material: Material, onsets: dict[str, list[int]], drop: bool) -> list[RecordedFrame]:
    rng = np.random.default_rng(3)
    frames = []
    for asset, starts in onsets.items():
        logs = np.cumsum(rng.normal(0.0, 1e-4, material.n))  # ~1 bp a second
        if drop:
            for start in starts:
                at = start - material.start_s - LEAD_S
                logs[max(at, 0) :] += np.interp(np.arange(max(at, 0), material.n), [at, at + 5], [0.0, -0.03])
        for i, log_price in enumerate(logs):
            ms = (material.start_s + i) * 1000 + 200
            price = f"{100 * math.exp(log_price):.6f}"
            frame = {"e": "markPriceUpdate", "E": ms, "s": f"{asset}USDT", "p": price, "i": "0", "P": "0",
                     "r": "0.0001", "T": ms}  # fmt: skip
            frames.append(RecordedFrame(ms + 5, "binance", json.dumps(frame)))
    frames.sort(key=lambda f: f.received_ms)
    return frames


def test_a_mark_drop_ahead_of_every_onset_is_measured_as_that_lead(synthetic_material: Material) -> None:
    onsets = _tracked_assets(synthetic_material)
    assert onsets, "the synthetic fixture has notional onsets"
    marks = read_marks(_mark_frames(synthetic_material, onsets, drop=True), offline_adapters())
    assert set(marks) == set(onsets)
    result = mark_lead(synthetic_material, marks, app_level=0.15)
    rows = {row["name"]: row for row in result["rows"]}
    total = sum(len(v) for v in onsets.values())
    # The mark is scored only once 10 min of its changes were received (MIN_CHANGES).
    warnable = sum(s - synthetic_material.start_s - LEAD_S > MIN_CHANGES for v in onsets.values() for s in v)
    assert warnable >= 2
    assert result["onsets"] == total
    mark = rows["mark move >= 4"]
    assert mark["caught"] == warnable
    assert LEAD_S - 3 <= mark["median_lead_s"] <= LEAD_S
    either, events = rows["either, mark >= 4"], rows["events only (p >= 0.15)"]
    assert either["caught"] >= max(events["caught"], mark["caught"])
    assert either["median_lead_s"] >= events["median_lead_s"] if events["caught"] else True
    assert "mark move >= 6" in render_mark_lead(result)


def test_a_quiet_mark_gives_no_warning_at_the_top_level(synthetic_material: Material) -> None:
    onsets = _tracked_assets(synthetic_material)
    marks = read_marks(_mark_frames(synthetic_material, onsets, drop=False), offline_adapters())
    rows = {row["name"]: row for row in mark_lead(synthetic_material, marks, app_level=0.15)["rows"]}
    assert rows["mark move >= 6"]["warnings"] == 0
    events, either = rows["events only (p >= 0.15)"], rows["either, mark >= 6"]
    assert (either["caught"], either["warnings"]) == (events["caught"], events["warnings"])


def test_no_mark_price_for_a_tracked_asset_is_an_error(synthetic_material: Material) -> None:
    with pytest.raises(ValueError, match="no asset"):
        mark_lead(synthetic_material, {"NOSUCH": (np.array([0]), np.array([1.0]))}, app_level=0.15)


def test_mark_move_against_its_definition() -> None:
    rng = np.random.default_rng(11)
    prices = 50.0 * np.exp(np.cumsum(rng.normal(0.0, 2e-4, 4000)))
    prices[:30] = np.nan  # nothing received yet
    prices[2000:2100] = np.nan  # a disconnect
    score = mark_move(prices)
    changes = np.diff(np.log(prices), prepend=np.nan)
    for tau in (700, 1500, 1900, 2200, 3999):
        window = changes[max(0, tau - 1799) : tau + 1]
        window = window[np.isfinite(window)]  # the one-second changes received in the last 30 min
        sigma = max(float(np.sqrt(np.mean(window**2) - np.mean(window) ** 2)), 1e-5)
        expected = abs(math.log(prices[tau] / prices[tau - 60])) / (sigma * math.sqrt(60))
        assert score[tau] == pytest.approx(expected, rel=1e-6)
    assert (score[:630] == 0).all()  # nothing scored before 600 one-second changes were received
    assert (score[2000:2160] == 0).all()  # no 60 s move across the gap


def test_mark_grid_holds_the_last_price_received_by_each_second() -> None:
    times = np.array([1_000_500, 1_002_000, 1_002_900, 1_020_000])
    grid = mark_grid(times, np.array([10.0, 11.0, 12.0, 13.0]), start_s=1_000, n=21)
    assert np.isnan(grid[0])
    assert grid[1:9].tolist() == [10.0, 11.0, 12.0, 12.0, 12.0, 12.0, 12.0, 12.0]  # held for 5 s
    assert np.isnan(grid[9:20]).all() and grid[20] == 13.0  # then stale: no mark, until the next


def test_read_marks_keeps_only_the_assets_asked_for() -> None:
    def frame(symbol: str, ms: int) -> RecordedFrame:
        row = {
            "e": "markPriceUpdate",
            "E": ms,
            "s": symbol,
            "p": "2.5",
            "i": "0",
            "P": "0",
            "r": "0",
            "T": ms,
        }
        return RecordedFrame(ms + 3, "binance", json.dumps([row]))

    frames = [frame("ETHUSDT", 1_761_120_000_000), frame("SOLUSDT", 1_761_120_001_000)]
    marks = read_marks(frames, offline_adapters(), assets={"SOL"})
    assert list(marks) == ["SOL"]
    assert marks["SOL"][0].tolist() == [1_761_120_001_003] and marks["SOL"][1].tolist() == [2.5]


def _script():  # type: ignore[no-untyped-def]
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "lab" / "scripts" / "mark_lead.py"
    spec = importlib.util.spec_from_file_location("mark_lead_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_script_measures_a_recording_and_refuses_one_without_marks(
    synthetic,
    synthetic_material: Material,
    tmp_path,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    import heapq

    from liqterm.recording.writer import write_frames

    marks = _mark_frames(synthetic_material, _tracked_assets(synthetic_material), drop=True)
    with_marks, without = tmp_path / "with.jsonl.gz", tmp_path / "without.jsonl.gz"
    write_frames(with_marks, list(heapq.merge(synthetic.frames, marks, key=lambda f: f.received_ms)))
    write_frames(without, synthetic.frames)
    script = _script()
    assert script.main([str(with_marks), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    rows = {row["name"]: row for row in result["rows"]}
    assert rows["mark move >= 4"]["caught"] >= 2
    assert script.main([str(without)]) == 1
    assert "no mark price" in capsys.readouterr().err


def _binance_mark(ms: int, price: str) -> RecordedFrame:
    row = {"e": "markPriceUpdate", "E": ms, "s": "BTCUSDT", "p": price, "i": "0", "P": "0", "r": "0", "T": ms}
    return RecordedFrame(ms, "binance", json.dumps(row))


def _bybit_ticker(ms: int, price: str | None) -> RecordedFrame:
    data = {"symbol": "BTCUSDT"} if price is None else {"symbol": "BTCUSDT", "markPrice": price}
    return RecordedFrame(ms, "bybit", json.dumps({"topic": "tickers.BTCUSDT", "data": data, "ts": ms}))


START_MS = 1_761_120_000_000


def test_an_asset_marked_on_two_venues_keeps_the_venue_covering_more_seconds() -> None:
    # Bybit's 10 updates a second over 400 s against Binance's one a second over an hour
    bybit = [_bybit_ticker(START_MS + 100 * i, "100.5") for i in range(4_000)]
    binance = [_binance_mark(START_MS + 1000 * i, "100.0") for i in range(3_600)]
    frames = sorted(bybit + binance, key=lambda f: f.received_ms)
    _, prices = read_marks(frames, offline_adapters())["BTC"]
    assert len(prices) == 3_600 and set(prices.tolist()) == {100.0}  # Binance's, never interleaved
    # the same seconds covered: the venue first by name
    tie = sorted(bybit[:30:10] + binance[:3], key=lambda f: f.received_ms)
    assert set(read_marks(tie, offline_adapters())["BTC"][1].tolist()) == {100.0}


def test_a_bybit_delta_without_a_mark_repeats_the_last_one() -> None:
    frames = [_bybit_ticker(START_MS - 500, None), _bybit_ticker(START_MS, "100.5")]
    frames += [_bybit_ticker(START_MS + 1000 * i, None) for i in range(1, 4)]
    times, prices = read_marks(frames, offline_adapters())["BTC"]
    assert prices.tolist() == [100.5] * 4  # unchanged, not missing; nothing before the first mark
    assert times.tolist() == [START_MS + 1000 * i for i in range(4)]

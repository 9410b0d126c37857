"""The synthetic generator: real frame shapes through the real adapters, venue artefacts, known cascades."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np

from liqterm.model import VENUE_IDS
from liqterm_lab.calibrate import GeneratorSpec
from liqterm_lab.runner import collect
from liqterm_lab.scopes import coverage_gaps
from liqterm_lab.synthetic import generate


def test_frames_of_all_five_venues_decode_without_rejects(synthetic, synthetic_material) -> None:
    venues = Counter(frame.venue for frame in synthetic.frames)
    assert set(venues) == set(VENUE_IDS)
    assert synthetic_material.events.rejected_frames == 0
    assert len(synthetic_material.events) > 0.8 * synthetic.events * 0.9  # Binance throttling drops some
    assert all(frame.derived for frame in synthetic.frames)


def test_binance_pushes_at_most_one_liquidation_per_symbol_per_second(synthetic) -> None:
    seen = Counter()
    for frame in synthetic.frames:
        if frame.venue == "binance":
            order = json.loads(frame.frame)["o"]
            seen[(order["s"], order["T"] // 1000)] += 1
    assert max(seen.values()) == 1


def test_bybit_batches_rows_into_one_frame(synthetic) -> None:
    rows = [len(json.loads(f.frame)["data"]) for f in synthetic.frames if f.venue == "bybit"]
    assert max(rows) > 1


def test_injected_cascades_are_found_by_the_labeller(synthetic, synthetic_material) -> None:
    episodes = synthetic_material.episodes["union"]
    strong = [c for c in synthetic.injected if c.kind != "fizzle" and c.multiplier >= 6]
    assert strong, "the fixture should inject at least one strong cascade"
    for cascade in strong:  # an onset during its ramp, or it lands inside a cascade already running
        peak_s = cascade.start_s + cascade.ramp_s
        assert any(e.onset_s - 90 <= peak_s <= e.end_s + 30 for e in episodes), cascade


def test_receive_time_lags_exchange_time(synthetic_material) -> None:
    lag = synthetic_material.events.received_ms - synthetic_material.events.exchange_ms
    assert lag.min() >= 0 and 20 < np.median(lag) < 1000


def test_a_venue_outage_is_detected_as_a_coverage_gap() -> None:
    spec = GeneratorSpec(mu=1.0)
    synthetic = generate(spec, hours=1.0, seed=3, cascades_per_hour=0.5, outages_per_day=200.0)
    material = collect(synthetic.frames, engine_predictors=())
    gaps = coverage_gaps(material.events, material.start_s, material.n)
    venue, start, end = max(synthetic.outages, key=lambda o: o[2] - o[1])
    down = gaps[material.events.venues.index(venue)]
    inside = slice(int(start) - material.start_s + 5, int(end) - material.start_s - 5)
    assert down[inside].mean() > 0.9
    assert down.mean() < 0.5

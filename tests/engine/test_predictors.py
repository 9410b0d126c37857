"""The seed baseline formula, the Hawkes predictor's behaviour, and the pluggable interface."""

from __future__ import annotations

import math

import pytest

from liqterm.config import loads
from liqterm.engine import Engine
from liqterm.engine.cascade import HawkesPredictor, SeedPredictor, make_predictor

from .helpers import WEDNESDAY_US, liq

T0 = WEDNESDAY_US


def test_seed_formula_by_hand() -> None:
    engine = Engine(loads('[cascade]\npredictor = "seed"\n'))
    prices = [100.0, 102.0, 98.0, 100.0]
    sizes = [500_000.0, 300_000.0, 200_000.0, 3_000_000.0]  # last one institutional for SOL? no: asset X
    for i, (price, usd) in enumerate(zip(prices, sizes, strict=True)):
        engine.ingest(liq(usd, ms=T0 + i * 30_000, asset="XYZ", price=price))
    n = 4
    volume_concentration = min(sum(sizes) / (n * 1_000_000), 1.0)
    time_compression = min((n / 5) / 10, 1.0)
    mean = sum(prices) / n
    std = math.sqrt(sum((p - mean) ** 2 for p in prices) / n)
    price_clustering = 1 - min(10 * std / mean, 1.0)
    institutional_ratio = 4 / 4  # every event >= $150k is institutional for an unlisted asset
    expected = min(
        0.3 * volume_concentration
        + 0.25 * time_compression
        + 0.25 * price_clustering
        + 0.2 * institutional_ratio,
        1.0,
    )
    meter = next(m for m in engine.snapshot().meters if m.asset == "XYZ")
    assert meter.probability == pytest.approx(expected, rel=1e-9)


def test_seed_needs_three_events_in_five_minutes() -> None:
    engine = Engine(loads('[cascade]\npredictor = "seed"\n'))
    engine.ingest(liq(5_000_000, asset="XYZ"))
    engine.ingest(liq(5_000_000, asset="XYZ", ms=T0 + 1_000))
    assert next(m for m in engine.snapshot().meters if m.asset == "XYZ").probability == 0.0
    engine.ingest(liq(5_000_000, asset="XYZ", ms=T0 + 2_000))
    assert next(m for m in engine.snapshot().meters if m.asset == "XYZ").probability > 0.5
    engine.ingest(liq(10, asset="ABC", ms=T0 + 400_000))  # time moves on: the window empties
    assert next(m for m in engine.snapshot().meters if m.asset == "XYZ").probability == 0.0


def test_hawkes_probability_rises_with_intensity_and_decays_when_quiet() -> None:
    engine = Engine()
    probabilities = []
    for i in range(30):
        engine.ingest(liq(30_000, ms=T0 + i * 300, venue=("binance", "okx")[i % 2]))
        probabilities.append(next(m for m in engine.snapshot().meters if m.asset == "BTC").probability)
    assert probabilities[-1] > probabilities[2] > 0
    engine.ingest(liq(10, asset="ABC", ms=T0 + 300_000))
    assert next(m for m in engine.snapshot().meters if m.asset == "BTC").probability < probabilities[2]


def test_hawkes_features_are_named_and_finite() -> None:
    engine = Engine()
    for i in range(10):
        engine.ingest(liq(50_000, ms=T0 + i * 500))
    predictor = engine.predictor
    assert isinstance(predictor, HawkesPredictor)
    features = predictor.features(engine._assets["BTC"], engine.now_ms, 2_500_000)
    assert set(features) == set(HawkesPredictor.FEATURES)
    assert all(math.isfinite(v) for v in features.values())
    assert features["one_sided"] == 1.0 and features["venues"] == 1.0


def test_predictors_are_pluggable() -> None:
    assert isinstance(make_predictor("seed"), SeedPredictor)
    with pytest.raises(ValueError, match="unknown cascade predictor"):
        make_predictor("crystal-ball")

    class Always:
        name = "always"
        observes_buckets = False

        def new_state(self, ref_price):
            return None

        def observe(self, state, bucket):
            return None

        def probability(self, flow, now_ms, cascade_usd):
            return 0.95

    engine = Engine(predictor=Always())
    alerts = engine.ingest(liq(1_100_000)).alerts
    warnings = [a for a in alerts if a.kind == "cascade_warning"]
    assert warnings and warnings[0].probability == 0.95 and warnings[0].priority.label == "critical"

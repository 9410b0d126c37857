"""Classification against session-scaled thresholds; retail events still count everywhere."""

from __future__ import annotations

import pytest

from liqterm.config import Config, loads
from liqterm.engine import Engine

from .helpers import liq, utc_ms

US = utc_ms(2025, 10, 22, 15)  # multiplier 1.0
ASIAN = utc_ms(2025, 10, 22, 22)  # 0.7
WEEKEND = utc_ms(2025, 10, 25, 15)  # 0.5


@pytest.mark.parametrize(
    ("usd", "ms", "asset", "expected"),
    [
        (499_999, US, "BTC", "retail"),
        (500_000, US, "BTC", "large"),
        (1_000_000, US, "BTC", "whale"),
        (2_500_000, US, "BTC", "institutional"),
        (350_000, ASIAN, "BTC", "large"),  # 500k x 0.7
        (700_000, ASIAN, "BTC", "whale"),
        (1_750_000, ASIAN, "BTC", "institutional"),
        (500_000, WEEKEND, "BTC", "whale"),  # 1M x 0.5
        (250_000, US, "ETH", "large"),
        (100_000, US, "SOL", "large"),
        (400_000, US, "SOL", "institutional"),
        (50_000, US, "ADA", "large"),
        (150_000, US, "DOT", "institutional"),
        (49_999, US, "PEPE", "retail"),  # any other asset: 50k / 100k / 150k
        (100_000, US, "PEPE", "whale"),
        (75_000, WEEKEND, "PEPE", "institutional"),
    ],
)
def test_classify_by_the_events_own_session(usd: float, ms: int, asset: str, expected: str) -> None:
    assert Engine().classify(liq(usd, ms=ms, asset=asset)) == expected


def test_per_asset_session_multipliers_override_the_global_ones() -> None:
    config = loads("[thresholds.assets.BTC.sessions]\nweekend = 1.0\n")
    engine = Engine(config)
    assert engine.classify(liq(500_000, ms=WEEKEND)) == "large"
    assert Engine(Config()).classify(liq(500_000, ms=WEEKEND)) == "whale"


def test_retail_events_count_in_aggregates_but_do_not_alert() -> None:
    engine = Engine()
    alerts = []
    for i in range(10):
        alerts += engine.ingest(liq(1_000, ms=US + i * 100)).alerts
    meter = next(m for m in engine.snapshot().meters if m.asset == "BTC")
    assert meter.long_60s == pytest.approx(10_000)
    assert meter.events_per_min == 10
    assert [a for a in alerts if a.kind in ("large", "whale", "institutional")] == []
    assert all(row.cls == "retail" for row in engine.snapshot().recent)

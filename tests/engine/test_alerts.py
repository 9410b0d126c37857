"""Alert policy: kinds, priorities, dedup keys, cooldown, escalation, correlation, cascades."""

from __future__ import annotations

import pytest

from liqterm.config import loads
from liqterm.config.schema import AlertConfig, Config
from liqterm.engine import Engine, Priority
from liqterm.engine.alerts import Alert, AlertGate, probability_bands
from liqterm.model import Side

from .helpers import WEDNESDAY_US, liq

T0 = WEDNESDAY_US


def kinds(alerts: list[Alert]) -> list[str]:
    return [a.kind for a in alerts]


def test_event_alerts_from_large_upwards_with_priorities() -> None:
    engine = Engine()
    assert kinds(engine.ingest(liq(100_000)).alerts) == []  # retail BTC
    large = engine.ingest(liq(600_000, ms=T0 + 1)).alerts
    whale = engine.ingest(liq(1_100_000, ms=T0 + 2, side=Side.SHORT)).alerts
    inst = engine.ingest(liq(30_000_000, ms=T0 + 3, asset="ETH")).alerts
    assert [(a.kind, a.priority) for a in large if a.kind == "large"] == [("large", Priority.NORMAL)]
    assert [(a.kind, a.priority) for a in whale if a.kind == "whale"] == [("whale", Priority.HIGH)]
    institutional = [a for a in inst if a.kind == "institutional"]
    assert institutional and institutional[0].priority is Priority.CRITICAL
    assert institutional[0].key == "institutional:ETH:long"
    assert "ETH long liquidated $30.00M on binance" in institutional[0].text


def test_min_class_is_configurable() -> None:
    engine = Engine(loads('[alerts]\nmin_class = "whale"\n'))
    assert [a for a in engine.ingest(liq(600_000)).alerts if a.kind == "large"] == []
    assert "whale" in kinds(engine.ingest(liq(1_100_000, ms=T0 + 1)).alerts)


def test_same_key_within_cooldown_is_suppressed_and_counted() -> None:
    engine = Engine()
    first = [a for a in engine.ingest(liq(600_000)).alerts if a.kind == "large"]
    second = [a for a in engine.ingest(liq(610_000, ms=T0 + 20_000)).alerts if a.kind == "large"]
    third = [a for a in engine.ingest(liq(620_000, ms=T0 + 30_000)).alerts if a.kind == "large"]
    assert len(first) == 1 and second == [] and third == []
    snapshot = engine.snapshot()
    assert snapshot.suppressed["large:BTC:long"] == 2
    # After the cooldown the key alerts again and says how many it held back.
    after = [a for a in engine.ingest(liq(630_000, ms=T0 + 61_000)).alerts if a.kind == "large"]
    assert len(after) == 1 and after[0].suppressed_before == 2
    assert "(+2 similar suppressed)" in after[0].text
    # The other side is a different key.
    other = engine.ingest(liq(600_000, ms=T0 + 62_000, side=Side.SHORT)).alerts
    assert "large" in kinds(other)


def test_gate_escalation_breaks_through_cooldown() -> None:
    gate = AlertGate(cooldown_ms=60_000)
    base = dict(kind="cascade_warning", asset="BTC", key="cascade_warning:BTC", text="t")
    assert gate.admit(Alert(priority=Priority.HIGH, at_ms=0, probability=0.16, **base))  # "possible"
    assert gate.admit(Alert(priority=Priority.HIGH, at_ms=1_000, probability=0.2, **base)) is None
    # Up a band (the 0.25 "warning" level) and a priority: through.
    assert gate.admit(Alert(priority=Priority.CRITICAL, at_ms=2_000, probability=0.3, **base))
    # Same band again: suppressed.
    assert gate.admit(Alert(priority=Priority.CRITICAL, at_ms=3_000, probability=0.45, **base)) is None
    # Up to twice the warning level at the same priority: through.
    assert gate.admit(Alert(priority=Priority.CRITICAL, at_ms=4_000, probability=0.55, **base))
    assert gate.suppressed_total == 2


def test_escalation_bands_are_the_configured_warning_levels() -> None:
    """The bands follow [alerts] possible and warning, not fixed numbers."""
    assert probability_bands(0.15, 0.25) == (0.15, 0.25, 0.5)
    config = Config(alerts=AlertConfig(possible=0.3, warning=0.6))
    engine = Engine(config)
    alert = Alert(kind="cascade_warning", priority=Priority.HIGH, asset="BTC", key="k", text="t",
                  at_ms=T0, probability=0.65)  # fmt: skip
    assert engine.cooldown_row(alert)[3] == 2  # reaches 0.3 and 0.6, not 1.0
    engine.set_config(Config(alerts=AlertConfig(possible=0.1, warning=0.2)))
    assert engine.cooldown_row(alert)[3] == 3  # edited levels: 0.1, 0.2 and 0.4 are all reached


def test_cooldown_uses_event_time_not_the_wall_clock() -> None:
    gate = AlertGate(cooldown_ms=60_000)
    alert = dict(kind="whale", priority=Priority.HIGH, asset="BTC", key="whale:BTC:long", text="t")
    assert gate.admit(Alert(at_ms=1_000_000, **alert))
    assert gate.admit(Alert(at_ms=1_059_999, **alert)) is None
    assert gate.admit(Alert(at_ms=1_060_000 + 1, **alert))


def test_cross_venue_correlation_within_the_window() -> None:
    engine = Engine()
    engine.ingest(liq(400_000, venue="binance"))
    alerts = engine.ingest(liq(700_000, venue="okx", ms=T0 + 4_000)).alerts
    cross = [a for a in alerts if a.kind == "cross_venue"]
    assert len(cross) == 1
    assert cross[0].venues == ("binance", "okx")
    assert cross[0].usd == pytest.approx(1_100_000)
    assert cross[0].priority is Priority.HIGH
    rows = engine.snapshot().recent
    assert rows[0].correlated and not rows[1].correlated
    correlations = engine.snapshot().correlations
    assert correlations and correlations[0].venues == ("binance", "okx")


def test_no_correlation_outside_the_window_or_below_whale_size() -> None:
    engine = Engine()
    engine.ingest(liq(600_000, venue="binance"))
    late = engine.ingest(liq(600_000, venue="okx", ms=T0 + 11_000)).alerts
    assert "cross_venue" not in kinds(late)
    assert engine.snapshot().correlations == ()  # binance has left the 10 s window
    small = Engine()
    small.ingest(liq(300_000, venue="binance"))
    assert "cross_venue" not in kinds(small.ingest(liq(300_000, venue="bybit", ms=T0 + 1_000)).alerts)


def test_correlation_window_is_configurable_and_critical_at_cascade_size() -> None:
    engine = Engine(loads("[engine]\ncorrelation_window_s = 30.0\n"))
    engine.ingest(liq(1_500_000, venue="binance"))
    alerts = engine.ingest(liq(1_500_000, venue="bybit", ms=T0 + 20_000)).alerts
    cross = [a for a in alerts if a.kind == "cross_venue"]
    assert cross and cross[0].priority is Priority.CRITICAL


def test_price_dislocation_between_venues() -> None:
    engine = Engine()
    assert engine.ingest(liq(1_000, venue="binance", price=100_000.0)).alerts == []
    alerts = engine.ingest(liq(1_000, venue="okx", price=101_500.0, ms=T0 + 1_000)).alerts  # 149 bp apart
    dislocations = [a for a in alerts if a.kind == "dislocation"]
    assert len(dislocations) == 1
    assert dislocations[0].priority is Priority.INFO
    assert dislocations[0].venues == ("okx", "binance")
    assert "149 bp" in dislocations[0].text
    # The same gap again within the cooldown is suppressed, not repeated.
    assert "dislocation" not in kinds(
        engine.ingest(liq(1_000, venue="binance", price=1e5, ms=T0 + 2_000)).alerts
    )
    assert engine.snapshot().suppressed["dislocation:BTC"] == 1


def test_dislocation_needs_the_other_venue_within_the_window() -> None:
    engine = Engine()
    engine.ingest(liq(1_000, venue="binance", price=100_000.0))
    late = engine.ingest(liq(1_000, venue="okx", price=101_500.0, ms=T0 + 10_000)).alerts  # window is 10 s
    assert "dislocation" not in kinds(late)


def test_no_dislocation_for_close_prices() -> None:
    engine = Engine()
    engine.ingest(liq(1_000, venue="binance", price=100_000.0))
    close = engine.ingest(liq(1_000, venue="okx", price=100_300.0, ms=T0 + 1_000)).alerts  # 30 bp
    close += engine.ingest(liq(1_000, venue="binance", price=100_000.0, ms=T0 + 2_000)).alerts
    assert "dislocation" not in kinds(close)


def test_cascade_onset_and_end_after_120s_below() -> None:
    engine = Engine()
    raised: list[Alert] = []
    for i in range(6):  # 6 x $450k longs within 6 s: $2.7M >= $2.5M
        raised += engine.ingest(liq(450_000, ms=T0 + i * 1_000, venue="bybit")).alerts
    onsets = [a for a in raised if a.kind == "cascade"]
    assert len(onsets) == 1 and onsets[0].priority is Priority.CRITICAL
    assert onsets[0].at_ms == T0 + 5_000 and onsets[0].side == "long"
    assert engine.in_cascade("BTC")
    engine.ingest(liq(100, ms=T0 + 100_000))  # below since the window emptied
    assert engine.in_cascade("BTC")
    engine.ingest(liq(100, ms=T0 + 230_000))
    assert not engine.in_cascade("BTC")


def test_cascade_warning_on_a_building_burst_and_not_on_a_lone_whale() -> None:
    lone = Engine()
    lone.ingest(liq(2_000_000))
    assert lone.probability("BTC") < AlertConfig().possible
    engine = Engine()
    warnings: list[Alert] = []
    for i in range(40):  # 40 longs over 10 s across 3 venues, $1.6M in all
        venue = ("binance", "bybit", "okx")[i % 3]
        warnings += [
            a
            for a in engine.ingest(liq(40_000, ms=T0 + i * 250, venue=venue)).alerts
            if a.kind == "cascade_warning"
        ]
    assert warnings, "a fast one-sided multi-venue burst should warn"
    assert warnings[0].probability is not None and warnings[0].probability >= AlertConfig().possible
    assert not engine.in_cascade("BTC")


def test_replay_gives_identical_alerts() -> None:
    events = [
        liq(
            usd,
            ms=T0 + i * 700,
            venue=("binance", "okx", "bybit")[i % 3],
            side=Side(("long", "short")[i % 2]),
        )
        for i, usd in enumerate([40_000, 700_000, 90_000, 1_200_000, 30_000] * 20)
    ]
    runs = []
    for _ in range(2):
        engine = Engine()
        runs.append([(a.kind, a.key, a.at_ms, a.text) for e in events for a in engine.ingest(e).alerts])
    assert runs[0] == runs[1] and runs[0]

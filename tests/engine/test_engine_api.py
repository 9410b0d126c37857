"""The engine's API says what happened: ingest results, time passing in advance_to, pure queries."""

from __future__ import annotations

import dataclasses

from liqterm.engine import DUPLICATE, Engine, IngestResult
from liqterm.model import Side

from .helpers import WEDNESDAY_US, liq

T0 = WEDNESDAY_US
DAY = 86_400_000


def test_ingest_says_what_became_of_the_event() -> None:
    engine = Engine()
    taken = engine.ingest(liq(1_100_000))
    assert isinstance(taken, IngestResult)
    assert (taken.accepted, taken.reason, taken.cls, taken.session, taken.seq) == (
        True,
        None,
        "whale",
        "us",
        1,
    )
    assert [alert.kind for alert in taken.alerts] == ["whale"]
    again = engine.ingest(liq(1_100_000))
    assert (again.accepted, again.reason, again.cls, again.alerts, again.seq) == (
        False,
        DUPLICATE,
        None,
        [],
        0,
    )
    bad = engine.ingest(dataclasses.replace(liq(1_000, ms=T0 + 1), price=-1.0))
    assert (bad.accepted, bad.reason) == (False, "bad price")
    future = engine.ingest(dataclasses.replace(liq(1_000), exchange_ms=T0 + 3_600_000))
    assert (future.accepted, future.reason) == (False, "time in the future")
    retail = engine.ingest(liq(10_000, ms=T0 + 2))
    assert (retail.accepted, retail.cls, retail.alerts, retail.seq) == (True, "retail", [], 2)


def test_snapshot_is_a_pure_read() -> None:
    """Two snapshots in a row are equal, and taking them changes nothing the engine does next."""
    events = [
        liq(300_000 + i * 10_000, ms=T0 + i * 700, venue=("binance", "okx", "bybit")[i % 3],
            side=Side.LONG if i % 4 else Side.SHORT)
        for i in range(120)
    ]  # fmt: skip
    looked_at, left_alone = Engine(), Engine()
    for index, event in enumerate(events):
        if index % 7 == 0:
            first = looked_at.snapshot()
            assert looked_at.snapshot() == first
        assert looked_at.ingest(event) == left_alone.ingest(event)
    later = T0 + 10 * 60_000
    assert looked_at.advance_to(later) == left_alone.advance_to(later)
    assert looked_at.snapshot() == left_alone.snapshot()


def test_a_snapshot_measures_windows_from_its_own_time_without_rolling_them() -> None:
    engine = Engine()
    engine.ingest(liq(5_000, ms=T0, asset="ETH"))
    engine.ingest(liq(7_000, ms=T0 + 90_000))  # BTC, 90 s later: ETH's minute is over
    eth = next(m for m in engine.snapshot().meters if m.asset == "ETH")
    assert (eth.long_60s, eth.long_10s, eth.long_5m) == (0.0, 0.0, 5_000)


def test_advance_to_ends_a_cascade_without_a_new_event() -> None:
    engine = Engine()
    for i in range(4):  # 4 x $800k BTC within a few seconds: over the $2.5M cascade threshold
        engine.ingest(liq(800_000, ms=T0 + i * 500))
    assert engine.in_cascade("BTC")
    assert engine.advance_to(T0 + 30_000) == [] and engine.in_cascade("BTC")  # still within its minute
    engine.advance_to(T0 + 61_000)  # the burst left the 60 s window: below the threshold from here
    assert engine.in_cascade("BTC")
    engine.advance_to(T0 + 61_000 + 120_000)  # 120 s below: over
    assert not engine.in_cascade("BTC")
    meter = next(m for m in engine.snapshot().meters if m.asset == "BTC")
    assert meter.long_60s == 0 and not meter.cascade_active


def test_advance_to_raises_a_warning_that_no_new_event_brings() -> None:
    """A burst evaluated at the next second's roll: the warning comes from time passing alone."""

    def burst(engine: Engine) -> list:
        raised = []
        for i in range(15):  # 15 events in one second: under the 16-event in-second evaluation
            raised += engine.ingest(
                liq(80_000, ms=T0 + i * 50, venue=("binance", "okx", "bybit")[i % 3])
            ).alerts
        return raised

    engine = Engine()
    assert [a for a in burst(engine) if a.kind == "cascade_warning"] == []
    warnings = [a for a in engine.advance_to(T0 + 1_000) if a.kind == "cascade_warning"]
    assert len(warnings) == 1 and warnings[0].at_ms == T0 + 1_000
    assert engine.snapshot().alerts[0] == warnings[0]  # logged like any other alert
    assert engine.probability("BTC") == warnings[0].probability


def test_advance_to_forgets_whales_after_a_day_and_never_goes_back() -> None:
    engine = Engine()
    engine.ingest(liq(1_100_000))
    engine.advance_to(T0 + DAY - 1_000)
    assert engine.snapshot().whales_all.count == 1  # type: ignore[union-attr]
    engine.advance_to(T0 + DAY + 1)
    assert engine.snapshot().whales_all.count == 0  # type: ignore[union-attr]
    assert engine.whale_events() == ()
    engine.advance_to(T0)  # earlier: time stays where it is
    assert engine.now_ms == T0 + DAY + 1


def test_cascade_probability_is_a_read() -> None:
    engine = Engine()
    for i in range(30):
        engine.ingest(liq(60_000, ms=T0 + i * 200))
    before = engine.snapshot()
    value = engine.cascade_probability("BTC", T0 + 6_000)
    assert value == engine.cascade_probability("BTC", T0 + 6_000)
    assert 0.0 < value < 1.0 and engine.snapshot() == before
    assert engine.cascade_probability("NOPE") == 0.0

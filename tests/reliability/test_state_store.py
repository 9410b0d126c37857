"""The state store: what a restart gets back, what is pruned, and that it never stops monitoring."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from pathlib import Path

import pytest
from fault_table import record
from state_helpers import T0, day_of_events, liq, read_only_folder, rows_in, through_store

from liqterm.engine import Engine
from liqterm.model import Side
from liqterm.state import SCHEMA_VERSION, StateStore, default_path
from liqterm.state.database import StateDB
from liqterm.state.schema import MIGRATIONS

END = T0 + 26 * 3_600_000


def _live(path: Path, events: list, **options: float) -> tuple[Engine, list]:
    store, report = StateStore.open(path, wall_ms=END, **options)
    assert report.available and report.message is None
    engine = Engine()
    alerts = through_store(store, engine, events)
    store.close()
    return engine, alerts


def test_a_restart_gets_the_same_whale_pane_windows_and_cooldowns(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    events = day_of_events(END)
    live, alerts = _live(path, events)
    assert alerts  # the day raised whale alerts

    store, report = StateStore.open(path, wall_ms=END + 5_000)
    rebuilt = Engine()
    taken = report.restore(rebuilt)
    store.close()
    before, after = live.snapshot(), rebuilt.snapshot()
    assert after.whales == before.whales and after.whales_all == before.whales_all
    assert before.whales_all is not None and before.whales_all.count > 10
    for old, new in zip(before.meters, after.meters, strict=True):
        assert (new.asset, new.long_1h, new.short_1h, new.long_5m) == (
            old.asset,
            old.long_1h,
            old.short_1h,
            old.long_5m,
        )
    assert after.alerts == ()  # nothing re-announced
    # only whales older than an hour, everything of the last hour
    recent = sum(1 for e in events if e.exchange_ms >= END - 65 * 60_000)
    assert taken == report.whales + recent - sum(
        1
        for e in events
        if e.exchange_ms >= END - 65 * 60_000 and live.classify(e) in ("whale", "institutional")
    )
    # The next whale of an already-alerted key is inside its cooldown on both engines.
    follow = liq(1_100_000, END + 1_000, "BTC", "okx")
    assert [a.key for a in rebuilt.ingest(follow).alerts] == [a.key for a in live.ingest(follow).alerts]
    # A venue repeating an event after the restart is a duplicate, not a second liquidation.
    assert rebuilt.ingest(events[-1]).alerts == [] and rebuilt.snapshot().duplicates == 1
    record(
        "state",
        "sqlite",
        "restart after a day of events",
        f"{taken} events restored, whale pane equal",
        recovered=taken,
    )


def test_no_alert_is_raised_twice_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    whale = liq(1_100_000, T0)
    _, first = _live(path, [whale])
    assert [a.kind for a in first] == ["whale"]
    store, report = StateStore.open(path, wall_ms=T0 + 1_000)
    engine = Engine()
    report.restore(engine)
    # same key 20 s later: suppressed by the restored cooldown, exactly as without a restart
    again = through_store(store, engine, [liq(1_200_000, T0 + 20_000, "BTC", "okx")])
    store.close()
    assert again == []
    assert engine.snapshot().suppressed_total == 1


def test_an_event_is_stored_once_however_often_it_arrives(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    events = [liq(30_000 + i, T0 + i * 100) for i in range(50)]
    store, _ = StateStore.open(path, wall_ms=T0)
    engine = Engine()
    through_store(store, engine, events)
    through_store(store, engine, events)  # a reconnect delivers them again: the engine refuses them
    store.add_events((e, "retail") for e in events)  # and even a caller that records twice
    assert store.flush(2.0)
    store.close()
    assert rows_in(path) == (50, 0)
    assert engine.duplicates == 50


def test_the_file_is_wal_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    StateStore.open(path)[0].close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert default_path().name == "state.sqlite3"
    assert default_path().parent.name == "liqterm"


def test_migrations_run_in_order_and_keep_the_data(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    _live(path, [liq(2_000_000, T0)])

    def v2_adds_a_column(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE events ADD COLUMN note TEXT")

    upgraded = StateDB(path, migrations=(*MIGRATIONS, v2_adds_a_column))
    assert upgraded.versions == (SCHEMA_VERSION, SCHEMA_VERSION + 1)
    assert upgraded.counts() == (1, 1)
    upgraded.close()
    # this liqterm only knows SCHEMA_VERSION: the newer file is moved aside, not misread
    store, report = StateStore.open(path, wall_ms=T0)
    store.close()
    assert report.moved_to is not None and report.moved_to.exists()
    assert "newer liqterm" in (report.message or "") and report.events == ()
    assert rows_in(path) == (0, 0)


def test_a_failed_migration_leaves_the_old_version(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    _live(path, [liq(2_000_000, T0)])

    def broken(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE events ADD COLUMN extra TEXT")
        raise RuntimeError("crash mid-upgrade")

    with pytest.raises(RuntimeError):
        StateDB(path, migrations=(*MIGRATIONS, broken))
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        columns = [row[1] for row in db.execute("PRAGMA table_info(events)")]
    assert "extra" not in columns


def _garbage(path: Path) -> None:
    path.write_bytes(b"this is not an sqlite file" * 100)


def _truncated(path: Path) -> None:
    _live(path, day_of_events(END, step_ms=20_000))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _bad_value(path: Path) -> None:
    _live(path, [liq(2_000_000, END - 1_000)])
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("UPDATE events SET side = 'sideways'")
        db.commit()


def _zeroed_pages(path: Path) -> None:
    _live(path, day_of_events(END, step_ms=20_000))
    data = bytearray(path.read_bytes())
    data[4096 : 4096 * 3] = b"\xff" * (4096 * 2)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage",
    [_garbage, _truncated, _bad_value, _zeroed_pages],
    ids=["garbage", "truncated", "bad-value", "overwritten-pages"],
)
def test_a_damaged_file_is_moved_aside_and_the_app_starts_fresh(tmp_path: Path, damage) -> None:
    path = tmp_path / "state.sqlite3"
    damage(path)
    store, report = StateStore.open(path, wall_ms=END)
    engine = Engine()
    report.restore(engine)
    alerts = through_store(store, engine, [liq(3_000_000, END)])  # and it works from here on
    store.close()
    assert report.available and report.moved_to is not None and report.moved_to.exists()
    assert str(report.moved_to) in (report.message or "") and "started fresh" in (report.message or "")
    assert alerts and rows_in(path) == (1, 1)
    record("state", "sqlite", f"state file {damage.__name__.strip('_')}", "moved aside, fresh start")


def test_an_unreadable_file_is_moved_aside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "state.sqlite3"
    _live(path, [liq(2_000_000, T0)])
    real_open = Path.open

    def refuse(self: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    path.chmod(0o000)  # not enough for root, hence the monkeypatched read as well
    monkeypatch.setattr(sqlite3, "connect", _failing_connect(path, sqlite3.connect))
    store, report = StateStore.open(path, wall_ms=T0)
    store.close()
    assert report.moved_to is not None and report.available


def _failing_connect(path: Path, real):  # type: ignore[no-untyped-def]
    first = [True]

    def connect(target, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(target) == path and first[0]:
            first[0] = False
            raise sqlite3.OperationalError("unable to open database file")
        return real(target, *args, **kwargs)

    return connect


def test_a_read_only_data_folder_means_monitoring_without_saving(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    with read_only_folder(folder):
        store, report = StateStore.open(folder / "state.sqlite3", wall_ms=T0)
        engine = Engine()
        alerts = through_store(store, engine, [liq(3_000_000, T0)])
        store.close()
    assert not report.available and "cannot be saved" in (report.message or "")
    assert store.note == report.message and "monitoring continues" in store.note
    assert alerts and engine.events_total == 1
    record("process", "data dir", "read-only data folder", "monitoring on, says it cannot persist")


def test_a_data_folder_that_is_a_file_means_monitoring_without_saving(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    store, report = StateStore.open(blocker / "state.sqlite3", wall_ms=T0)
    assert not report.available and store.note and blocker.read_text() == "not a folder"
    assert store.flush() and through_store(store, Engine(), [liq(3_000_000, T0)])


def test_a_full_disk_mid_run_is_reported_and_monitoring_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    # a page budget the schema fits in but a few thousand events do not: SQLITE_FULL
    store, report = StateStore.open(path, wall_ms=END, pragmas={"max_page_count": 12})
    engine = Engine()
    events = day_of_events(END, step_ms=5_000)
    alerts = through_store(store, engine, events)
    assert store.flush(2.0)
    status = store.status()
    more = through_store(store, engine, [liq(3_000_000, END + 1_000, "SOL")])
    store.close()
    assert report.available and not status.available
    assert status.note == "state not saved: the disk is full; monitoring continues"
    assert status.lost == len(events) and status.written == 0
    assert alerts and more and engine.events_total == len(events) + 1
    record(
        "process",
        "data dir",
        "disk full (SQLITE_FULL) mid-run",
        "monitoring on, says it cannot persist",
        frames=len(events),
    )


def test_saving_resumes_when_the_disk_has_room_again(tmp_path: Path) -> None:
    store, _ = StateStore.open(tmp_path / "s.sqlite3", wall_ms=T0, retry_after_s=0.0)
    engine = Engine()
    db = store._db
    assert db is not None
    real_write = db.write
    calls = []

    def full_once(batch):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise sqlite3.OperationalError("database or disk is full")
        real_write(batch)

    db.write = full_once  # type: ignore[method-assign]
    through_store(store, engine, [liq(30_000, T0)])
    store.flush()
    assert store.note and "full" in store.note
    through_store(store, engine, [liq(30_000, T0 + 1)])
    store.flush()
    assert store.note is None and store.status().written == 1 and store.status().lost == 1
    store.close()


def test_the_writer_commits_within_a_second_without_being_asked(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    store, _ = StateStore.open(path, wall_ms=T0)
    through_store(store, Engine(), [liq(30_000, T0 + i) for i in range(20)])
    started = time.monotonic()
    while rows_in(path)[0] < 20:
        # the writer commits every 0.5 s; the rest is room for a busy machine's scheduler
        assert time.monotonic() - started < 1.5, "not committed within a second"
        time.sleep(0.02)
    store.close()


def test_a_writer_that_falls_behind_drops_and_says_so(tmp_path: Path) -> None:
    store, _ = StateStore.open(tmp_path / "s.sqlite3", wall_ms=T0, max_pending=100)
    # one call of 250 against room for 100: the writer cannot have taken any in between
    store.add_events([(liq(30_000, T0 + i), "retail") for i in range(250)])
    status = store.status()
    store.close()
    assert status.dropped == 150 and "150 events not saved" in (store.note or "")


def test_old_rows_are_pruned_past_their_horizon(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    store, _ = StateStore.open(path, wall_ms=END, prune_every_s=0.05)
    engine = Engine()
    events = day_of_events(END)
    through_store(store, engine, events)
    store.flush()
    deadline = time.monotonic() + 2
    keep_recent = sum(1 for e in events if e.exchange_ms >= END - 65 * 60_000)
    while rows_in(path)[0] > keep_recent + rows_in(path)[1] and time.monotonic() < deadline:
        time.sleep(0.05)
    store.close()
    stored, whales = rows_in(path)
    with contextlib.closing(sqlite3.connect(path)) as db:
        oldest_whale = db.execute("SELECT MIN(exchange_ms) FROM events WHERE whale = 1").fetchone()[0]
        oldest = db.execute("SELECT MIN(exchange_ms) FROM events WHERE whale = 0").fetchone()[0]
    assert oldest_whale >= END - 24 * 3_600_000
    assert oldest >= END - 65 * 60_000
    assert whales > 10 and stored < len(events) / 5


def test_a_restart_days_later_shows_no_stale_day(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    _live(path, day_of_events(END))
    store, report = StateStore.open(path, wall_ms=END + 3 * 24 * 3_600_000)
    store.close()
    assert report.events == () and report.available


def test_ingest_through_the_store_matches_the_engine_alone(tmp_path: Path) -> None:
    events = day_of_events(END, step_ms=30_000)
    plain = Engine()
    expected = [a for e in events for a in plain.ingest(e).alerts]
    store, _ = StateStore.open(tmp_path / "s.sqlite3", wall_ms=END)
    engine = Engine()
    got = through_store(store, engine, events)
    store.close()
    assert got == expected
    assert engine.snapshot().whales_all == plain.snapshot().whales_all


def test_a_disabled_store_is_silent_and_cheap() -> None:
    store = StateStore.disabled("demo: state is not saved")
    assert through_store(store, Engine(), [liq(3_000_000, T0, side=Side.SHORT)])
    assert store.flush() and store.note == "demo: state is not saved"
    store.close()

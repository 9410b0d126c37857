"""The state file itself: open (WAL, checked, migrated), write a batch, load, prune.

:class:`StateDB` is synchronous and not thread-safe. :class:`~liqterm.state.store.StateStore`
opens it on the caller's thread, loads what a restart needs, and from then on
touches it only from its one writer thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from liqterm.model import Liquidation, Side
from liqterm.state.schema import MIGRATIONS, Migration, migrate, rollback

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
RECENT_KEEP_MS = HOUR_MS + 5 * 60_000
"""Events that are not whales are kept this long: the engine's windows reach back one hour,
plus a margin so the oldest minute is whole."""
WHALE_KEEP_MS = DAY_MS
"""Whale and institutional events feed the 24 h tracker."""
COOLDOWN_KEEP_MS = DAY_MS

_SIDES = {"long": Side.LONG, "short": Side.SHORT}
_EVENT_COLUMNS = "venue, symbol, asset, side, price, quantity, usd, exchange_ms, received_ms"

EventRow = tuple[str, str, str, str, float, float, float, int, int, int]
"""An event as stored: the :class:`Liquidation` fields (side as text), then the whale flag."""

GateRow = tuple[str, int, int, int, int]
"""One alert-gate key: ``(key, last_ms, priority, band, suppressed)`` (see ``Engine.gate_state``)."""


def event_row(event: Liquidation, whale: bool) -> EventRow:
    """The row that stores ``event``."""
    return (
        event.venue,
        event.symbol,
        event.asset,
        event.side.value,
        event.price,
        event.quantity,
        event.usd,
        event.exchange_ms,
        event.received_ms,
        1 if whale else 0,
    )


@dataclass(slots=True)
class Batch:
    """What one write carries: new events and the latest state of some alert keys."""

    events: list[EventRow] = field(default_factory=list)
    cooldowns: dict[str, GateRow] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.events or self.cooldowns)

    def __len__(self) -> int:
        return len(self.events) + len(self.cooldowns)


@dataclass(frozen=True, slots=True)
class Loaded:
    """What a restart needs, oldest event first."""

    events: tuple[Liquidation, ...]
    gate_rows: tuple[GateRow, ...]
    whales: int


class StateDB:
    """One SQLite state file in WAL mode, at the current schema version.

    Args:
        path: the file (created with its folder when missing).
        pragmas: extra ``PRAGMA name = value`` settings applied after opening
            (tests set ``max_page_count`` to make the disk "full").
        migrations: the schema's migrations (tests pass their own to exercise upgrades).

    Raises:
        sqlite3.DatabaseError: the file is not a database, or is damaged.
        liqterm.state.schema.SchemaTooNew: a newer liqterm wrote it.
        OSError: the folder cannot be created.
    """

    def __init__(
        self,
        path: Path,
        pragmas: Mapping[str, int | str] | None = None,
        migrations: Sequence[Migration] = MIGRATIONS,
    ) -> None:
        self.path = path
        # What was liquidated and alerted is nobody else's business: a private folder and file.
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        created = not path.exists()
        # Autocommit: every write below opens its own explicit transaction.
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        if created:
            path.touch(mode=0o600)
            path.chmod(0o600)
        try:
            self._db.execute("PRAGMA busy_timeout = 2000")
            # Reading the header here turns "file is not a database" into an error now.
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError(f"cannot switch to WAL mode (got {mode})")
            # NORMAL in WAL mode survives an application crash (kill -9); only a power cut
            # can lose the last commits. One fsync per checkpoint, not per batch.
            self._db.execute("PRAGMA synchronous = NORMAL")
            for name, value in (pragmas or {}).items():
                self._db.execute(f"PRAGMA {name} = {int(value) if isinstance(value, int) else value}")
            checked = self._db.execute("PRAGMA quick_check").fetchone()[0]
            if checked != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {checked}")
            self.versions = migrate(self._db, migrations)
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        """Checkpoint the WAL into the main file and close."""
        try:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass  # closing still works; the WAL is replayed on the next open
        self._db.close()

    def write(self, batch: Batch) -> None:
        """Store one batch in one transaction (all of it or, on error, none)."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            if batch.events:
                db.executemany(
                    f"INSERT OR IGNORE INTO events ({_EVENT_COLUMNS}, whale) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    batch.events,
                )
            if batch.cooldowns:
                db.executemany(
                    "INSERT OR REPLACE INTO cooldowns (key, last_ms, priority, band, suppressed) "
                    "VALUES (?,?,?,?,?)",
                    batch.cooldowns.values(),
                )
        except BaseException:
            rollback(db)
            raise
        db.execute("COMMIT")

    def newest_ms(self) -> int | None:
        """The latest stored event time, if any (the engine's "now" when it stopped)."""
        row = self._db.execute("SELECT MAX(exchange_ms) FROM events").fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def prune(self, now_ms: int) -> int:
        """Forget what no restart needs as of event time ``now_ms``; returns rows deleted."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            deleted = db.execute(
                "DELETE FROM events WHERE exchange_ms < ? AND (whale = 0 OR exchange_ms < ?)",
                (now_ms - RECENT_KEEP_MS, now_ms - WHALE_KEEP_MS),
            ).rowcount
            deleted += db.execute(
                "DELETE FROM cooldowns WHERE last_ms < ?", (now_ms - COOLDOWN_KEEP_MS,)
            ).rowcount
        except BaseException:
            rollback(db)
            raise
        db.execute("COMMIT")
        return deleted

    def load(self, wall_ms: int) -> Loaded:
        """Events and cooldowns for a restart at wall-clock ``wall_ms``.

        The horizons are measured from the newest stored event (the engine's own
        clock when it stopped), so the rebuilt tracker equals the one that was
        running; anything already older than 24 h of wall-clock time is left out, so
        a restart days later does not show a stale day.
        """
        newest = self.newest_ms()
        if newest is None:
            return Loaded((), tuple(self._cooldowns(wall_ms - COOLDOWN_KEEP_MS)), 0)
        floor = wall_ms - WHALE_KEEP_MS
        rows = self._db.execute(
            f"SELECT {_EVENT_COLUMNS}, whale FROM events "
            "WHERE exchange_ms >= ? AND (whale = 1 OR exchange_ms >= ?) ORDER BY exchange_ms, rowid",
            (max(newest - WHALE_KEEP_MS, floor), max(newest - RECENT_KEEP_MS, floor)),
        ).fetchall()
        events = tuple(_event(row) for row in rows)
        whales = sum(row[9] for row in rows)
        return Loaded(events, tuple(self._cooldowns(max(newest, wall_ms) - COOLDOWN_KEEP_MS)), whales)

    def counts(self) -> tuple[int, int]:
        """``(events, whale events)`` stored."""
        row = self._db.execute("SELECT COUNT(*), COALESCE(SUM(whale), 0) FROM events").fetchone()
        return int(row[0]), int(row[1])

    def _cooldowns(self, since_ms: int) -> Iterable[GateRow]:
        rows = self._db.execute(
            "SELECT key, last_ms, priority, band, suppressed FROM cooldowns WHERE last_ms >= ?", (since_ms,)
        )
        for key, last_ms, priority, band, suppressed in rows:
            yield str(key), int(last_ms), int(priority), int(band), int(suppressed)


def _event(row: tuple) -> Liquidation:
    venue, symbol, asset, side, price, quantity, usd, exchange_ms, received_ms, _whale = row
    return Liquidation(
        str(venue),
        str(symbol),
        str(asset),
        _SIDES[side],
        float(price),
        float(quantity),
        float(usd),
        int(exchange_ms),
        int(received_ms),
    )

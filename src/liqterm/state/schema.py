"""The state file's schema and its ordered migrations.

The version lives in SQLite's ``PRAGMA user_version``; each migration moves the
file from one version to the next inside one transaction, so a crash mid-upgrade
leaves the old version intact. A file newer than this program knows is refused
(:class:`SchemaTooNew`): the caller moves it aside rather than guess at it.

To change the schema, append a function to :data:`MIGRATIONS`; never edit one
that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

Migration = Callable[[sqlite3.Connection], None]


class SchemaTooNew(Exception):
    """The file was written by a newer liqterm (its ``user_version`` is above ours)."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(f"schema version {found} is newer than this liqterm knows ({known})")
        self.found = found
        self.known = known


def _v1_events_and_cooldowns(db: sqlite3.Connection) -> None:
    # One row per accepted liquidation. ``whale`` marks whale-or-bigger events, which are
    # kept for the 24 h tracker; the rest only for the engine's one-hour windows. The
    # identity index makes a second write of the same event a no-op.
    db.execute(
        """
        CREATE TABLE events (
            venue       TEXT    NOT NULL,
            symbol      TEXT    NOT NULL,
            asset       TEXT    NOT NULL,
            side        TEXT    NOT NULL,
            price       REAL    NOT NULL,
            quantity    REAL    NOT NULL,
            usd         REAL    NOT NULL,
            exchange_ms INTEGER NOT NULL,
            received_ms INTEGER NOT NULL,
            whale       INTEGER NOT NULL
        )
        """
    )
    db.execute(
        "CREATE UNIQUE INDEX events_identity ON events (venue, symbol, side, price, quantity, exchange_ms)"
    )
    db.execute("CREATE INDEX events_time ON events (exchange_ms)")
    # The alert gate's memory: the last admitted alert per dedup key.
    db.execute(
        """
        CREATE TABLE cooldowns (
            key        TEXT    PRIMARY KEY,
            last_ms    INTEGER NOT NULL,
            priority   INTEGER NOT NULL,
            band       INTEGER NOT NULL,
            suppressed INTEGER NOT NULL
        )
        """
    )
    db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")


MIGRATIONS: tuple[Migration, ...] = (_v1_events_and_cooldowns,)
"""Migration ``i`` takes the file from version ``i`` to ``i + 1``."""

SCHEMA_VERSION = len(MIGRATIONS)


def version_of(db: sqlite3.Connection) -> int:
    """The file's schema version (0 for a new, empty file)."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> tuple[int, int]:
    """Bring ``db`` (an autocommit connection) up to date; returns ``(from, to)`` versions.

    Raises:
        SchemaTooNew: the file is newer than ``migrations`` know.
        sqlite3.DatabaseError: the file is not a usable database.
    """
    found = version_of(db)
    target = len(migrations)
    if found > target:
        raise SchemaTooNew(found, target)
    for version in range(found, target):
        db.execute("BEGIN IMMEDIATE")
        try:
            migrations[version](db)
            # PRAGMA takes no parameters; ``version`` is our own integer.
            db.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            rollback(db)
            raise
        db.execute("COMMIT")
    return found, target


def rollback(db: sqlite3.Connection) -> None:
    """``ROLLBACK`` if a transaction is still open."""
    # Some errors (SQLITE_FULL, SQLITE_IOERR) have already rolled the transaction back; a
    # second ROLLBACK would then raise and hide the real error.
    if db.in_transaction:
        db.execute("ROLLBACK")

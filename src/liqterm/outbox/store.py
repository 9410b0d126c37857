"""The durable outbox: every (alert, destination) delivery and its state, in SQLite (WAL).

One row per (alert id, destination) is the idempotency record: an alert queued twice is
stored once, and a row that left ``waiting`` is never sent again. A row is marked
``sending`` before the request and ``sent`` after it; a row still ``sending`` after a crash
may or may not have arrived, so it becomes ``unconfirmed`` (counted, not resent: at most
once).

A destination is an ``int`` (a Telegram chat) or a ``str`` (a named Apprise service); the
column has no declared type, so SQLite gives back exactly what was stored.

The class is synchronous and not thread-safe; :class:`AsyncOutbox` runs every call on one
dedicated thread so the event loop never waits on the disk.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from liqterm.engine.alerts import Priority
from liqterm.outbox.queue import Dest, Pending

WAITING, SENDING, SENT, DIGESTED = "waiting", "sending", "sent", "digested"
EXPIRED, FAILED, UNCONFIRMED, CANCELLED = "expired", "failed", "unconfirmed", "cancelled"
STATES = (WAITING, SENDING, SENT, DIGESTED, EXPIRED, FAILED, UNCONFIRMED, CANCELLED)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    alert_id   TEXT    NOT NULL,
    dest               NOT NULL,
    state      TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    priority   INTEGER NOT NULL,
    asset      TEXT    NOT NULL,
    side       TEXT,
    usd        REAL    NOT NULL,
    venues     TEXT    NOT NULL,
    at_ms      INTEGER NOT NULL,
    suppressed INTEGER NOT NULL,
    queued_ms  INTEGER NOT NULL,
    body       TEXT    NOT NULL,
    done_ms    INTEGER,
    message_id INTEGER,
    PRIMARY KEY (alert_id, dest)
);
CREATE INDEX IF NOT EXISTS deliveries_state ON deliveries (state, queued_ms);
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Files written before the outbox served more than Telegram named two columns after it.
_RENAMED = (("chat_id", "dest"), ("html", "body"))
log = logging.getLogger(__name__)
_T = TypeVar("_T")
_COLUMNS = "alert_id, dest, kind, priority, asset, side, usd, venues, at_ms, suppressed, queued_ms, body"


class Outbox:
    """Deliveries and small settings (e.g. Telegram's update offset) in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: batches open their own transactions explicitly.
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode is durable against an application crash (only an OS crash or
        # power cut can lose the last commits), and avoids an fsync per alert.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._migrate()
        self._db.executescript(_SCHEMA)

    def _migrate(self) -> None:
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(deliveries)")}
        for old, new in _RENAMED:
            if old in columns:
                self._db.execute(f"ALTER TABLE deliveries RENAME COLUMN {old} TO {new}")

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def add(self, items: Sequence[Pending]) -> list[Pending]:
        """Store new deliveries; returns those not seen before (duplicates are ignored)."""
        added = []
        sql = (
            f"INSERT OR IGNORE INTO deliveries (state, {_COLUMNS}) "
            "VALUES ('waiting', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        with self._transaction():
            for item in items:
                row = (
                    item.alert_id,
                    item.dest,
                    item.kind,
                    int(item.priority),
                    item.asset,
                    item.side,
                    item.usd,
                    ",".join(item.venues),
                    item.at_ms,
                    item.suppressed,
                    item.queued_ms,
                    item.body,
                )
                if self._db.execute(sql, row).rowcount:
                    added.append(item)
        return added

    def waiting(self) -> list[Pending]:
        """Every delivery still waiting, oldest first (to refill the queues after a restart)."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM deliveries WHERE state = 'waiting' ORDER BY queued_ms, rowid"
        ).fetchall()
        return [_item(row) for row in rows]

    def recover_interrupted(self, now_ms: int) -> int:
        """Mark deliveries left ``sending`` by a crash as ``unconfirmed``; returns how many."""
        cursor = self._db.execute(
            "UPDATE deliveries SET state = 'unconfirmed', done_ms = ? WHERE state = 'sending'",
            (now_ms,),
        )
        return cursor.rowcount

    def mark(
        self,
        keys: Iterable[tuple[str, Dest]],
        state: str,
        at_ms: int | None = None,
        message_id: int | None = None,
    ) -> None:
        """Move deliveries to ``state`` (one of :data:`STATES`)."""
        if state not in STATES:
            raise ValueError(f"unknown delivery state {state!r}")
        rows = [(state, at_ms, message_id, alert, dest) for alert, dest in keys]
        with self._transaction():
            self._db.executemany(
                "UPDATE deliveries SET state = ?, done_ms = ?, message_id = ? "
                "WHERE alert_id = ? AND dest = ?",
                rows,
            )

    def counts(self, dest: Dest | None = None) -> dict[str, int]:
        """How many deliveries are in each state (for one destination, or all)."""
        if dest is None:
            rows = self._db.execute("SELECT state, COUNT(*) FROM deliveries GROUP BY state")
        else:
            rows = self._db.execute(
                "SELECT state, COUNT(*) FROM deliveries WHERE dest = ? GROUP BY state", (dest,)
            )
        found = dict(rows.fetchall())
        return {state: int(found.get(state, 0)) for state in STATES}

    def last_sent_ms(self) -> int | None:
        """When the last message was delivered (epoch ms), if ever."""
        row = self._db.execute(
            "SELECT MAX(done_ms) FROM deliveries WHERE state IN ('sent', 'digested')"
        ).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def prune(self, before_ms: int) -> int:
        """Forget finished deliveries queued before ``before_ms``; returns how many."""
        cursor = self._db.execute(
            "DELETE FROM deliveries WHERE state NOT IN ('waiting', 'sending') AND queued_ms < ?",
            (before_ms,),
        )
        return cursor.rowcount

    def setting(self, name: str) -> str | None:
        """A stored setting, or ``None``."""
        row = self._db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        return str(row[0]) if row else None

    def set_setting(self, name: str, value: str) -> None:
        """Store a setting (replacing the old value)."""
        self._db.execute(
            "INSERT INTO settings (name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (name, value),
        )

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """``BEGIN`` … ``COMMIT`` (``ROLLBACK`` on error) for an autocommit connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")


def _log_failure(future: Future[Any]) -> None:
    error = future.exception()
    if error is not None:
        log.error("an outbox write failed: %s", error)


def _item(row: tuple) -> Pending:
    (alert_id, dest, kind, priority, asset, side, usd, venues, at_ms, suppressed, queued_ms, body) = row
    return Pending(
        alert_id=alert_id,
        dest=dest,
        kind=kind,
        priority=Priority(int(priority)),
        asset=asset,
        side=side,
        usd=float(usd),
        venues=tuple(v for v in venues.split(",") if v),
        at_ms=int(at_ms),
        suppressed=int(suppressed),
        queued_ms=int(queued_ms),
        body=body,
    )


class AsyncOutbox:
    """The outbox for asyncio code: each call runs on one dedicated thread, in call order.

    One thread (not ``asyncio.to_thread``'s pool) serialises access to the connection, so
    SQLite needs no extra locking and writes land in the order they were made.
    """

    def __init__(self, outbox: Outbox, executor: ThreadPoolExecutor) -> None:
        self.sync = outbox
        self._executor = executor

    @classmethod
    async def open(cls, path: Path) -> AsyncOutbox:
        """Open (creating if needed) the outbox at ``path`` off the event loop."""
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="liqterm-outbox")
        loop = asyncio.get_running_loop()
        try:
            outbox = await loop.run_in_executor(executor, Outbox, path)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(outbox, executor)

    async def call(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run ``fn(*args)`` (a method of :attr:`sync`) on the outbox thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args))

    def post(self, fn: Callable[..., object], *args: Any) -> None:
        """Run ``fn(*args)`` on the outbox thread without waiting for it (still in call order).

        For records whose loss costs nothing but accuracy: a failure is logged, not raised.
        """
        self._executor.submit(functools.partial(fn, *args)).add_done_callback(_log_failure)

    async def close(self) -> None:
        """Close the database (after every posted write) and stop the thread."""
        await self.call(self.sync.close)
        self._executor.shutdown(wait=False)

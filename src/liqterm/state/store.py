"""Persistence beside the engine: restore at start, batched writes after.

Wiring (the app or ``watch``, on its event loop thread)::

    store, report = StateStore.open()         # never raises; may take a moment: call it once
    engine = Engine(config)
    report.restore(engine)                    # whale pane, 24 h figures, windows, cooldowns
    if report.message:
        notify(report.message)                # e.g. "state file was damaged; moved aside to ..."
    pipeline.add_sink(StoreSink(store, engine))   # accepted events and alert cooldowns
    ...
    status_line(store.note)                   # None while saving works
    ...
    store.close()                             # flushes; also on Ctrl-C / quit

The hot path only appends rows to a list under a lock; one writer thread commits
them every ``flush_interval_s`` (0.5 s; at most one second of events is lost to a
``kill -9``) and prunes what no restart needs. When the disk is full or the folder
read-only the store says so in :attr:`StateStore.note` and drops what it cannot
write; monitoring is never stopped by persistence.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from liqterm.model import Liquidation
from liqterm.state.database import Batch, GateRow, StateDB, event_row
from liqterm.state.opening import RestoreReport, open_database

log = logging.getLogger(__name__)

WHALE_CLASSES = frozenset({"whale", "institutional"})


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class StoreStatus:
    """The store's counters at one moment (for a status line or a test).

    Attributes:
        available: writes are currently succeeding (or have not failed yet).
        note: why state is not being saved, in words for the user; ``None`` when it is.
        written: events committed since the store opened.
        pending: events waiting for the next commit.
        dropped: events not saved because the writer fell too far behind.
        lost: events not saved because the disk refused them.
        batches: commits made.
    """

    available: bool
    note: str | None
    written: int
    pending: int
    dropped: int
    lost: int
    batches: int


class StateStore:
    """Batched, off-thread persistence of the engine's restart state.

    Build it with :meth:`open` (or :meth:`disabled`); the constructor is internal.

    Args:
        db: the open database, or ``None`` for a store that saves nothing.
        note: shown to the user while nothing is saved.
        flush_interval_s: how often the writer commits (at most 1 s: a kill -9 loses no more).
        max_pending: events held for the writer before new ones are dropped (counted).
        prune_every_s: how often old rows are deleted.
        retry_after_s: after a failed write, how long to drop batches before trying again.
    """

    def __init__(
        self,
        db: StateDB | None,
        *,
        note: str | None = None,
        flush_interval_s: float = 0.5,
        max_pending: int = 500_000,
        prune_every_s: float = 60.0,
        retry_after_s: float = 15.0,
    ) -> None:
        if not 0 < flush_interval_s <= 1.0:
            raise ValueError("flush_interval_s must be in (0, 1]")
        self._db = db
        self._note = note if db is None else None
        self._interval = flush_interval_s
        self._max_pending = max_pending
        self._prune_every = prune_every_s
        self._retry_after = retry_after_s
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._wake = threading.Event()
        self._pending = Batch()
        self._added = 0  # record operations so far; flush() waits for the writer to pass one
        self._committed = 0
        self._written = self._dropped = self._lost = self._batches = 0
        self._failing_until = 0.0
        self._closing = False
        self._thread: threading.Thread | None = None
        if db is not None:
            self._thread = threading.Thread(target=self._run, name="liqterm-state", daemon=True)
            self._thread.start()

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        *,
        wall_ms: int | None = None,
        pragmas: Mapping[str, int | str] | None = None,
        **options: float,
    ) -> tuple[StateStore, RestoreReport]:
        """Open (or create) the state file and load what a restart needs. Never raises.

        A damaged, unreadable or too-new file is renamed ``<name>.corrupt-<UTC time>``
        and a fresh one started; the report's ``message`` says so. When no file can be
        written at all the store saves nothing and its :attr:`note` says why.

        Args:
            path: the file (default ``<data dir>/state.sqlite3``, beside the Telegram outbox).
            wall_ms: "now" for the restore horizons (tests); default the wall clock.
            pragmas: extra SQLite PRAGMAs (tests simulate a full disk with ``max_page_count``).
            options: :class:`StateStore` tunables (``flush_interval_s`` ...).
        """
        db, report = open_database(path, wall_ms if wall_ms is not None else _wall_ms(), pragmas)
        if db is None:
            return cls.disabled(report.message or "state is not saved"), report
        return cls(db, **options), report  # type: ignore[arg-type]

    @classmethod
    def disabled(cls, note: str) -> StateStore:
        """A store that saves nothing and says ``note`` (for demo, replay, or a failed open)."""
        return cls(None, note=note)

    # -- the hot path (caller's thread) -----------------------------------------------------------

    def add_event(self, event: Liquidation, cls: str) -> None:
        """Save an event the engine ACCEPTED, with its class (whales are kept for 24 h)."""
        self._add([event_row(event, cls in WHALE_CLASSES)], ())

    def add_events(self, accepted: Iterable[tuple[Liquidation, str]]) -> None:
        """Save many accepted events, each with its class, in one go."""
        self._add([event_row(event, cls in WHALE_CLASSES) for event, cls in accepted], ())

    def add_cooldowns(self, rows: Iterable[GateRow]) -> None:
        """Save the cooldown state of admitted alerts (``Engine.cooldown_row`` of each)."""
        self._add([], rows)

    def _add(self, rows: list, cooldowns: Iterable[GateRow]) -> None:
        if self._db is None:
            return
        with self._lock:
            pending = self._pending
            room = self._max_pending - len(pending.events)
            if len(rows) > room:
                self._dropped += len(rows) - max(room, 0)
                rows = rows[: max(room, 0)]
            pending.events.extend(rows)
            for row in cooldowns:
                # The gate keeps, per key, the last admitted alert's time, priority and band.
                pending.cooldowns[row[0]] = row
            self._added += 1

    # -- status and lifecycle -------------------------------------------------------------------

    @property
    def note(self) -> str | None:
        """Why state is not (fully) being saved, for the status line; ``None`` when all is well."""
        if self._note:
            return self._note
        if self._dropped:
            return f"state saving fell behind: {self._dropped} events not saved"
        return None

    def status(self) -> StoreStatus:
        """The counters now."""
        with self._lock:
            pending = len(self._pending.events)
        return StoreStatus(
            available=self._db is not None and not self._note,
            note=self.note,
            written=self._written,
            pending=pending,
            dropped=self._dropped,
            lost=self._lost,
            batches=self._batches,
        )

    def flush(self, timeout_s: float = 5.0) -> bool:
        """Commit everything recorded so far; ``False`` if that took longer than ``timeout_s``."""
        if self._thread is None or not self._thread.is_alive():
            return self._db is None
        with self._lock:
            target = self._added
        self._wake.set()
        with self._done:
            return self._done.wait_for(lambda: self._committed >= target, timeout_s)

    def close(self, timeout_s: float = 5.0) -> None:
        """Flush, stop the writer and close the file. Safe to call twice."""
        thread = self._thread
        if thread is None:
            return
        self._closing = True
        self._wake.set()
        thread.join(timeout_s)
        if thread.is_alive():
            log.warning("state: writer did not finish within %.1f s; the last batch may be lost", timeout_s)
            return
        self._thread = None

    # -- the writer thread ------------------------------------------------------------------------

    def _run(self) -> None:
        assert self._db is not None
        db = self._db
        next_prune = time.monotonic() + self._prune_every
        try:
            while True:
                self._wake.wait(self._interval)
                self._wake.clear()
                closing = self._closing
                with self._lock:
                    batch, self._pending = self._pending, Batch()
                    taken = self._added
                if batch:
                    self._write(db, batch)
                with self._done:
                    self._committed = taken
                    self._done.notify_all()
                if time.monotonic() >= next_prune:
                    next_prune = time.monotonic() + self._prune_every
                    self._guard(lambda: self._prune(db))
                if closing:
                    break
        finally:
            self._guard(db.close)

    def _write(self, db: StateDB, batch: Batch) -> None:
        if time.monotonic() < self._failing_until:
            self._lost += len(batch.events)
            return
        try:
            db.write(batch)
        except Exception as exc:  # disk full, read-only, I/O error: say so and keep going
            self._lost += len(batch.events)
            self._failing_until = time.monotonic() + self._retry_after
            if not self._note:
                log.warning("state: cannot save to %s: %s", db.path, exc)
            self._note = f"state not saved: {_reason(exc)}; monitoring continues"
            return
        if self._note:
            log.info("state: saving to %s again", db.path)
            self._note = None
        self._written += len(batch.events)
        self._batches += 1

    def _prune(self, db: StateDB) -> None:
        newest = db.newest_ms()
        if newest is not None:
            db.prune(newest)

    def _guard(self, action: Callable[[], object]) -> None:
        try:
            action()
        except Exception as exc:
            log.warning("state: %s", exc)


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if "full" in text:
        return "the disk is full"
    if "readonly" in text or "read-only" in text:
        return "the data folder is read-only"
    return text

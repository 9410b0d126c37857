"""Opening the state file without ever refusing to start.

Three outcomes: the file opens (and what a restart needs is loaded); the file is
damaged, unreadable or from a newer liqterm, so it is renamed aside and a fresh
one started; or nothing can be written where the file lives (read-only folder,
full disk), so the app runs without persistence and says so.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from liqterm.config.paths import data_dir
from liqterm.model import Liquidation
from liqterm.state.database import GateRow, Loaded, StateDB
from liqterm.state.schema import SchemaTooNew

if TYPE_CHECKING:
    from liqterm.engine import Engine

log = logging.getLogger(__name__)

STATE_FILE = "state.sqlite3"
_SIDE_FILES = ("-wal", "-shm")


def default_path() -> Path:
    """``<data dir>/state.sqlite3`` (the Telegram outbox lives beside it)."""
    return data_dir() / STATE_FILE


@dataclass(frozen=True, slots=True)
class RestoreReport:
    """What was found at start, and what to tell the user.

    Attributes:
        path: the state file.
        events: events to re-ingest, oldest first (whales of the last 24 h, the rest of the last hour).
        gate_rows: the alert cooldown state (see ``Engine.gate_state``).
        whales: how many of ``events`` are whale or institutional.
        message: one line for the user when something went wrong (file moved aside,
            persistence unavailable); ``None`` after a clean start.
        moved_to: where a damaged file was moved.
        available: state will be saved.
        elapsed_s: time taken to open and load.
    """

    path: Path
    events: tuple[Liquidation, ...] = ()
    gate_rows: tuple[GateRow, ...] = ()
    whales: int = 0
    message: str | None = None
    moved_to: Path | None = None
    available: bool = True
    elapsed_s: float = 0.0

    def restore(self, engine: Engine) -> int:
        """Rebuild ``engine`` from the loaded state (silently: no alert is raised twice).

        Returns how many events the engine took.
        """
        if not self.events and not self.gate_rows:
            return 0
        return engine.restore(list(self.events), list(self.gate_rows))


def open_database(
    path: Path | None, wall_ms: int, pragmas: Mapping[str, int | str] | None = None
) -> tuple[StateDB | None, RestoreReport]:
    """Open ``path`` (default :func:`default_path`) and load it; see the module docstring."""
    path = path or default_path()
    started = time.monotonic()
    moved_to: Path | None = None
    problem = ""
    db: StateDB | None = None
    loaded = Loaded((), (), 0)
    try:
        db = StateDB(path, pragmas)
        loaded = db.load(wall_ms)
    except (sqlite3.Error, SchemaTooNew, OSError, KeyError, ValueError, TypeError) as exc:
        if db is not None:
            db.close()
            db = None
        if not _is_damage(exc, path):
            return None, _unavailable(path, exc, started)
        problem = _describe(exc)
        try:
            moved_to = move_aside(path)
            db = StateDB(path, pragmas)
        except (sqlite3.Error, OSError) as again:
            return None, _unavailable(path, again, started, problem)
        log.warning("state: %s was unusable (%s); moved to %s, starting fresh", path, problem, moved_to)
    message = None
    if moved_to is not None:
        message = f"the saved state {path} was unusable ({problem}); moved it to {moved_to} and started fresh"
    report = RestoreReport(
        path=path,
        events=loaded.events,
        gate_rows=loaded.gate_rows,
        whales=loaded.whales,
        message=message,
        moved_to=moved_to,
        elapsed_s=time.monotonic() - started,
    )
    return db, report


def move_aside(path: Path) -> Path:
    """Rename ``path`` (and its WAL files) to ``<name>.corrupt-<UTC time>``; returns the new path."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    if path.exists():
        path.rename(target)
    for suffix in _SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target


def _is_damage(exc: BaseException, path: Path) -> bool:
    """A problem with the file's content (move it aside), not with where it lives."""
    if isinstance(exc, SchemaTooNew | KeyError | ValueError | TypeError):
        return True
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return True  # "file is not a database", "database disk image is malformed"
    # An OperationalError or OSError is damage only when the file itself cannot be read;
    # otherwise the folder or the disk is the problem, and moving the file would not help.
    if not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            handle.read(16)
    except OSError:
        return True
    return False


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SchemaTooNew):
        return f"written by a newer liqterm: {exc}"
    if isinstance(exc, KeyError | ValueError | TypeError):
        return f"a stored value is invalid ({type(exc).__name__})"
    return str(exc) or type(exc).__name__


def _unavailable(path: Path, exc: BaseException, started: float, problem: str = "") -> RestoreReport:
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    before = f"the saved state was unusable ({problem}) and " if problem else ""
    message = f"{before}state cannot be saved to {path} ({reason}); monitoring continues without it"
    log.warning("state: %s", message)
    return RestoreReport(path=path, message=message, available=False, elapsed_s=time.monotonic() - started)

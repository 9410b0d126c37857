"""The notifier: alerts to every ``[[notify]]`` destination through Apprise, on the shared outbox.

Wiring (the app and ``liqterm watch``)::

    notifier, status = build_notifier(config.notify)
    if notifier:
        pipeline.add_sink(notifier)        # on_alerts: cheap, never blocks, never raises
        await notifier.start()
    ...
    health_bar.update(notifier.status.label)
    await notifier.stop()

Each destination has its own queue, spacing, retries and failure limit (one
:class:`NotifySender` each, on :class:`liqterm.outbox.sender.Sender`); one outbox file holds
every destination's deliveries, so nothing accepted is lost or sent twice across a restart.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from liqterm.config.paths import data_dir
from liqterm.config.schema import NotifyConfig
from liqterm.engine.alerts import Alert, Priority
from liqterm.model import Liquidation
from liqterm.notify.message import alert_message, digest_message, split
from liqterm.notify.status import BROKEN, DestinationStatus, NotifyCounters, NotifyStatus
from liqterm.notify.transport import AppriseService, in_thread
from liqterm.notify.urls import Destination, destinations
from liqterm.outbox.intake import Intake
from liqterm.outbox.queue import Pending, alert_id
from liqterm.outbox.ratelimit import Spacing
from liqterm.outbox.sender import Outcome, Policy, Result, Sender, SenderState
from liqterm.outbox.store import CANCELLED, AsyncOutbox

log = logging.getLogger(__name__)


def default_path() -> Path:
    """``<data dir>/notify.sqlite3``: every destination's deliveries."""
    return data_dir() / "notify.sqlite3"


@dataclass(frozen=True, slots=True)
class NotifyTuning:
    """Timing that is not user configuration (tests shrink it).

    Attributes:
        send_timeout_s: the longest one send may take (Apprise's own request timeouts come
            first; this bounds a plugin that waits on a service's rate limit).
        backoff_base_s: the first retry delay; it doubles up to ``backoff_cap_s``.
        rate_limit_wait_s: the wait after a 429 (Apprise does not pass on the service's own).
        stop_grace_s: how long :meth:`Notifier.stop` lets sends in flight finish.
        retention_days: finished delivery records older than this are forgotten.
    """

    send_timeout_s: float = 30.0
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 60.0
    rate_limit_wait_s: float = 5.0
    stop_grace_s: float = 3.0
    retention_days: float = 7.0


def wants(spec: NotifyConfig, alert: Alert) -> bool:
    """Whether a destination takes ``alert``: priority high enough, kind and asset allowed."""
    if alert.priority < Priority.parse(spec.min_priority):
        return False
    if spec.kinds and alert.kind not in spec.kinds:
        return False
    return not spec.assets or alert.asset.upper() in {a.upper() for a in spec.assets}


class NotifySender(Sender):
    """One destination: each message (an alert or a digest) goes through Apprise on a thread."""

    def __init__(self, destination: Destination, tuning: NotifyTuning, **shared: Any) -> None:
        super().__init__(destination.name, label=f"notify {destination.name}", **shared)
        self._service = AppriseService(destination.url, destination.scheme)
        self._timeout_s = tuning.send_timeout_s
        self._rate_limit_wait_s = tuning.rate_limit_wait_s

    async def attempt(self, items: list[Pending]) -> Outcome:
        title, body = split(items[0].body if len(items) == 1 else digest_message(items))
        priority = max(item.priority for item in items)
        try:
            async with asyncio.timeout(self._timeout_s):
                outcome = await in_thread(lambda: self._service.send(title, body, priority), str(self.dest))
        except TimeoutError:
            return Outcome(
                Result.UNCERTAIN,
                f"no answer within {self._timeout_s:g} s; the message may still arrive, "
                "so it is not sent again",
            )
        if outcome.result is Result.WAIT and outcome.retry_after is None:
            wait = self._rate_limit_wait_s
            return Outcome(Result.WAIT, f"{outcome.reason}; waiting {wait:g} s", retry_after=wait)
        return outcome


class _NotifyIntake(Intake):
    def __init__(
        self, specs: Mapping[str, NotifyConfig], workers: Mapping[str, Sender], **shared: Any
    ) -> None:
        super().__init__(workers, fanout=len(specs), name="notify", **shared)  # type: ignore[arg-type]
        self._specs = specs

    def wanted(self, alert: Alert) -> bool:
        return any(wants(spec, alert) for spec in self._specs.values())

    def expand(self, alert: Alert, queued_ms: int) -> list[Pending]:
        names = [name for name, spec in self._specs.items() if wants(spec, alert)]
        message, ident = alert_message(alert), alert_id(alert)
        return [Pending.of(alert, ident, name, queued_ms, message) for name in names]

    def skipped(self, item: Pending) -> None:
        self._counters.skipped += 1  # type: ignore[attr-defined]


class Notifier:
    """Sends alerts to the ``[[notify]]`` destinations; a pipeline sink (:meth:`on_alerts`).

    Args:
        ready: the destinations whose URL was read.
        broken: destinations that could not start, with why (shown, never sent to).
        outbox_path: the SQLite file (default ``<data dir>/notify.sqlite3``).
        tuning: timeouts and backoff (tests shrink them).
        wall_clock: epoch seconds, for queue ages and records.
        rng: jitter source.
    """

    def __init__(
        self,
        ready: list[Destination],
        broken: Mapping[str, str] | None = None,
        *,
        outbox_path: Path | None = None,
        tuning: NotifyTuning | None = None,
        wall_clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self._ready = {d.name: d for d in ready}
        self._broken = dict(broken or {})
        self._outbox_path = outbox_path or default_path()
        self._tuning = tuning or NotifyTuning()
        self._wall = wall_clock
        self._rng = rng or random.Random()
        self._counters = NotifyCounters()
        gaps = {d.name: 60.0 / d.config.per_minute if d.config.per_minute > 0 else 0.0 for d in ready}
        self._spacing = Spacing(lambda name: gaps.get(name, 0.0))  # type: ignore[call-overload]
        self._workers: dict[str, NotifySender] = {}
        specs = {d.name: d.config for d in ready}
        self._intake = _NotifyIntake(specs, self._workers, counters=self._counters, wall_ms=self._now_ms)
        self._tasks: list[asyncio.Task[None]] = []
        self._outbox: AsyncOutbox | None = None
        self._fatal = ""
        self._started = self._stopped = False

    def __repr__(self) -> str:
        return f"Notifier(destinations={sorted(self._ready)!r})"

    # -- the pipeline's side -------------------------------------------------------------------

    def on_alerts(self, alerts: list[Alert], cause: Liquidation | None) -> None:
        """Queue every admitted alert for the destinations that want it (the sink hook)."""
        for alert in alerts:
            self._intake.submit(alert)

    def submit(self, alert: Alert) -> None:
        """Queue ``alert``. O(1); call from the event loop thread (also before :meth:`start`)."""
        self._intake.submit(alert)

    @property
    def status(self) -> NotifyStatus:
        """The current state as an immutable value (cheap; fine to read on every UI tick)."""
        rows = []
        for name in self._ready:
            worker = self._workers.get(name)
            if worker is None:
                rows.append(DestinationStatus(name, SenderState.OK.value))
            else:
                rows.append(DestinationStatus(name, worker.state.value, worker.reason, len(worker.queue)))
        rows += [DestinationStatus(name, BROKEN, reason) for name, reason in self._broken.items()]
        c = self._counters
        return NotifyStatus(
            destinations=tuple(rows),
            problem=self._fatal or self._intake.problem,
            messages_sent=c.messages_sent,
            alerts_sent=c.alerts_sent,
            digests=c.digests,
            expired=c.expired,
            failed=c.failed,
            unconfirmed=c.unconfirmed,
            retries=c.retries,
            skipped=c.skipped,
        )

    # -- lifecycle -----------------------------------------------------------------------------

    async def __aenter__(self) -> Notifier:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Open the outbox, reload what was waiting, and start sending."""
        if self._started:
            return
        self._started = True
        for name, reason in self._broken.items():
            log.error("notify %s: cannot start: %s", name, reason)
        try:
            outbox = self._outbox = await AsyncOutbox.open(self._outbox_path)
        except (sqlite3.Error, OSError) as exc:
            self._fatal = f"cannot open the outbox {self._outbox_path}: {exc}"
            log.error("notify: %s", self._fatal)
            return
        db, now = outbox.sync, self._now_ms()
        interrupted = await outbox.call(db.recover_interrupted, now)
        if interrupted:
            self._counters.unconfirmed += interrupted
            log.warning(
                "notify: %d alerts were being sent when liqterm stopped; they may have arrived "
                "and are not sent again",
                interrupted,
            )
        await outbox.call(db.prune, now - int(self._tuning.retention_days * 86_400_000))
        for name, destination in self._ready.items():
            self._workers[name] = self._new_worker(destination, outbox)
        await self._reload(await outbox.call(db.waiting), now)
        self._spawn(self._intake.run(outbox), "intake")
        for name, worker in self._workers.items():
            self._spawn(worker.run(), name)

    async def stop(self) -> None:
        """Let sends in flight finish (up to ``stop_grace_s``), store what waits, and close."""
        if not self._started or self._stopped:
            return
        self._stopped = True
        self._intake.close()
        for worker in self._workers.values():
            worker.close()
        if self._tasks:
            _, late = await asyncio.wait(self._tasks, timeout=self._tuning.stop_grace_s)
            for task in late:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._outbox is None:
            return
        await self._intake.flush(self._outbox)
        await self._outbox.close()

    # -- internals -----------------------------------------------------------------------------

    def _now_ms(self) -> int:
        return int(self._wall() * 1000)

    def _new_worker(self, destination: Destination, outbox: AsyncOutbox) -> NotifySender:
        spec, tuning = destination.config, self._tuning
        policy = Policy(
            max_age_s=spec.max_age_s,
            digest_after=spec.digest_after,
            backoff_base_s=tuning.backoff_base_s,
            backoff_cap_s=tuning.backoff_cap_s,
            max_failures=spec.max_failures,
        )
        return NotifySender(
            destination,
            tuning,
            outbox=outbox,
            spacing=self._spacing,
            policy=policy,
            counters=self._counters,
            wall_ms=self._now_ms,
            rng=self._rng,
        )

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(coro, name=f"notify {name}")
        task.add_done_callback(self._task_done)
        self._tasks.append(task)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or task.exception() is None:
            return
        error = task.exception()
        log.error("notify: %s stopped unexpectedly", task.get_name(), exc_info=error)
        self._fatal = f"internal error in {task.get_name()} ({type(error).__name__}); see the log"

    async def _reload(self, waiting: list[Pending], now: int) -> None:
        orphans = []
        for item in waiting:
            worker = self._workers.get(str(item.dest))
            if worker is None:
                orphans.append(item.key)
            else:
                worker.queue.push(item)
        if waiting:
            log.info("notify: %d alerts waiting from the last run", len(waiting) - len(orphans))
        if orphans:  # destinations renamed or removed since they were queued
            assert self._outbox is not None
            await self._outbox.call(self._outbox.sync.mark, orphans, CANCELLED, now)


def build_notifier(
    specs: tuple[NotifyConfig, ...], environ: Mapping[str, str] | None = None, **options: Any
) -> tuple[Notifier | None, NotifyStatus]:
    """A notifier for the ``[[notify]]`` tables, or ``None`` (and an empty status) when none is on.

    ``options`` go to :class:`Notifier`. Destinations whose URL cannot be read are shown as
    broken with the reason; the others work.
    """
    ready, broken = destinations(specs, environ)
    if not ready and not broken:
        return None, NotifyStatus()
    notifier = Notifier(ready, broken, **options)
    return notifier, notifier.status

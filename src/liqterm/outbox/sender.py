"""One destination's sender: takes its queue in priority order, within its spacing, and retries.

The loop is the same for every destination; what one send does and what its failure means
is the subclass's :meth:`Sender.attempt`, which answers with an :class:`Outcome`:

* ``SENT``: delivered (a digest counts every alert in it).
* ``WAIT``: the service asked to slow down; the same alerts go again after its wait.
* ``RETRY``: a failure that may pass (5xx, network, timeout): capped exponential backoff
  with jitter, then the same alerts again.
* ``UNCERTAIN``: the request may have arrived (the connection broke after it was sent): the
  alerts are ``unconfirmed``, never resent; the next ones wait out a backoff.
* ``DROP``: this message was refused (its text); the next ones may pass.
* ``STOP``: the destination refuses everything (a deleted webhook, a blocked bot): it stops,
  its alerts are ``failed``, the other destinations go on.
* ``HALT``: nothing can be sent anywhere (a rejected token): the alerts wait, untouched.

A destination whose sends keep failing (``max_failures`` in a row, RETRY or UNCERTAIN) is
stopped as if it had refused: it is shown as stopped and no longer holds alerts for ever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from liqterm.outbox.queue import Dest, DestQueue, Pending
from liqterm.outbox.ratelimit import Spacing
from liqterm.outbox.store import DIGESTED, EXPIRED, FAILED, SENDING, SENT, UNCONFIRMED, WAITING, AsyncOutbox

log = logging.getLogger(__name__)


class SenderState(StrEnum):
    """One destination's state."""

    OK = "ok"
    PAUSED = "paused"
    RETRYING = "retrying"
    """The last send failed for a reason that may pass; back to ``ok`` at the next success."""
    STOPPED = "stopped"
    """The destination refused, or kept failing: nothing more goes there until a restart."""


class Result(StrEnum):
    """What one attempt came to (see the module docstring)."""

    SENT = "sent"
    WAIT = "wait"
    RETRY = "retry"
    UNCERTAIN = "uncertain"
    DROP = "drop"
    STOP = "stop"
    HALT = "halt"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One attempt's result, why (safe to show: no secret), and what the service said."""

    result: Result
    reason: str = ""
    retry_after: float | None = None
    message_id: int | None = None


@dataclass(slots=True)
class Counters:
    """Tallies since start, shared by the senders of one service (Telegram, or notify)."""

    messages_sent: int = 0
    alerts_sent: int = 0
    digests: int = 0
    expired: int = 0
    failed: int = 0
    unconfirmed: int = 0
    retries: int = 0
    """Attempts that failed and were tried again (WAIT, RETRY, UNCERTAIN)."""
    last_sent_ms: int | None = None


def backoff_delay(failures: int, base: float, cap: float, rng: random.Random) -> float:
    """Seconds to wait after ``failures`` consecutive failures (1 = the first).

    Capped exponential with "equal jitter": half the step is fixed so retries never bunch
    at zero, the other half random so many clients do not retry in lockstep.
    """
    step = min(cap, base * 2 ** max(0, failures - 1))
    return step / 2 + rng.uniform(0, step / 2)


@dataclass(frozen=True, slots=True)
class Policy:
    """How a sender paces, merges, expires and gives up.

    Attributes:
        max_age_s: alerts waiting longer than this are expired (0: never).
        digest_after: more waiting non-critical alerts about one asset merge into a digest.
        backoff_base_s: the first retry delay; it doubles up to ``backoff_cap_s``.
        max_failures: failed attempts in a row after which the destination stops (0: never).
    """

    max_age_s: float = 900.0
    digest_after: int = 5
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 60.0
    max_failures: int = 0


class Sender:
    """Delivers one destination's alerts. :meth:`run` is its task; the intake feeds :meth:`push`.

    Subclasses implement :meth:`attempt`.
    """

    def __init__(
        self,
        dest: Dest,
        *,
        label: str,
        outbox: AsyncOutbox,
        spacing: Spacing,
        policy: Policy,
        counters: Counters,
        wall_ms: Callable[[], int],
        rng: random.Random,
        halted: Callable[[], bool] = lambda: False,
    ) -> None:
        self.dest = dest
        self.label = label
        """How logs name the destination (never its secret address)."""
        self.queue = DestQueue()
        self.state = SenderState.OK
        self.reason = ""
        self._outbox = outbox
        self._spacing = spacing
        self._policy = policy
        self._counters = counters
        self._wall_ms = wall_ms
        self._rng = rng
        self._halted = halted
        self._wake = asyncio.Event()
        self._closing = False
        self.failures = 0
        """Failed attempts in a row (reset by a success)."""

    async def attempt(self, items: list[Pending]) -> Outcome:
        """Send ``items`` (one alert, or a digest of several) as one message."""
        raise NotImplementedError

    @property
    def accepts(self) -> bool:
        """Whether new alerts should be queued for this destination."""
        return self.state not in (SenderState.PAUSED, SenderState.STOPPED)

    def push(self, item: Pending) -> None:
        """Queue an alert (already stored in the outbox) and wake the sender."""
        self.queue.push(item)
        self._wake.set()

    def wake(self) -> None:
        """Re-check the queue (after a resume, a halt lifted, or closing)."""
        self._wake.set()

    def close(self) -> None:
        """Finish the send in flight, then return from :meth:`run`."""
        self._closing = True
        self._wake.set()

    def pause(self) -> list[Pending]:
        """Stop sending here; returns the alerts that were waiting."""
        if self.state is not SenderState.STOPPED:
            self.state, self.reason = SenderState.PAUSED, "paused"
        return self.queue.drain()

    def resume(self) -> None:
        """Send here again; a destination that was stopped stays stopped."""
        if self.state is SenderState.PAUSED:
            self.state, self.reason = SenderState.OK, ""
        self._wake.set()

    async def run(self) -> None:
        """Send until :meth:`close`."""
        policy = self._policy
        max_age_ms = int(policy.max_age_s * 1000)
        while not self._closing:
            if not self.queue or not self.accepts or self._halted():
                await self._sleep(None)
                continue
            wait = self._spacing.wait_time(self.dest)
            if wait > 0:
                await self._sleep(wait)
                continue
            taken = self.queue.take(self._wall_ms(), max_age_ms, policy.digest_after)
            if taken.expired:
                self._counters.expired += len(taken.expired)
                log.info(
                    "%s: %d alerts expired after %.0f s in the queue",
                    self.label,
                    len(taken.expired),
                    policy.max_age_s,
                )
                await self._mark(taken.expired, EXPIRED)
            if taken.send:
                await self._deliver(taken.send)

    async def _sleep(self, seconds: float | None) -> None:
        """Wait for ``seconds`` or until woken, whichever is first."""
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _mark(self, items: list[Pending], state: str, message_id: int | None = None) -> None:
        keys = [item.key for item in items]
        await self._outbox.call(self._outbox.sync.mark, keys, state, self._wall_ms(), message_id)

    async def _deliver(self, items: list[Pending]) -> None:
        # Take the spacing slot before the first await, so no other sender can pass the same
        # global check in between.
        self._spacing.record(self.dest)
        await self._mark(items, SENDING)
        try:
            outcome = await self.attempt(items)
        except Exception as exc:  # a bug in one destination must not stop the others
            log.exception("%s: sending failed unexpectedly", self.label)
            outcome = Outcome(Result.RETRY, f"internal error ({type(exc).__name__}); see the log")
        await self._settle(items, outcome)

    async def _settle(self, items: list[Pending], outcome: Outcome) -> None:
        result = outcome.result
        if result is Result.SENT:
            self._delivered(items, outcome.message_id)
        elif result is Result.HALT:
            await self._retry_later(items, 0.0, outcome.reason)
        elif result is Result.STOP:
            await self._stop(items, outcome.reason)
        elif result is Result.DROP:
            self._counters.failed += len(items)
            await self._mark(items, FAILED)
            log.error("%s: a message was refused and dropped: %s", self.label, outcome.reason)
        elif result is Result.WAIT:
            self._counters.retries += 1
            log.info("%s: %s", self.label, outcome.reason)
            await self._retry_later(items, outcome.retry_after or 1.0, outcome.reason)
        else:
            await self._failed(items, outcome)

    def _delivered(self, items: list[Pending], message_id: int | None) -> None:
        digest = len(items) > 1
        # Not awaited: the send already happened; the record only needs to land before the
        # next write (the outbox thread keeps order). If liqterm dies first, the row stays
        # "sending" and becomes "unconfirmed": still never sent twice.
        keys = [item.key for item in items]
        state = DIGESTED if digest else SENT
        self._outbox.post(self._outbox.sync.mark, keys, state, self._wall_ms(), message_id)
        counters = self._counters
        counters.messages_sent += 1
        counters.alerts_sent += len(items)
        counters.digests += int(digest)
        counters.last_sent_ms = self._wall_ms()
        self.failures = 0
        if self.state is SenderState.RETRYING:
            self.state, self.reason = SenderState.OK, ""

    async def _failed(self, items: list[Pending], outcome: Outcome) -> None:
        policy = self._policy
        self.failures += 1
        self._counters.retries += 1
        reason = outcome.reason
        if outcome.result is Result.UNCERTAIN:
            self._counters.unconfirmed += len(items)
            await self._mark(items, UNCONFIRMED)
            items = []
        if policy.max_failures and self.failures >= policy.max_failures:
            self._counters.retries -= 1  # not tried again after all
            await self._stop(items, f"gave up after {self.failures} failed attempts in a row: {reason}")
            return
        delay = backoff_delay(self.failures, policy.backoff_base_s, policy.backoff_cap_s, self._rng)
        log.warning("%s: %s (attempt %d failed; next in %.1f s)", self.label, reason, self.failures, delay)
        if items:
            await self._retry_later(items, delay, reason)
        else:
            self.state, self.reason = SenderState.RETRYING, reason
            self._spacing.block(self.dest, delay)

    async def _retry_later(self, items: list[Pending], delay: float, reason: str) -> None:
        self.queue.put_back(items)
        await self._mark(items, WAITING)
        if delay > 0:
            self._spacing.block(self.dest, delay)
        self.state, self.reason = SenderState.RETRYING, reason

    async def _stop(self, items: list[Pending], reason: str) -> None:
        rest = [*items, *self.queue.drain()]
        self._counters.failed += len(rest)
        await self._mark(rest, FAILED)
        self.state, self.reason = SenderState.STOPPED, reason
        log.error("%s: stopped sending: %s", self.label, reason)

"""What the app shows about the notification destinations: an immutable status value."""

from __future__ import annotations

from dataclasses import dataclass

from liqterm.outbox.sender import Counters, SenderState

BROKEN = "broken"
"""A destination that could not even start (its URL could not be read); shown like a stopped one."""


@dataclass(slots=True)
class NotifyCounters(Counters):
    """The shared senders' tallies, and alerts not queued for a stopped destination."""

    skipped: int = 0


@dataclass(frozen=True, slots=True)
class DestinationStatus:
    """One destination: its name, state (a :class:`SenderState` value or ``broken``), why, backlog."""

    name: str
    state: str
    reason: str = ""
    queued: int = 0

    @property
    def troubled(self) -> bool:
        return self.state != SenderState.OK and self.state != SenderState.PAUSED


@dataclass(frozen=True, slots=True)
class NotifyStatus:
    """A snapshot of the notifier for the health bar, the health screen and tests (counts since start)."""

    destinations: tuple[DestinationStatus, ...] = ()
    problem: str = ""
    """Why nothing can be sent at all (the outbox cannot be opened), or ``""``."""
    messages_sent: int = 0
    alerts_sent: int = 0
    digests: int = 0
    expired: int = 0
    failed: int = 0
    unconfirmed: int = 0
    retries: int = 0
    skipped: int = 0

    @property
    def failing(self) -> tuple[DestinationStatus, ...]:
        """The destinations that are stopped, broken or retrying."""
        return tuple(d for d in self.destinations if d.troubled)

    @property
    def down(self) -> bool:
        """Whether a destination stopped for good (or the whole notifier cannot work)."""
        return bool(self.problem) or any(d.state in (SenderState.STOPPED, BROKEN) for d in self.destinations)

    @property
    def label(self) -> str:
        """A short cell for the health bar: ``notify ok ×2``, ``notify: discord stopped``; ``""`` when
        no destination is configured."""
        if self.problem:
            return f"notify: {self.problem}"
        if not self.destinations:
            return ""
        worst = sorted(self.failing, key=lambda d: d.state not in (SenderState.STOPPED, BROKEN))
        if worst:
            more = f" +{len(worst) - 1}" if len(worst) > 1 else ""
            return f"notify: {worst[0].name} {worst[0].state}{more}"
        queued = sum(d.queued for d in self.destinations)
        text = f"notify ok ×{len(self.destinations)}"
        return f"{text} · {queued} queued" if queued else text

"""Knobs that are not user configuration: timeouts, backoff, long-poll time, shutdown grace.

Tests and benchmarks shrink them; the defaults suit the real Bot API.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from liqterm.outbox.sender import backoff_delay
from liqterm.telegram.client import Timeouts


@dataclass(frozen=True, slots=True)
class Tuning:
    """Timing of the forwarder's network work.

    Attributes:
        timeouts: connect and request time limits for every Bot API call.
        backoff_base_s: the first retry delay after a 5xx or network failure.
        backoff_cap_s: retry delays double up to this.
        poll_s: how long one ``getUpdates`` long-poll waits for a command.
        commands: whether to answer chat commands (poll ``getUpdates``) at all.
        stop_grace_s: how long :meth:`Forwarder.stop` lets a send in flight finish.
        retention_days: finished delivery records older than this are forgotten.
    """

    timeouts: Timeouts = field(default_factory=Timeouts)
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 60.0
    poll_s: float = 25.0
    commands: bool = True
    stop_grace_s: float = 5.0
    retention_days: float = 7.0


__all__ = ["Tuning", "backoff_delay"]

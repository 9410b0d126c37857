"""What became of one event: the value :meth:`Engine.ingest <liqterm.engine.Engine.ingest>` returns.

Every consumer of the engine (the store, the replay's lines, the tape, Telegram)
needs the same few answers about an event it handed in: was it taken, and if not
why; its class and session when it was; the alerts it raised. The engine says so
once, here, instead of each caller comparing counters before and after.

One is made per event on the hot path, so it is a plain class with read-only
(``Final``) attributes rather than a frozen dataclass: compiled, that costs a
fraction of the dataclass's per-instance set-up, and the compiled build refuses
writes to it all the same.
"""

from __future__ import annotations

from typing import Final

from liqterm.engine.alerts import Alert
from liqterm.model import Liquidation

DUPLICATE: Final = "duplicate"
"""The refusal reason of an event the engine has already taken (a venue repeating it)."""


class IngestResult:
    """The outcome of ingesting one event.

    Attributes:
        accepted: the event was counted (not a duplicate, not implausible).
        reason: why it was not: :data:`DUPLICATE`, or the engine's refusal
            (``bad price``, ``bad size``, ``time in the future``, ``time too old``);
            ``None`` when accepted.
        cls: ``retail``, ``large``, ``whale`` or ``institutional`` when accepted.
        session: the trading session of the event's own time, when accepted.
        alerts: the alerts the event raised, after dedup and cooldown (often empty).
        seq: the event's number in the engine (keys its tape row); 0 when refused.
        correlated: the asset was liquidating on another venue within the
            correlation window with a combined USD at its whale threshold.
        event: the event itself, when accepted (the engine keeps its latest results
            for the tape, so one object serves both).
    """

    __slots__ = ("accepted", "alerts", "cls", "correlated", "event", "reason", "seq", "session")

    def __init__(
        self,
        accepted: bool,
        reason: str | None = None,
        cls: str | None = None,
        session: str | None = None,
        alerts: list[Alert] | None = None,
        seq: int = 0,
        correlated: bool = False,
        event: Liquidation | None = None,
    ) -> None:
        self.accepted: Final = accepted
        self.reason: Final = reason
        self.cls: Final = cls
        self.session: Final = session
        self.alerts: Final[list[Alert]] = alerts if alerts is not None else []
        self.seq: Final = seq
        self.correlated: Final = correlated
        self.event: Final = event

    def _fields(self) -> tuple[object, ...]:
        return (
            self.accepted, self.reason, self.cls, self.session,
            self.alerts, self.seq, self.correlated, self.event,
        )  # fmt: skip

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IngestResult):
            return NotImplemented
        return self._fields() == other._fields()

    def __repr__(self) -> str:
        names = ("accepted", "reason", "cls", "session", "alerts", "seq", "correlated", "event")
        inner = ", ".join(f"{name}={value!r}" for name, value in zip(names, self._fields(), strict=True))
        return f"IngestResult({inner})"

    def replaced(self, alerts: list[Alert]) -> IngestResult:
        """The same outcome with other alerts (tests script what an event raises)."""
        return IngestResult(
            self.accepted, self.reason, self.cls, self.session, alerts, self.seq, self.correlated, self.event
        )


def refused(reason: str) -> IngestResult:
    """The result of an event the engine did not take."""
    return IngestResult(False, reason)
